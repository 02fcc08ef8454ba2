"""Free-text search: the one function every searchable list calls.

On PostgreSQL a list searches a stored ``tsvector`` column kept up to date by database triggers
(so every entrance — services, bulk loads, the admin — keeps it right) and served by a GIN
index; the words are read as a web search (``"a phrase"``, ``-word``, ``or``) and the rows are
ranked. Elsewhere (SQLite for ``make run``) every word must appear in one of the fallback
fields (``icontains``).

Search only narrows a queryset the caller has already limited to what the user may see: it
never widens it.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import F, Func, Q, QuerySet

# The text-search configuration of the triggers (migrations) and of the queries: both must agree.
CONFIG = "english"
MAX_LENGTH = 200
# Weights a vector may be restricted to (``ts_filter``): a whitelist, interpolated into SQL.
_WEIGHTS = {"A", "B", "C", "D"}


def search_terms(raw) -> str:
    """The query as typed, cleaned: no NUL bytes or control characters, at most 200 characters."""
    text = "".join(ch for ch in str(raw or "") if ch.isprintable() or ch == " ")
    return " ".join(text.split())[:MAX_LENGTH]


class _WeightFilter(Func):
    """``ts_filter(vector, '{a,b}')``: the vector's lexemes of the given weights only."""

    function = "ts_filter"
    output_field = SearchVectorField()

    def __init__(self, expression, weights: str):
        letters = sorted({w.upper() for w in weights} & _WEIGHTS)
        if not letters:
            raise ValueError("no weight to keep")
        array = "{" + ",".join(letters).lower() + "}"
        super().__init__(
            expression, template=f"%(function)s(%(expressions)s, '{array}'::\"char\"[])"
        )


def text_search(
    qs: QuerySet,
    raw,
    *,
    vector="search_vector",
    fallback: tuple[str, ...] = (),
    weights: str = "",
    also: Q | None = None,
    narrow: tuple[Q, str, tuple[str, ...]] | None = None,
) -> QuerySet:
    """Rows of ``qs`` that match ``raw``, best first (then in the queryset's own order).

    ``vector`` names the stored column, or is the expression of an expression index.
    ``weights`` keeps only the lexemes of those weights (the public register searches the
    public text only); the GIN index still finds the candidates. ``also`` is an extra condition
    that matches on its own (a reference typed in full). With an empty query ``qs`` is returned
    unchanged. ``narrow`` is ``(rows, weights, fallback)``: the rows that condition selects may
    match only in those weights (SQLite: those fields) — text that is not public on them.
    """
    q = search_terms(raw)
    if not q:
        return qs
    ordering = list(qs.query.order_by) or list(qs.model._meta.ordering)
    if connection.vendor == "postgresql":
        query = SearchQuery(q, search_type="websearch", config=CONFIG)
        if not isinstance(vector, str):
            qs = qs.annotate(_search_vector=vector)
            vector = "_search_vector"
        condition = Q(**{vector: query})
        if weights:
            qs = qs.annotate(_search_kept=_WeightFilter(F(vector), weights))
            condition &= Q(_search_kept=query)
        if narrow is not None:
            rows, narrow_weights, _fields = narrow
            qs = qs.annotate(_search_narrow=_WeightFilter(F(vector), narrow_weights))
            condition &= ~rows | Q(_search_narrow=query)
        if also is not None:
            condition |= also
        qs = qs.filter(condition).annotate(search_rank=SearchRank(F(vector), query))
        return qs.order_by("-search_rank", *ordering)
    condition = _every_word(q, fallback)
    if narrow is not None:
        rows, _weights, fields = narrow
        condition &= ~rows | _every_word(q, fields)
    if also is not None:
        condition |= also
    # Related fields (datasets) could repeat a row: match in a sub-query instead of joining.
    matching = qs.model._default_manager.filter(condition).values("pk")
    return qs.filter(pk__in=matching).order_by(*ordering)


def _every_word(q: str, fields) -> Q:
    """SQLite: each word of ``q`` in one of ``fields`` (case-insensitive); ``or`` between
    words gives alternatives, as in the web-search syntax of PostgreSQL."""
    alternatives = Q()
    for part in re.split(r"\s+or\s+", q, flags=re.IGNORECASE):
        condition = Q()
        for word in part.split():
            word = word.strip('"').lstrip("-")
            if not word:
                continue
            matches = Q()
            for name in fields:
                matches |= Q(**{f"{name}__icontains": word})
            condition &= matches
        alternatives |= condition
    return alternatives


def rank_first(qs: QuerySet, params) -> QuerySet:
    """For API lists: after DRF's ordering filter, put the best matches first again, unless the
    client asked for an order (``?ordering=``)."""
    if "search_rank" not in qs.query.annotations or params.get("ordering"):
        return qs
    ordering = [o for o in qs.query.order_by if o != "-search_rank"]
    return qs.order_by("-search_rank", *ordering)
