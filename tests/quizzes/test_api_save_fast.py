"""The API save's fast path (quizzes/api_fast.py) answers as the view would, or lets the
view answer: for every request below, the reply and what is stored are the same with the
middleware in place and without it."""

import json
import re

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import attempt_runtime, qtypes, services
from quizzes.models import Response

from .conftest import RIGHT, WRONG

pytestmark = pytest.mark.django_db

FAST = ("quizzes.api_fast.ProvenApiFastPath", "quizzes.api_fast.ApiFastPath")
WITHOUT_FAST = [m for m in settings.MIDDLEWARE if m not in FAST]
TOKEN = _get_new_csrf_string()


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = TOKEN
    if user is not None:
        client.force_login(user)
    return client


def _shown(response: Response, answer):
    return qtypes.get("single_choice").to_display(
        response.version.data, response.layout, answer)


@pytest.fixture
def exam(student, quiz, make_user, mini_course, enrol):
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = attempt.responses.select_related("version__question").get(
        version__question__key="m-q1")
    other = make_user("other")
    enrol(other, mini_course, "student")
    return {"attempt": attempt, "q1": q1, "student": student, "other": other,
            "url": reverse("api-response", args=[attempt.pk, q1.slot_id])}


def _cases(exam):
    q1, url = exam["q1"], exam["url"]
    good = {"answer": _shown(q1, RIGHT["m-q1"]), "sequence": 0}
    csrf = {"HTTP_X_CSRFTOKEN": TOKEN}
    deep = {"answer": json.loads("[" * 40 + "]" * 40), "sequence": 0}
    return {
        "well formed": ("student", url, json.dumps(good), csrf),
        "stale sequence": ("student", url, json.dumps({**good, "sequence": 5}), csrf),
        "no CSRF token": ("student", url, json.dumps(good), {}),
        "another student": ("other", url, json.dumps(good), csrf),
        "anonymous": (None, url, json.dumps(good), csrf),
        "not a choice": ("student", url, json.dumps({"answer": {"choice": "Z"},
                                                     "sequence": 0}), csrf),
        "sequence as text": ("student", url, json.dumps({**good, "sequence": "0"}), csrf),
        "sequence too large": ("student", url, json.dumps({**good, "sequence": 2**31}), csrf),
        "NaN": ("student", url, '{"answer": null, "sequence": NaN}', csrf),
        "too deep": ("student", url, json.dumps(deep), csrf),
        "not JSON": ("student", url, "{", csrf),
        "indented JSON asked": ("student", url, json.dumps(good),
                                {**csrf, "HTTP_ACCEPT": "application/json; indent=2"}),
        "query string": ("student", url + "?format=json", json.dumps(good), csrf),
        "no such slot": ("student", reverse("api-response", args=[exam["attempt"].pk, 10**9]),
                         json.dumps(good), csrf),
    }


def _send(exam, who, url, body, extra) -> tuple:
    user = None if who is None else exam[who]
    client = _client(user)
    with CaptureQueriesContext(connection) as queries:
        r = client.put(url, body, content_type="application/json", **extra)
    stored = Response.objects.filter(pk=exam["q1"].pk).values("answer", "sequence").get()
    # The reply's save time is the request's own clock.
    content = re.sub(rb'"saved_at": ?"[^"]*"', b'"saved_at":"T"', r.content)
    # The statement count too: a save the middleware tried is not tried again by the view.
    return r.status_code, content, sorted(r.headers.items()), stored, len(queries)


def _reset(exam) -> None:
    Response.objects.filter(pk=exam["q1"].pk).update(answer=None, sequence=0, saved_at=None)


@pytest.mark.parametrize("case", ["well formed", "stale sequence", "no CSRF token",
                                  "another student", "anonymous", "not a choice",
                                  "sequence as text", "sequence too large", "NaN", "too deep",
                                  "not JSON", "indented JSON asked", "query string",
                                  "no such slot"])
