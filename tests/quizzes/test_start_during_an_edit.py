"""A start while a teacher edits the quiz: it follows the terms in force once the edit commits,
and it keeps the attempt it claimed.

- A start that runs while a change of the quiz's time limit or close, or of the student's
  override, is being written follows the new terms, as every attempt open before it does
  (quizzes.terms.quiz_terms_lock, services.quiz_terms_change): it either commits before the
  change recomputes the open attempts' deadlines, or waits for the change.
- An edit that discards the prepared attempts (attempt_build.attempts_prepared_discard) never
  deletes one a student has just claimed.

Deterministic: each transaction is paused at the point of the race, the other side runs on its
own connection until it answers or waits for a lock, then the first commits.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import authoring, services
from quizzes.attempt_build import (
    attempt_prepared_claim,
    attempts_prepared_discard,
    quiz_attempts_prepare,
)
from quizzes.models import Attempt, Quiz
from quizzes.terms import quiz_terms_for
from quizzes.timing import attempt_deadline

from .races import paused_in_transaction, run_then_release

pytestmark = pytest.mark.django_db(transaction=True)

OLD_LIMIT = 600  # the mini pack's week-1 quiz: 10 minutes
NEW_LIMIT = 120


def _settings(quiz: Quiz, **changes) -> dict:
    values = {name: getattr(quiz, name) for name in (
        "title", "title_en", "intro", "kind", "week", "open_at", "close_at", "time_limit",
        "grace_period", "attempts_allowed", "grading_method", "shuffle_questions",
        "shuffle_choices", "review_policy", "max_grade", "weight", "questions_per_page")}
    values.update(changes)
    return values


def _cut_time_limit(quiz, student):
    authoring.quiz_update_settings(quiz=Quiz.objects.get(pk=quiz.pk),
                                   **_settings(quiz, time_limit=NEW_LIMIT))


def _close_now(quiz, student):
    # The teacher closes the quiz in a minute (e.g. a leak of the paper was reported).
    authoring.quiz_update_settings(quiz=Quiz.objects.get(pk=quiz.pk), **_settings(
        quiz, close_at=timezone.now() + timedelta(seconds=NEW_LIMIT)))


def _override_cut(quiz, student):
    services.quiz_override_set(quiz=Quiz.objects.get(pk=quiz.pk), user=student,
                               time_limit=NEW_LIMIT)


CHANGES = {"time limit cut": _cut_time_limit, "quiz closed early": _close_now,
           "override cut": _override_cut}


def _start_in_thread(client: Client, url: str) -> tuple[threading.Thread, dict]:
    """The student's start, in a thread not yet started, and what it will answer."""
    out: dict = {}

    def run():
        try:
            r = client.post(url, HTTP_ACCEPT="application/json")
            out["status"] = r.status_code
            out["body"] = r.json() if r.status_code in (200, 201) else r.content
        except Exception as exc:
            out["error"] = exc
        finally:
            connection.close()

    return threading.Thread(target=run), out


def _start_during(teacher_edit, client: Client, url: str, go) -> dict:
    student, started = _start_in_thread(client, url)
    run_then_release(student, go, teacher_edit)
    started["finished"] = not student.is_alive()
    return started


@pytest.fixture
def exam(mini_course, make_user, enrol, monkeypatch):
    # No broker round-trips from the edit's on-commit rebuild request.
    monkeypatch.setattr("quizzes.attempt_build.quiz_attempts_prepare_send",
                        lambda *, quiz_id: None)
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    assert quiz.time_limit == OLD_LIMIT and quiz.close_at is None
    early = make_user("early")
    late = make_user("late")
    for user in (early, late):
        enrol(user, mini_course, "student")
    return {"quiz": quiz, "early": early, "late": late,
            "url": reverse("api-attempt-start", args=[mini_course.slug, quiz.slug])}


