"""The public register as an API resource: ``/api/v1/register/`` (no sign-in)."""

from dataclasses import asdict

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from solidarity.api import int_param

from . import caching, selectors

FILTERS = [
    OpenApiParameter("search", OpenApiTypes.STR, description="Text in title, reference, summary"),
    OpenApiParameter("state", OpenApiTypes.STR),
    OpenApiParameter("use_type", OpenApiTypes.STR, enum=["A", "B", "C", "D"]),
    OpenApiParameter("dataset", OpenApiTypes.INT),
    OpenApiParameter("custodian", OpenApiTypes.STR, description="Custodian's slug"),
    OpenApiParameter("year", OpenApiTypes.INT, description="Year of the decision"),
]


class RegisterViewSet(viewsets.ViewSet):
    """Approved data uses, as on the public register page; the same fields as its JSON export
    (schema at ``/register/schema.json``). Drafts, undecided and withdrawn applications never
    appear, nor any person's name."""

    permission_classes = [AllowAny]
    lookup_field = "reference"
    lookup_value_regex = r"DSA-\d{4}-\d{1,6}"

    @extend_schema(operation_id="register_list", parameters=FILTERS, responses=OpenApiTypes.OBJECT)
    def list(self, request):
        version = caching.register_version()  # before the data: see ``caching``
        # The ETag names the format too (JSON or the browsable page); the data do not.
        kind = f"api-list.{request.accepted_renderer.format}"
        unchanged = caching.not_modified(version, request, kind)
        if unchanged is not None:
            return unchanged
        data = caching.cached(version, request, "api-list", lambda: self._page(request))
        return caching.with_validators(Response(data), version, request, kind)

    def _page(self, request) -> dict:
        params = request.query_params
        year = int_param(params.get("year"))
        qs = selectors.register_queryset(
            search=params.get("search", "")[:100],
            state=params.get("state", "")[:20],
            dataset=int_param(params.get("dataset")) or "",
            custodian=params.get("custodian", "")[:200],
            year=year if year and 1900 < year < 3000 else None,
            use_type=params.get("use_type", "")[:1],
        )
        paginator = self.paginator
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(
            [asdict(e) for e in selectors.register_entries(page)]
        ).data

    @extend_schema(operation_id="register_retrieve", responses=OpenApiTypes.OBJECT)
    def retrieve(self, request, reference=None):
        version = caching.register_version()
        kind = f"api-detail.{request.accepted_renderer.format}"
        unchanged = caching.not_modified(version, request, kind)
        if unchanged is not None:
            return unchanged
        data = caching.cached(version, request, "api-detail", lambda: _entry_data(reference))
        if not data:
            raise Http404
        return caching.with_validators(Response(data), version, request, kind)

    @property
    def paginator(self):
        if not hasattr(self, "_paginator"):
            from solidarity.api import Pagination

            self._paginator = Pagination()
        return self._paginator


def _entry_data(reference: str) -> dict | bool:
    found = selectors.register_entry_with_why(reference)
    if found is None:
        return False  # cached too, as an unknown reference
    entry, why = found
    return {**asdict(entry), "why": why}
