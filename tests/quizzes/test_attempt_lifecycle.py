"""An attempt's life as a student and an instructor drive it over HTTP: deadlines that follow the
quiz's dates, saves racing a submit, simultaneous starts, and a quiz hidden mid-attempt."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from quizzes import qtypes
from quizzes.forms import QuizSettingsForm
from quizzes.models import REVIEW_ITEMS, Attempt, Quiz, Response

from .test_review_policy import SECRETS

pytestmark = pytest.mark.django_db


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def api_start(api, quiz) -> dict:
    response = api.post(reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug]),
                        format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def true_false_slot(body: dict) -> int:
    return next(q["slot_id"] for q in body["questions"] if q["qtype"] == "true_false")


def put_answer(api, attempt_id: int, slot_id: int, answer, sequence: int):
    return api.put(reverse("api-response", args=[attempt_id, slot_id]),
                   {"answer": answer, "sequence": sequence}, format="json")


def local_form_time(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M:%S")


def post_settings(client, quiz, **changes):
    """The instructor saves the quiz's settings page with `changes` over its current values."""
    quiz.refresh_from_db()
    data = {k: v for k, v in QuizSettingsForm.initial_for(quiz).items() if v is not None}
    for name in ("open_at", "close_at"):
        if name in data:
            data[name] = local_form_time(data[name])
    for name in ("shuffle_questions", "shuffle_choices"):
        if not data.pop(name):
            continue
        data[name] = "on"
    for window, items in quiz.review_policy.items():
        data[f"review-{window}"] = items
    for name, value in changes.items():
        if name in ("open_at", "close_at"):
            value = "" if value is None else local_form_time(value)
        data[name] = value
    response = client.post(reverse("bank:quiz-settings", args=[quiz.course.slug, quiz.slug]),
                           data)
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz.refresh_from_db()
    return response


@pytest.fixture
def teacher_client(teacher) -> Client:
    client = Client()
    client.force_login(teacher)
    return client


# ----------------------------------------------------------------------------------------------
# The deadline follows the quiz's dates
# ----------------------------------------------------------------------------------------------


def test_closing_the_quiz_in_the_past_closes_an_open_attempt(student, quiz, teacher_client):
    api = api_for(student)
    body = api_start(api, quiz)
    slot = true_false_slot(body)
    assert put_answer(api, body["id"], slot, {"value": True}, 0).status_code == 200
    close = timezone.now() - timedelta(minutes=5)
    post_settings(teacher_client, quiz, close_at=close)
    attempt = Attempt.objects.get(pk=body["id"])
    # Past the close plus the grace period: the attempt was submitted with what was saved.
    assert attempt.state == "submitted" and attempt.auto_submitted
    assert attempt.deadline == close.replace(microsecond=0)
    refused = put_answer(api, body["id"], slot, {"value": False}, 1)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "time_up"
    # The page's autosave and its no-JavaScript form are refused too.
    page = Client()
    page.force_login(student)
    autosave = page.post(reverse("quizzes:autosave", args=[body["id"], slot]),
                         {f"s{slot}-value": "0", f"s{slot}-sequence": "1"})
    assert autosave.status_code == 409 and autosave["HX-Refresh"] == "true"
    page.post(reverse("quizzes:summary", args=[body["id"]]),
              {f"s{slot}-value": "0", f"s{slot}-sequence": "1"})
    stored = Response.objects.get(attempt=attempt, slot_id=slot)
    assert stored.answer == {"value": True} and stored.sequence == 1
    assert stored.state == "correct" and float(attempt.score) == 1.0
    submit = api.post(reverse("api-attempt-submit", args=[body["id"]]))
    assert submit.status_code == 200 and submit.json()["state"] == "submitted"


