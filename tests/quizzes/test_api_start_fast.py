"""The API start's fast path (quizzes/api_fast.py) and the session's proof cookie
(quizzes/session_proofs.py): a start answers as the view would, or lets the view answer; a
proof cookie is set at login and dropped at logout, and one that was forged, moved to another
session or outlived its session claims nothing."""

import json
import re

import pytest
from django.conf import settings
from django.core.management.utils import get_random_secret_key
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes import session_proofs
from quizzes.attempt_build import quiz_attempts_prepare
from quizzes.models import Attempt

from .test_api_save_fast import ENDED, TOKEN, WITHOUT_FAST, _client

pytestmark = pytest.mark.django_db

PROOF = session_proofs.COOKIE_NAME
CSRF = {"HTTP_X_CSRFTOKEN": TOKEN}


@pytest.fixture
def exam(student, quiz, make_user, mini_course, enrol):
    other = make_user("other")
    enrol(other, mini_course, "student")
    outsider = make_user("outsider")
    quiz_attempts_prepare(quiz_id=quiz.pk)
    return {"prepared": set(Attempt.prepared.values_list("pk", flat=True)),
            "untouched": _attempts(student), "quiz": quiz, "student": student, "other": other, "outsider": outsider,
            "url": reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug])}


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement claim is PostgreSQL's")


def _proven_client(user):
    """A client logged in as `user` whose browser holds the session's proof, as after any page
    it has loaded since the login."""
    client = _client(user)
    assert client.get(reverse("api-courses")).status_code == 200
    assert client.cookies[PROOF].value
    return client


def _attempts(user) -> list:
    return sorted(Attempt.all_states.filter(user=user).values_list("state", "number"))


def _seen(r, prepared_ids) -> tuple:
    """Status, body and headers, the times (the request's own clock) left out. An attempt built
    in the request has a new id and its own draw each time: of its questions, their slots."""
    body = re.sub(rb'"\d{4}-\d\d-\d\dT[^"]*"', b'"T"', r.content)
    if r.status_code in (200, 201) and r.json()["id"] not in prepared_ids:
        body = {**json.loads(body), "id": "built in the request",
                "questions": [q["slot_id"] for q in r.json()["questions"]]}
    return r.status_code, body, sorted(r.headers.items())


def _start(client, url, **extra):
    with CaptureQueriesContext(connection) as queries:
        r = client.post(url, **extra)
    return r, [q["sql"] for q in queries.captured_queries]


def _undone(run):
    """`run()`'s result, and the database as it was before it."""
    savepoint = transaction.savepoint()
    try:
        return run()
    finally:
        transaction.savepoint_rollback(savepoint)


def _unprepare(exam):
    Attempt.prepared.filter(user=exam["student"]).delete()


def _resume(exam):
    from quizzes import services
    Attempt.prepared.filter(user=exam["student"]).delete()
    services.attempt_start(user=exam["student"], quiz=exam["quiz"])


def _close(exam):
    exam["quiz"].close_at = timezone.now()
    exam["quiz"].save(update_fields=["close_at"])


# who, how the client is made, the URL's tail, extra request arguments, what changed before.
CASES = {
    "proven": ("student", _proven_client, "", CSRF, None),
    "first request of the session": ("student", _client, "", CSRF, None),
    "no CSRF token": ("student", _proven_client, "", {}, None),
    "not enrolled": ("outsider", _proven_client, "", CSRF, None),
    "anonymous": (None, _client, "", CSRF, None),
    "query string": ("student", _proven_client, "?format=json", CSRF, None),
    "indented JSON asked": ("student", _proven_client, "",
                            {**CSRF, "HTTP_ACCEPT": "application/json; indent=2"}, None),
    "nothing prepared": ("student", _proven_client, "", CSRF, _unprepare),
    "an attempt already open": ("student", _proven_client, "", CSRF, _resume),
    "quiz closed": ("student", _proven_client, "", CSRF, _close),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_start_gets_the_views_own_answer(exam, case):
    who, make_client, tail, extra, before = CASES[case]
    user = None if who is None else exam[who]

    def run():
        if before is not None:
            before(exam)
        client = make_client(user) if user is not None else _client()
        r, _sql = _start(client, exam["url"] + tail, **extra)
        return _seen(r, exam["prepared"]), _attempts(exam["student"])

    fast = _undone(run)
    with override_settings(MIDDLEWARE=WITHOUT_FAST):
        view = _undone(run)
    assert fast == view


# Before the session middleware: what a proven start or save skips, and what it still gets.
EARLY = "quizzes.api_fast.ProvenApiFastPath"
REACHED = []


def reached_the_session_middleware(get_response):
    def middleware(request):
        REACHED.append(request.path)
        return get_response(request)
    return middleware


def test_a_proven_start_is_answered_before_the_session_middleware(exam):
    _needs_postgresql()
    at = settings.MIDDLEWARE.index(EARLY) + 1
    spy = f"{__name__}.reached_the_session_middleware"
    REACHED.clear()
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE[:at], spy,
                                       *settings.MIDDLEWARE[at:]]):
        proven = _proven_client(exam["student"])
        REACHED.clear()
        r, _sql = _start(proven, exam["url"], **CSRF)
        assert r.status_code == 201 and REACHED == []
        # A session without its proof goes down the stack, and is answered there.
        r, _sql = _start(_client(exam["other"]), exam["url"], **CSRF)
        assert r.status_code == 201 and REACHED == [exam["url"]]


