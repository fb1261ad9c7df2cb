"""An early sitting (an override that closes the quiz sooner for one student) does not open the
"closed" review window for that student while the class can still answer: the right answers,
feedback and marks it shows could reach a classmate still sitting the exam
(`selectors.review_close_at`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from quizzes.models import REVIEW_ITEMS, Attempt, Quiz, QuizOverride

from .test_attempt_lifecycle import api_start, put_answer, true_false_slot


def api_for(user) -> APIClient:
    """A logged-in session (the real authentication, through every middleware)."""
    api = APIClient()
    api.force_login(user)
    return api


pytestmark = pytest.mark.django_db

# An exam's usual policy: nothing until the quiz has closed for everyone, then everything.
AFTER_CLOSE_ONLY = {"during": [], "immediately": [], "open": [], "closed": list(REVIEW_ITEMS)}


@pytest.fixture
def classmate(make_user, mini_course, enrol):
    user = make_user("classmate")
    enrol(user, mini_course, "student")
    return user


@pytest.mark.parametrize("class_close", ["tomorrow", "none"])
def test_an_early_sitting_sees_the_keys_only_once_the_class_has_closed(
        student, classmate, quiz, class_close):
    now = timezone.now()
    Quiz.objects.filter(pk=quiz.pk).update(
        review_policy=AFTER_CLOSE_ONLY, attempts_allowed=0, time_limit=0,
        close_at=now + timedelta(days=1) if class_close == "tomorrow" else None)
    # The student sits the exam early: their own close is in a few minutes.
    QuizOverride.objects.create(quiz=quiz, user=student, close_at=now + timedelta(minutes=5))
    mine = api_for(student)
    early = api_start(mine, quiz)
    assert mine.post(reverse("api-attempt-submit", args=[early["id"]])).status_code == 200
    # Ten minutes later their close has passed (moved back instead of waiting).
    QuizOverride.objects.filter(quiz=quiz, user=student).update(
        close_at=now - timedelta(minutes=5))

    # The class is still sitting the exam: a classmate starts and answers now.
    theirs = api_for(classmate)
    body = api_start(theirs, quiz)
    saved = put_answer(theirs, body["id"], true_false_slot(body), {"value": True}, 0)
    assert saved.status_code == 200
    assert Attempt.objects.get(pk=body["id"]).state == "in_progress"

    # What the early student can read now, while the classmate answers:
    review = mine.get(reverse("api-attempt", args=[early["id"]])).json()
    keys = [q["right_answer"] for q in review["questions"] if q["right_answer"]]
    page = Client()
    page.force_login(student)
    html = page.get(reverse("quizzes:review", args=[early["id"]])).content.decode()
    shown_on_page = [k for k in keys if k in html]
    assert keys == [] and review["score"] is None, (
        f"class close {class_close}: while a classmate is still answering, the early student's "
        f"review shows {len(keys)} right answers (e.g. {keys[:2]}), score {review['score']}; "
        f"{len(shown_on_page)} of them also on the review page")

    # Once the class's own close has passed too, the early student sees what the policy gives.
    Quiz.objects.filter(pk=quiz.pk).update(close_at=now - timedelta(minutes=1))
    review = api_for(student).get(reverse("api-attempt", args=[early["id"]])).json()
    assert [q["right_answer"] for q in review["questions"] if q["right_answer"]]
    assert review["score"] is not None
