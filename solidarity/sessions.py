"""Sessions read from the shared cache and written through to the database.

Django's ``cached_db`` store, made to tolerate a cache outage everywhere (Django's own
tolerates it only when saving): a failed cache read, write, membership test or delete is
logged and the database answers. A Redis restart or a flushed cache therefore signs nobody
out and fails no request; it only costs the database read the cache was sparing.
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
            logger.warning("Session cache unavailable; reading the session from the database.")
            data = None
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
        except Exception:
            logger.warning("Session cache unavailable; the session was not cached.")
        return data

    def exists(self, session_key):
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except Exception:
                logger.warning("Session cache unavailable; asking the database.")
        return super(CachedDBStore, self).exists(session_key)

    def delete(self, session_key=None):
        key = session_key or self.session_key
        # The database first: a session deleted there is gone even if the cache is down.
        super(CachedDBStore, self).delete(session_key)
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:
            # Signing out must not fail. A cache that cannot be reached cannot serve the copy
            # either; one that comes back with its old entries (not a restart, which empties
            # it) could, until the copy expires: logged as an error for the operator to flush.
            logger.error("Session cache unavailable; a deleted session may remain cached.")