def test_every_request_gets_the_views_own_answer(exam, case):
    who, url, body, extra = _cases(exam)[case]
    attempt_runtime.response_shapes_for(attempt=exam["attempt"])  # the fast path's own case
    with_fast = _send(exam, who, url, body, extra)
    _reset(exam)
    with override_settings(MIDDLEWARE=WITHOUT_FAST):
        without = _send(exam, who, url, body, extra)
    assert with_fast == without


def test_a_save_after_the_submit_is_refused_as_by_the_view(exam):
    attempt_runtime.response_shapes_for(attempt=exam["attempt"])
    services.attempt_submit(attempt=exam["attempt"])
    who, url, body, extra = _cases(exam)["well formed"]
    with_fast = _send(exam, who, url, body, extra)
    with override_settings(MIDDLEWARE=WITHOUT_FAST):
        without = _send(exam, who, url, body, extra)
    assert with_fast == without and with_fast[0] == 409 and with_fast[3]["sequence"] == 0


def test_the_common_save_is_answered_before_the_url_resolver(exam):
    """With no URL at all, the page's well-formed save of a question this process knows is
    still stored and acknowledged: the middleware answered it, in one statement."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement save is PostgreSQL's")
    who, url, body, extra = _cases(exam)["well formed"]
    with override_settings(ROOT_URLCONF="tests.quizzes.urls_none"):
        _assert_answered_without_urls(exam, who, url, body, extra)


def _assert_answered_without_urls(exam, who, url, body, extra):
    attempt_runtime.response_shapes_for(attempt=exam["attempt"])
    with CaptureQueriesContext(connection) as queries:
        status, content, _headers, stored, _count = _send(exam, who, url, body, extra)
    assert status == 200, content
    assert json.loads(content)["sequence"] == 1 and stored["sequence"] == 1
    assert stored["answer"] == RIGHT["m-q1"]
    writes = [q["sql"] for q in queries.captured_queries if "quizzes_response_save(" in q["sql"]]
    assert len(writes) == 1


# ----------------------------------------------------------------------------------------------
# A session this process has authenticated once proves itself in the save's own statement
# ----------------------------------------------------------------------------------------------

def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement save is PostgreSQL's")


def _save_on(client, exam, sequence, answer=None):
    body = {"answer": _shown(exam["q1"], answer or RIGHT["m-q1"]), "sequence": sequence}
    with CaptureQueriesContext(connection) as queries:
        r = client.put(exam["url"], json.dumps(body), content_type="application/json",
                       HTTP_X_CSRFTOKEN=TOKEN)
    return r, [q["sql"] for q in queries.captured_queries]


def test_a_sessions_next_save_is_one_statement_and_answers_as_the_view(exam):
    """The first save of a session reads the session and the user; the next one is the save's
    statement alone, which checks the session itself. Its reply is the view's, headers too."""
    _needs_postgresql()
    attempt_runtime.response_shapes_for(attempt=exam["attempt"])
    client = _client(exam["student"])
    first, first_sql = _save_on(client, exam, 0)
    second, second_sql = _save_on(client, exam, 1)
    assert first.status_code == second.status_code == 200
    assert len(first_sql) > 1  # the session's row, then the save
    assert len(second_sql) == 1 and "quizzes_session_response_save(" in second_sql[0]
    stored = Response.objects.get(pk=exam["q1"].pk)
    assert stored.sequence == 2 and json.loads(second.content)["sequence"] == 2

    _reset(exam)
    with override_settings(MIDDLEWARE=WITHOUT_FAST):
        view_client = _client(exam["student"])
        _save_on(view_client, exam, 0)
        by_view, _sql = _save_on(view_client, exam, 1)
    assert by_view.status_code == 200
    assert sorted(second.headers.items()) == sorted(by_view.headers.items())
    strip = re.compile(rb'"saved_at": ?"[^"]*"')
    assert strip.sub(b"", second.content) == strip.sub(b"", by_view.content)


def _log_out_elsewhere(client, exam):
    from django.contrib.sessions.models import Session
    Session.objects.filter(pk=client.session.session_key).delete()


