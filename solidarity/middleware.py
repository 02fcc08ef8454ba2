import base64
import hashlib
import re
from functools import cache

from django.conf import settings
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from solidarity.errors import DomainError

DOCS_PATH = "/api/docs/"


@cache
def _docs_style_hashes() -> str:
    """CSP hashes of the inline <style> blocks of drf-spectacular's Swagger UI page.

    Its bootstrap script is served from our origin (the split view), so only these styles
    need allowing, by hash, not by an exemption.
    """
    source = get_template("drf_spectacular/swagger_ui.html").template.source
    hashes = []
    for block in re.findall(r"<style>(.*?)</style>", source, flags=re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return " ".join(hashes)


def _policy_for(path: str) -> str:
    policy = settings.CONTENT_SECURITY_POLICY
    if path.startswith(DOCS_PATH):
        policy = policy.replace("style-src 'self'", f"style-src 'self' {_docs_style_hashes()}")
    return policy


class ContentSecurityPolicyMiddleware:
    """Sends the site's Content-Security-Policy: everything from our own origin, nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", _policy_for(request.path))
        return response


# Pages an anonymous harm reporter sees (with a receipt code): their own report.
_PRIVATE_PREFIXES = ("/harms/", "/api/v1/harm-reports/")


class PrivateResponseMiddleware:
    """Nothing shown to a signed-in person, or on the harm pages, is kept by any cache.

    Those pages show personal data (a reporter's identity and contact, applications,
    agreements); ``no-store`` keeps them out of shared caches and the browser's history cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        private = getattr(user, "is_authenticated", False) or request.path.startswith(
            _PRIVATE_PREFIXES
        )
        if private:
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
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
