"""The /api/v1/ router; each app adds its viewsets in ``register_api``."""

from rest_framework.routers import DefaultRouter

from solidarity.audit.api import AuditEventViewSet
from solidarity.catalog.api import DatasetViewSet

router = DefaultRouter()
router.register("datasets", DatasetViewSet, basename="dataset")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

urlpatterns = router.urls
