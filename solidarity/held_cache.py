"""Per-person answers kept in the shared cache, dropped the moment what they depend on changes.

Every signed-in request needs the same few answers (who the person is, their roles, how many
notifications are unread); reading them from the cache spares a query each. A change never
waits for an expiry: the code that changes the data calls ``forget`` for the keys it affects.

``forget`` leaves a short-lived marker rather than deleting the key, and does so again after
the transaction commits. A reader that finds the marker goes to the database and does not
store what it read, and a reader that finds nothing stores its answer only if the key is
still empty (``cache.add``). So a request that read the database just before a change was
committed can never put the old answer back: its ``add`` lands before the marker (which
overwrites it) or after (and fails).
"""

import logging
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

_CHANGED = "\x00changed"
# While the marker stands every reader asks the database; long enough for any request that
# read the old state to have finished, short enough that caching resumes soon.
CHANGED_SECONDS = 30
# An upper bound on staleness should a marker ever be lost (evicted), not the invalidation.
KEEP_SECONDS = 300


def read_through(key: str, compute: Callable[[], object], *, timeout: int = KEEP_SECONDS):
    """The cached answer for ``key``, else ``compute()`` (kept unless ``key`` just changed).

    ``compute`` must not return ``None`` (the cache cannot tell it from a miss).
    """
    try:
        found = cache.get(key)
    except Exception:
        # The cache is an economy, never a dependency: without it the database answers.
        logger.warning("Cache unavailable; %s read from the database.", key.split(":")[0])
        return compute()
    if found is not None and found != _CHANGED:
        return found
    value = compute()
    if found is None:
        try:
            cache.add(key, value, timeout)
        except Exception:
            logger.warning("Cache unavailable; %s not kept.", key.split(":")[0])
    return value


def forget(keys: Iterable[str]) -> None:
    """Drop ``keys`` now and again after the current transaction commits (see above)."""
    marked = dict.fromkeys(keys, _CHANGED)
    if not marked:
        return
    _mark(marked)
    transaction.on_commit(lambda: _mark(marked))


def _mark(marked: dict) -> None:
    try:
        cache.set_many(marked, CHANGED_SECONDS)
    except Exception:
        # A cache that cannot be told cannot be read either; if it comes back with its old
        # entries, they expire within KEEP_SECONDS. The change itself must not fail for it.
        logger.error(
            "Cache unavailable; cached answers for %d keys could not be dropped.", len(marked)
        )


class _Tolerant:
    """The default cache, except that an outage answers like a miss (and is logged) instead
    of failing the request: for caches that only spare work the database can always redo."""

    _MISSED = {"get_many": {}, "add": False, "has_key": False}

    def __getattr__(self, name):
        method = getattr(cache, name)

        def call(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except Exception:
                logger.warning("Cache unavailable (%s); carrying on without it.", name)
                return self._MISSED.get(name)

        return call


tolerant = _Tolerant()
