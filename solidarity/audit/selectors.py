"""Read queries on the audit trail."""

from django.contrib.postgres.search import SearchVectorField
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from solidarity.search import text_search

from .models import AuditEvent

# Exactly the expression of the GIN index ``audit_search_idx`` (migration 0003): the planner
# uses the index only for the same expression.
AUDIT_SEARCH_VECTOR = RawSQL(
    "to_tsvector('english'::regconfig, translate(\"audit_auditevent\".\"action\", '._', '  ') "
    "|| ' ' || "
    '"audit_auditevent"."actor_label" || \' \' || "audit_auditevent"."target_repr")',
    [],
    output_field=SearchVectorField(),
)


def audit_event_search(qs: QuerySet, q) -> QuerySet:
    """Events of ``qs`` whose action, actor or object match the words ``q``, best first."""
    return text_search(
        qs, q, vector=AUDIT_SEARCH_VECTOR, fallback=("action", "actor_label", "target_repr")
    )


def audit_events() -> QuerySet:
    return AuditEvent.objects.order_by("-id")
