"""Cached, database-backed sessions that survive the cache going away.

Django's `cached_db` store already falls back to the database when a cache *read* fails, but it
then writes the row back into the cache, and that write raises while the cache (Redis) is down or
restarting: every logged-in request failed with a 500 although the session row was in
PostgreSQL. Here a failed cache write or membership test is logged and the database answers.
Deleting (logout) still raises: a session that could not be removed from the cache would stay
valid there.

A session this process has read before is read together with its user's cached row (one
`MGET` instead of two `GET`s; config.auth_cache).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import DEFAULT_CACHE_ALIAS

from config import auth_cache

logger = logging.getLogger("django.contrib.sessions")


# Whose each session is, for the sessions this process has read: a session's user does not
# change under one key (a login cycles the key, a logout flushes the session). Only a guess of
# which user row to fetch with the session; the session's own data, read afresh each time,
# decides, and a row is handed over only when the two agree.
_session_users: dict[str, str] = {}
_SESSION_USERS_LIMIT = 100_000


def _remember_user(session_key: str | None, data: dict) -> None:
    user_id = data.get(SESSION_KEY)
    if session_key and user_id is not None:
        if len(_session_users) >= _SESSION_USERS_LIMIT:
            _session_users.clear()
        _session_users[session_key] = str(user_id)


class SessionStore(CachedDBStore):
    def load(self):
        auth_cache.hand_over(None, None)
        try:
            data = self._read_cache()
        except Exception:
            data = None
        if data is not None:
            _remember_user(self.session_key, data)
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        _remember_user(self.session_key, data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
        except Exception:
            logger.warning("Session cache unavailable; the session was read from the database")
        return data

    def _read_cache(self):
        """The session's data from the cache; with it, in the same round trip, the cached row of
        the user this process last saw on this session (config.auth_cache.hand_over)."""
        user_id = _session_users.get(self.session_key or "")
        if user_id is None or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:
            return self._cache.get(self.cache_key)
        user_key = auth_cache.user_cache_key(user_id)
        found = self._cache.get_many([self.cache_key, user_key])
        data = found.get(self.cache_key)
        if data is not None and str(data.get(SESSION_KEY)) == user_id:
            auth_cache.hand_over(user_id, found.get(user_key))
        return data

    def exists(self, session_key):
        if session_key:
            try:
                if (self.cache_key_prefix + session_key) in self._cache:
                    return True
            except Exception:
                logger.warning("Session cache unavailable; asking the database")
        return super(CachedDBStore, self).exists(session_key)
