"""Choice labels without Django's per-call cost.

Django's ``get_<field>_display()`` rebuilds a hashable copy of the field's choices on every
call (``make_hashable(field.flatchoices)``), and hashing each lazy label translates it: a
list of 50 rows that shows a state and a kind translates every label of both fields 50 times.
``install()`` (called once from ``AccountsConfig.ready()``, after every model is loaded) gives
each such method a value → label dictionary built once per field; the label is still the lazy
translation, so each call answers in the active language. Models that define their own
``get_<field>_display`` keep it, and so do fields whose choices come from a callable; values
that cannot be a dictionary key (lists) fall back to Django's own method.
"""

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.encoding import force_str

_django_display = Model._get_FIELD_display


def _fast_display(field):
    if not isinstance(field.choices, list | tuple):
        return None  # choices from a callable can change: Django reads them on every call
    labels = {}
    for value, label in field.flatchoices:
        try:
            labels[value] = label
        except TypeError:  # an unhashable choice value: let Django answer every call
            return None

    def display(self):
        value = getattr(self, field.attname)
        try:
            label = labels.get(value, value)
        except TypeError:  # an unhashable value (a list)
            return _django_display(self, field)
        return force_str(label, strings_only=True)

    display.__name__ = f"get_{field.name}_display"
    display.__doc__ = f"The label of {field.name}'s value (see solidarity.choices)."
    return display


def install() -> int:
    """Replace Django's default ``get_<field>_display`` on every model; returns how many."""
    replaced = 0
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if not field.choices:
                continue
            name = f"get_{field.name}_display"
            current = model.__dict__.get(name)
            if not (isinstance(current, partialmethod) and current.func is _django_display):
                continue  # the model's own method (or inherited from a parent): keep it
            display = _fast_display(field)
            if display is not None:
                setattr(model, name, display)
                replaced += 1
    return replaced
