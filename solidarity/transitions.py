"""The rulebook: each state machine declares its transitions once, and one function runs them.

A ``Transition`` names a move (``submit``), the states it may start from, the state it leads to,
who may make it (a predicate ``(user, obj) -> bool``, or the name of one in the machine's
permissions module, resolved lazily so that ``permissions.py`` may itself read the table), the
audit action, and what the HTML and API need to offer it: a button label, whether a written text
is required (and under which name and label), and whether it is irreversible (then the HTML asks
for confirmation on a page of its own).

``transition_run`` is the only way a declared move changes a row: in one transaction it locks the
row, checks the actor and the current state, applies the service's extra field changes, saves
with ``update_fields`` and appends the audit event. Services keep their side effects and send
them with ``transaction.on_commit``.

The kernel imports no domain app: machines are declared in each app's ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from solidarity import audit
from solidarity.errors import DomainError, PermissionDenied, TransitionNotAllowed

Predicate = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Transition:
    """One declared move of a state machine."""

    name: str
    sources: tuple[str, ...]
    target: str
    allowed: str | Predicate
    action: str
    label: str | Promise = ""
    # The written text the move needs ("" when none): its input name, label and help.
    text: str = ""
    text_label: str | Promise = ""
    text_help: str | Promise = ""
    # Where the text is kept on the row ("" to keep it only in the audit payload).
    text_field: str = ""
    # Whether the text itself goes into the audit payload (a long report may not).
    text_audited: bool = True
    # The HTML asks for confirmation on a page that says what will happen.
    irreversible: bool = False
    consequence: str | Promise = ""
    # Extra state condition on the row beyond its state (e.g. "has never been active").
    guard: Callable[[Any], bool] | None = None
    guard_message: Any = ""  # text, or callable(obj) -> text
    # Offered as a button and a generic API action; False for moves made only by another
    # service (the committee's decision, activation, expiry).
    offered: bool = True
    refused: str | Promise = ""
    # The move in the passive, for the refusal message ("accepted into review").
    verb: str | Promise = ""

    @property
    def needs_text(self) -> bool:
        return bool(self.text)


@dataclass
class StateMachine:
    """The transitions of one model's state field, and what each state waits for."""

    name: str
    transitions: Iterable[Transition]
    permissions: str = ""
    state_field: str = "state"
    # state -> (what is awaited, from whom), or a callable(obj) returning that pair.
    waits: Mapping[str, Any] = field(default_factory=dict)
    # Locks and reloads the row (select_for_update); the default locks the model's own row.
    locker: Callable[[Any], Any] | None = None
    # The refusal when the state is wrong; %(state)s and %(verb)s are filled in.
    state_message: str | Promise = ""

    def __post_init__(self):
        self.transitions = tuple(self.transitions)
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError(f"{self.name}: two transitions share a name")

    # ---- reading the table --------------------------------------------------------------

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def __iter__(self):
        return iter(self.transitions)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    @property
    def states(self) -> set[str]:
        found: set[str] = set()
        for t in self.transitions:
            found.update(t.sources)
            if t.target:
                found.add(t.target)
        return found

    def sources_of(self, name: str) -> tuple[str, ...]:
        return self[name].sources

    def predicate(self, transition: Transition) -> Predicate:
        if callable(transition.allowed):
            return transition.allowed
        return import_string(f"{self.permissions}.{transition.allowed}")

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def in_source_state(self, name: str, obj) -> bool:
        t = self[name]
        return self.state_of(obj) in t.sources and (t.guard is None or t.guard(obj))

    def may_actor(self, name: str, user, obj) -> bool:
        """Whether this user is someone who may make this move on this object (any state)."""
        return bool(user and user.is_authenticated and self.predicate(self[name])(user, obj))

    def allows(self, name: str, user, obj) -> bool:
        """May this user make this move on this object now? (state, guard and actor)."""
        return self.in_source_state(name, obj) and self.may_actor(name, user, obj)

    def available(self, user, obj, *, offered_only: bool = True) -> list[Transition]:
        return [
            t
            for t in self.transitions
            if (t.offered or not offered_only) and self.allows(t.name, user, obj)
        ]

    def awaited(self, obj) -> tuple[str, str]:
        entry = self.waits.get(self.state_of(obj))
        if entry is None:
            return _("Nothing"), "—"
        if callable(entry):
            entry = entry(obj)
        what, who = entry
        return str(what), str(who)

    # ---- checking -----------------------------------------------------------------------

    def check(self, name: str, *, actor, obj) -> Transition:
        """Raise PermissionDenied or TransitionNotAllowed unless the move is allowed now.

        The actor is checked first so that someone who may never make the move learns nothing
        about the object's state; ``actor`` "system" (a string) is the beat or another service.
        """
        t = self[name]
        if not isinstance(actor, str) and not self.may_actor(name, actor, obj):
            raise PermissionDenied(
                str(t.refused) or _("You may not %(move)s this.") % {"move": t.name}
            )
        if self.state_of(obj) not in t.sources:
            template = str(self.state_message) or _(
                "A %(what)s that is %(state)s cannot be %(verb)s."
            )
            raise TransitionNotAllowed(
                template
                % {
                    "what": self.name,
                    "state": _state_label(obj, self.state_field),
                    "verb": str(t.verb or t.name),
                }
            )
        if t.guard is not None and not t.guard(obj):
            message = t.guard_message(obj) if callable(t.guard_message) else t.guard_message
            raise TransitionNotAllowed(str(message) or _("This move is not allowed now."))
        return t

    def lock(self, obj):
        if self.locker is not None:
            return self.locker(obj)
        return type(obj).objects.select_for_update(of=("self",)).get(pk=obj.pk)


