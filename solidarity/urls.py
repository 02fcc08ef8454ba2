from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from grants import api as grants_api
from solidarity import ops
from solidarity.accounts import language as account_language
from solidarity.accounts import urls as accounts_urls
from solidarity.accounts.views import ThrottledObtainAuthToken, home
from solidarity.auditing import views as auditing_views


class _Favicon(RedirectView):
    """The icon's static URL is resolved per request: with hashed names (production) it is
    known only once collectstatic has written the manifest."""

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    path("", home, name="home"),
    # Browsers ask for /favicon.ico whatever the page says; answer with the site's icon.
    path("favicon.ico", _Favicon.as_view(permanent=False)),
    path("healthz", ops.healthz, name="healthz"),
    path("readyz", ops.readyz, name="readyz"),
    path("accounts/mfa/webauthn/", include(accounts_urls.webauthn_urlpatterns)),
    path("accounts/", include("solidarity.accounts.urls")),
    path("datasets/", include("solidarity.catalog.urls")),
    path("notifications/", include("solidarity.notifications.urls")),
    path("applications/", include("applications.urls")),
    path("reviews/", include("reviews.urls")),
    path("harms/", include("harms.urls")),
    path("benefits/", include("benefits.urls")),
    path("register/", include("solidarity.register.urls")),
    path("grants/", include("grants.urls")),
    path(".well-known/jwks.json", grants_api.jwks, name="grants-jwks"),
    path("audit/", auditing_views.audit_console, name="audit-console"),
    path("auditing/", include("solidarity.auditing.urls")),
    # The switcher keeps a signed-in person's choice on the account (before Django's own).
    path("i18n/setlang/", account_language.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("reviews.api")),  # the committee's applications/{id}/… actions
    path("api/v1/", include("solidarity.api_urls")),
    path("api/v1/auth/token/", ThrottledObtainAuthToken.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's bootstrap as a script of our own origin (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "solidarity.ops.not_found"
handler500 = "solidarity.ops.server_error"
