"""API plumbing shared by every app: pagination, the error shape, permission helpers."""

from functools import partial

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from solidarity.errors import DomainError
from solidarity.pagination import COUNT_LIMIT, BoundedPaginator


class Pagination(PageNumberPagination):
    """Numbered pages whose count stops at 10,000 rows (or the asked-for page): a big list is
    never counted whole. ``count_capped`` says that ``count`` is a lower bound."""

    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        number = request.query_params.get(self.page_query_param)
        self.django_paginator_class = partial(BoundedPaginator, page=number)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.more
        return response

    def get_paginated_response_schema(self, schema):
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count"]["description"] = (
            f"Entries counted, at most {COUNT_LIMIT:,} past the start of the list "
            "(or up to the requested page); exact unless count_capped is true."
        )
        result["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "True when the list goes on past the counted entries.",
            "example": False,
        }
        result.setdefault("required", [])
        result["required"] = [*result["required"], "count_capped"]
        return result


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
