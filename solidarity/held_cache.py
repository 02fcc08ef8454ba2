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

from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import transaction

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
    found = cache.get(key)
    if found is not None and found != _CHANGED:
        return found
    value = compute()
    if found is None:
        cache.add(key, value, timeout)
    return value


def forget(keys: Iterable[str]) -> None:
    """Drop ``keys`` now and again after the current transaction commits (see above)."""
    marked = dict.fromkeys(keys, _CHANGED)
    if not marked:
        return
    cache.set_many(marked, CHANGED_SECONDS)
    transaction.on_commit(lambda: cache.set_many(marked, CHANGED_SECONDS))
