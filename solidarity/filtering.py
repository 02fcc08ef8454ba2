"""The API's filter backend: django-filter's, without building a filter set for a request
that names none of its filters.

A ``FilterSet`` deep-copies its filters and builds a form on every request; for a list read
without filter parameters (the usual case) every filter would leave the queryset as it is, so
that work is skipped. Its own module, not ``solidarity.api``: DRF imports the default filter
backends while ``rest_framework.generics`` is first imported (see ``solidarity.renderers``).
"""

from django_filters.rest_framework import DjangoFilterBackend


def _names_a_filter(params, filterset_class) -> bool:
    """True when a query parameter may belong to one of the filter set's filters (a filter
    drawn with several inputs reads ``<name>_min``, ``<name>_after``…), or a filter is
    required (its absence is an error)."""
    names = tuple(filterset_class.base_filters)
    if any(f.extra.get("required") for f in filterset_class.base_filters.values()):
        return True
    return any(key.startswith(names) for key in params)


class FilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` that answers the queryset unchanged, without a filter set, when
    no query parameter names one of its filters (the answer a filter set would give), and
    builds the filter set of a view's ``filterset_fields`` once rather than on every request."""

    _generated: dict = {}

    def get_filterset_class(self, view, queryset=None):
        fields = getattr(view, "filterset_fields", None)
        if getattr(view, "filterset_class", None) or not fields or queryset is None:
            return super().get_filterset_class(view, queryset)
        key = (type(view), queryset.model, repr(fields))
        if key not in self._generated:
            self._generated[key] = super().get_filterset_class(view, queryset)
        return self._generated[key]

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        if not _names_a_filter(request.query_params, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)