def _expire(client, exam):
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now())


def _change_password(client, exam):
    exam["student"].set_password("a-new-pass-5678")
    exam["student"].save()


def _deactivate(client, exam):
    exam["student"].is_active = False
    exam["student"].save()


def _unenrol(client, exam):
    from courses.models import Enrollment
    Enrollment.objects.filter(user=exam["student"]).delete()


ENDED = {"logged out elsewhere": _log_out_elsewhere, "session expired": _expire,
         "password changed": _change_password, "deactivated": _deactivate,
         "unenrolled": _unenrol}


@pytest.mark.parametrize("fast", [True, False], ids=["with the fast path", "view only"])
@pytest.mark.parametrize("case", list(ENDED))
def test_a_proven_session_that_ended_saves_nothing(exam, case, fast):
    """After the session's first save, the session ends (or its user may no longer save): the
    next save on the same cookie is refused as the view refuses it, and nothing is written."""
    attempt_runtime.response_shapes_for(attempt=exam["attempt"])
    middleware = settings.MIDDLEWARE if fast else WITHOUT_FAST
    with override_settings(MIDDLEWARE=middleware):
        client = _client(exam["student"])
        assert _save_on(client, exam, 0)[0].status_code == 200
        ENDED[case](client, exam)
        r, _sql = _save_on(client, exam, 1, answer=WRONG["m-q1"])
    assert r.status_code == 403, r.content
    stored = Response.objects.get(pk=exam["q1"].pk)
    assert stored.sequence == 1 and stored.answer == RIGHT["m-q1"]


def test_a_staff_member_demoted_is_held_to_the_enrolment_check(exam, make_user, quiz):
    """Staff may save without an enrolment; a proof issued while the user was staff does not
    outlive the role: the statement reads it afresh."""
    _needs_postgresql()
    from courses.models import Enrollment
    attempt_runtime.response_shapes_for(attempt=exam["attempt"])
    student = exam["student"]
    Enrollment.objects.filter(user=student).delete()
    student.is_staff = True
    student.save()
    client = _client(student)
    assert _save_on(client, exam, 0)[0].status_code == 200
    student.is_staff = False
    student.save()
    r, sql = _save_on(client, exam, 1, answer=WRONG["m-q1"])
    assert "quizzes_session_response_save(" in sql[0]
    assert Response.objects.get(pk=exam["q1"].pk).sequence == 1
    assert r.status_code != 200


def _proven(user) -> Client:
    """A client whose browser holds its session's proof, as after any page since the login."""
    client = _client(user)
    assert client.get(reverse("api-courses")).status_code == 200
    return client


def test_a_proven_first_save_reads_the_questions_then_saves(exam):
    """A session's first save of an attempt this process has not read: one read of every
    question of the attempt, then the save's statement, which checks the session; no session
    or user is read."""
    _needs_postgresql()
    client = _proven(exam["student"])
    attempt_runtime.shapes_cache_clear()
    r, sql = _save_on(client, exam, 0)
    assert r.status_code == 200, r.content
    assert len(sql) == 2 and "quizzes_session_response_save(" in sql[1], sql
    assert "django_session" not in sql[0] and "auth_user" not in sql[0]
    assert Response.objects.get(pk=exam["q1"].pk).sequence == 1


def test_a_proven_save_into_someone_elses_attempt_is_refused_and_learns_nothing(exam):
    _needs_postgresql()
    client = _proven(exam["other"])
    attempt_runtime.shapes_cache_clear()
    r, _sql = _save_on(client, exam, 0)
    assert (exam["attempt"].pk, exam["q1"].slot_id) not in attempt_runtime._responses
    with override_settings(MIDDLEWARE=WITHOUT_FAST):
        attempt_runtime.shapes_cache_clear()
        by_view, _sql = _save_on(_proven(exam["other"]), exam, 0)
    assert r.status_code == by_view.status_code == 403
    assert r.content == by_view.content
    assert Response.objects.get(pk=exam["q1"].pk).sequence == 0