def test_the_deadline_is_the_earlier_of_time_limit_and_close_at_every_change(
        student, quiz, teacher_client):
    api = api_for(student)
    body = api_start(api, quiz)
    attempt = Attempt.objects.get(pk=body["id"])
    by_limit = attempt.started_at + timedelta(seconds=quiz.time_limit)
    assert attempt.deadline == by_limit
    soon = (timezone.now() + timedelta(minutes=3)).replace(microsecond=0)
    post_settings(teacher_client, quiz, close_at=soon)
    attempt.refresh_from_db()
    assert attempt.deadline == soon
    detail = api.get(reverse("api-attempt", args=[attempt.pk])).json()
    assert detail["deadline"] is not None and detail["state"] == "in_progress"
    # Moving the close later gives back the time limit; removing the limit leaves the close.
    post_settings(teacher_client, quiz, close_at=soon + timedelta(hours=2))
    attempt.refresh_from_db()
    assert attempt.deadline == by_limit
    post_settings(teacher_client, quiz, time_limit_minutes=0)
    attempt.refresh_from_db()
    assert attempt.deadline == soon + timedelta(hours=2)
    post_settings(teacher_client, quiz, close_at=None)
    attempt.refresh_from_db()
    assert attempt.deadline is None and attempt.state == "in_progress"
    saved = put_answer(api, attempt.pk, true_false_slot(body), {"value": True}, 0)
    assert saved.status_code == 200


def test_a_course_pack_reload_that_moves_close_at_moves_open_deadlines(
        student, quiz, mini_pack):
    from courses.services import course_pack_load

    api = api_for(student)
    body = api_start(api, quiz)
    close = timezone.now() - timedelta(hours=1)
    path = mini_pack / "quizzes" / "week01.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("attempts_allowed: 2\n",
                                 f"attempts_allowed: 2\nclose_at: {close.isoformat()}\n"),
                    encoding="utf-8")
    course_pack_load(path=mini_pack)
    attempt = Attempt.objects.get(pk=body["id"])
    assert attempt.deadline == close
    refused = put_answer(api, attempt.pk, true_false_slot(body), {"value": True}, 0)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "time_up"
    attempt.refresh_from_db()
    assert attempt.state == "submitted" and attempt.auto_submitted


def test_after_close_review_waits_until_no_attempt_can_still_be_saved(
        student, quiz, teacher_client):
    """Keys are shown after close only; an attempt still in its grace period keeps them hidden."""
    everything = list(REVIEW_ITEMS)
    Quiz.objects.filter(pk=quiz.pk).update(
        review_policy={"during": [], "immediately": [], "open": [], "closed": everything},
        attempts_allowed=0)
    api = api_for(student)
    first = api_start(api, quiz)
    assert api.post(reverse("api-attempt-submit", args=[first["id"]])).status_code == 200
    second = api_start(api, quiz)
    assert second["id"] != first["id"]
    # The instructor closes the quiz a few seconds ago: the open attempt is in its grace period.
    post_settings(teacher_client, quiz, close_at=timezone.now() - timedelta(seconds=5))
    review = api.get(reverse("api-attempt", args=[first["id"]])).json()
    dumped = str(review)
    assert all(q["right_answer"] == "" and q["review"] is None for q in review["questions"])
    for secret in SECRETS:
        assert secret not in dumped
    page = api.get(reverse("quizzes:review", args=[first["id"]])).content.decode()
    for secret in SECRETS:
        assert secret not in page
    still = put_answer(api, second["id"], true_false_slot(second), {"value": True}, 0)
    assert still.status_code == 200, still.content
    # Once the grace period is over too, the closed window opens (and the open attempt is shut).
    post_settings(teacher_client, quiz, close_at=timezone.now() - timedelta(minutes=5))
    assert Attempt.objects.get(pk=second["id"]).state == "submitted"
    review = api.get(reverse("api-attempt", args=[first["id"]])).json()
    assert any(q["right_answer"] for q in review["questions"])


# ----------------------------------------------------------------------------------------------
# Hidden (unpublished) quizzes
# ----------------------------------------------------------------------------------------------


