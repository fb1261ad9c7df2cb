"""Per-student overrides of a quiz's close date, time limit and attempts (Moodle's user
overrides), set by the instructor on the results page and honoured by the start, the saves, the
deadline refresh and the review windows, all over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import REVIEW_ITEMS, Attempt, Quiz, QuizOverride

from .test_attempt_lifecycle import (
    api_for,
    api_start,
    local_form_time,
    post_settings,
    put_answer,
    teacher_client,  # noqa: F401 (a fixture)
    true_false_slot,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_student(make_user, mini_course, enrol):
    user = make_user("stu2")
    enrol(user, mini_course, "student")
    return user


def post_override(client, quiz, username: str, **fields):
    data = {"override-username": username}
    for name, value in fields.items():
        if name == "close_at" and value is not None:
            value = local_form_time(value)
        data[f"override-{name}"] = "" if value is None else str(value)
    return client.post(reverse("quizzes:override", args=[quiz.course.slug, quiz.slug]), data,
                       follow=True)


def errors(page) -> list[str]:
    """The error messages a page shows."""
    return re.findall(r'<li class="message-error">(.*?)</li>', page.content.decode(), re.S)


def age_attempts(quiz, minutes: int) -> None:
    """As if the quiz's open attempts had been started `minutes` earlier (deadlines too)."""
    Attempt.objects.filter(quiz=quiz, state="in_progress").update(
        started_at=F("started_at") - timedelta(minutes=minutes),
        deadline=F("deadline") - timedelta(minutes=minutes))


def test_a_student_with_extra_time_can_still_save_after_the_others_deadline(
        student, other_student, quiz, teacher_client):  # noqa: F811
    Quiz.objects.filter(pk=quiz.pk).update(time_limit=600, close_at=None)
    mine, theirs = api_for(student), api_for(other_student)
    my_body, their_body = api_start(mine, quiz), api_start(theirs, quiz)
    age_attempts(quiz, 20)  # 20 minutes into a 10-minute quiz (grace: 1 minute)
    page = post_override(teacher_client, quiz, student.username, time_limit_minutes=60)
    assert "stu" in page.content.decode()
    override = QuizOverride.objects.get(quiz=quiz, user=student)
    assert override.time_limit == 3600 and override.close_at is None
    # Saving the override moved the open attempt's deadline at once.
    mine_attempt = Attempt.objects.get(pk=my_body["id"])
    assert mine_attempt.deadline == mine_attempt.started_at + timedelta(hours=1)
    saved = put_answer(mine, my_body["id"], true_false_slot(my_body), {"value": True}, 0)
    assert saved.status_code == 200, saved.content
    refused = put_answer(theirs, their_body["id"], true_false_slot(their_body),
                         {"value": True}, 0)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "time_up"
    # A change of the quiz's own settings keeps the override (the refresh applies it).
    post_settings(teacher_client, quiz, time_limit_minutes=15)
    mine_attempt.refresh_from_db()
    assert mine_attempt.state == "in_progress"
    assert mine_attempt.deadline == mine_attempt.started_at + timedelta(hours=1)
    # Removing the override gives the quiz's limit back: 20 minutes into 15, so it is submitted.
    remove = teacher_client.post(reverse("quizzes:override-delete",
                                         args=["mini", quiz.slug, override.pk]))
    assert remove.status_code == 302
    assert not QuizOverride.objects.filter(pk=override.pk).exists()
    mine_attempt.refresh_from_db()
    assert mine_attempt.state == "submitted" and mine_attempt.auto_submitted


def test_a_new_attempt_gets_the_overridden_time_limit_at_start(student, quiz, teacher_client):  # noqa: F811,E501
    Quiz.objects.filter(pk=quiz.pk).update(time_limit=600, close_at=None)
    post_override(teacher_client, quiz, student.username, time_limit_minutes=0)
    body = api_start(api_for(student), quiz)
    assert Attempt.objects.get(pk=body["id"]).deadline is None


def test_a_student_with_an_earlier_close_cannot_save_or_start(
        student, other_student, quiz, teacher_client):  # noqa: F811
    Quiz.objects.filter(pk=quiz.pk).update(close_at=timezone.now() + timedelta(days=1),
                                           time_limit=0, attempts_allowed=0)
    mine, theirs = api_for(student), api_for(other_student)
    my_body, their_body = api_start(mine, quiz), api_start(theirs, quiz)
    early = timezone.now() - timedelta(minutes=10)
    post_override(teacher_client, quiz, student.username, close_at=early)
    mine_attempt = Attempt.objects.get(pk=my_body["id"])
    assert mine_attempt.state == "submitted" and mine_attempt.auto_submitted
    refused = put_answer(mine, my_body["id"], true_false_slot(my_body), {"value": True}, 0)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "time_up"
    start = mine.post(reverse("api-attempt-start", args=["mini", quiz.slug]), format="json")
    assert start.status_code == 403 and start.json()["error"]["code"] == "quiz_closed"
    # The other student's attempt keeps the quiz's close.
    saved = put_answer(theirs, their_body["id"], true_false_slot(their_body), {"value": True}, 0)
    assert saved.status_code == 200
    assert Attempt.objects.get(pk=their_body["id"]).state == "in_progress"
    # The quiz page shows the student their own close and no start button.
    client = Client()
    client.force_login(student)
    page = client.get(reverse("quizzes:quiz", args=["mini", quiz.slug])).content.decode()
    assert timezone.localtime(early).strftime("%Y-%m-%d %H:%M") in page


