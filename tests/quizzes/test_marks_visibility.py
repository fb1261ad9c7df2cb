"""A mark reaches a student only where the quiz's review policy allows marks for that attempt.

Every page, API, CSV and htmx fragment that shows a student a mark, score, percentage, grade,
correctness or total is walked as the student, once while the policy hides the marks and once
when it shows them (so the walk would notice a page that never shows marks at all).
"""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from quizzes import services
from quizzes.models import REVIEW_ITEMS, Attempt, Quiz

from .conftest import RIGHT, answer_all

pytestmark = pytest.mark.django_db

# Question 1 right, question 2 half right, the other five unanswered: 1.5 of 7 points.
ANSWERS = {"m-q1": RIGHT["m-q1"], "m-q2": {"choices": ["GAN"]}}
PERCENT = 1.5 / 7 * 100  # 21.43 %
# How the mark is written on the pages (percent with one or no decimals, score, question marks).
MARK_TEXTS = ["21.4", "21%", "1.50 / 7.00", "1.50", "1.00 / 1.00", "0.50 / 1.00"]
# Shown only when the policy shows correctness.
CORRECTNESS_TEXTS = ["is-correct", "is-partial", "state-correct", "state-partial"]
HIDING_POLICY = {"during": [], "immediately": ["attempt"], "open": ["attempt"],
                 "closed": list(REVIEW_ITEMS)}


def _pages(quiz, attempt, open_attempt=None) -> list[str]:
    urls = [
        reverse("quizzes:quiz", args=["mini", quiz.slug]),
        reverse("courses:detail", args=["mini"]),
        reverse("quizzes:gradebook", args=["mini"]),
        reverse("quizzes:gradebook", args=["mini"]) + "?format=csv",
        reverse("quizzes:review", args=[attempt.pk]),
        reverse("api-quiz", args=["mini", quiz.slug]),
        reverse("api-quizzes", args=["mini"]),
        reverse("api-attempt", args=[attempt.pk]),
        reverse("api-grades", args=["mini"]),
    ]
    if open_attempt is not None:
        urls += [reverse("quizzes:attempt", args=[open_attempt.pk]),
                 reverse("quizzes:summary", args=[open_attempt.pk]),
                 reverse("api-attempt", args=[open_attempt.pk])]
    return urls


# Timestamps carry seconds and microseconds ("…T14:15:21.43…"), which can spell a mark.
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def _walk(client, api, urls) -> dict[str, str]:
    bodies = {}
    for url in urls:
        response = (api if url.startswith("/api/") else client).get(url)
        assert response.status_code == 200, (url, response.status_code)
        bodies[url] = response.content.decode("utf-8-sig")
    return bodies


def _without_timestamps(body: str) -> str:
    return TIMESTAMP.sub("<time>", body)


