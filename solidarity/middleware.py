import json

from django.conf import settings
from django.http import JsonResponse
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
