from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _

from solidarity.errors import DomainError


class ContentSecurityPolicyMiddleware:
    """Sends the site's Content-Security-Policy: everything from our own origin, nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class DomainErrorMiddleware:
    """Maps a domain error that escapes an HTML view to a page with its message, never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            return render(
                request,
                "errors/domain_error.html",
                {"message": exception.message, "title": _("This action is not possible")},
                status=exception.status_code,
            )
        return None
