"""Appending to the audit trail and verifying it."""

from collections import namedtuple

from django.db import models, transaction
from django.utils import timezone

from .chain import GENESIS, Verification, compute_hash, verify_events
from .models import AuditEvent, ChainHead


def _target_fields(target) -> tuple[str, str, str]:
    if target is None:
        return "", "", ""
    if isinstance(target, models.Model):
        return target._meta.label_lower, str(target.pk), str(target)[:255]
    raise TypeError("target must be a model instance or None")


def record(
    *,
    actor,
    action: str,
    target=None,
    from_state: str = "",
    to_state: str = "",
    payload: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Appends are serialised by locking the chain head row, so two concurrent transactions
    never link to the same predecessor; the lock is held until the caller commits.
    """
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            ChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS, "length": 0})
            head = ChainHead.objects.select_for_update().get(pk=1)
        target_type, target_id, target_repr = _target_fields(target)
        user = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            created_at=timezone.now(),
            actor=user,
            actor_label=(
                user.get_username() if user else (actor if isinstance(actor, str) else "")
            ),
            action=action,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            from_state=from_state or "",
            to_state=to_state or "",
            payload=payload or {},
            prev_hash=head.last_hash,
        )
        # Normalise the payload as it will be read back, so the hash is reproducible.
        event.payload = _roundtrip(event.payload)
        event.hash = compute_hash(head.last_hash, event)
        event.save()
        ChainHead.objects.filter(pk=1).update(last_hash=event.hash, length=head.length + 1)
    return event


def _roundtrip(payload: dict) -> dict:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


_EVENT_FIELDS = (
    "id",
    "created_at",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "from_state",
    "to_state",
    "payload",
    "prev_hash",
    "hash",
)


# The fields the chain needs, without building a model instance per event.
_EventRow = namedtuple("_EventRow", _EVENT_FIELDS)


def audit_verify() -> Verification:
    """Recompute the whole chain; the result names the first broken event, if any.

    Streams the trail in id order through a server-side cursor (inside a transaction, so
    PostgreSQL hands out rows as they are read rather than materialising the whole result
    first): memory stays flat whatever the length of the trail.
    """
    with transaction.atomic():
        head = ChainHead.objects.filter(pk=1).first()
        rows = (
            AuditEvent.objects.order_by("id").values_list(*_EVENT_FIELDS).iterator(chunk_size=5000)
        )
        events = map(_EventRow._make, rows)
        if head is None:
            return verify_events(events)
        return verify_events(events, head_hash=head.last_hash, head_length=head.length)
