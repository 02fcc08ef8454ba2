"""The /api/v1/ router: the kernel's viewsets, then each app's through its ``register``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

import applications.api
import benefits.api
import grants.api
import harms.api
import reviews.api
from solidarity.audit.api import AuditEventViewSet
from solidarity.catalog.api import DatasetViewSet
from solidarity.register.api import RegisterViewSet

# No ".json" suffix routes: several actions take no ``format`` argument, and ``?format=``
# or the Accept header already choose the renderer.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("register", RegisterViewSet, basename="register")
for module in (applications.api, benefits.api, harms.api, reviews.api, grants.api):
    module.register(router)

urlpatterns = [
    *router.urls,
    path(
        "permissions/<str:user>/",
        grants.api.PermissionsView.as_view(),
        name="grant-permissions",
    ),
]
