"""A real worker builds the attempts when a quiz is set to open, and again after an edit."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from quizzes import services
from quizzes.models import Attempt, Question, Quiz

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not build the attempts in time"
        time.sleep(0.3)


def test_setting_an_opening_and_editing_a_question_have_the_worker_build_attempts(
        celery_worker_process, mini_course, make_user, enrol):
    students = [make_user(f"w{i}") for i in range(3)]
    for student in students:
        enrol(student, mini_course, "student")
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    quiz.open_at = timezone.now() + timedelta(seconds=2)
    quiz.save(update_fields=["open_at"])  # the settings page's save: the worker is asked
    wait_for(lambda: Attempt.prepared.filter(quiz=quiz).count() == 3)
    first = set(Attempt.prepared.filter(quiz=quiz).values_list("pk", flat=True))
    assert not Attempt.objects.filter(quiz=quiz).exists()

    question = Question.objects.get(key="m-q1")
    services.question_version_create(question=question, stem="고친 문제",
                                     data=dict(question.latest_version().data))
    # Discarded at once, then built again by the worker with the new version.
    wait_for(lambda: Attempt.prepared.filter(quiz=quiz).count() == 3
             and not first & set(Attempt.prepared.filter(quiz=quiz).values_list("pk", flat=True)))
    for attempt in Attempt.prepared.filter(quiz=quiz):
        assert attempt.responses.filter(version__stem="고친 문제").exists()

    waiting = Attempt.prepared.get(quiz=quiz, user=students[0]).pk
    time.sleep(max(0.0, (quiz.open_at - timezone.now()).total_seconds()))
    started = services.attempt_start(user=students[0], quiz=quiz)
    assert started.pk == waiting and started.state == Attempt.State.IN_PROGRESS
    assert started.responses.filter(version__stem="고친 문제").exists()
