"""The API's answer save without the URL resolver and DRF's view machinery, for the common case.

During an exam nearly every request is `PUT /api/attempts/<id>/responses/<slot>/` from a
student's own page, well formed, on an attempt this process has read before. For that request,
URL resolution, DRF's request wrapper, content negotiation, parsing, authentication classes,
permission and throttle checks, and rendering cost more CPU than the save itself
(docs/performance.md). This middleware, last in `MIDDLEWARE` (so every other middleware has run
and every response header is added as for any view), answers that request itself, applying the
same rules as `quizzes.api.ResponseSaveApi`:

- authentication: the session's user, as DRF's `SessionAuthentication` (with its CSRF check);
  active and logged in, as `IsAuthenticated`. The first save of a session in this process
  reads the session and the user as Django does; the next ones send a proof of the session
  with the save, and the save's statement checks it (quizzes.session_proofs): an exam's save
  is then one round trip, to PostgreSQL, and no session or user is read or unpickled;
- the body: a JSON object with `answer` and an integer `sequence` in range, parsed as DRF's
  strict parser with the API's depth limit;
- the save: `attempt_runtime.response_save_known`, the one-statement save with every guard of
  the full path (owner, enrolment, open, published, deadline, sequence), which writes nothing
  when any of them fails;
- the reply: the view's own output serializer and DRF's JSON renderer, with the headers DRF adds.

Anything else goes on to the view unchanged, having changed nothing: another method, a query
string (DRF's `?format=`), another content type or `Accept`, an `Authorization` header, no or
a failed session or CSRF check, any other body, a question this process has not read yet, and
every refusal or conflict, which the view explains in its own words.
"""

from __future__ import annotations

import re
from functools import partial

from django.contrib import auth
from django.http import HttpResponse
from rest_framework.authentication import CSRFCheck
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import json as drf_json

from config.converters import IdConverter
from config.json_depth import json_depth_exceeds

from . import attempt_runtime, session_proofs
from .api import SAVE_KNOWN_TRIED, ResponseSaveApi, save_body_as_sent, save_reply

_PATH = re.compile(rf"^/api/attempts/({IdConverter.regex})/responses/({IdConverter.regex})/$")
# Accept values that DRF's content negotiation answers with JSON, its first renderer. A media
# parameter (`; indent=4`, `; q=`) or any other type goes to the view.
_JSON_RANGES = frozenset({"", "*/*", "application/*", "application/json"})
_MAX_BODY = 64 * 1024  # bytes; a save is a few hundred
_RENDERER = JSONRenderer()
# As `APIView.finalize_response` adds them to the view's answer.
_VIEW_HEADERS = {"Allow": ", ".join(ResponseSaveApi().allowed_methods), "Vary": "Accept"}


class ApiSaveFastPath:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        match = _PATH.match(request.path_info) if request.method == "PUT" else None
        if match is not None:
            response = _save(request, int(match[1]), int(match[2]))
            if response is not None:
                return response
        return self.get_response(request)


def _save(request, attempt_id: int, slot_id: int) -> HttpResponse | None:
    meta = request.META
    if (meta.get("QUERY_STRING") or "HTTP_AUTHORIZATION" in meta
            or request.content_type != "application/json"
            or not all(r.strip() in _JSON_RANGES for r in meta.get("HTTP_ACCEPT", "").split(","))):
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
    proof = session_proofs.proof_for(request)
    if proof is not None:
        try:
            result = save(session=proof)
        except attempt_runtime.SessionNotProven:
            session_proofs.forget(proof)
            return None  # the view reads the session and says what became of it
        session_proofs.mark_read(request)
    else:
        user = _session_user(request)
        if user is None:
            return None
        result = save(user=user)
    if result is None:
        setattr(request, SAVE_KNOWN_TRIED, True)  # the view does not send it again
        return None
    response = HttpResponse(_RENDERER.render(save_reply(result)),
                            content_type="application/json")
    for name, value in _VIEW_HEADERS.items():
        response.headers[name] = value
    return response


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
    """The session's active user, as DRF's SessionAuthentication finds it, or None; remembered
    as a SessionProof for the session's next saves."""
    user = auth.get_user(request)
    # AuthenticationMiddleware's lazy `request.user` reads this: the view, if it answers after
    # all, does not read the session and the user again.
    request._cached_user = user
    if not user.is_authenticated or not user.is_active:
        return None
    session_proofs.remember(request, user)
    return user


def _csrf_passes(request) -> bool:
    """DRF's CSRF check of a session-authenticated request."""
    check = CSRFCheck(lambda _request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is None
