"""The late board (issue 16): what is past its due date, for the chair and the secretariat.

Each kind of late work is declared once here — what counts as late, the order, and how a row
reads — and the board, its per-kind lists and the reminders read the same declarations. The
reviews app sits above applications, benefits and harms, so it may read all their models.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from applications.models import Application, ApplicationState, DatasetRequest
from benefits.models import Obligation, ObligationState
from harms.permissions import can_read_all_reports
from solidarity.accounts.roles import Role
from solidarity.pagination import bounded_count

from .models import Assignment, AssignmentState, Condition, ConditionState

S = ApplicationState
OPEN_APPLICATION = [S.SUBMITTED, S.IN_REVIEW, S.AWAITING_DECISION]
ENDED_APPLICATION = [S.WITHDRAWN, S.REJECTED, S.REVOKED, S.CLOSED]
COUNT_LIMIT = 1000


@dataclass
class LateRow:
    subject: str
    url: str
    due: datetime.date | None
    who: str = ""


@dataclass
class LateKind:
    key: str
    label: str
    late: Callable[[datetime.date], QuerySet]  # the late items, oldest due first
    row: Callable[[object], LateRow]
    queue_url: str = ""  # a filtered queue that shows the same items, where one exists
    visible: Callable[[object], bool] = lambda user: True


def _cutoff(today: datetime.date, days: int) -> datetime.datetime:
    """The moment before which a submission is more than ``days`` old on ``today``."""
    start = datetime.datetime.combine(today, datetime.time.min)
    return timezone.make_aware(start) - datetime.timedelta(days=days)


def _plus(moment, days: int) -> datetime.date | None:
    return timezone.localtime(moment).date() + datetime.timedelta(days=days) if moment else None


def _about(application) -> str:
    return f"{application.reference or _('draft')} · {application.title}"


def _screening(today):
    return Application.objects.filter(
        state=S.SUBMITTED, submitted_at__lt=_cutoff(today, settings.SCREENING_DAYS)
    ).order_by("submitted_at", "id")


def _decisions(today):
    return Application.objects.filter(
        state=S.AWAITING_DECISION, submitted_at__lt=_cutoff(today, settings.DECISION_DAYS)
    ).order_by("submitted_at", "id")


def _application_row(days_setting: str):
    def row(application):
        return LateRow(
            subject=_about(application),
            url=f"/applications/{application.pk}/",
            due=_plus(application.submitted_at, getattr(settings, days_setting)),
        )

    return row


def open_assignments() -> QuerySet:
    """Assignments a reviewer still has to file, on applications before the committee."""
    return Assignment.objects.filter(
        state__in=(AssignmentState.AWAITING_COI, AssignmentState.ACTIVE),
        application__state__in=OPEN_APPLICATION,
    )


def _reviews(today):
    return (
        open_assignments()
        .filter(due_on__lt=today)
        .select_related("application", "reviewer")
        .order_by("due_on", "id")
    )


def pending_custodian_requests() -> QuerySet:
    """Dataset requests still waiting for their custodian, on live applications."""
    return DatasetRequest.objects.filter(
        state=DatasetRequest.State.PENDING,
        application__state__in=[*OPEN_APPLICATION, S.APPROVED],
    )


def custodian_due(request) -> datetime.date | None:
    return _plus(request.application.submitted_at, settings.CUSTODIAN_DECISION_DAYS)


def _custodian(today):
    return (
        pending_custodian_requests()
        .filter(application__submitted_at__lt=_cutoff(today, settings.CUSTODIAN_DECISION_DAYS))
        .select_related("application", "dataset__custodian")
        .order_by("application__submitted_at", "id")
    )


def open_conditions() -> QuerySet:
    return Condition.objects.filter(state=ConditionState.OPEN).exclude(
        application__state__in=ENDED_APPLICATION
    )


def _conditions(today):
    return (
        open_conditions()
        .filter(due_on__lt=today)
        .select_related("application", "owner")
        .order_by("due_on", "id")
    )


def open_obligations() -> QuerySet:
    return Obligation.objects.filter(state__in=[ObligationState.PENDING, ObligationState.OVERDUE])


def _obligations(today):
    return (
        open_obligations()
        .filter(Q(state=ObligationState.OVERDUE) | Q(due_date__lt=today))
        .select_related("agreement__application")
        .order_by("due_date", "id")
    )


def _harms(today):
    from harms.selectors import harm_report_queue

    return harm_report_queue(open_only=True, overdue_only=True)


def _harm_row(report):
    return LateRow(
        subject=report.reference,
        url=f"/harms/{report.pk}/",
        due=timezone.localtime(report.next_due_at).date() if report.next_due_at else None,
    )


KINDS = [
    LateKind(
        "screening",
        _lazy("Screening"),
        _screening,
        _application_row("SCREENING_DAYS"),
        queue_url="/applications/queue/?state=submitted",
    ),
    LateKind(
        "reviews",
        _lazy("Reviews"),
        _reviews,
        lambda a: LateRow(
            subject=_about(a.application),
            url=f"/reviews/applications/{a.application_id}/committee/",
            due=a.due_on,
            who=str(a.reviewer),
        ),
    ),
    LateKind(
        "decisions",
        _lazy("Committee decisions"),
        _decisions,
        _application_row("DECISION_DAYS"),
        queue_url="/reviews/committee/?state=awaiting_decision",
    ),
    LateKind(
        "custodian-decisions",
        _lazy("Custodian decisions"),
        _custodian,
        lambda r: LateRow(
            subject=_about(r.application),
            url=f"/applications/{r.application_id}/",
            due=custodian_due(r),
            who=f"{r.dataset.title} ({r.dataset.custodian.name})",
        ),
    ),
    LateKind(
        "conditions",
        _lazy("Conditions of approval"),
        _conditions,
        lambda c: LateRow(
            subject=f"{_about(c.application)}: {c.text[:80]}",
            url=f"/reviews/conditions/{c.pk}/",
            due=c.due_on,
            who=str(c.owner) if c.owner_id else "",
        ),
        queue_url="/reviews/conditions/",
    ),
    LateKind(
        "obligations",
        _lazy("Benefit-sharing obligations"),
        _obligations,
        lambda o: LateRow(
            subject=f"{_about(o.agreement.application)}: {o.get_kind_display()}",
            url=f"/benefits/agreements/{o.agreement_id}/",
            due=o.due_date,
        ),
    ),
    LateKind(
        "harm-reports",
        _lazy("Harm-report service levels"),
        _harms,
        _harm_row,
        queue_url="/harms/queue/?overdue=on",
    ),
]
BY_KEY = {kind.key: kind for kind in KINDS}


def can_see_late_board(user) -> bool:
    return user.is_authenticated and user.has_role(Role.CHAIR, Role.SECRETARIAT)


def late_board(*, today: datetime.date | None = None) -> list[tuple[LateKind, int, bool]]:
    """Each kind with how many items are late (bounded: one query each) and whether more."""
    today = today or timezone.localdate()
    found = []
    for kind in KINDS:
        n = bounded_count(kind.late(today), COUNT_LIMIT + 1)
        found.append((kind, min(n, COUNT_LIMIT), n > COUNT_LIMIT))
    return found


def late_items(key: str, *, today: datetime.date | None = None) -> tuple[LateKind, QuerySet]:
    """One kind and its late items (KeyError for an unknown kind)."""
    kind = BY_KEY[key]
    return kind, kind.late(today or timezone.localdate())


def queue_link_allowed(kind: LateKind, user) -> bool:
    """The harm queue is the panel's: others see the count, not the reports."""
    if kind.key == "harm-reports":
        return can_read_all_reports(user)
    return True
