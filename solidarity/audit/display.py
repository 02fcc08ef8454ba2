"""Audit events as people read them: what kind of thing, which one, and states in words.

The stored ``target_repr`` is kept as written (it is part of the chain); for display, a model
may offer ``audit_label()`` (and ``AUDIT_LABEL_RELATED`` to fetch what the label needs), read
in one query per kind of target on the page.
"""

from collections import defaultdict

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _state_labels(model) -> dict:
    for name in ("state", "outcome"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.choices:
            return {str(k): str(v) for k, v in field.choices}
    return {}


def describe(events) -> list:
    """Set ``target_kind``, ``target_text``, ``from_label`` and ``to_label`` on each event."""
    events = list(events)
    ids = defaultdict(set)
    for e in events:
        if e.target_type and e.target_id:
            ids[e.target_type].add(e.target_id)
    objects, kinds, states = {}, {}, {}
    for label, pks in ids.items():
        model = _model(label)
        if model is None:
            continue
        kinds[label] = str(model._meta.verbose_name).capitalize()
        states[label] = _state_labels(model)
        if hasattr(model, "audit_label"):
            wanted = [int(pk) for pk in pks if pk.isdigit()]
            related = getattr(model, "AUDIT_LABEL_RELATED", ())
            for obj in model._base_manager.select_related(*related).filter(pk__in=wanted):
                objects[(label, str(obj.pk))] = obj
    for e in events:
        obj = objects.get((e.target_type, e.target_id))
        e.target_kind = kinds.get(e.target_type, "")
        e.target_text = obj.audit_label() if obj is not None else e.target_repr
        labels = states.get(e.target_type, {})
        e.from_label = labels.get(e.from_state, e.from_state)
        e.to_label = labels.get(e.to_state, e.to_state)
    return events
