"""The exam's two hottest API requests without the URL resolver and DRF's view machinery, for
the common case: the answer save and the start.

During an exam nearly every request is `PUT /api/attempts/<id>/responses/<slot>/` from a
student's own page, well formed, and the opening is thousands of
`POST /api/courses/<course>/quizzes/<quiz>/attempts/` at once. For those requests,
URL resolution, DRF's request wrapper, content negotiation, parsing, authentication classes,
permission and throttle checks, and rendering cost more CPU than the statement itself
(docs/performance.md). `ApiFastPath`, last in `MIDDLEWARE` (so every other middleware has run
and every response header is added as for any view), and `ProvenApiFastPath`, early (below),
answer them themselves, applying the same rules as `quizzes.api.ResponseSaveApi` and
`quizzes.api.AttemptStartApi`:

- authentication: the session's user, as DRF's `SessionAuthentication` (with its CSRF check);
  active and logged in, as `IsAuthenticated`. A request that carries its session's proof
  (quizzes.session_proofs) sends it with its statement, which checks the session and the user
  itself: no session or user is read or unpickled. Without one, the session and the user are
  read as Django does;
- the save's body: a JSON object with `answer` and an integer `sequence` in range, parsed as
  DRF's strict parser with the API's depth limit;
- the save: `attempt_runtime.response_save_known`, the one-statement save (after one read of
  the attempt's questions the first time in a process) with every guard of the full path
  (owner, enrolment, open, published, deadline, sequence), which writes nothing when any of
  them fails;
- the start: `attempt_build.attempt_prepared_claim`, the one-statement claim of the student's
  prepared attempt with every rule of a start, answered with the questions rendered when it was
  prepared;
- the reply: the view's own body, DRF's JSON renderer, the status and the headers DRF adds.

Anything else goes on to the view unchanged, having changed nothing: another method, a query
string (DRF's `?format=`), another content type or `Accept`, an `Authorization` header, no or
a failed session or CSRF check, any other body, a question not in the attempt, a start with
nothing prepared to claim, and every refusal or conflict, which the view explains in its own
words. A claim the middleware made is handed to the view (`api.START_CLAIMED`), which
does not claim again.

A request that carries its session's proof needs nothing from the session, locale,
authentication and other middleware between the static files and the view but the headers
they add to its answer. `ProvenApiFastPath`, early in `MIDDLEWARE`, answers it there: the
language chosen and `Vary`/`Content-Language` added by Django's own `LocaleMiddleware` hooks,
`Vary: Cookie` as `SessionMiddleware` adds it for a session read, `X-Frame-Options` and
`Content-Length` as their middleware add them, and the host checked against `ALLOWED_HOSTS` as
`CommonMiddleware` checks it. A request it does not answer (no proof, a refused proof, nothing
to claim, settings those middleware would act on) goes down the rest of the stack as before;
one whose statement it ran is not run again by `ApiFastPath`.
"""

from __future__ import annotations

import re
from functools import partial

from django.conf import settings
from django.contrib import auth
from django.core import checks
from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import response_for_exception
from django.http import HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils.cache import patch_vary_headers
from rest_framework.authentication import CSRFCheck
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import json as drf_json

from config.converters import IdConverter
from config.json_depth import json_depth_exceeds

from . import attempt_build, attempt_runtime, session_proofs
from .api import (
    SAVE_KNOWN_TRIED,
    START_CLAIMED,
    AttemptStartApi,
    ResponseSaveApi,
    prepared_start_body,
    save_body_as_sent,
    save_reply,
)

# Matched against the whole path (`fullmatch`: a trailing newline is no match, as for the URL
# resolver).
_SAVE_PATH = re.compile(
    rf"/api/attempts/({IdConverter.regex})/responses/({IdConverter.regex})/")
_START_PATH = re.compile(r"/api/courses/([-a-zA-Z0-9_]+)/quizzes/([-a-zA-Z0-9_]+)/attempts/")
# Accept values that DRF's content negotiation answers with JSON, its first renderer. A media
# parameter (`; indent=4`, `; q=`) or any other type goes to the view.
_JSON_RANGES = frozenset({"", "*/*", "application/*", "application/json"})
_MAX_BODY = 64 * 1024  # bytes; a save is a few hundred
_RENDERER = JSONRenderer()
# As `APIView.finalize_response` adds them to each view's answer.
_SAVE_HEADERS = {"Allow": ", ".join(ResponseSaveApi().allowed_methods), "Vary": "Accept"}
_START_HEADERS = {"Allow": ", ".join(AttemptStartApi().allowed_methods), "Vary": "Accept"}
_NOT_RUN = object()  # `_as_the_sessions_user` ran no statement: the view answers


