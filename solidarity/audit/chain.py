"""The canonical form of an event and the verification of the chain."""

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(event) -> str:
    """The event's content as canonical JSON: sorted keys, no spaces, UTC time in ISO form."""
    body = {
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "payload": event.payload,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


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


def verify_events(events, *, head_hash: str | None = None, head_length: int | None = None):
    """Recompute the chain over events in id order; name the first broken link."""
    prev = GENESIS
    count = 0
    for event in events:
        if head_length is not None and count == head_length:
            break  # appended after the head was read: the next verification covers it
        count += 1
        if event.prev_hash != prev:
            return Verification(
                False,
                count,
                event.id,
                "its link to the previous event does not match: an event before it was "
                "removed, inserted or reordered",
            )
        if compute_hash(prev, event) != event.hash:
            return Verification(False, count, event.id, "its content no longer matches its hash")
        prev = event.hash
    if head_length is not None and (count != head_length or prev != head_hash):
        return Verification(
            False,
            count,
            None,
            f"the chain ends early: {head_length} events recorded, {count} found",
        )
    return Verification(True, count)
