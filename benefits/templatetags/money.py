from django import template

from benefits.money import format_basis_points, format_money

register = template.Library()


@register.filter
def money(minor, currency="EUR"):
    """{{ 1234|money:"EUR" }} → "€12.34" in English, "12,34 €" in French or German."""
    return format_money(minor, currency or "EUR")


@register.filter
def percent(basis_points):
    """{{ 250|percent }} → "2.5 %"."""
    if basis_points is None:
        return ""
    return format_basis_points(basis_points)