def test_an_attempts_override_allows_more_or_fewer_attempts(student, quiz, teacher_client):  # noqa: F811,E501
    Quiz.objects.filter(pk=quiz.pk).update(attempts_allowed=1, close_at=None, time_limit=0)
    api = api_for(student)
    first = api_start(api, quiz)
    assert api.post(reverse("api-attempt-submit", args=[first["id"]])).status_code == 200
    start_url = reverse("api-attempt-start", args=["mini", quiz.slug])
    refused = api.post(start_url, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "no_attempts_left"
    post_override(teacher_client, quiz, student.username, attempts_allowed=2)
    detail = api.get(reverse("api-quiz", args=["mini", quiz.slug])).json()
    assert detail["attempts_allowed"] == 2
    second = api_start(api, quiz)
    assert second["id"] != first["id"]
    assert api.post(reverse("api-attempt-submit", args=[second["id"]])).status_code == 200
    again = api.post(start_url, format="json")
    assert again.status_code == 403 and again.json()["error"]["code"] == "no_attempts_left"
    assert Attempt.objects.filter(quiz=quiz, user=student).count() == 2


def test_the_closed_review_waits_for_a_student_whose_close_was_extended(
        student, other_student, quiz, teacher_client):  # noqa: F811
    """Keys shown only after the close stay hidden from everyone while an extended student can
    still answer; the extended student's own review follows their close."""
    Quiz.objects.filter(pk=quiz.pk).update(
        review_policy={"during": [], "immediately": [], "open": [],
                       "closed": list(REVIEW_ITEMS)},
        attempts_allowed=0, time_limit=0, close_at=None)
    theirs = api_for(other_student)
    done = api_start(theirs, quiz)
    assert theirs.post(reverse("api-attempt-submit", args=[done["id"]])).status_code == 200
    post_override(teacher_client, quiz, student.username,
                  close_at=timezone.now() + timedelta(hours=1))
    post_settings(teacher_client, quiz, close_at=timezone.now() - timedelta(minutes=10))
    mine = api_for(student)
    body = api_start(mine, quiz)  # the extended student may still start and save
    assert put_answer(mine, body["id"], true_false_slot(body), {"value": True}, 0).status_code \
        == 200
    review = theirs.get(reverse("api-attempt", args=[done["id"]])).json()
    assert all(q["right_answer"] == "" for q in review["questions"])
    # Once the extension is over as well, the closed window opens for everyone.
    post_override(teacher_client, quiz, student.username,
                  close_at=timezone.now() - timedelta(minutes=5))
    assert Attempt.objects.get(pk=body["id"]).state == "submitted"
    review = theirs.get(reverse("api-attempt", args=[done["id"]])).json()
    assert any(q["right_answer"] for q in review["questions"])


def test_the_submit_reply_keeps_the_keys_of_a_student_whose_close_was_extended(
        student, quiz, teacher_client):  # noqa: F811
    """The quiz closed for the class, but not for this student: the reply to their submit
    shows what the "immediately" window allows, not the keys shown only after the close."""
    Quiz.objects.filter(pk=quiz.pk).update(
        review_policy={"during": [], "immediately": ["marks"], "open": ["marks"],
                       "closed": list(REVIEW_ITEMS)},
        attempts_allowed=0, time_limit=0, close_at=None)
    post_override(teacher_client, quiz, student.username,
                  close_at=timezone.now() + timedelta(hours=1))
    post_settings(teacher_client, quiz, close_at=timezone.now() - timedelta(minutes=10))
    mine = api_for(student)
    body = api_start(mine, quiz)
    submitted = mine.post(reverse("api-attempt-submit", args=[body["id"]]))
    assert submitted.status_code == 200, submitted.content
    reply = submitted.json()
    assert reply["state"] == "submitted" and reply["score"] is not None
    assert all(q["right_answer"] == "" for q in reply["questions"])


def test_bad_override_input_is_refused_with_a_message_and_stores_nothing(
        student, quiz, teacher_client, make_user):  # noqa: F811
    page = post_override(teacher_client, quiz, student.username, attempts_allowed=1000)
    assert any("100" in m for m in errors(page))
    page = post_override(teacher_client, quiz, "nobody", attempts_allowed=2)
    assert any("nobody" in m for m in errors(page))
    outsider = make_user("outsider")
    post_override(teacher_client, quiz, outsider.username, attempts_allowed=2)
    assert not QuizOverride.objects.exists()
    # A student may not set one for themselves.
    client = Client()
    client.force_login(student)
    response = client.post(reverse("quizzes:override", args=["mini", quiz.slug]),
                           {"override-username": student.username,
                            "override-attempts_allowed": "9"})
    assert response.status_code == 403 and not QuizOverride.objects.exists()


def test_an_override_close_date_out_of_range_is_refused(student, quiz, teacher_client):  # noqa: F811,E501
    """A student's own close date is bounded as the quiz's are (9999-12-31 overflowed when the
    deadline was computed; year 1 could not be read back)."""
    for typed in ("9999-12-31T23:59", "0001-01-01T00:00"):
        page = teacher_client.post(reverse("quizzes:override", args=["mini", quiz.slug]),
                                   {"override-username": student.username,
                                    "override-close_at": typed}, follow=True)
        assert any("2000-01-01" in m for m in errors(page)), typed
    assert not QuizOverride.objects.exists()