@pytest.mark.parametrize("prepared", [True, False], ids=["prepared-claim", "built-in-request"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_start_during_a_terms_change_follows_the_new_terms(exam, change, prepared):
    quiz, early, late = exam["quiz"], exam["early"], exam["late"]
    if prepared:
        assert quiz_attempts_prepare(quiz_id=quiz.pk) == 2
    # `early` started a moment before the teacher's edit: the refresh gives them the new terms.
    early_client = Client()
    early_client.force_login(early)
    assert early_client.post(exam["url"]).status_code == 201
    late_client = Client()
    late_client.force_login(late)
    late_client.get(reverse("api-courses"))  # the session's proof cookie, as a real browser

    errors: list = []
    # (the override is `late`'s own: the teacher cuts their time while they click start)
    teacher, _edited, go = paused_in_transaction(lambda: CHANGES[change](quiz, late), errors)
    started = _start_during(teacher, late_client, exam["url"], go)
    assert not errors, errors
    assert started.get("finished") and "error" not in started, started
    assert started["status"] == 201, started

    quiz.refresh_from_db()
    early_attempt = Attempt.objects.get(quiz=quiz, user=early)
    late_attempt = Attempt.objects.get(quiz=quiz, user=late)
    assert late_attempt.state == Attempt.State.IN_PROGRESS

    def due(attempt, user):
        """The deadline the terms now in force give an attempt started when it was."""
        terms = quiz_terms_for(quiz=quiz, user=user)
        return attempt_deadline(started_at=attempt.started_at, time_limit=terms.time_limit,
                                close_at=terms.close_at)

    if change != "override cut":
        # The student who started a moment before the edit follows the new terms...
        assert early_attempt.deadline == due(early_attempt, early)
    # ...and so must the one whose start ran while the edit was being written.
    granted = (late_attempt.deadline - late_attempt.started_at).total_seconds()
    allowed = (due(late_attempt, late) - late_attempt.started_at).total_seconds()
    assert late_attempt.deadline == due(late_attempt, late), (
        f"{change}: the attempt started during the edit has {granted:.0f} s; the terms in "
        f"force allow {allowed:.0f} s (the student who started just before the edit got "
        f"{(early_attempt.deadline - early_attempt.started_at).total_seconds():.0f} s)")


def test_no_key_is_shown_after_the_close_while_a_student_who_started_during_it_answers(exam):
    """Every deadline is at or before the close (timing.review_window), so the "closed" window
    shows the keys once the close plus grace is over: a student who started while the close
    was being moved earlier must not still be answering then."""
    from django.db.models import F

    from quizzes.models import REVIEW_ITEMS

    quiz, early, late = exam["quiz"], exam["early"], exam["late"]
    Quiz.objects.filter(pk=quiz.pk).update(
        review_policy={"during": [], "immediately": [], "open": [],
                       "closed": list(REVIEW_ITEMS)}, grace_period=0)
    quiz.refresh_from_db()
    assert quiz_attempts_prepare(quiz_id=quiz.pk) == 2
    early_client = Client()
    early_client.force_login(early)
    early_body = early_client.post(exam["url"]).json()
    late_client = Client()
    late_client.force_login(late)

    errors: list = []
    teacher, _edited, go = paused_in_transaction(lambda: _close_now(quiz, late), errors)
    started = _start_during(teacher, late_client, exam["url"], go)
    assert not errors and started.get("status") == 201, (errors, started)
    late_body = started["body"]
    # `early` submits; then three minutes pass (every time moved back instead of waiting):
    # the quiz closed a minute ago.
    assert early_client.post(reverse("api-attempt-submit",
                                     args=[early_body["id"]])).status_code == 200
    shift = timedelta(minutes=3)
    Quiz.objects.filter(pk=quiz.pk).update(close_at=F("close_at") - shift)
    Attempt.objects.filter(quiz=quiz).update(
        started_at=F("started_at") - shift, deadline=F("deadline") - shift,
        submitted_at=F("submitted_at") - shift)
    quiz.refresh_from_db()
    assert quiz.close_at < timezone.now()

    review = early_client.get(reverse("api-attempt", args=[early_body["id"]])).json()
    keys = [q["right_answer"] for q in review["questions"] if q["right_answer"]]
    tf = next(q for q in late_body["questions"] if q["qtype"] == "true_false")
    saved = late_client.put(reverse("api-response", args=[late_body["id"], tf["slot_id"]]),
                            {"answer": {"value": True}, "sequence": 0},
                            content_type="application/json")
    late_attempt = Attempt.objects.get(pk=late_body["id"])
    assert not (keys and saved.status_code == 200), (
        f"the quiz closed {(timezone.now() - quiz.close_at).total_seconds():.0f} s ago: a "
        f"classmate's review shows {len(keys)} right answers while the student who started "
        f"during the edit still saves (status {saved.status_code}; their deadline is "
        f"{(late_attempt.deadline - timezone.now()).total_seconds():.0f} s away)")


def test_a_discard_of_the_prepared_attempts_keeps_the_one_just_claimed(exam):
    quiz, late = exam["quiz"], exam["late"]
    assert quiz_attempts_prepare(quiz_id=quiz.pk) == 2
    questions = Attempt.all_states.get(quiz=quiz, user=late).responses.count()
    errors: list = []
    result: dict = {}

    def claim():  # the student's start, paused after its UPDATE, before its commit
        result["attempt"] = attempt_prepared_claim(user=late, quiz=quiz)

    def discard():  # a teacher's edit made the prepared attempts stale
        try:
            result["deleted"] = attempts_prepared_discard(quiz_ids=[quiz.pk], rebuild=False)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    student, _claimed, go = paused_in_transaction(claim, errors)
    run_then_release(threading.Thread(target=discard), go, student)
    assert not errors, errors
    assert result["attempt"] is not None and result["deleted"] == 1  # the other student's
    kept = Attempt.objects.get(pk=result["attempt"].pk)
    assert kept.state == Attempt.State.IN_PROGRESS and kept.responses.count() == questions
