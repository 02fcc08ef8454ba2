"""How a push is signed, and how a node checks it (the same function serves both sides).

Headers: ``Solidarity-Event-Id`` (a UUID, the same on every retry: the receiver's key for
idempotency), ``Solidarity-Timestamp`` (Unix seconds of this attempt) and
``Solidarity-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>``. A receiver
refuses a timestamp outside its replay window (default 300 s) and an event id already seen.
"""

import hashlib
import hmac
import time

EVENT_HEADER = "Solidarity-Event-Id"
TIMESTAMP_HEADER = "Solidarity-Timestamp"
SIGNATURE_HEADER = "Solidarity-Signature"
REPLAY_WINDOW_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return "v1=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    *,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float | None = None,
    tolerance: int = REPLAY_WINDOW_SECONDS,
) -> bool:
    """True when the signature is ours and the timestamp is inside the replay window."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature or "")
