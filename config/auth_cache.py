"""`request.user` from the cache instead of one database query per request.

Every logged-in request reads the user row (Django's ModelBackend.get_user). During an exam that
is one query per autosave, for a row that changes when the user logs in, changes their password
or is edited by an administrator. `CachedModelBackend` keeps the row in the Django cache (Redis
in production, shared by every process) and every save or delete of a user, and every change of
their groups or permissions, removes it; a bulk `QuerySet.update()` sends no signal, so the
entry also expires after `AUTH_USER_CACHE_SECONDS`. A cache that is down answers from the
database, as the sessions do (config/sessions.py).

The session store reads a session and its user's row in one round trip once it knows whose the
session is, and hands the row over (`hand_over`): a logged-in request then costs one cache
read instead of two.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)


def user_cache_key(user_id) -> str:
    """The cache key of `user_id`'s row (in the default cache)."""
    return f"auth-user:{user_id}"


_key = user_cache_key

# A user row read in the same round trip as its session (config.sessions), for this thread's
# next `get_user`: (user id as text, user).
_handed_over = threading.local()


def hand_over(user_id, user) -> None:
    """`user` is the cached row of `user_id`, just read from the cache with their session:
    this thread's next `get_user(user_id)` takes it instead of asking the cache again. Each
    session read first clears what an earlier one left (`hand_over(None, None)`)."""
    _handed_over.entry = None if user is None else (str(user_id), user)


def _take_handed_over(user_id):
    entry = getattr(_handed_over, "entry", None)
    _handed_over.entry = None
    return entry[1] if entry is not None and entry[0] == str(user_id) else None


class CachedModelBackend(ModelBackend):
    """ModelBackend whose `get_user` (the read behind `request.user`) is served by the cache."""

    def get_user(self, user_id):
        user = _take_handed_over(user_id)
        if user is not None:
            return user if self.user_can_authenticate(user) else None
        try:
            user = cache.get(_key(user_id))
        except Exception:
            logger.warning("User cache unavailable; the user was read from the database")
            return super().get_user(user_id)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            _store(user)
        return user if self.user_can_authenticate(user) else None


def _store(user) -> None:
    try:
        cache.set(_key(user.pk), user, getattr(settings, "AUTH_USER_CACHE_SECONDS", 300))
    except Exception:
        logger.warning("User cache unavailable; the user was read from the database")


def user_cache_forget(user_id) -> None:
    """Drop the cached row of `user_id` (a write to it just happened)."""
    try:
        cache.delete(_key(user_id))
    except Exception:
        # A stale row could outlive a password change or a deactivation: say so loudly.
        logger.error("User cache unavailable: user %s could not be dropped from it", user_id)
        raise


def _forget(sender, instance, **kwargs) -> None:
    user_cache_forget(instance.pk)


def _forget_m2m(sender, instance, **kwargs) -> None:
    if isinstance(instance, get_user_model()):
        user_cache_forget(instance.pk)


def _store_on_login(sender, request, user, **kwargs) -> None:
    # The login just wrote `last_login` (which dropped the entry): the row in hand is the
    # stored one, so the first request after a login (an exam's start) need not read it.
    _store(user)


def connect() -> None:
    """Connect the invalidation (every process: the web, the workers, manage.py)."""
    user_model = get_user_model()
    post_save.connect(_forget, sender=user_model, dispatch_uid="auth_cache_save")
    post_delete.connect(_forget, sender=user_model, dispatch_uid="auth_cache_delete")
    m2m_changed.connect(_forget_m2m, sender=user_model.groups.through,
                        dispatch_uid="auth_cache_groups")
    m2m_changed.connect(_forget_m2m, sender=user_model.user_permissions.through,
                        dispatch_uid="auth_cache_permissions")
    # After django.contrib.auth's own receiver (connected when its app loaded), which saves
    # `last_login`.
    user_logged_in.connect(_store_on_login, dispatch_uid="auth_cache_login")
