"""The canonical form of an event and the verification of the chain."""

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


# One encoder for every event (json.dumps would build a new one per call): canonical JSON is
# sorted keys, no spaces, non-ASCII kept, anything else as str().
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
).encode
_DECODE = json.JSONDecoder().decode


def canonical_text(
    created_at: str,
    actor_id,
    actor_label,
    action,
    target_type,
    target_id,
    target_repr,
    from_state,
    to_state,
    payload,
) -> str:
    """The canonical JSON of an event's content, ``created_at`` already in ISO form (UTC)."""
    return _ENCODER(
        {
            "created_at": created_at,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "target_repr": target_repr,
            "from_state": from_state,
            "to_state": to_state,
            "payload": payload,
        }
    )


def canonical(event) -> str:
    """The event's content as canonical JSON: sorted keys, no spaces, UTC time in ISO form."""
    return canonical_text(*_content(event))


def _content(event) -> tuple:
    return (
        event.created_at.isoformat(),
        event.actor_id,
        event.actor_label,
        event.action,
        event.target_type,
        event.target_id,
        event.target_repr,
        event.from_state,
        event.to_state,
        event.payload,
    )


def content_sha256(content) -> str:
    """SHA-256 of JSON content in canonical form, so a frozen document's hash can be sealed
    into an event's payload and recomputed from the stored content later."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compute_hash(prev_hash: str, event) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode("utf-8")).hexdigest()


@dataclass
class Verification:
    ok: bool
    checked: int
    broken_event_id: int | None = None
    reason: str = ""
    last_id: int | None = None  # the last event the verification covered


def verify_events(events, *, head_hash: str | None = None, head_length: int | None = None):
    """Recompute the chain over events (objects) in id order; name the first broken link."""
    rows = ((e.id, *_content(e), e.prev_hash, e.hash) for e in events)
    return verify_rows(rows, head_hash=head_hash, head_length=head_length)


def verify_rows(rows, *, head_hash: str | None = None, head_length: int | None = None):
    """Recompute the chain over rows in id order; name the first broken link.

    A row is ``(id, created_at ISO text, actor_id, actor_label, action, target_type,
    target_id, target_repr, from_state, to_state, payload, prev_hash, hash)``; the payload is
    a decoded object or its JSON text. The loop is the hot path of ``verify_audit`` (a million
    events): local names, one shared encoder, no model instance per event.
    """
    sha256 = hashlib.sha256
    canonical = canonical_text
    decode = _DECODE
    prev = GENESIS
    count = 0
    last_id = None
    for (
        event_id,
        created_at,
        actor_id,
        actor_label,
        action,
        target_type,
        target_id,
        target_repr,
        from_state,
        to_state,
        payload,
        prev_hash,
        event_hash,
    ) in rows:
        if head_length is not None and count == head_length:
            break  # appended after the head was read: the next verification covers it
        count += 1
        if prev_hash != prev:
            return Verification(
                False,
                count,
                event_id,
                "its link to the previous event does not match: an event before it was "
                "removed, inserted or reordered",
            )
        if isinstance(payload, str):
            payload = decode(payload)
        text = canonical(
            created_at,
            actor_id,
            actor_label,
            action,
            target_type,
            target_id,
            target_repr,
            from_state,
            to_state,
            payload,
        )
        if sha256((prev + text).encode()).hexdigest() != event_hash:
            return Verification(False, count, event_id, "its content no longer matches its hash")
        prev = event_hash
        last_id = event_id
    if head_length is not None and (count != head_length or prev != head_hash):
        return Verification(
            False,
            count,
            None,
            f"the chain ends early: {head_length} events recorded, {count} found",
        )
    return Verification(True, count, last_id=last_id)