class ApiFastPath:
    """Last in `MIDDLEWARE`: the save and the start of any session, with or without its proof."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = _route(request)
        response = None if route is None else route(proven_only=False)
        return response if response is not None else self.get_response(request)


EARLY = "quizzes.api_fast.ProvenApiFastPath"
LATE = "quizzes.api_fast.ApiFastPath"
# The middleware `ProvenApiFastPath` goes round, each read for what it does to a proven save or
# start: the session's (`Vary: Cookie`), the locale's and X-Frame-Options' headers are added as
# they add them; CommonMiddleware's host check is made, and the settings that would make any of
# them act otherwise send the request down the stack (`_early_answer_allowed`); the others do
# nothing to such a request. A middleware added between the two is not run for it: the system
# check `fast_path_middleware_check` refuses any other list until it has been read too.
GONE_ROUND = (
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "quizzes.session_proofs.SessionProofMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.page_errors.ApplicationErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
)


class ProvenApiFastPath:
    """Before `SessionMiddleware`: the save and the start of a request that carries its
    session's proof, with the headers of the middleware it goes round (`GONE_ROUND`)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.locale = LocaleMiddleware(get_response)  # its hooks only
        self.xframe = XFrameOptionsMiddleware(get_response)

    def __call__(self, request):
        route = _route(request)
        # Without a valid proof the request is the late path's: checking its CSRF token and
        # parsing its body here as well would be done twice.
        if (route is None or session_proofs.proof_for(request) is None
                or not _early_answer_allowed(request)):
            return self.get_response(request)
        self.locale.process_request(request)
        session_read = True  # the proof was taken as the session, as a session read is
        try:
            response = route(proven_only=True)
        except Exception as exc:
            # As the handler answers it further down, where no session had been read yet.
            response, session_read = response_for_exception(request, exc), False
        if response is None:
            return self.get_response(request)
        # As the middleware between here and the view would add them, innermost first.
        self.xframe.process_response(request, response)
        if not response.has_header("Content-Length"):  # CommonMiddleware
            response.headers["Content-Length"] = str(len(response.content))
        self.locale.process_response(request, response)
        if session_read:  # SessionMiddleware
            patch_vary_headers(response, ("Cookie",))
        return response


def _early_answer_allowed(request) -> bool:
    """None of the settings is on that would make the middleware `ProvenApiFastPath` goes
    round act on this request, and its host is allowed (else that middleware answers)."""
    if (settings.DISALLOWED_USER_AGENTS or settings.PREPEND_WWW
            or settings.SESSION_SAVE_EVERY_REQUEST or settings.CSRF_USE_SESSIONS):
        return False
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def _route(request):
    """The fast path's answer for this request's method and path, to call with `proven_only`,
    or None when it is neither the save nor the start."""
    if request.method == "PUT":
        match = _SAVE_PATH.fullmatch(request.path_info)
        if match is not None:
            return partial(_save, request, int(match[1]), int(match[2]))
    elif request.method == "POST":
        match = _START_PATH.fullmatch(request.path_info)
        if match is not None:
            return partial(_start, request, match[1], match[2])
    return None


def fast_path_middleware_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """`ProvenApiFastPath` goes round exactly the middleware read for it (`GONE_ROUND`), and
    `ApiFastPath` comes after them. A system check (registered by `QuizzesConfig.ready`)."""
    middleware = list(settings.MIDDLEWARE)
    if EARLY not in middleware:
        return []
    start = middleware.index(EARLY) + 1
    between = middleware[start:middleware.index(LATE)] if LATE in middleware[start:] else None
    if between is not None and tuple(between) == GONE_ROUND:
        return []
    return [checks.Error(
        f"{EARLY} answers proven saves and starts without running the middleware after it, up "
        f"to {LATE}; that middleware is not the list it was read for.",
        hint=f"Between the two, MIDDLEWARE must be {list(GONE_ROUND)} (found {between}). Read "
             "what a new or moved middleware does to a proven save or start, make "
             "ProvenApiFastPath do the same, and add it to quizzes.api_fast.GONE_ROUND; or put "
             "it before ProvenApiFastPath.",
        id="quizzes.E001")]


