"""API plumbing shared by every app: pagination, the error shape, permission helpers."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import BrowsableAPIRenderer as _BrowsableAPIRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from solidarity.errors import DomainError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class BrowsableAPIRenderer(_BrowsableAPIRenderer):
    """The browsable API of development, without HTML forms or filter forms.

    DRF's HTML forms and django-filter's filter form draw a drop-down for every related field
    from the field's whole queryset, so they would list objects (application titles, users)
    the viewer may not see. The raw JSON form stays; nothing else is offered.
    """

    def get_rendered_html_form(self, data, view, method, request):
        if method in ("DELETE", "OPTIONS"):
            return super().get_rendered_html_form(data, view, method, request)
        return None

    def get_filter_form(self, data, view, request):
        return None


def _error(status_code: int, code: str, message, fields=None) -> Response:
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return Response(body, status=status_code)


def exception_handler(exc, context):
    """Every API error has one shape: {"error": {"code", "message", "fields"}}."""
    if isinstance(exc, DomainError):
        return _error(exc.status_code, exc.code, exc.message, exc.field_errors)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages)
        return _error(status.HTTP_400_BAD_REQUEST, "invalid", message, fields)
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail
        if isinstance(data, dict):
            fields = {
                k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in data.items()
            }
            message = "Some fields are invalid."
        else:
            fields = {"non_field_errors": [str(m) for m in data]}
            message = "; ".join(str(m) for m in data)
        body = {"error": {"code": "invalid", "message": message, "fields": fields}}
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"error": {"code": code, "message": str(detail), "fields": {}}}
    response.data = body
    return response


def int_param(value) -> int | None:
    """A database id from a query parameter, or None: ASCII digits only, within 64 bits.

    ``str.isdigit`` accepts "²" and other digits ``int`` refuses; this does not.
    """
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    if text.isascii() and text.isdecimal() and len(text) <= 18:
        return int(text)
    return None
