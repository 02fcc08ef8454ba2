"""Pagination that never counts a whole big table.

A list shows "more than 10,000" rather than counting millions: the count stops at a bound
(10,000 rows, or as far as the page asked for), so every page costs one bounded ``COUNT`` over a
``LIMIT`` sub-query that the list's index answers.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_LIMIT = 10_000


def _page_number(value) -> int:
    text = str(value or "").strip()
    if text.isascii() and text.isdecimal() and len(text) <= 9:
        return max(1, int(text))
    return 1


def bounded_count(queryset, limit: int) -> int:
    """How many rows, up to ``limit``: only the ids, unordered, under a LIMIT. The row's
    annotations (per-row counts) and its select_related joins are left out of the count."""
    return queryset.order_by().values("pk")[:limit].count()


class BoundedPaginator(Paginator):
    """A ``Paginator`` whose count stops at ``limit`` rows (at least up to the asked-for page).

    ``more`` tells that the list goes on past the counted rows; ``count`` is then a lower
    bound, one row past the limit, so that the last counted page still offers "Next".
    """

    def __init__(
        self,
        object_list,
        per_page,
        *,
        page=None,
        limit: int = COUNT_LIMIT,
        known: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.limit = max(limit, _page_number(page) * int(per_page))
        self.known = known
        self.more = False

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list | tuple):
            return len(self.object_list)
        if self.known is not None:
            counted = min(self.known, self.limit + 1)
        elif hasattr(self.object_list, "count_up_to"):
            counted = self.object_list.count_up_to(self.limit + 1)
        else:
            counted = bounded_count(self.object_list, self.limit + 1)
        self.more = counted > self.limit
        return counted


def paginate(request, object_list, per_page: int, *, known: int | None = None):
    """The requested page of ``object_list`` (bad page numbers give the first or last page).

    ``known``: how many rows the list has, when the page has counted them already (the
    secretariat queue's counts per state): no count query, the same bound."""
    number = request.GET.get("page")
    return BoundedPaginator(object_list, per_page, page=number, known=known).get_page(number)
