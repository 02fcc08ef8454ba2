"""The PDF reports: who may request each, and how each is assembled from the apps' selectors."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.roles import Role, has_role
from solidarity.audit.models import AuditEvent
from solidarity.audit.services import audit_verify
from solidarity.formatting import day, when

from .models import ReportKind

# Roles allowed to export each report, beyond the auditor, who may export all of them.
EXTRA_ROLES = {
    ReportKind.DOSSIER: {Role.CHAIR, Role.SECRETARIAT},
    ReportKind.HARM_REGISTER: {Role.HARM_OFFICER},
    ReportKind.FUND_LEDGER: {Role.BENEFIT_OFFICER},
    ReportKind.AUDIT_EXTRACT: set(),
}


def can_export(user, kind: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return has_role(user, Role.AUDITOR, *EXTRA_ROLES.get(ReportKind(kind), set()))


def kinds_for(user) -> list[tuple[str, str]]:
    return [(k.value, k.label) for k in ReportKind if can_export(user, k.value)]


@dataclass
class Built:
    title: str
    template: str
    context: dict
    data: dict


def period_bounds(params: dict) -> tuple[datetime, datetime]:
    """The [start, end) datetimes for a report period given as ISO dates (end inclusive)."""
    tz = timezone.get_current_timezone()
    start = date.fromisoformat(params["start"])
    end = date.fromisoformat(params["end"])
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def period_label(params: dict) -> str:
    """The report period as people read it: two days in the locale's format, en dash between."""
    return f"{day(params['start'])} \u2013 {day(params['end'])}"


def _event_rows(events) -> list[dict]:
    from solidarity.audit.display import describe

    return [
        {
            "id": e.id,
            "created_at": e.created_at.isoformat(),
            "when": when(e.created_at),
            "actor": e.actor_label,
            "action": e.action,
            "target": e.target_repr,
            "target_type": e.target_type,
            "target_id": e.target_id,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "hash": e.hash,
            "prev_hash": e.prev_hash,
            "target_kind": e.target_kind,
            "target_text": e.target_text,
            "from_label": e.from_label,
            "to_label": e.to_label,
        }
        for e in describe(events)
    ]


def _verification() -> dict:
    result = audit_verify()
    return {
        "ok": result.ok,
        "checked": result.checked,
        "broken_event_id": result.broken_event_id,
        "reason": result.reason,
    }


def build_audit_extract(params: dict) -> Built:
    start, end = period_bounds(params)
    events = AuditEvent.objects.filter(created_at__gte=start, created_at__lt=end).order_by("id")
    rows = _event_rows(events)
    verification = _verification()
    period = period_label(params)
    return Built(
        title=_("Audit-trail extract"),
        template="reports/audit_extract.html",
        context={
            "report_subtitle": period,
            "period": period,
            "events": rows,
            "verification": verification,
            "sections": [
                {"id": "verification", "title": _("Chain verification")},
                {"id": "events", "title": _("Events")},
            ],
        },
        data={"period": params, "verification": verification, "events": rows},
    )


BUILDERS = {
    ReportKind.AUDIT_EXTRACT: build_audit_extract,
}


def register_builder(kind: str, builder) -> None:
    BUILDERS[ReportKind(kind)] = builder


def build(kind: str, params: dict) -> Built:
    return BUILDERS[ReportKind(kind)](params)
