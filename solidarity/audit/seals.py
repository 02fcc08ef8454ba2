"""Sealed content: frozen documents whose SHA-256 an audit event carries in its payload.

The chain proves that events were not changed; a seal extends that proof to the document an
event froze (an application version, for instance), which lives in another table. A domain
app registers, from its ``AppConfig.ready()``, the action whose events carry a seal and a
function that, given those events, yields ``(event, problem)`` for every document that is
missing or whose content no longer matches. The kernel never imports the domain app.
"""

from collections.abc import Callable, Iterable, Iterator

from .models import AuditEvent

SealCheck = Callable[[Iterable[AuditEvent]], Iterator[tuple[AuditEvent, str]]]

_checks: dict[str, SealCheck] = {}


def register_seal(action: str, check: SealCheck) -> None:
    """Verify the documents sealed by events of ``action`` with ``check`` (idempotent)."""
    _checks[action] = check


def broken_seals(*, up_to_id: int | None = None) -> Iterator[tuple[AuditEvent, str]]:
    """Every sealed document that no longer matches, in event order, over events up to
    ``up_to_id`` (those the chain verification covered)."""
    for action, check in sorted(_checks.items()):
        events = AuditEvent.objects.filter(action=action).order_by("id")
        if up_to_id is not None:
            events = events.filter(id__lte=up_to_id)
        yield from check(events.iterator(chunk_size=500))
