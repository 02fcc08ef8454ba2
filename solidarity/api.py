"""API plumbing shared by every app: pagination, the error shape, permission helpers."""

import copy
import logging
from functools import partial

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError
from django.http import Http404
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from rest_framework import exceptions, serializers, status
from rest_framework.fields import Field, SkipField
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import PKOnlyObject
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from solidarity.errors import DomainError
from solidarity.pagination import COUNT_LIMIT, BoundedPaginator

logger = logging.getLogger(__name__)


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


# A ``ModelSerializer`` for list rows: the same output, each row written faster. DRF's
# ``to_representation`` looks every field up generically on every row (a generator of the
# readable fields, a ``Mapping`` check and a callable check per value). Here the serializer
# works out once which fields read a plain column of its model and reads those with
# ``getattr``; every other field (related, nested, method, dotted sources, a field class that
# reads its value its own way) goes through DRF's own lookup, unchanged.
# Its fields are built from the model once per class: ``ModelSerializer.get_fields`` looks the
# model up and builds each field (kwargs, validators) again for every list request, though the
# result depends on the class alone; each request gets its own copy, as DRF copies its declared
# fields.
# (No docstring: drf-spectacular would give it as the description of every serializer that
# inherits it and has none of its own.)
class RowSerializer(serializers.ModelSerializer):
    def get_fields(self):
        built = _ROW_FIELDS.get(type(self))
        if built is None:
            built = _ROW_FIELDS[type(self)] = super().get_fields()
        return copy.deepcopy(built)

    def to_representation(self, instance):
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_row_plan")
        if plan is None:
            plan = self._row_plan = self._plan()
        row = {}
        for name, field, column, represent in plan:
            if column is not None:
                value = getattr(instance, column)
                if callable(value):
                    value = field.get_attribute(instance)
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(value, PKOnlyObject) and value.pk is None:
                    value = None
            row[name] = None if value is None else represent(value)
        return row

    def _plan(self) -> list:
        opts = self.Meta.model._meta
        columns = {f.attname for f in opts.concrete_fields} | {
            f.name for f in opts.concrete_fields if not f.is_relation
        }
        plan = []
        for field in self._readable_fields:
            attrs = field.source_attrs
            plain = (
                len(attrs) == 1
                and attrs[0] in columns
                and type(field).get_attribute is Field.get_attribute
            )
            plan.append(
                (field.field_name, field, attrs[0] if plain else None, field.to_representation)
            )
        return plan


_ROW_FIELDS: dict[type, dict] = {}


class FilterBackendSchema(DjangoFilterExtension):
    """The schema documents the filters of ``solidarity.filtering.FilterBackend`` as
    django-filter's own (drf-spectacular matches the exact class only)."""

    target_class = "solidarity.filtering.FilterBackend"


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
    if isinstance(exc, DatabaseError):
        # The database is down or refused the statement: still the API's error shape.
        logger.error("Database error in the API", exc_info=exc)
        return _error(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "unavailable",
            "The service is temporarily unavailable; please try again.",
        )
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


_ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}
_ERROR_RESPONSES = {
    "400": "The input is invalid (the fields say why).",
    "401": "Not signed in.",
    "403": "Not allowed, or the second factor is still to be given.",
    "404": "Not found, or not visible to you.",
    "409": "Not possible in the object's current state.",
    "429": "Too many requests; try again later.",
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing: every operation documents the error shape it may
    answer with (400/401/403/404/409/429), so the schema says what the API really does."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _ERROR_RESPONSES.items():
                if code == "409" and method == "get":
                    continue
                responses.setdefault(code, {"description": description, "content": ref})
    return result
