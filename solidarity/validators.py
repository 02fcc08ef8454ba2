"""Validators for typed input that Python would accept too generously."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

# Dates a person can mean for a deadline or a period: 0001-01-01 and 9999-12-31 are typos.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)


def sane_date(value: datetime.date) -> None:
    if value is not None and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": EARLIEST_DATE.year, "last": LATEST_DATE.year},
            code="date_range",
        )


def ascii_number(text) -> None:
    """Refuse digits other than 0-9: ``Decimal`` and ``int`` read Arabic-Indic or full-width
    digits as numbers, so "\u0661\u0662\u0663" would be 123."""
    if text is not None and not isinstance(text, int | float) and not str(text).isascii():
        raise ValidationError(_("Use the digits 0-9 for numbers."), code="digits")


class AsciiDecimalField(forms.DecimalField):
    """A form DecimalField that takes only the digits 0-9."""

    def to_python(self, value):
        ascii_number(value)
        return super().to_python(value)


class AsciiIntegerSerializerField(serializers.IntegerField):
    """An API integer that, when sent as a string, takes only the digits 0-9."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not data.isascii():
            self.fail("invalid")
        return super().to_internal_value(data)
