"""Listeners told of each change in an approved project's life.

Higher apps (grants: access grants per member and dataset) register a listener from their
AppConfig.ready(); this app never imports them. The services call ``project_changed`` inside
their transaction, after the move is saved and audited, so a listener's own changes commit or
roll back with it.

Events: ``activated`` (approved → active, first time or after an amendment), ``suspended``,
``reinstated``, ``revoked``, ``expired``, ``closed``, ``amended`` (access pauses while an
amendment is reviewed) and ``team_changed`` (a co-applicant of an active project joined or
left).
"""

from collections.abc import Callable

EVENTS = (
    "activated",
    "suspended",
    "reinstated",
    "revoked",
    "expired",
    "closed",
    "amended",
    "team_changed",
)

_listeners: list[Callable] = []


def register_lifecycle_listener(listener: Callable) -> Callable:
    """``listener(*, application, event, actor)``; registered once however often it is called."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def project_changed(application, *, event: str, actor) -> None:
    if event not in EVENTS:
        raise ValueError(f"Unknown project event {event!r}")
    for listener in _listeners:
        listener(application=application, event=event, actor=actor)
