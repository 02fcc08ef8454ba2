"""Helpers for writing a list page's cells once per page rather than once per row.

A list page of 25 to 50 rows paid, per row, a URL reversal, a translation of each label and a
look-up of the locale's date format. These helpers do the page-wide part once and give back
a cheap function for the rows; what they write is what ``{% url %}``, ``get_FOO_display`` and
``|date`` write.
"""

from collections.abc import Callable

from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import date_format, get_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

_SENTINEL = 987654321


def pk_url(viewname: str) -> Callable[[int], str]:
    """``url(pk)`` for a URL whose only argument is an integer key: reversed once."""
    head, tail = reverse(viewname, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: f"{head}{int(pk)}{tail}"


def labels(choices) -> dict:
    """Value → label of ``choices``, translated once into the active language."""
    return {value: str(label) for value, label in choices}


def date_formatter(format_name: str) -> Callable:
    """``fmt(value)``: as ``{{ value|date:format_name }}`` in the active language and time
    zone (the locale's format read once)."""
    pattern = get_format(format_name)
    return lambda value: dateformat.format(template_localtime(value), pattern)


def date_text(value, fmt: str = "DATE_FORMAT") -> str:
    """``{{ value|date:fmt }}`` for one value: a format setting's name (``"SHORT_DATE_FORMAT"``)
    or a format string (``"c"``), in local time; empty for nothing."""
    if not value:
        return ""
    return date_format(template_localtime(value), fmt)


def interpolate(translated: str, **values) -> SafeString:
    """``{% blocktranslate with … %}``: the translated text as written, its values escaped."""
    return mark_safe(translated % {k: conditional_escape(v) for k, v in values.items()})  # noqa: S308