def _state_label(obj, state_field: str) -> str:
    display = getattr(obj, f"get_{state_field}_display", None)
    return str(display()).lower() if display else str(getattr(obj, state_field))


def clean_text(transition: Transition, value) -> str:
    """The move's required text, stripped; DomainError naming the field when it is empty."""
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        message = _("%(label)s is required.") % {
            "label": str(transition.text_label or transition.text).capitalize()
        }
        raise DomainError(message, field_errors={transition.text: [message]})
    return value


def transition_run(
    machine: StateMachine,
    name: str,
    *,
    actor,
    obj,
    text: str | None = None,
    changes: Mapping[str, Any] | None = None,
    payload: Mapping[str, Any] | None = None,
    prepare: Callable[[Any], Mapping[str, Any] | None] | None = None,
    lock: bool = True,
    audit_target=None,
):
    """Run one declared transition and return the (locked, saved) object.

    In one transaction: lock the row (unless the caller already holds it: ``lock=False``),
    check the actor and the current state, validate the required text, call ``prepare(obj)``
    (the service's own checks on the locked row; it may return more field changes), apply
    ``changes`` and the text field, set the target state, save with ``update_fields`` and
    append the audit event (action, from/to state, payload with the text).
    """
    t = machine[name]
    if not t.target:
        raise ValueError(f"{machine.name}.{name} changes no state: it is not run as a transition")
    with transaction.atomic():
        if lock:
            obj = machine.lock(obj)
        machine.check(name, actor=actor, obj=obj)
        all_changes: dict[str, Any] = {}
        if t.needs_text:
            text = clean_text(t, text)
            if t.text_field:
                all_changes[t.text_field] = text
        if prepare is not None:
            all_changes.update(prepare(obj) or {})
        all_changes.update(changes or {})
        # Read after ``prepare``, which may add to the caller's payload.
        event_payload: dict[str, Any] = dict(payload or {})
        if t.needs_text and t.text_audited:
            event_payload.setdefault(t.text, text)
        from_state = machine.state_of(obj)
        for key, value in all_changes.items():
            setattr(obj, key, value)
        setattr(obj, machine.state_field, t.target)
        fields = [machine.state_field, *all_changes]
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            fields.append("updated_at")
        obj.save(update_fields=list(dict.fromkeys(fields)))
        audit.record(
            actor=actor,
            action=t.action,
            target=audit_target if audit_target is not None else obj,
            from_state=from_state,
            to_state=t.target,
            payload=event_payload,
        )
    return obj


__all__ = ["StateMachine", "Transition", "clean_text", "transition_run"]
