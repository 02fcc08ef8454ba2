"""Dates and times as people read them: the locale's one format, local time, the zone named."""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format


def when(value) -> str:
    """A moment in the configured time zone with the zone's name (``30 November 2026, 18:56 CET``).

    Accepts a datetime or its ISO text; empty for nothing.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is None:
            return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return day(value)


def day(value) -> str:
    """A calendar day in the locale's format (``30 November 2026``); empty for nothing."""
    if not value:
        return ""
    if isinstance(value, str):
        value = parse_date(value[:10])
        if value is None:
            return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_format(value, "DATE_FORMAT")
