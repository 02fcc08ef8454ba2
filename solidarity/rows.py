"""What a list row shows, computed once per page in Python rather than per row in the template.

A list of 25 rows that writes ``{% url %}``, ``{% blocktranslate %}``, ``|date`` and an
``{% include %}`` in each row pays for a URL reversal, a template lookup and a context push
per row; these helpers give the same text (same escaping, same local time, same locale
formats) at the cost of a string operation.
"""

from collections.abc import Callable

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

_SENTINEL = 987654321


def url_maker(viewname: str) -> Callable[[int], str]:
    """``{% url viewname pk %}`` for many pks with one reversal (the pk is the only argument
    and is an ``<int:…>`` path segment)."""
    head, tail = reverse(viewname, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: f"{head}{int(pk)}{tail}"


def date_text(value, fmt: str = "DATE_FORMAT") -> str:
    """``{{ value|date:fmt }}``: a format setting's name (``"SHORT_DATE_FORMAT"``) or a
    format string (``"c"``), in local time; empty for nothing."""
    if not value:
        return ""
    return date_format(template_localtime(value), fmt)


def interpolate(translated: str, **values) -> SafeString:
    """``{% blocktranslate with … %}``: the translated text as written, its values escaped."""
    return mark_safe(translated % {k: conditional_escape(v) for k, v in values.items()})  # noqa: S308