LANGUAGES = {"Accept-Language en": {"HTTP_ACCEPT_LANGUAGE": "en"},
             "Accept-Language ko": {"HTTP_ACCEPT_LANGUAGE": "ko-KR,ko;q=0.9"},
             "language cookie": {"HTTP_ACCEPT_LANGUAGE": "ko", "cookie": "en"},
             "a host not allowed": {"HTTP_HOST": "elsewhere.example"}}


@pytest.mark.parametrize("case", list(LANGUAGES))
def test_a_proven_start_answers_in_the_requests_language_and_host_as_the_view(exam, case):
    extra = dict(LANGUAGES[case])
    cookie = extra.pop("cookie", None)

    def run():
        client = _proven_client(exam["student"])
        if cookie:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
        r, _sql = _start(client, exam["url"], **CSRF, **extra)
        return _seen(r, exam["prepared"]), _attempts(exam["student"])

    fast = _undone(run)
    with override_settings(MIDDLEWARE=WITHOUT_FAST):
        view = _undone(run)
    assert fast == view
    status, _body, headers = fast[0]
    assert status == (400 if "HTTP_HOST" in extra else 201)
    if status == 201:
        language = cookie or extra["HTTP_ACCEPT_LANGUAGE"][:2]
        assert ("Content-Language", language) in headers


@pytest.mark.parametrize("case", ["CSRF in the session", "a database error",
                                  "a trailing newline"])
def test_odd_proven_starts_get_the_stacks_own_answer(exam, case, monkeypatch):
    """Settings, failures and paths the early middleware must not answer differently: the
    CSRF token kept in the session (which it cannot read), an exception from the statement (a
    500 with the same headers), a path the URL resolver does not match."""
    from django.db import OperationalError

    from quizzes import attempt_build

    url, settings_changed = exam["url"], {}
    if case == "CSRF in the session":
        settings_changed = {"CSRF_USE_SESSIONS": True}
    elif case == "a database error":
        def claim(**kwargs):
            raise OperationalError("the server closed the connection")
        monkeypatch.setattr(attempt_build, "attempt_prepared_claim", claim)
    else:
        url += "%0A"

    def run():
        client = _proven_client(exam["student"])
        client.raise_request_exception = False
        with override_settings(**settings_changed):
            r, _sql = _start(client, url, **CSRF)
        return r.status_code, sorted(r.headers.items()), _attempts(exam["student"])

    fast = _undone(run)
    # The late middleware alone answers as the stack does (the cases above).
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != EARLY]):
        late = _undone(run)
    assert fast == late, [sorted(set(fast[1]) ^ set(late[1]))]
    assert fast[0] == {"CSRF in the session": 403, "a database error": 500,
                       "a trailing newline": 404}[case]


def test_the_middleware_the_early_path_goes_round_is_the_one_read_for_it():
    from quizzes import api_fast

    assert api_fast.fast_path_middleware_check() == []
    at = settings.MIDDLEWARE.index(EARLY) + 1
    for changed in ([*settings.MIDDLEWARE[:at], "some.new.Middleware", *settings.MIDDLEWARE[at:]],
                    [m for m in settings.MIDDLEWARE if m != api_fast.LATE],
                    [m for m in settings.MIDDLEWARE if m != "django.middleware.csrf.CsrfViewMiddleware"]):
        with override_settings(MIDDLEWARE=changed):
            assert [e.id for e in api_fast.fast_path_middleware_check()] == ["quizzes.E001"]
    with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != EARLY]):
        assert api_fast.fast_path_middleware_check() == []


def test_a_proven_start_is_one_statement(exam):
    _needs_postgresql()
    client = _proven_client(exam["student"])
    r, sql = _start(client, exam["url"], **CSRF)
    assert r.status_code == 201, r.content
    assert len(sql) == 1 and "quizzes_session_attempt_claim(" in sql[0]
    assert _attempts(exam["student"]) == [(Attempt.State.IN_PROGRESS, 1)]
    assert len(r.json()["questions"]) == exam["quiz"].slots.count()


@pytest.mark.parametrize("fast", [True, False], ids=["with the fast path", "view only"])
@pytest.mark.parametrize("case", list(ENDED))
def test_a_proof_that_outlived_its_session_claims_nothing(exam, case, fast):
    """The session ends (or the student may no longer start) after the browser got its proof:
    the start is refused as the view refuses it, and the prepared attempt stays prepared."""
    middleware = settings.MIDDLEWARE if fast else WITHOUT_FAST
    with override_settings(MIDDLEWARE=middleware):
        client = _proven_client(exam["student"])
        ENDED[case](client, {"student": exam["student"]})
        r, _sql = _start(client, exam["url"], **CSRF)
    assert r.status_code == 403, r.content
    assert _attempts(exam["student"]) == exam["untouched"]


