from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from solidarity.accounts import urls as accounts_urls
from solidarity.accounts.views import ThrottledObtainAuthToken, home
from solidarity.auditing import views as auditing_views

urlpatterns = [
    path("", home, name="home"),
    path("accounts/mfa/webauthn/", include(accounts_urls.webauthn_urlpatterns)),
    path("accounts/", include("solidarity.accounts.urls")),
    path("datasets/", include("solidarity.catalog.urls")),
    path("notifications/", include("solidarity.notifications.urls")),
    path("applications/", include("applications.urls")),
    path("reviews/", include("reviews.urls")),
    path("harms/", include("harms.urls")),
    path("benefits/", include("benefits.urls")),
    path("register/", include("solidarity.register.urls")),
    path("audit/", auditing_views.audit_console, name="audit-console"),
    path("auditing/", include("solidarity.auditing.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("reviews.api")),  # the committee's applications/{id}/… actions
    path("api/v1/", include("solidarity.api_urls")),
    path("api/v1/auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's bootstrap as a script of our own origin (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
