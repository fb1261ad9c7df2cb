"""Sessions that prove themselves in the answer save's own statement.

Every logged-in request reads its session and its user (from the cache, else the database),
unpickles both and checks the session's hash against the user's password. During an exam a
student sends the same request (an answer save) dozens of times on one session, and that read
cost as much as the save itself. So the first save of a session in this process authenticates
it as Django does; this process then remembers whose the session is, as a
`attempt_runtime.SessionProof`, and the session's next saves send the proof with the save.
The statement (migration quizzes 0013) writes only if the session row still exists and has not
expired and the user is still active with the same password field: a logout, an expiry, a
password change or a deactivation anywhere ends the proof at the next save, which then takes
the long way and is answered as any request of an ended session.

Only where every session is a row of `django_session` (the database and the cached-database
engines, config.sessions): the statement asks that table.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest

from .attempt_runtime import SessionProof, session_auth_digest

_DATABASE_ENGINES = frozenset({
    "config.sessions", "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db"})
_LIMIT = 100_000  # sessions; a whole exam's students, several times over

# By session key: only this process's own reading of a session it authenticated.
_proofs: dict[str, SessionProof] = {}


def proof_for(request: HttpRequest) -> SessionProof | None:
    """The proof this process holds for the request's session cookie, if any."""
    return _proofs.get(request.COOKIES.get(settings.SESSION_COOKIE_NAME) or "")


def remember(request: HttpRequest, user: AbstractBaseUser) -> None:
    """`user` was just authenticated from the request's session, the long way (Django's
    session, user and session-hash checks): remember the session's proof."""
    key = request.session.session_key
    if (settings.SESSION_ENGINE not in _DATABASE_ENGINES or not key
            or key != request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            or not user.is_authenticated):
        return
    if len(_proofs) >= _LIMIT:
        _proofs.clear()
    _proofs[key] = SessionProof(key, user.pk, session_auth_digest(user.password))


def forget(proof: SessionProof) -> None:
    """The statement refused `proof`: the next request reads the session afresh."""
    _proofs.pop(proof.session_key, None)


def mark_read(request: HttpRequest) -> None:
    """A reply that a proof authenticated depends on the session cookie as one that read the
    session does: SessionMiddleware adds `Vary: Cookie` for it."""
    request.session.accessed = True