def _autosave(client, attempt) -> str:
    """The htmx fragment a save returns while a later attempt is open."""
    response = attempt.responses.order_by("position").first()
    saved = client.post(reverse("quizzes:autosave", args=[attempt.pk, response.slot_id]),
                        {f"s{response.slot_id}-sequence": str(response.sequence)},
                        HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    return saved.content.decode()


def test_marks_hidden_by_the_policy_reach_the_student_nowhere_and_show_once_allowed(
        client, student, quiz):
    Quiz.objects.filter(pk=quiz.pk).update(review_policy=HIDING_POLICY,
                                           close_at=timezone.now() + timedelta(hours=1))
    quiz.refresh_from_db()
    client.force_login(student)
    api = APIClient()
    api.force_authenticate(student)
    first = services.attempt_start(user=student, quiz=quiz)
    answer_all(first, ANSWERS)
    submitted = api.post(reverse("api-attempt-submit", args=[first.pk]))
    assert submitted.status_code == 200 and submitted.json()["score"] is None
    assert all(q["mark"] is None for q in submitted.json()["questions"])
    first.refresh_from_db()
    assert float(first.score) == 1.5
    # The mark is hidden both right after the attempt and later while the quiz is open.
    Attempt.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    second = services.attempt_start(user=student, quiz=quiz)
    bodies = _walk(client, api, _pages(quiz, first, second))
    bodies["autosave"] = _autosave(client, second)
    for url, body in bodies.items():
        for text in MARK_TEXTS + CORRECTNESS_TEXTS:
            assert text not in _without_timestamps(body), (url, text)
    assert "not yet available" in bodies[reverse("quizzes:quiz", args=["mini", quiz.slug])] \
        or "아직" in bodies[reverse("quizzes:quiz", args=["mini", quiz.slug])]
    quiz_api = json.loads(bodies[reverse("api-quiz", args=["mini", quiz.slug])])
    assert quiz_api["grade"] is None and quiz_api["grade_status"] == "hidden"
    attempt_api = json.loads(bodies[reverse("api-attempt", args=[first.pk])])
    assert attempt_api["score"] is None
    assert all(q["mark"] is None and q["state"] is None for q in attempt_api["questions"])
    grades_api = json.loads(bodies[reverse("api-grades", args=["mini"])])
    [row] = grades_api["rows"]
    assert row["total"] is None and quiz.slug in grades_api["quizzes"]
    position = grades_api["quizzes"].index(quiz.slug)
    assert row["grades"][position] is None and row["states"][position] == "hidden"

    # The second attempt submitted empty (0 %), then the quiz closes: the "closed" window
    # shows marks, so every surface now shows them (the grading method keeps the highest).
    services.attempt_submit(attempt=second)
    Quiz.objects.filter(pk=quiz.pk).update(close_at=timezone.now() - timedelta(minutes=1))
    bodies = _walk(client, api, _pages(quiz, first))
    shown = {
        reverse("quizzes:quiz", args=["mini", quiz.slug]): "21.4",
        reverse("courses:detail", args=["mini"]): "21%",
        reverse("quizzes:gradebook", args=["mini"]): "21.4",
        reverse("quizzes:gradebook", args=["mini"]) + "?format=csv": "21.4",
        reverse("quizzes:review", args=[first.pk]): "1.50 / 7.00",
    }
    for url, text in shown.items():
        assert text in bodies[url], url
    assert "0.0%" in bodies[reverse("quizzes:quiz", args=["mini", quiz.slug])]
    quiz_api = json.loads(bodies[reverse("api-quiz", args=["mini", quiz.slug])])
    assert quiz_api["grade"] == pytest.approx(PERCENT) and quiz_api["grade_status"] == "graded"
    assert json.loads(bodies[reverse("api-attempt", args=[first.pk])])["score"] == 1.5
    [row] = json.loads(bodies[reverse("api-grades", args=["mini"])])["rows"]
    assert row["grades"][position] == pytest.approx(PERCENT)
    assert row["total"] == pytest.approx(PERCENT)


def test_one_hidden_attempt_hides_the_quiz_grade_even_if_another_is_shown(
        client, student, quiz):
    """Marks shown 'open' (after two minutes) but not 'immediately': a fresh attempt's mark
    must not leak through the quiz grade that an older, visible attempt already has."""
    policy = {"during": [], "immediately": ["attempt"], "open": list(REVIEW_ITEMS),
              "closed": list(REVIEW_ITEMS)}
    Quiz.objects.filter(pk=quiz.pk).update(review_policy=policy, close_at=None)
    quiz.refresh_from_db()
    first = services.attempt_start(user=student, quiz=quiz)
    first = services.attempt_submit(attempt=first)  # empty: 0 %
    Attempt.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    second = services.attempt_start(user=student, quiz=quiz)
    answer_all(second, ANSWERS)
    services.attempt_submit(attempt=second)

    client.force_login(student)
    page = _without_timestamps(
        client.get(reverse("quizzes:quiz", args=["mini", quiz.slug])).content.decode())
    assert "0.0%" in page  # the first attempt's mark is visible
    for text in MARK_TEXTS:
        assert text not in page, text
    course = _without_timestamps(client.get(reverse("courses:detail", args=["mini"])).content
                                 .decode())
    for text in MARK_TEXTS:
        assert text not in course, text
    api = APIClient()
    api.force_authenticate(student)
    body = api.get(reverse("api-quiz", args=["mini", quiz.slug])).json()
    assert body["grade"] is None and body["grade_status"] == "hidden"