def _plain_json_call(request) -> bool:
    """No query string, no Authorization header, and an Accept that DRF answers with JSON."""
    meta = request.META
    return not (meta.get("QUERY_STRING") or "HTTP_AUTHORIZATION" in meta
                or not all(r.strip() in _JSON_RANGES
                           for r in meta.get("HTTP_ACCEPT", "").split(",")))


def _reply(data: dict | bytes, headers: dict, status: int = 200) -> HttpResponse:
    body = data if isinstance(data, bytes) else _RENDERER.render(data)
    response = HttpResponse(body, content_type="application/json", status=status)
    for name, value in headers.items():
        response.headers[name] = value
    return response


def _start(request, course_slug: str, quiz_slug: str, *, proven_only: bool
           ) -> HttpResponse | None:
    if (hasattr(request, START_CLAIMED) or not _plain_json_call(request)
            or not _csrf_passes(request)):
        return None
    claimed = _as_the_sessions_user(request, partial(
        attempt_build.attempt_prepared_claim, slugs=(course_slug, quiz_slug)), proven_only)
    if claimed is _NOT_RUN:
        return None
    if claimed is None or claimed.prepared_questions_text is None:
        setattr(request, START_CLAIMED, claimed)  # the view does not claim again
        return None
    return _reply(prepared_start_body(claimed), _START_HEADERS, status=201)


def _save(request, attempt_id: int, slot_id: int, *, proven_only: bool
          ) -> HttpResponse | None:
    if (getattr(request, SAVE_KNOWN_TRIED, False) or not _plain_json_call(request)
            or request.content_type != "application/json"):
        return None
    body = _body(request)
    if body is None:
        return None
    if not _csrf_passes(request):
        return None
    answer, sequence = body
    save = partial(
        attempt_runtime.response_save_known, attempt_id=attempt_id, slot_id=slot_id,
        base_sequence=sequence,
        parse=lambda shape: shape.qtype.from_display(shape.question_data, shape.layout, answer))
    result = _as_the_sessions_user(request, save, proven_only)
    if result is _NOT_RUN:
        return None
    if result is None:
        setattr(request, SAVE_KNOWN_TRIED, True)  # the view does not send it again
        return None
    return _reply(save_reply(result), _SAVE_HEADERS)


def _as_the_sessions_user(request, statement, proven_only: bool):
    """`statement(session=proof)` with the session's proof if the request carries one, else
    (unless `proven_only`) `statement(user=user)` with the session's user read the long way;
    `_NOT_RUN` when there is no active user or the statement refused the proof, having
    written nothing: the view then reads the session and says what became of it. Before
    `SessionMiddleware` (`proven_only`) there is no session to mark as read: the caller adds
    what that mark adds, and a view that answers after all reads the session itself."""
    proof = session_proofs.proof_for(request)
    if proof is None:
        if proven_only:
            return _NOT_RUN
        user = _session_user(request)
        return _NOT_RUN if user is None else statement(user=user)
    try:
        result = statement(session=proof)
    except attempt_runtime.SessionNotProven:
        session_proofs.forget(request)
        return _NOT_RUN
    if not proven_only:
        session_proofs.mark_read(request)
    return result


def _body(request) -> tuple[object, int] | None:
    """(answer, sequence) from a body as the quiz page sends it, parsed as DRF's strict parser
    with the API's depth limit (config.parsers), or None for anything else."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= _MAX_BODY:
        return None
    try:
        data = drf_json.loads(request.body.decode(request.encoding or "utf-8"))
    except (ValueError, RecursionError):
        return None
    if json_depth_exceeds(data):
        return None
    return save_body_as_sent(data)


def _session_user(request):
    """The session's active user, as DRF's SessionAuthentication finds it, or None (the
    response then carries the session's proof: quizzes.session_proofs)."""
    user = auth.get_user(request)
    # AuthenticationMiddleware's lazy `request.user` reads this: the view, if it answers after
    # all, does not read the session and the user again.
    request._cached_user = user
    if not user.is_authenticated or not user.is_active:
        return None
    return user


def _csrf_passes(request) -> bool:
    """DRF's CSRF check of a session-authenticated request."""
    check = CSRFCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is None
