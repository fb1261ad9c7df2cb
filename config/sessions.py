"""Cached, database-backed sessions that survive the cache going away.

Django's `cached_db` store already falls back to the database when a cache *read* fails, but it
then writes the row back into the cache, and that write raises while the cache (Redis) is down or
restarting: every logged-in request failed with a 500 although the session row was in
PostgreSQL. Here a failed cache write or membership test is logged and the database answers.
Deleting (logout) still raises: a session that could not be removed from the cache would stay
valid there.
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDBStore):
    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:
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
            logger.warning("Session cache unavailable; the session was read from the database")
        return data

    def exists(self, session_key):
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except Exception:
                logger.warning("Session cache unavailable; asking the database")
        return super(CachedDBStore, self).exists(session_key)
