"""Sessions that prove themselves in the exam's own statements (the answer save, the start).

Every logged-in request reads its session and its user (from the cache, else the database),
unpickles both and checks the session's hash against the user's password. During an exam a
student sends the same requests dozens of times on one session, and that read cost as much as
the save itself. So once a request has authenticated a session as Django does, its response
carries a proof of it: a cookie, signed with SECRET_KEY and bound to the session key, naming the
session's user and a digest of the password field it was verified against
(`attempt_runtime.session_auth_digest`). A later save or start on that session, in any process,
sends the proof with its statement, which writes only if the session row still exists and has
not expired and the user is still active with the same password field (migrations quizzes
0013, 0014): a logout, an expiry, a password change or a deactivation anywhere ends the proof
at the next statement, which then writes nothing; the request takes the long way and is
answered as any request of an ended session, and its response drops the cookie.

The cookie says whose the session was when a process holding the secret checked it; the
statement checks that it still is. A session key belongs to one user for its whole life (a
login cycles the key, a logout flushes the session), and the signature covers the key, so a
proof cannot be moved to another session or another user without the secret. It is HttpOnly
and sent like the session cookie.

Only where every session is a row of `django_session` (the database and the cached-database
engines, config.sessions): the statements ask that table.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

from .attempt_runtime import SessionProof, session_auth_digest

COOKIE_NAME = "sessionproof"
_SALT = "quizzes.session_proofs"
_DATABASE_ENGINES = frozenset({
    "config.sessions", "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db"})
# On the request: the proof its cookies carry (None: none valid), once read.
_READ = "_session_proof"
_UNSET = object()


def proof_for(request: HttpRequest) -> SessionProof | None:
    """The proof the request's cookies carry for its session cookie, if a valid one."""
    proof = getattr(request, _READ, _UNSET)
    if proof is _UNSET:
        proof = None
        if settings.SESSION_ENGINE in _DATABASE_ENGINES:
            proof = _verified(request.COOKIES.get(settings.SESSION_COOKIE_NAME),
                              request.COOKIES.get(COOKIE_NAME))
        setattr(request, _READ, proof)
    return proof


def forget(request: HttpRequest) -> None:
    """A statement refused the request's proof: the request goes on the long way, and its
    response replaces or drops the cookie."""
    setattr(request, _READ, None)


def mark_read(request: HttpRequest) -> None:
    """A reply that a proof authenticated depends on the session cookie as one that read the
    session does: SessionMiddleware adds `Vary: Cookie` for it."""
    request.session.accessed = True


def cookie_value(session_key: str, user: AbstractBaseUser) -> str:
    """The proof cookie of `session_key`, just authenticated as `user`'s: `user id:digest:
    signature`, the signature over the session key too (which the session cookie carries)."""
    signed = _signer().sign(
        f"{session_key}:{user.pk}:{session_auth_digest(session_key, user.password)}")
    return signed.split(":", 1)[1]


def _verified(session_key: str | None, value: str | None) -> SessionProof | None:
    if not session_key or not value:
        return None
    try:
        key, user_id, digest = _signer().unsign(f"{session_key}:{value}").split(":")
        if key != session_key:
            return None
        return SessionProof(session_key, int(user_id), digest)
    except (signing.BadSignature, ValueError):
        return None


def _logged_in_by_session(session, user) -> bool:
    """`user` is the session's own active user: not a user that another authentication (DRF's
    Basic authentication, say) put on a request whose session is anonymous or someone
    else's."""
    return (user is not None and user.is_authenticated and user.is_active
            and session.get(SESSION_KEY) == str(user.pk))


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


class SessionProofMiddleware:
    """Gives a response the proof cookie of its session once the request has authenticated
    the session the long way and its cookie is missing, stale or refused; drops the cookie
    when the session has ended. After AuthenticationMiddleware: it reads `request.user`.

    A request that carries a valid proof leaves it alone, whatever it did: the statements that
    use it check the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.SESSION_ENGINE in _DATABASE_ENGINES:
            _settle_cookie(request, response)
        return response


def _settle_cookie(request: HttpRequest, response: HttpResponseBase) -> None:
    sent = request.COOKIES.get(COOKIE_NAME)
    session = getattr(request, "session", None)
    # Only where the request read its session (a login, a logout, any view that asked who the
    # user is): a request that did not is not made to read it here.
    if session is None or not session.accessed:
        return
    if (sent and proof_for(request) is not None
            and session.session_key == request.COOKIES.get(settings.SESSION_COOKIE_NAME)):
        return  # still in force: the statements check the rest
    key = session.session_key  # after the read: None for a session that ended
    if key and _logged_in_by_session(session, getattr(request, "user", None)):
        response.set_cookie(
            COOKIE_NAME, cookie_value(key, request.user), domain=settings.SESSION_COOKIE_DOMAIN,
            path=settings.SESSION_COOKIE_PATH, secure=settings.SESSION_COOKIE_SECURE,
            httponly=True, samesite=settings.SESSION_COOKIE_SAMESITE)
    elif sent:
        response.delete_cookie(COOKIE_NAME, path=settings.SESSION_COOKIE_PATH,
                               domain=settings.SESSION_COOKIE_DOMAIN,
                               samesite=settings.SESSION_COOKIE_SAMESITE)
