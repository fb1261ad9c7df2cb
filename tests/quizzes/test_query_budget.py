"""The pages students hit hardest use a number of queries that does not grow with the quiz."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import services
from quizzes.models import Quiz, Slot

pytestmark = pytest.mark.django_db


def make_quiz(course, slug: str, n: int) -> Quiz:
    category = services.category_get_or_create_path(course=course, path=("Budget", slug))
    quiz = Quiz.objects.create(course=course, slug=slug, title=slug)
    for i in range(n):
        question = services.question_create(
            course=course, category=category, name=f"{slug}-{i}", qtype="single_choice",
            stem=f"Q{i} $x^{i}$", data={"choices": [{"text": "a", "fraction": 1},
                                                    {"text": "b", "fraction": 0}]})
        Slot.objects.create(quiz=quiz, position=i + 1, question=question)
    return quiz


def count(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302), response.content[:300]
    return len(queries)


def measure(client, user, quiz) -> dict[str, int]:
    client.force_login(user)
    start_url = reverse("quizzes:start", args=[quiz.course.slug, quiz.slug])
    result = {"start": count(client, "post", start_url)}
    attempt = quiz.attempts.get(user=user)
    result["page"] = count(client, "get", reverse("quizzes:attempt", args=[attempt.pk]))
    response = attempt.responses.order_by("position").first()
    slot = response.slot_id
    result["autosave"] = count(client, "post", reverse("quizzes:autosave", args=[attempt.pk, slot]),
                               {f"s{slot}-choice": "0", f"s{slot}-sequence": "0"})
    result["submit"] = count(client, "post", reverse("quizzes:submit", args=[attempt.pk]))
    result["review"] = count(client, "get", reverse("quizzes:review", args=[attempt.pk]))
    return result


def test_query_counts_do_not_grow_with_the_number_of_questions(client, mini_course, make_user,
                                                               enrol):
    small, large = make_quiz(mini_course, "small", 3), make_quiz(mini_course, "large", 12)
    user = make_user("budget")
    enrol(user, mini_course, "student")
    few, many = measure(client, user, small), measure(client, user, large)
    assert few == many, (few, many)
    # And they stay small in absolute terms.
    assert many["autosave"] <= 8 and many["page"] <= 12 and many["submit"] <= 14, many


def test_a_prepared_start_is_one_statement_whatever_the_quiz_size(client, mini_course,
                                                                  make_user, enrol):
    """The start of a prepared attempt (quizzes/attempt_build.py) reads the session, the user
    and the quiz and runs one guarded UPDATE: nothing is drawn or inserted in the request."""
    from quizzes.attempt_build import quiz_attempts_prepare

    small, large = make_quiz(mini_course, "small", 3), make_quiz(mini_course, "large", 12)
    user = make_user("budget")
    enrol(user, mini_course, "student")
    client.force_login(user)
    counts = {}
    for quiz in (small, large):
        assert quiz_attempts_prepare(quiz_id=quiz.pk) == 1
        url = reverse("quizzes:start", args=[quiz.course.slug, quiz.slug])
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url)
        assert response.status_code == 302
        counts[quiz.slug] = [q["sql"] for q in queries.captured_queries]
        assert quiz.attempts.get(user=user).state == "in_progress"
    assert len(counts["small"]) == len(counts["large"]), counts
    statements = counts["large"]
    assert len(statements) <= 4, statements  # session + user + quiz + the claim
    assert [s for s in statements if s.startswith("INSERT")] == []
    assert sum(s.lstrip().startswith("UPDATE") for s in statements) == 1
