import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template

from benefits.money import format_amount, parse_amount, parse_percent, share_of


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("12.34", "EUR", 1234),
        ("12.3", "EUR", 1230),
        ("0.10", "EUR", 10),
        ("1000000", "EUR", 100_000_000),
        ("0.1", "EUR", 10),  # a float would make 0.1 * 100 = 10.000000000000002
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
    ],
)
def test_amounts_parse_exactly_into_minor_units(text, currency, minor):
    assert parse_amount(text, currency) == minor
    assert isinstance(parse_amount(text, currency), int)


@pytest.mark.parametrize(
    ("text", "currency"),
    [("1.234", "EUR"), ("1.5", "JPY"), ("abc", "EUR"), ("NaN", "EUR"), ("Infinity", "EUR")],
)
def test_more_decimals_than_the_currency_has_or_nonsense_is_refused(text, currency):
    with pytest.raises(ValidationError):
        parse_amount(text, currency)


def test_negative_zero_huge_and_unknown_currency_are_refused():
    for text in ("-1", "0", "1e30"):
        with pytest.raises(ValidationError):
            parse_amount(text, "EUR")
    with pytest.raises(ValidationError):
        parse_amount("1", "XXX")
    assert parse_amount("-1.50", "EUR", allow_negative=True) == -150


def test_sums_of_many_small_amounts_stay_exact():
    total = sum(parse_amount("0.10", "EUR") for _ in range(1000))
    assert total == 10_000
    assert format_amount(total, "EUR") == "100.00 EUR"


def test_money_filter_formats_minor_units():
    rendered = Template('{% load money %}{{ a|money:"EUR" }}|{{ b|money:"JPY" }}|{{ c|money }}')
    assert rendered.render(Context({"a": 1234, "b": 5, "c": -7})) == "€12.34|¥5|-€0.07"


def test_money_follows_the_readers_language():
    from django.utils import translation

    from benefits.money import format_money

    assert format_money(5_000_000, "EUR", language="en") == "€50,000.00"
    with translation.override("de"):
        assert format_money(5_000_000, "EUR").replace("\xa0", " ") == "50.000,00 €"
    with translation.override("fr"):
        assert (
            format_money(-50_000, "EUR").replace("\u202f", " ").replace("\xa0", " ") == "-500,00 €"
        )


def test_revenue_share_is_integer_arithmetic_rounded_half_up():
    assert share_of(10_000, 250) == 250  # 2.5 % of 100.00 = 2.50
    assert share_of(12_345, 250) == 309  # 308.625 → 309
    assert share_of(20, 250) == 1  # 0.5 → 1
    assert share_of(19, 250) == 0  # 0.475 → 0
    assert parse_percent("2.5") == 250
    with pytest.raises(ValidationError):
        parse_percent("2.555")
    with pytest.raises(ValidationError):
        parse_percent("101")


@pytest.mark.parametrize(
    "text", ["1E+999999", "1E+999990", "1E+500000", "1e19", "10000000000000.01"]
)
def test_huge_amounts_are_refused_quickly_and_cleanly(text):
    import time

    from django.core.exceptions import ValidationError

    from benefits.money import parse_amount

    started = time.perf_counter()
    with pytest.raises(ValidationError) as exc:
        parse_amount(text, "EUR")
    assert time.perf_counter() - started < 0.5
    assert exc.value.code in {"too_large", "precision"}


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "pt-br", "xx"])
@pytest.mark.parametrize("currency", ["EUR", "USD", "JPY", "KWD", "CHF"])
def test_money_reads_as_babel_writes_it_every_time(language, currency):
    """The kept locale and the remembered amounts give babel's own answer, again and again."""
    from decimal import Decimal

    from babel.numbers import format_currency
    from django.utils.translation import to_locale

    from benefits.money import CURRENCY_EXPONENTS, format_amount, format_money

    for minor in (0, 1, -5, 1234, -50_000, 5_000_000, 123_456_789_012):
        amount = Decimal(minor).scaleb(-CURRENCY_EXPONENTS.get(currency, 2))
        try:
            expected = format_currency(amount, currency, locale=to_locale(language))
        except Exception:
            expected = format_amount(minor, currency)
        for _ in range(2):
            assert format_money(minor, currency, language=language) == expected
