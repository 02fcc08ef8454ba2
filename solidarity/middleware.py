import base64
import hashlib
import json
import re
from functools import cache

from django.conf import settings
from django.http import JsonResponse
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


def _bad_request(request, message: str):
    if request.path.startswith("/api/"):
        body = {"error": {"code": "invalid", "message": message, "fields": {}}}
        return JsonResponse(body, status=400)
    return render(
        request,
        "errors/domain_error.html",
        {"message": message, "title": _("This request cannot be read")},
        status=400,
    )


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BadInputMiddleware:
    """Refuses, with a 400, input no view can store: a NUL byte in a query string, form field or
    JSON string (PostgreSQL text cannot hold one), and an API body that is JSON but not an
    object (``[null, null]``, ``null``, ``"x"``). One place, so no view answers 500 for it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        message = self._problem(request)
        if message:
            return _bad_request(request, message)
        return self.get_response(request)

    def _problem(self, request) -> str:
        nul = _("The request contains a NUL character, which is not allowed.")
        if any(_contains_nul(k) or _contains_nul(v) for k, v in request.GET.lists()):
            return nul
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return ""
        content_type = request.content_type or ""
        if content_type in _FORM_TYPES:
            try:
                fields = list(request.POST.lists())
            except Exception:  # a malformed body: the view's own parsing reports it
                return ""
            if any(_contains_nul(k) or _contains_nul(v) for k, v in fields):
                return nul
        elif content_type in _JSON_TYPES or content_type.endswith("+json"):
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                return ""  # not JSON at all: the parser answers 400 with its own message
            if _contains_nul(data):
                return nul
            if request.path.startswith("/api/") and not isinstance(data, dict):
                return _("The request body must be a JSON object.")
        return ""
