"""Attempts built ahead of the opening: the start only stamps the time; nothing else sees them.

quizzes/attempt_build.py: the worker prepares one attempt per student; the start claims it in
one UPDATE (rules and deadline in SQL), or builds one in the request when none is prepared; an
edit, or a review that reveals a pool image, discards what went stale.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection  # noqa: F401 - read by the skipif condition
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from config.errors import ApplicationError
from quizzes import authoring, services
from quizzes.attempt_build import (
    attempt_prepared_claim,
    prepared_discard_showing,
    quiz_attempts_prepare,
)
from quizzes.models import Attempt, Question, Quiz, QuizOverride, Response

from .test_spot_pool_reveals import fill_pool, spot_quiz

pytestmark = pytest.mark.django_db


def prepared(quiz, user=None):
    attempts = Attempt.prepared.filter(quiz=quiz)
    return attempts.filter(user=user) if user is not None else attempts


@pytest.fixture
def classmate(make_user, mini_course, enrol):
    user = make_user("classmate")
    enrol(user, mini_course, "student")
    return user


def test_the_worker_prepares_one_attempt_per_student_and_only_once(quiz, student, classmate,
                                                                  teacher):
    assert quiz_attempts_prepare(quiz_id=quiz.pk) == 2  # the students, not the teacher
    assert set(prepared(quiz).values_list("user__username", flat=True)) == {"stu", "classmate"}
    attempt = prepared(quiz, student).get()
    assert attempt.number == 0 and attempt.responses.count() == quiz.slots.count()
    assert attempt.max_score == sum(s.mark for s in quiz.slots.all())
    assert quiz_attempts_prepare(quiz_id=quiz.pk) == 0  # idempotent


def test_prepared_attempts_are_invisible_to_pages_counts_grades_and_the_api(
        client, quiz, student, teacher):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    assert Attempt.all_states.filter(quiz=quiz).count() == 1
    assert Attempt.objects.filter(quiz=quiz).count() == 0
    assert quiz.attempts.count() == 0 and student.quiz_attempts.count() == 0
    api = APIClient()
    api.force_login(student)
    detail = api.get(reverse("api-quiz", args=[quiz.course.slug, quiz.slug])).json()
    assert detail["attempts"] == []
    api.force_login(teacher)
    grades = api.get(reverse("api-grades", args=[quiz.course.slug])).json()
    row = next(r for r in grades["rows"] if r["username"] == "stu")
    column = grades["quizzes"].index(quiz.slug)
    assert row["grades"][column] is None and row["states"][column] == "not_attempted"
    # The prepared attempt's own pages and autosave are not found.
    attempt = prepared(quiz, student).get()
    client.force_login(student)
    assert client.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 404
    slot = attempt.responses.first().slot_id
    assert client.post(reverse("quizzes:autosave", args=[attempt.pk, slot]),
                       {f"s{slot}-sequence": "0"}).status_code == 404
    assert api.get(reverse("api-attempt", args=[attempt.pk])).status_code == 404
    # The teachers' results list no attempt, and their quiz list counts none.
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=[quiz.course.slug, quiz.slug]))
    assert page.status_code == 200 and list(page.context["attempts"]) == []
    page = client.get(reverse("bank:quizzes", args=[quiz.course.slug]))
    assert {q.slug: q.attempt_count for q in page.context["quizzes"]}[quiz.slug] == 0


def test_the_start_claims_the_prepared_attempt_and_stamps_time_and_deadline(quiz, student):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    built = prepared(quiz, student).get()
    layouts = dict(built.responses.values_list("slot_id", "layout"))
    now = timezone.now()
    attempt, created = services.attempt_start_or_resume(user=student, quiz=quiz, now=now)
    assert created and attempt.pk == built.pk
    assert attempt.state == Attempt.State.IN_PROGRESS and attempt.number == 1
    assert attempt.started_at == now
    assert attempt.deadline == now + timedelta(seconds=quiz.time_limit)
    assert dict(attempt.responses.values_list("slot_id", "layout")) == layouts
    assert not prepared(quiz).exists()
    # Starting again resumes it.
    assert services.attempt_start(user=student, quiz=quiz).pk == attempt.pk


@pytest.mark.parametrize("kept", [True, False], ids=["rendered-ahead", "built-without"])
def test_the_start_replies_with_the_questions_the_attempt_shows(quiz, student, kept):
    """The start's reply of a prepared attempt carries the questions rendered when it was
    built: the same as reading the attempt afterwards; once submitted, the row keeps no
    copy."""
    quiz_attempts_prepare(quiz_id=quiz.pk)
    built = prepared(quiz, student).get()
    assert len(built.prepared_questions) == quiz.slots.count()
    if not kept:  # an attempt prepared before the questions were kept: rendered at the start
        Attempt.all_states.filter(pk=built.pk).update(prepared_questions=None)
    api = APIClient()
    api.force_login(student)
    started = api.post(reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug]))
    assert started.status_code == 201 and started.json()["id"] == built.pk
    read = api.get(reverse("api-attempt", args=[built.pk]))
    assert started.json() == read.json()
    assert [q["number"] for q in started.json()["questions"]] == list(
        range(1, quiz.slots.count() + 1))
    assert api.post(reverse("api-attempt-submit", args=[built.pk])).status_code == 200
    assert Attempt.objects.get(pk=built.pk).prepared_questions is None


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="attempt_prepared_claim is PostgreSQL's one UPDATE; SQLite's start "
                    "checks the rules and then takes the prepared attempt (tested below)")
def test_the_claimed_deadline_is_the_close_when_sooner_and_follows_the_override(quiz, student):
    now = timezone.now()
    quiz.close_at = now + timedelta(minutes=5)  # sooner than the 10-minute limit
    quiz.save(update_fields=["close_at"])
    quiz_attempts_prepare(quiz_id=quiz.pk)
    attempt = attempt_prepared_claim(user=student, quiz=quiz, now=now)
    assert attempt.deadline == quiz.close_at
    services.attempt_submit(attempt=attempt)
    # The student's override: 30 minutes, closing in two hours.
    QuizOverride.objects.create(quiz=quiz, user=student, time_limit=1800,
                                close_at=now + timedelta(hours=2))
    quiz_attempts_prepare(quiz_id=quiz.pk)
    second = attempt_prepared_claim(user=student, quiz=quiz, now=now)
    assert second.number == 2 and second.deadline == now + timedelta(seconds=1800)


@pytest.mark.parametrize("change, code", [
    ({"published": False}, None),
    ({"open_at": "later"}, "quiz_not_open"),
    ({"close_at": "earlier"}, "quiz_closed"),
])
def test_a_rule_that_refuses_the_start_keeps_the_prepared_attempt(quiz, student, change, code):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    now = timezone.now()
    values = {"published": False} if "published" in change else (
        {"open_at": now + timedelta(hours=1)} if "open_at" in change
        else {"close_at": now - timedelta(minutes=1)})
    Quiz.objects.filter(pk=quiz.pk).update(**values)  # no signal: the prepared one stays
    quiz.refresh_from_db()
    assert attempt_prepared_claim(user=student, quiz=quiz, now=now) is None
    with pytest.raises(ApplicationError) as error:
        services.attempt_start(user=student, quiz=quiz, now=now)
    assert error.value.code in {code, "quiz_closed"}
    assert prepared(quiz, student).exists()
    assert not Attempt.objects.filter(quiz=quiz).exists()


def test_attempts_left_count_started_attempts_only(quiz, student):
    quiz.attempts_allowed = 1
    quiz.save(update_fields=["attempts_allowed"])
    quiz_attempts_prepare(quiz_id=quiz.pk)  # a prepared attempt is not one of the attempts
    attempt = services.attempt_start(user=student, quiz=quiz)
    services.attempt_submit(attempt=attempt)
    assert quiz_attempts_prepare(quiz_id=quiz.pk) == 0  # none left: nothing to prepare
    with pytest.raises(ApplicationError) as error:
        services.attempt_start(user=student, quiz=quiz)
    assert error.value.code == "no_attempts_left"
    # Even a prepared attempt left from before cannot be claimed past the limit.
    QuizOverride.objects.create(quiz=quiz, user=student, attempts_allowed=2)
    quiz_attempts_prepare(quiz_id=quiz.pk)
    QuizOverride.objects.filter(quiz=quiz, user=student).delete()
    assert attempt_prepared_claim(user=student, quiz=quiz) is None


def test_a_late_enrolment_is_built_in_the_request(quiz, student, make_user, enrol):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    late = make_user("late")
    enrol(late, quiz.course, "student")
    attempt, created = services.attempt_start_or_resume(user=late, quiz=quiz)
    assert created and attempt.state == Attempt.State.IN_PROGRESS and attempt.number == 1
    assert attempt.responses.count() == quiz.slots.count()
    assert prepared(quiz, student).exists()  # the others' stay prepared


def test_an_unenrolled_student_cannot_claim_a_prepared_attempt(quiz, student):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    student.enrollments.all().delete()
    assert attempt_prepared_claim(user=student, quiz=quiz) is None
    assert attempt_prepared_claim(user=student, slugs=(quiz.course.slug, quiz.slug)) is None
    # The API's start claims by the slugs before it reads the quiz: still the course's 403.
    api = APIClient()
    api.force_login(student)
    started = api.post(reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug]))
    assert started.status_code == 403
    assert prepared(quiz, student).exists()


@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="attempt_prepared_claim is PostgreSQL's one UPDATE")
def test_a_claim_by_slugs_takes_only_that_course_s_quiz(quiz, student, make_user, enrol):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    assert attempt_prepared_claim(user=student, slugs=("no-such-course", quiz.slug)) is None
    assert attempt_prepared_claim(user=student, slugs=(quiz.course.slug, "other")) is None
    assert prepared(quiz, student).exists()
    claimed = attempt_prepared_claim(user=student, slugs=(quiz.course.slug, quiz.slug))
    assert claimed is not None and claimed.quiz_id == quiz.pk and claimed.number == 1


def test_an_overdue_open_attempt_is_closed_and_the_prepared_one_started(quiz, student):
    old = services.attempt_start(user=student, quiz=quiz, now=timezone.now() - timedelta(hours=1))
    quiz_attempts_prepare(quiz_id=quiz.pk)
    attempt, created = services.attempt_start_or_resume(user=student, quiz=quiz)
    old.refresh_from_db()
    assert old.state == Attempt.State.SUBMITTED and old.auto_submitted
    assert created and attempt.number == 2 and not prepared(quiz).exists()


def test_editing_a_question_slot_or_quiz_discards_the_prepared_attempts(
        quiz, student, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("quizzes.attempt_build.quiz_attempts_prepare_send",
                        lambda *, quiz_id: sent.append(quiz_id))
    question = Question.objects.get(key="m-q1")
    quiz_attempts_prepare(quiz_id=quiz.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.question_version_create(question=question, stem="고친 문제", data=dict(
            question.latest_version().data))
    assert not prepared(quiz).exists() and sent == [quiz.pk]
    quiz_attempts_prepare(quiz_id=quiz.pk)
    assert prepared(quiz, student).get().responses.filter(version__stem="고친 문제").exists()
    # A slot's mark (the builder's own path, bulk statements included).
    with django_capture_on_commit_callbacks(execute=True):
        authoring.slot_set_mark(quiz=quiz, slot=quiz.slots.first(), mark="2")
    assert not prepared(quiz).exists()
    quiz_attempts_prepare(quiz_id=quiz.pk)
    # The quiz's own settings.
    with django_capture_on_commit_callbacks(execute=True):
        quiz.shuffle_questions = True
        quiz.save(update_fields=["shuffle_questions"])
    assert not prepared(quiz).exists()


def test_a_question_only_in_prepared_attempts_can_be_deleted(quiz, student, mini_course):
    category = services.category_get_or_create_path(course=mini_course, path=("Pool",))
    picks = [services.question_create(course=mini_course, category=category, name=f"p{i}",
                                      qtype="true_false", stem=f"S{i}", data={"correct": True})
             for i in range(2)]
    authoring.slot_add_random(quiz=quiz, category=category)
    quiz_attempts_prepare(quiz_id=quiz.pk)
    drawn = prepared(quiz, student).get().responses.get(slot__kind="random").version.question
    assert drawn in picks
    authoring.question_delete(question=drawn)  # nobody answered it: it goes
    assert not Question.objects.filter(pk=drawn.pk).exists() and not prepared(quiz).exists()


def test_a_review_that_reveals_an_image_rebuilds_the_prepared_attempts_showing_it(
        client, mini_course, student, classmate, django_capture_on_commit_callbacks):
    from tests.quizzes.test_spot_pool_reveals import fill_pool, spot_quiz

    fill_pool(2, 2)  # every graded attempt shows all four images
    practice = spot_quiz(mini_course, "practice", Quiz.Kind.PRACTICE, count=2, fakes=1)
    graded = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=4, fakes=2)
    quiz_attempts_prepare(quiz_id=graded.pk)
    # The student has no graded attempt built (theirs would hold all four images, which their
    # practice may then not show: test_spot_pool_reveals).
    prepared(graded, student).delete()
    quiz_attempts_prepare(quiz_id=practice.pk)
    waiting = prepared(graded, classmate).get()
    # The student practises and reviews: the images shown are revealed for the course.
    client.force_login(student)
    client.post(reverse("quizzes:start", args=[mini_course.slug, practice.slug]))
    attempt = Attempt.objects.get(quiz=practice, user=student)
    seen = {image["id"] for r in attempt.responses.all() for image in r.instance["images"]}
    shown_to_classmate = {image["id"] for r in waiting.responses.all()
                          for image in r.instance["images"]}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("quizzes:submit", args=[attempt.pk]), follow=True)
    assert len(shown_to_classmate) == 4 and seen < shown_to_classmate
    assert not Attempt.all_states.filter(pk=waiting.pk).exists()
    assert prepared(practice, classmate).exists()  # practice may show revealed images
    # Rebuilt from the images nobody's review showed (too few here: the item waits for more).
    assert quiz_attempts_prepare(quiz_id=graded.pk) == 2
    for attempt in prepared(graded):
        ids = {image["id"] for r in attempt.responses.all() for image in r.instance["images"]}
        assert not ids & seen


def test_discarding_by_image_finds_exactly_the_attempts_that_show_it(mini_course, student,
                                                                   classmate):
    from tests.quizzes.test_spot_pool_reveals import fill_pool, spot_quiz

    fill_pool(6, 6)
    graded = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=2, fakes=1)
    quiz_attempts_prepare(quiz_id=graded.pk)
    mine = prepared(graded, student).get()
    image = mine.responses.get().instance["images"][0]["id"]
    theirs = prepared(graded, classmate).get()
    shows = image in {i["id"] for i in theirs.responses.get().instance["images"]}
    assert prepared_discard_showing(course_id=mini_course.pk, image_ids=[image]) == 1 + shows
    assert not Attempt.all_states.filter(pk=mine.pk).exists()
    assert not Response.objects.filter(attempt_id=mine.pk).exists()


def test_the_command_prepares_a_quiz_and_says_how_many(quiz, student, classmate, capsys):
    call_command("prepare_attempts", quiz.course.slug, quiz.slug)
    assert "2 attempts prepared" in capsys.readouterr().out
    call_command("prepare_attempts", quiz.course.slug, quiz.slug, "--rebuild")
    assert "2 attempts prepared" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No quiz"):
        call_command("prepare_attempts", quiz.course.slug, "nope")


def test_the_beat_prepares_quizzes_opening_soon_or_open_and_not_the_others(mini_course,
                                                                          student):
    from quizzes.attempt_build import quiz_attempts_prepare_if_due, quizzes_to_prepare
    from tests.quizzes.test_query_budget import make_quiz

    now = timezone.now()
    settings = {"soon": {"open_at": now + timedelta(hours=20)},
                "open": {"open_at": now - timedelta(hours=1), "close_at": now + timedelta(hours=1)},
                "later": {"open_at": now + timedelta(days=5)},
                "closed": {"open_at": now - timedelta(days=2), "close_at": now - timedelta(days=1)},
                "anytime": {},
                "hidden": {"open_at": now + timedelta(hours=1), "published": False}}
    quizzes = {}
    for slug, values in settings.items():
        quizzes[slug] = make_quiz(mini_course, slug, 2)
        Quiz.objects.filter(pk=quizzes[slug].pk).update(**values)
    due = set(quizzes_to_prepare(now=now))
    assert {slug for slug, q in quizzes.items() if q.pk in due} == {"soon", "open"}
    assert quiz_attempts_prepare_if_due(quiz_id=quizzes["soon"].pk, now=now) == 1
    assert quiz_attempts_prepare_if_due(quiz_id=quizzes["anytime"].pk, now=now) == 0


def test_without_update_from_the_start_takes_the_prepared_attempt_after_the_checks(quiz,
                                                                                  student):
    """SQLite's path (`_take_prepared`, after the rules were checked one by one)."""
    from quizzes.attempt_build import _take_prepared

    quiz_attempts_prepare(quiz_id=quiz.pk)
    built = prepared(quiz, student).get()
    now = timezone.now()
    attempt = _take_prepared(quiz=quiz, user=student, number=1, now=now, deadline=None)
    assert attempt.pk == built.pk and Attempt.objects.get(pk=built.pk).started_at == now
    assert _take_prepared(quiz=quiz, user=student, number=2, now=now, deadline=None) is None


def test_an_attempt_prepared_while_the_pool_was_short_starts_with_its_images_drawn(
        mini_course, make_user, enrol):
    """Its questions are not kept from the build, which showed the item missing: the start
    draws the images as the attempt's read does, and both answer alike."""
    graded = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=4, fakes=2)
    student = make_user("early-bird")
    enrol(student, mini_course, "student")
    assert quiz_attempts_prepare(quiz_id=graded.pk) == 1  # built while the pool is empty
    fill_pool(4, 4)  # the worker fills it before the opening
    client = Client()
    client.force_login(student)
    started = client.post(reverse("api-attempt-start", args=[mini_course.slug, graded.slug]))
    assert started.status_code == 201
    item = started.json()["questions"][0]
    assert not item["view"]["unavailable"] and started.json()["max_score"] == item["max_mark"] > 0
    read = client.get(reverse("api-attempt", args=[started.json()["id"]]))
    assert started.json() == read.json()
