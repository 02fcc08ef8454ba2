"""Conditions of approval after the decision: overdue flags, reminders, and the ones that
must be met before a project may become active.

Adding, reporting, marking met and waiving a condition are the committee's services
(``committee.py``); this module adds what follows from them over time.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.rules import TERMINAL
from solidarity import audit
from solidarity.formatting import day
from solidarity.notifications.services import notify

from ..models import Condition, ConditionKind, ConditionState

# How far ahead of its due date an open condition's owner is reminded, and how often an
# overdue one is reminded again.
REMIND_DAYS_BEFORE = 7
REMIND_OVERDUE_EVERY_DAYS = 7

# Applications whose conditions no longer bind anyone: nothing is flagged or reminded.
_ENDED_APPLICATION_STATES = TERMINAL


def conditions_before_activation_missing(application) -> list[str]:
    """Activation check (registered from the AppConfig): open "before activation" conditions
    keep an approved project from becoming active until each is met or waived."""
    open_ones = Condition.objects.filter(
        application_id=application.pk,
        kind=ConditionKind.BEFORE_ACTIVATION,
        state=ConditionState.OPEN,
    ).order_by("due_on", "id")
    return [
        _("Condition of approval to meet before activation: %(text)s") % {"text": c.text[:200]}
        for c in open_ones
    ]


def condition_settle(*, actor, condition, outcome: str, reason: str = "") -> Condition:
    """Mark an open condition met (``outcome="met"``) or waive it (``"waived"``, with a
    reason), then let the project become active if that condition was the last thing its
    activation waited for.

    Preconditions and audit events are those of ``condition_mark_met`` and
    ``condition_waive``. The application row is locked first (the system's lock order:
    application before anything it owns), so the activation sees the condition closed.
    """
    from applications.models import Application
    from applications.services import application_try_activate

    from .committee import condition_mark_met, condition_waive

    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=condition.application_id).first()
        if outcome == ConditionState.MET:
            condition = condition_mark_met(actor=actor, condition=condition)
        elif outcome == ConditionState.WAIVED:
            condition = condition_waive(actor=actor, condition=condition, reason=reason)
        else:
            raise ValueError(f"unknown outcome {outcome!r}")
        if condition.kind == ConditionKind.BEFORE_ACTIVATION:
            application_try_activate(actor=None, application=condition.application)
    return condition


def _remind(condition: Condition, *, overdue: bool, ref: str) -> None:
    """Remind the owner, in the owner's language (the texts are built per recipient)."""
    values = {"text": condition.text[:200], "due": day(condition.due_on)}

    def text():
        if overdue:
            return {
                "subject": _("Overdue condition of approval: %(ref)s") % {"ref": ref},
                "body": _("“%(text)s” was due on %(due)s. Report how it is met.") % values,
            }
        return {
            "subject": _("Condition of approval due soon: %(ref)s") % {"ref": ref},
            "body": _("“%(text)s” is due on %(due)s.") % values,
        }

    notify(
        recipients=[condition.owner],
        kind="condition_reminder",
        context=text,
        url=f"/reviews/conditions/{condition.pk}/",
    )


def conditions_check_due(*, today: datetime.date | None = None) -> dict:
    """Daily: flag open conditions past their due date as overdue (audited, once) and remind
    their owners through the notifications outbox — once when the due date is a week away,
    and every week while overdue.

    Idempotent: a second run on the same day flags and reminds nothing (``reminded_on`` and
    ``overdue_since`` record what was done). Returns the counts.
    """
    today = today or timezone.localdate()
    flagged = reminded = 0
    candidates = (
        Condition.objects.filter(
            state=ConditionState.OPEN, due_on__lte=today + datetime.timedelta(REMIND_DAYS_BEFORE)
        )
        .exclude(application__state__in=_ENDED_APPLICATION_STATES)
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            condition = (
                Condition.objects.select_for_update(of=("self",))
                .select_related("application", "owner")
                .get(pk=pk)
            )
            if condition.state != ConditionState.OPEN:
                continue
            ref = condition.application.reference or condition.application.title
            changed = []
            if condition.due_on < today and condition.overdue_since is None:
                condition.overdue_since = today
                changed.append("overdue_since")
                flagged += 1
                audit.record(
                    actor="system",
                    action="condition.overdue",
                    target=condition,
                    payload={
                        "application": condition.application_id,
                        "due_on": condition.due_on.isoformat(),
                    },
                )
            if condition.due_on < today:
                due_for_reminder = (
                    condition.reminded_on is None
                    or (
                        condition.reminded_on
                        <= today - datetime.timedelta(REMIND_OVERDUE_EVERY_DAYS)
                    )
                    or "overdue_since" in changed
                )
            else:
                due_for_reminder = condition.reminded_on is None
            if due_for_reminder:
                _remind(condition, overdue=condition.due_on < today, ref=ref)
                condition.reminded_on = today
                changed.append("reminded_on")
                reminded += 1
            if changed:
                condition.save(update_fields=changed)
    return {"flagged": flagged, "reminded": reminded}