def test_a_proof_moved_to_another_session_or_user_is_ignored(exam):
    """The signature covers the session key and the user: a proof copied into another session,
    or edited to name another user, is not a proof; the start is the session's own."""
    _needs_postgresql()
    student_proof = _proven_client(exam["student"]).cookies[PROOF].value
    other = _proven_client(exam["other"])
    # The student's proof in the other student's browser.
    other.cookies[PROOF] = student_proof
    r, sql = _start(other, exam["url"], **CSRF)
    assert r.status_code == 201 and len(sql) > 1  # the session read the long way
    assert _attempts(exam["student"]) == exam["untouched"]
    assert _attempts(exam["other"]) == [(Attempt.State.IN_PROGRESS, 1)]

    # The other student's own proof, edited to name the student.
    edited = _proven_client(exam["other"])
    _user_id, rest = edited.cookies[PROOF].value.split(":", 1)
    edited.cookies[PROOF] = f"{exam['student'].pk}:{rest}"
    r, sql = _start(edited, exam["url"], **CSRF)
    assert len(sql) > 1 and _attempts(exam["student"]) == exam["untouched"]


def test_a_proof_signed_with_another_secret_is_ignored(exam):
    _needs_postgresql()
    client = _client(exam["student"])
    key = client.session.session_key
    with override_settings(SECRET_KEY=get_random_secret_key()):  # not the server's
        forged = session_proofs.cookie_value(key, exam["student"])
    client.cookies[PROOF] = forged
    r, sql = _start(client, exam["url"], **CSRF)
    assert r.status_code == 201 and len(sql) > 1
    # The response replaces it with one the server signed.
    assert client.cookies[PROOF].value != forged
    assert session_proofs._verified(key, client.cookies[PROOF].value) is not None


def test_the_login_sets_the_proof_and_the_logout_drops_it(exam):
    client = _client()
    client.get(reverse("login"))
    r = client.post(reverse("login"), {"username": "stu", "password": "pw-12345!"},
                    HTTP_X_CSRFTOKEN=TOKEN)
    assert r.status_code == 302, r.content
    cookie = r.cookies[PROOF]
    assert cookie.value and cookie["httponly"]
    assert cookie["samesite"] == settings.SESSION_COOKIE_SAMESITE
    assert session_proofs._verified(client.cookies[settings.SESSION_COOKIE_NAME].value,
                                    cookie.value).user_id == exam["student"].pk
    # A request that carries it in force does not send it again.
    assert PROOF not in client.get(reverse("api-courses")).cookies

    # The login rotated the CSRF secret.
    out = client.post(reverse("logout"),
                      HTTP_X_CSRFTOKEN=client.cookies[settings.CSRF_COOKIE_NAME].value)
    assert out.status_code == 302
    assert out.cookies[PROOF].value == "" and out.cookies[PROOF]["max-age"] == 0


def test_the_spliced_questions_read_as_the_renderers_json(exam):
    """The prepared questions go out as the database's JSON text (api.prepared_start_body):
    the same JSON as the view's renderer writes when asked to indent it, with U+2028 and
    U+2029 escaped as DRF's renderer escapes them for a page's script."""
    _needs_postgresql()
    attempt = Attempt.prepared.get(user=exam["student"])
    questions = attempt.prepared_questions
    questions[0]["stem"] += "\u2028line\u2029paragraph"
    Attempt.prepared.filter(pk=attempt.pk).update(prepared_questions=questions)

    def start(**extra):
        return _undone(lambda: _start(_proven_client(exam["student"]), exam["url"],
                                      **CSRF, **extra)[0])

    plain, indented = start(), start(HTTP_ACCEPT="application/json; indent=2")
    assert plain.status_code == indented.status_code == 201
    assert b"\n  " in indented.content and b"\n" not in plain.content
    assert plain.json()["questions"] == indented.json()["questions"] == questions
    assert b"\\u2028line\\u2029paragraph" in plain.content
    assert "\u2028".encode() not in plain.content and "\u2029".encode() not in plain.content


def test_a_proof_is_only_for_the_sessions_own_user(exam):
    """A request whose session is anonymous but that authenticates otherwise (DRF's Basic
    authentication) gets no proof: a proof names the user the session itself logged in."""
    import base64

    from django.contrib.sessions.backends.db import SessionStore

    anonymous = SessionStore()
    anonymous["seen"] = True
    anonymous.create()
    client = _client()
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous.session_key
    basic = base64.b64encode(b"stu:pw-12345!").decode()
    r = client.get(reverse("api-courses"), HTTP_AUTHORIZATION=f"Basic {basic}")
    assert r.status_code == 200 and r.json()  # authenticated, as the student
    assert PROOF not in r.cookies


def test_a_request_that_does_not_read_its_session_is_left_alone(exam):
    """A view that never asks who the user is (the health check) does not read the session for
    the proof's sake: no cookie, and no `Vary: Cookie`."""
    client = _client(exam["student"])
    r = client.get("/health/live")
    assert r.status_code == 200
    assert PROOF not in r.cookies and "Cookie" not in r.headers.get("Vary", "")
