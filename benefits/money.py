"""Money in integer minor units: parsing typed amounts exactly and formatting them for people.

Amounts are never floats. A typed amount is parsed with ``Decimal`` and converted to minor units
exactly; an amount with more decimals than its currency has is refused, not rounded.
"""

import functools
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from solidarity.validators import ascii_number

# ISO 4217 currencies accepted by the fund, with the number of decimals of their minor unit.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "CHF": 2,
    "GBP": 2,
    "USD": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "HUF": 2,
    "RON": 2,
    "CAD": 2,
    "AUD": 2,
    "JPY": 0,
    "ISK": 0,
    "KWD": 3,
}
DEFAULT_CURRENCY = "EUR"
# Far beyond any real payment, well inside a 64-bit integer column.
MAX_MINOR = 10**15
CURRENCY_CHOICES = [(code, code) for code in sorted(CURRENCY_EXPONENTS)]


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise ValidationError(
            _("%(currency)s is not a currency the fund accepts.") % {"currency": currency},
            code="currency",
        ) from None


def parse_amount(text, currency: str, *, allow_zero: bool = False, allow_negative: bool = False):
    """Turn a typed amount ("12.34") into minor units (1234) exactly, or raise ValidationError."""
    digits = exponent(currency)
    raw = str(text).strip().replace(" ", "")
    ascii_number(raw)
    try:
        value = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter an amount such as 12.50."), code="invalid") from None
    if not value.is_finite():
        raise ValidationError(_("Enter an amount such as 12.50."), code="invalid")
    # Compare before scaling: "1E+999999" would overflow, or build a huge integer, otherwise.
    if value.adjusted() > 18 or abs(value) > Decimal(MAX_MINOR).scaleb(-digits):
        raise ValidationError(_("This amount is too large."), code="too_large")
    if value.as_tuple().exponent < -digits:
        if digits == 0:
            message = _("%(currency)s amounts have no decimals.") % {"currency": currency}
        else:
            message = _("%(currency)s amounts have at most %(n)s decimals.") % {
                "currency": currency,
                "n": digits,
            }
        raise ValidationError(message, code="precision")
    minor = value.scaleb(digits)
    if minor != minor.to_integral_value():  # pragma: no cover - guarded by the exponent check
        raise ValidationError(_("Enter an amount such as 12.50."), code="invalid")
    minor = int(minor)
    if abs(minor) > MAX_MINOR:
        raise ValidationError(_("This amount is too large."), code="too_large")
    if minor < 0 and not allow_negative:
        raise ValidationError(_("The amount cannot be negative."), code="negative")
    if minor == 0 and not allow_zero:
        raise ValidationError(_("The amount must be more than zero."), code="zero")
    return minor


def to_decimal_string(minor: int, currency: str) -> str:
    """Minor units as a plain decimal string (1234 → "12.34"), for CSV and forms."""
    digits = CURRENCY_EXPONENTS.get(currency, 2)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(int(minor)), 10**digits)
    if digits == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{part:0{digits}d}"


def format_amount(minor, currency: str) -> str:
    """Minor units for display: 1234, "EUR" → "12.34 EUR"; -5 → "-0.05 EUR"."""
    if minor is None:
        return ""
    return f"{to_decimal_string(minor, currency)} {currency}"


def format_money(minor, currency: str, *, language: str | None = None) -> str:
    """Minor units as money in the reader's language: 50000 EUR → "€500.00" in English,
    "500,00 €" in French and German. Exact (Decimal), never a float."""
    from django.utils.translation import get_language, to_locale

    if minor is None:
        return ""
    return _money_text(int(minor), currency, to_locale(language or get_language() or "en"))


@functools.lru_cache(maxsize=16)
def _currency_format(locale: str):
    """The babel locale and its standard currency pattern: parsing the locale and loading
    its data is most of a ``format_currency`` call, and a ledger page formats a hundred
    amounts."""
    from babel import Locale

    parsed = Locale.parse(locale)
    return parsed, parsed.currency_formats["standard"]


@functools.lru_cache(maxsize=4096)
def _money_text(minor: int, currency: str, locale: str) -> str:
    """``babel.numbers.format_currency`` of the amount with its defaults (a pure function of
    its arguments, so the amounts a page shows again are not formatted again)."""
    amount = Decimal(minor).scaleb(-CURRENCY_EXPONENTS.get(currency, 2))
    try:
        parsed, pattern = _currency_format(locale)
        return pattern.apply(
            amount,
            parsed,
            currency=currency,
            currency_digits=True,
            decimal_quantization=True,
            group_separator=True,
            numbering_system="latn",
        )
    except Exception:  # an unknown locale or currency: the plain form is still exact
        return format_amount(minor, currency)


def share_of(revenue_minor: int, basis_points: int) -> int:
    """A revenue share in minor units, rounded half up, in integers only (100 bp = 1 %)."""
    return (int(revenue_minor) * int(basis_points) * 2 + 10000) // 20000


def format_basis_points(basis_points: int) -> str:
    """250 → "2.5 %"."""
    whole, part = divmod(int(basis_points), 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") + " %"


def parse_percent(text) -> int:
    """A typed percentage ("2.5") as basis points (250), exactly, between 0 and 100 %."""
    ascii_number(text)
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a percentage such as 2.5."), code="invalid") from None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        raise ValidationError(_("Use at most two decimals for a percentage."), code="precision")
    if value <= 0 or value > 100:
        raise ValidationError(_("A share must be more than 0 and at most 100 %."), code="range")
    return int(value.scaleb(2))
