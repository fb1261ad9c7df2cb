"""The one save path and the few-statement submit (quizzes/attempt_runtime.py)."""

import logging
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes import attempt_runtime, qtypes, selectors, services
from quizzes.models import Attempt, Response

from .conftest import RIGHT, WRONG

pytestmark = pytest.mark.django_db


def slot_of(attempt, key) -> Response:
    return attempt.responses.select_related("version__question").get(version__question__key=key)


def test_the_page_the_form_and_the_api_save_through_one_guarded_statement(client, student,
                                                                          quiz):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement save is PostgreSQL's; SQLite takes the ORM path")
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = slot_of(attempt, "m-q1")
    client.force_login(student)
    shown = qtypes.get("single_choice").to_display(q1.version.data, q1.layout, RIGHT["m-q1"])
    attempt_runtime.response_shapes_for(attempt=attempt)  # this process knows the questions
    with CaptureQueriesContext(connection) as queries:
        saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, q1.slot_id]),
                            {f"s{q1.slot_id}-choice": shown["choice"],
                             f"s{q1.slot_id}-sequence": "0"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200, saved.content
    writes = [q["sql"] for q in queries.captured_queries if "quizzes_response" in q["sql"]]
    assert len(writes) == 1 and "quizzes_response_save(" in writes[0], writes
    with CaptureQueriesContext(connection) as queries:
        api = client.put(reverse("api-response", args=[attempt.pk, q1.slot_id]),
                         {"answer": None, "sequence": 1}, content_type="application/json")
    assert api.status_code == 200 and api.json()["sequence"] == 2, api.content
    # The page's save authenticated the session the long way; this one proves it in its own
    # statement (quizzes.session_proofs), which is the whole request.
    assert len(queries) == 1 and "quizzes_session_response_save(" in queries[0]["sql"]
    stored = Response.objects.get(pk=q1.pk)
    assert (stored.answer, stored.sequence) == (None, 2)


def test_a_warm_save_still_refuses_someone_else_and_a_removed_student(client, student, quiz,
                                                                     make_user, mini_course,
                                                                     enrol):
    from courses.models import Enrollment

    attempt = services.attempt_start(user=student, quiz=quiz)
    q3 = slot_of(attempt, "m-q3")
    attempt_runtime.response_shapes_for(attempt=attempt)
    other = make_user("other")
    enrol(other, mini_course, "student")
    client.force_login(other)
    url = reverse("api-response", args=[attempt.pk, q3.slot_id])
    refused = client.put(url, {"answer": {"value": True}, "sequence": 0},
                         content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    Enrollment.objects.filter(user=student).delete()
    client.force_login(student)
    refused = client.put(url, {"answer": {"value": True}, "sequence": 0},
                         content_type="application/json")
    assert refused.status_code == 403
    assert Response.objects.get(pk=q3.pk).sequence == 0


def test_a_retried_save_succeeds_once_and_a_stale_one_is_told(client, student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    q3 = slot_of(attempt, "m-q3")
    client.force_login(student)
    url = reverse("api-response", args=[attempt.pk, q3.slot_id])
    first = client.put(url, {"answer": {"value": True}, "sequence": 0},
                       content_type="application/json")
    retry = client.put(url, {"answer": {"value": True}, "sequence": 0},
                       content_type="application/json")
    stale = client.put(url, {"answer": {"value": False}, "sequence": 0},
                       content_type="application/json")
    assert (first.status_code, retry.status_code, stale.status_code) == (200, 200, 409)
    assert retry.json()["sequence"] == 1 and not retry.json()["conflict"]
    assert stale.json()["conflict"] and stale.json()["answer"] == {"value": True}


def test_reading_an_overdue_attempt_writes_nothing_until_a_service_closes_it(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=quiz.grace_period + 5))
    _, read = selectors.attempt_get_for_user(user=student, attempt_id=attempt.pk)
    assert Attempt.objects.get(pk=attempt.pk).state == "in_progress"
    closed = attempt_runtime.attempt_close_if_overdue(attempt=read)
    assert closed.state == "submitted" and closed.auto_submitted


def test_an_auto_submit_is_logged_with_its_reason(student, quiz, caplog):
    attempt = services.attempt_start(user=student, quiz=quiz)
    Attempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(seconds=quiz.grace_period + 5))
    attempt.refresh_from_db()
    with caplog.at_level(logging.INFO, logger="quizzes.attempt_runtime"):
        assert services.attempt_finish_if_overdue(attempt=attempt)
    assert any("submitted automatically" in r.getMessage()
               and "read after its deadline" in r.getMessage() for r in caplog.records)


def test_a_save_between_the_read_and_the_close_is_graded(student, quiz, monkeypatch):
    """The submit grades what it read; a save that commits before the close moves a sequence,
    and the submit grades again under the lock: the graded answer is the stored one."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's submit reads under its lock: no save can come in between")
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = slot_of(attempt, "m-q1")
    services.response_save(attempt=attempt, slot_id=q1.slot_id, answer=WRONG["m-q1"],
                           base_sequence=0)
    real = attempt_runtime._graded_responses
    calls = []

    def read_then_someone_saves(attempt_, **kwargs):
        graded = real(attempt_, **kwargs)
        if not calls:
            services.response_save(attempt=attempt, slot_id=q1.slot_id, answer=RIGHT["m-q1"],
                                   base_sequence=1)
        calls.append(1)
        return graded

    monkeypatch.setattr(attempt_runtime, "_graded_responses", read_then_someone_saves)
    done = services.attempt_submit(attempt=attempt)
    stored = Response.objects.get(pk=q1.pk)
    assert stored.answer == RIGHT["m-q1"] and stored.state == "correct", stored.state
    assert len(calls) == 2  # read, and read again under the lock
    assert Attempt.objects.get(pk=attempt.pk).score == done.score
    assert stored.saved_at <= Attempt.objects.get(pk=attempt.pk).submitted_at


def test_a_submit_writes_every_mark_in_one_statement(student, quiz):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement submit is PostgreSQL's")
    attempt = services.attempt_start(user=student, quiz=quiz)
    with CaptureQueriesContext(connection) as queries:
        services.attempt_submit(attempt=attempt)
    writes = [q["sql"] for q in queries.captured_queries
              if "UPDATE" in q["sql"] and "quizzes_response" in q["sql"]]
    assert len(writes) == 1 and "FROM (VALUES" in writes[0] and "CASE" not in writes[0]
    assert Response.objects.filter(attempt=attempt, state="unanswered").count() == 7


def test_the_cached_user_is_dropped_when_the_password_changes(client, student, quiz, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "auth-cache-test"}}
    page = reverse("quizzes:quiz", args=["mini", quiz.slug])
    client.force_login(student)
    assert client.get(page).status_code == 200
    assert cache.get(f"auth-user:{student.pk}") is not None
    student.set_password("a-new-password-1")
    student.save()
    assert cache.get(f"auth-user:{student.pk}") is None
    # The old session's hash no longer matches: logged out, as with Django's own backend.
    assert client.get(page).status_code == 302


def test_a_login_leaves_the_user_in_the_cache(client, student, settings):
    """The first request after a login (an exam's start) reads no user row."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "auth-cache-login-test"}}
    student.set_password("a-login-password-1")
    student.save()
    assert cache.get(f"auth-user:{student.pk}") is None
    login = client.post(reverse("login"), {"username": student.username,
                                           "password": "a-login-password-1"})
    assert login.status_code == 302
    cached = cache.get(f"auth-user:{student.pk}")
    stored = type(student).objects.get(pk=student.pk)
    assert cached is not None and cached.last_login == stored.last_login is not None
