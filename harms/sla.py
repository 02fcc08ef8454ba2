"""Service-level deadlines counted in working days (Saturdays and Sundays skipped), and the
one place that says which deadline applies to a report now (stored as ``next_due_at``)."""

from datetime import datetime, timedelta

from django.conf import settings


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start``, at the same time of day."""
    moment = start
    added = 0
    while added < days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            added += 1
    return moment


def deadlines_from(received_at: datetime) -> dict:
    return {
        "acknowledge_due": add_working_days(received_at, settings.HARM_ACKNOWLEDGE_WORKING_DAYS),
        "triage_due": add_working_days(received_at, settings.HARM_TRIAGE_WORKING_DAYS),
        "decision_due": add_working_days(received_at, settings.HARM_DECISION_WORKING_DAYS),
    }


def next_due_from(*, state, acknowledged_at, acknowledge_due, triage_due, decision_due):
    """The deadline that applies in this state: acknowledgement, then triage, then the
    decision; None once decided."""
    from .models import OPEN_STATES, HarmReportState

    if state == HarmReportState.RECEIVED:
        return acknowledge_due if acknowledged_at is None else triage_due
    if state in OPEN_STATES:
        return decision_due
    return None


def next_due_at(report, **changes):
    """The report's next deadline once ``changes`` (field values, ``state`` included) apply.

    Every change of state or of a field it depends on stores the result on the report
    (``harms.rules.run`` for the moves; the acknowledgement and the first report), so the
    officers' queue sorts and filters on a column with an index.
    """

    def value(name):
        return changes[name] if name in changes else getattr(report, name)

    return next_due_from(
        state=value("state"),
        acknowledged_at=value("acknowledged_at"),
        acknowledge_due=value("acknowledge_due"),
        triage_due=value("triage_due"),
        decision_due=value("decision_due"),
    )
