"""Service-level deadlines counted in working days (Saturdays and Sundays skipped)."""

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
