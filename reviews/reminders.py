"""Reminders before and on a due date (issue 16): reviews, custodian decisions, conditions of
approval and benefit-sharing obligations, by one daily task.

Days before are ``settings.REMINDER_DAYS_BEFORE`` (default 7 and 1), and the due day itself.
Idempotent: ``DueReminder`` holds one row per item, kind and day, so a second run on the same
day sends nothing. Reviews and conditions also have their own overdue reminders
(``assignment_remind_due``, ``conditions_check_due``); an item reminded by either on a day is
not reminded again that day (each writes the item's own ``…reminded_on`` marker).
No audit event: a reminder changes no state of the application.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from solidarity.accounts.models import Membership
from solidarity.accounts.roles import Role
from solidarity.formatting import day
from solidarity.notifications.services import notify

from . import late
from .reminder_models import DueReminder

K = DueReminder.Kind


def _days_ahead() -> list[int]:
    return sorted({0, *(d for d in settings.REMINDER_DAYS_BEFORE if d > 0)}, reverse=True)


def _when(due: datetime.date, today: datetime.date) -> str:
    if due == today:
        return _("today")
    return _("on %(due)s") % {"due": day(due)}


def _send(*, kind, obj, due, today, recipients, text, url, marker=None) -> bool:
    """One reminder, once per item and day (the unique row decides), in its own transaction.

    ``text`` returns the subject and body; it is called in each recipient's language."""
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return False
    if marker and getattr(obj, marker) == today:
        return False  # the item's own reminder went out today
    try:
        with transaction.atomic():
            DueReminder.objects.create(
                kind=kind, object_id=obj.pk, due_on=due, sent_on=today, recipients=len(recipients)
            )
            notify(
                recipients=recipients,
                kind="due_reminder",
                context=lambda: dict(zip(("subject", "body"), text(), strict=True)),
                url=url,
            )
            if marker:
                setattr(obj, marker, today)
                obj.save(update_fields=[marker])
    except IntegrityError:
        return False  # already sent today
    return True


def _custodians(organisation_ids) -> dict[int, list]:
    """The custodian staff of each organisation, in one query."""
    people: dict[int, list] = {}
    for membership in Membership.objects.filter(
        organisation_id__in=organisation_ids, user__groups__name=Role.CUSTODIAN
    ).select_related("user"):
        people.setdefault(membership.organisation_id, []).append(membership.user)
    return people


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send the day's reminders; return how many of each kind went out."""
    today = today or timezone.localdate()
    sent = {kind: 0 for kind in K.values}
    for days in _days_ahead():
        due = today + datetime.timedelta(days=days)
        for a in (
            late.open_assignments().filter(due_on=due).select_related("application", "reviewer")
        ):
            ref = a.application.reference or a.application.title
            sent[K.REVIEW] += _send(
                kind=K.REVIEW,
                obj=a,
                due=due,
                today=today,
                recipients=[a.reviewer],
                text=lambda ref=ref, due=due: (
                    _("Review of %(ref)s due %(when)s") % {"ref": ref, "when": _when(due, today)},
                    _("Your review is due on %(due)s.") % {"due": day(due)},
                ),
                url=f"/reviews/assignments/{a.pk}/",
                marker="last_reminded_on",
            )
        for c in late.open_conditions().filter(due_on=due).select_related("application", "owner"):
            ref = c.application.reference or c.application.title
            sent[K.CONDITION] += _send(
                kind=K.CONDITION,
                obj=c,
                due=due,
                today=today,
                recipients=[c.owner],
                text=lambda ref=ref, due=due, c=c: (
                    _("Condition of approval of %(ref)s due %(when)s")
                    % {"ref": ref, "when": _when(due, today)},
                    _("“%(text)s” is due on %(due)s.") % {"text": c.text[:200], "due": day(due)},
                ),
                url=f"/reviews/conditions/{c.pk}/",
                marker="reminded_on",
            )
        for o in (
            late.open_obligations()
            .filter(state="pending", due_date=due)
            .select_related("agreement__application__applicant")
        ):
            application = o.agreement.application
            sent[K.OBLIGATION] += _send(
                kind=K.OBLIGATION,
                obj=o,
                due=due,
                today=today,
                recipients=[application.applicant],
                text=lambda ref=application.reference, due=due, o=o: (
                    _("Benefit-sharing obligation of %(ref)s due %(when)s")
                    % {"ref": ref, "when": _when(due, today)},
                    _("“%(kind)s” is due on %(due)s. Report on it from the agreement's page.")
                    % {"kind": o.get_kind_display(), "due": day(due)},
                ),
                url=f"/benefits/agreements/{o.agreement_id}/",
            )
        # A custodian's decision is due CUSTODIAN_DECISION_DAYS after submission.
        submitted_on = due - datetime.timedelta(days=settings.CUSTODIAN_DECISION_DAYS)
        start = timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time.min))
        requests = list(
            late.pending_custodian_requests()
            .filter(
                application__submitted_at__gte=start,
                application__submitted_at__lt=start + datetime.timedelta(days=1),
            )
            .select_related("application", "dataset")
        )
        people = _custodians({r.dataset.custodian_id for r in requests}) if requests else {}
        for r in requests:
            ref = r.application.reference
            sent[K.CUSTODIAN] += _send(
                kind=K.CUSTODIAN,
                obj=r,
                due=due,
                today=today,
                recipients=people.get(r.dataset.custodian_id, []),
                text=lambda ref=ref, due=due, r=r: (
                    _("Decision on %(dataset)s for %(ref)s due %(when)s")
                    % {"dataset": r.dataset.title, "ref": ref, "when": _when(due, today)},
                    _("Grant or decline access to %(dataset)s by %(due)s.")
                    % {"dataset": r.dataset.title, "due": day(due)},
                ),
                url=f"/applications/requests/{r.pk}/",
            )
    return sent