def test_unpublishing_a_quiz_pauses_its_open_attempts(student, quiz, teacher_client):
    api = api_for(student)
    body = api_start(api, quiz)
    slot = true_false_slot(body)
    assert put_answer(api, body["id"], slot, {"value": True}, 0).status_code == 200
    hide = teacher_client.post(reverse("bank:quiz-publish", args=["mini", quiz.slug]),
                               {"published": "0"})
    assert hide.status_code == 302
    refused = put_answer(api, body["id"], slot, {"value": False}, 1)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "quiz_hidden"
    message = refused.json()["error"]["message"]
    assert "hidden" in message or "숨겨" in message  # says why, in the site's language
    form = Client()
    form.force_login(student)
    autosave = form.post(reverse("quizzes:autosave", args=[body["id"], slot]),
                         {f"s{slot}-value": "0", f"s{slot}-sequence": "1"})
    assert autosave.status_code == 403
    submit = api.post(reverse("api-attempt-submit", args=[body["id"]]))
    assert submit.status_code == 403 and submit.json()["error"]["code"] == "quiz_hidden"
    start = api.post(reverse("api-attempt-start", args=["mini", quiz.slug]), format="json")
    assert start.status_code == 404
    attempt = Attempt.objects.get(pk=body["id"])
    stored = Response.objects.get(attempt=attempt, slot_id=slot)
    assert attempt.state == "in_progress" and stored.answer == {"value": True}
    # Published again: the attempt carries on with its answers.
    teacher_client.post(reverse("bank:quiz-publish", args=["mini", quiz.slug]), {"published": "1"})
    assert put_answer(api, body["id"], slot, {"value": False}, 1).status_code == 200
    assert api.post(reverse("api-attempt-submit", args=[body["id"]])).status_code == 200


# ----------------------------------------------------------------------------------------------
# Races (threads, each with its own client and database connection)
# ----------------------------------------------------------------------------------------------


def run_together(targets) -> list:
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = targets[i]()
        except Exception as exc:  # asserted on by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_saves_racing_a_submit_never_change_the_graded_answer(mini_course, make_user, enrol):
    student = make_user("racer")
    enrol(student, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    Quiz.objects.filter(pk=quiz.pk).update(attempts_allowed=0)
    for _ in range(6):
        body = api_start(api_for(student), quiz)
        slot = true_false_slot(body)
        stop = threading.Event()

        def saver(answer, body=body, slot=slot, stop=stop):
            api, sequence, codes = api_for(student), 0, []
            for _ in range(200):
                response = put_answer(api, body["id"], slot, answer, sequence)
                codes.append(response.status_code)
                if response.status_code == 409 and "error" in response.json():
                    return codes
                assert response.status_code in (200, 409), response.content
                sequence = response.json()["sequence"]
            return codes

        def submitter(body=body):
            time.sleep(0.05)
            return api_for(student).post(reverse("api-attempt-submit", args=[body["id"]]))

        results = run_together([lambda: saver({"value": True}), lambda: saver({"value": False}),
                                lambda: saver({"value": True}), lambda: saver({"value": False}),
                                submitter])
        stop.set()
        assert not any(isinstance(r, Exception) for r in results), results
        assert results[-1].status_code == 200
        attempt = Attempt.objects.get(pk=body["id"])
        response = Response.objects.select_related("version").get(attempt=attempt, slot_id=slot)
        grade = qtypes.get(response.version.qtype).grade(response.question_data, response.answer)
        assert (response.state, response.fraction) == (grade.state, grade.fraction), \
            (response.answer, response.state)
        assert response.saved_at is None or response.saved_at <= attempt.submitted_at
        reported = results[-1].json()
        shown = next(q for q in reported["questions"] if q["slot_id"] == slot)
        assert shown["state"] == response.state


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("how", ["api", "page"])
def test_simultaneous_starts_over_http_give_one_attempt(mini_course, make_user, enrol, how):
    student = make_user(f"twin-{how}")
    enrol(student, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    Quiz.objects.filter(pk=quiz.pk).update(attempts_allowed=0)

    def start_once():
        if how == "api":
            response = api_for(student).post(
                reverse("api-attempt-start", args=["mini", quiz.slug]), format="json")
        else:
            client = Client(raise_request_exception=False)
            client.force_login(student)
            response = client.post(reverse("quizzes:start", args=["mini", quiz.slug]))
        return response.status_code

    for round_ in range(4):
        codes = run_together([start_once] * 6)
        assert all(code in ({200, 201, 409} if how == "api" else {302}) for code in codes), codes
        assert Attempt.objects.filter(user=student, state="in_progress").count() == 1
        assert Attempt.objects.filter(user=student).count() == round_ + 1
        open_attempt = Attempt.objects.get(user=student, state="in_progress")
        assert open_attempt.responses.count() == 7
        Attempt.objects.filter(pk=open_attempt.pk).update(state="submitted",
                                                          submitted_at=timezone.now())
