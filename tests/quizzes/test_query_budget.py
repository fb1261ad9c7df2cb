"""The pages students hit hardest use a number of queries that does not grow with the quiz.

Counted as production runs: sessions and `request.user` from the cache (cached_db sessions,
config.auth_cache), and real transactions (a test transaction would add a SAVEPOINT and its
RELEASE to every atomic block).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quizzes import attempt_runtime, services
from quizzes.models import Quiz, Slot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def production_caches(settings):
    settings.SESSION_ENGINE = "config.sessions"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "query-budget"}}


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


def count(client, method, url, data=None, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {}, **extra)
    assert response.status_code in (200, 302), response.content[:300]
    return len(queries)


def measure(client, user, quiz) -> dict[str, int]:
    client.force_login(user)
    client.get(reverse("quizzes:quiz", args=[quiz.course.slug, quiz.slug]))  # user cached
    start_url = reverse("quizzes:start", args=[quiz.course.slug, quiz.slug])
    result = {"start": count(client, "post", start_url)}
    attempt = quiz.attempts.get(user=user)
    result["page"] = count(client, "get", reverse("quizzes:attempt", args=[attempt.pk]))
    responses = list(attempt.responses.order_by("position"))
    slot = responses[0].slot_id
    save = reverse("quizzes:autosave", args=[attempt.pk, slot])
    attempt_runtime.shapes_cache_clear()  # the first save of this attempt in the process
    result["autosave_cold"] = count(client, "post", save,
                                    {f"s{slot}-choice": "0", f"s{slot}-sequence": "0"})
    result["autosave"] = count(client, "post", save,
                               {f"s{slot}-choice": "1", f"s{slot}-sequence": "1"})
    api_slot = responses[-1].slot_id
    api_url = reverse("api-response", args=[attempt.pk, api_slot])
    # Another question, saved for the first time: its shape was read with the cold save's.
    for step, sequence in (("api_save_first", 0), ("api_save", 1)):
        result[step] = count(client, "put", api_url,
                             {"answer": {"choice": sequence}, "sequence": sequence},
                             content_type="application/json")
    attempt_runtime.shapes_cache_clear()  # grading reads the questions too
    result["submit"] = count(client, "post", reverse("quizzes:submit", args=[attempt.pk]))
    result["review"] = count(client, "get", reverse("quizzes:review", args=[attempt.pk]))
    return result


def test_query_counts_do_not_grow_with_the_number_of_questions(client, mini_course, make_user,
                                                               enrol):
    small, large = make_quiz(mini_course, "small", 2), make_quiz(mini_course, "large", 20)
    user = make_user("budget")
    enrol(user, mini_course, "student")
    few, many = measure(client, user, small), measure(client, user, large)
    assert few == many, (few, many)
    assert many["page"] <= 12, many
    if connection.vendor != "postgresql":
        # SQLite (the embedded, single-user mode) takes the ORM path: a read, the guarded
        # update and the flag for the reply; the submit locks, reads and writes in turn.
        assert many["autosave"] <= 3 and many["submit"] <= 8, many
        return
    # A save is one guarded statement once the process knows the attempt, plus one read (of
    # all its questions) the first time; a submit reads the attempt, its answers and their
    # questions and writes once.
    assert many["autosave"] == 1 and many["api_save"] == 1, many
    assert many["api_save_first"] == 1, many
    assert many["autosave_cold"] <= 2 and many["submit"] <= 4, many


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="the one-statement claim is PostgreSQL's; SQLite checks, then takes")
@pytest.mark.parametrize("via", ["page", "api"])
def test_a_prepared_start_is_one_statement_whatever_the_quiz_size(client, mini_course,
                                                                  make_user, enrol, via):
    """The start of a prepared attempt (quizzes/attempt_build.py) through the page reads the
    session, the user and the quiz and runs one guarded UPDATE (the function of migration
    quizzes 0011): nothing is drawn or inserted in the request. Through the API, on a session
    whose proof the client holds (quizzes/session_proofs.py), it is that UPDATE alone, with
    the session's check (migration quizzes 0014), and the reply carries the questions
    rendered when the attempt was built."""
    from quizzes.attempt_build import quiz_attempts_prepare

    small, large = make_quiz(mini_course, "small", 3), make_quiz(mini_course, "large", 12)
    user = make_user("budget")
    enrol(user, mini_course, "student")
    client.force_login(user)
    # The user is read once, then served from the cache (config.auth_cache); the response
    # carries the session's proof.
    client.get("/")
    counts = {}
    for quiz in (small, large):
        assert quiz_attempts_prepare(quiz_id=quiz.pk) == 1
        name = "quizzes:start" if via == "page" else "api-attempt-start"
        url = reverse(name, args=[quiz.course.slug, quiz.slug])
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url)
        if via == "page":
            assert response.status_code == 302
        else:
            assert response.status_code == 201
            assert len(response.json()["questions"]) == quiz.slots.count()
        counts[quiz.slug] = [q["sql"] for q in queries.captured_queries]
        assert quiz.attempts.get(user=user).state == "in_progress"
    assert len(counts["small"]) == len(counts["large"]), counts
    statements = counts["large"]
    assert [s for s in statements if s.startswith("INSERT")] == []
    if via == "page":
        assert len(statements) <= 4, statements  # session + user + quiz + the claim
        assert sum("quizzes_attempt_claim(" in s for s in statements) == 1  # its one UPDATE
    else:
        assert len(statements) == 1 and "quizzes_session_attempt_claim(" in statements[0]


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="the review window's overrides come with the read on PostgreSQL")
def test_the_api_submit_is_one_read_and_one_write_whatever_the_quiz_size(client, mini_course,
                                                                         make_user, enrol):
    """The API submit reads the attempt, its answers with their versions and the quiz's
    override closes (for the reply's review window) in one statement, then grades and closes in
    one more (`attempt_runtime._close_and_mark`)."""
    user = make_user("budget")
    enrol(user, mini_course, "student")
    client.force_login(user)
    client.get("/")  # the user is read once, then served from the cache
    counts = {}
    for quiz in (make_quiz(mini_course, "small", 2), make_quiz(mini_course, "large", 20)):
        started = client.post(reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug]))
        assert started.status_code == 201, started.content
        attempt_runtime.shapes_cache_clear()  # no version known to this process
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("api-attempt-submit", args=[started.json()["id"]]))
        assert response.status_code == 200 and response.json()["state"] == "submitted"
        assert len(response.json()["questions"]) == quiz.slots.count()
        counts[quiz.slug] = [q["sql"] for q in queries.captured_queries]
    assert len(counts["small"]) == len(counts["large"]) == 2, counts
