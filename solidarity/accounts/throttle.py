"""Sign-in throttling: after a few failures for one account from one client, pause."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, client: str) -> str:
    digest = hashlib.sha256(f"{username.lower()}|{client}".encode()).hexdigest()
    return f"login-failures:{digest}"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def is_locked(username: str, client: str) -> bool:
    return cache.get(_key(username, client), 0) >= settings.LOGIN_FAILURE_LIMIT


def register_failure(username: str, client: str) -> None:
    key = _key(username, client)
    if cache.add(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)


def reset(username: str, client: str) -> None:
    cache.delete(_key(username, client))
