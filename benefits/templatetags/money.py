from django import template

from benefits.money import format_amount, format_basis_points

register = template.Library()


@register.filter
def money(minor, currency="EUR"):
    """{{ 1234|money:"EUR" }} → "12.34 EUR"."""
    return format_amount(minor, currency or "EUR")


@register.filter
def percent(basis_points):
    """{{ 250|percent }} → "2.5 %"."""
    if basis_points is None:
        return ""
    return format_basis_points(basis_points)
