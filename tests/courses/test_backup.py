"""A whole course backed up to one file and restored into an empty database."""

import pytest
from django.contrib.auth import get_user_model
from django.core import serializers

from config.errors import ApplicationError
from courses.backup import ExactJSONEncoder, _course_objects, course_backup, course_restore
from courses.models import Course, LessonProgress
from quizzes import services
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db


def snapshot(course) -> list:
    """Every row of the course as the backup writes it (times to the microsecond)."""
    import json

    rows = json.loads(serializers.serialize("json", _course_objects(course),
                                            cls=ExactJSONEncoder))
    return sorted(rows, key=lambda row: (row["model"], str(row["pk"])))


@pytest.mark.django_db(transaction=True)  # flush needs a real, committed database
def test_backup_then_restore_into_an_empty_database_gives_the_same_course(
        mini_course, make_user, enrol):
    student = make_user("s1")
    enrol(student, mini_course, "student")
    LessonProgress.objects.create(user=student, lesson=mini_course.lessons.first())
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    attempt = services.attempt_start(user=student, quiz=quiz)
    first = attempt.responses.first()
    services.response_save(attempt=attempt, slot_id=first.slot_id, answer=None, base_sequence=0)
    attempt = services.attempt_submit(attempt=attempt)
    services.dispute_create(user=student, response=attempt.responses.first(), comment="이의")
    teacher = make_user("t1")
    enrol(teacher, mini_course, "instructor")
    services.quiz_override_set(quiz=quiz, user=student, attempts_allowed=5)
    services.grade_override_set(quiz=quiz, user=student, grade="88.5", reason="재채점",
                                by=teacher)
    before = snapshot(mini_course)
    assert {row["model"] for row in before} >= {"quizzes.quizoverride", "quizzes.gradeoverride"}
    archive = course_backup(course=mini_course)

    # An empty database: every table emptied.
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert not Course.objects.exists() and not get_user_model().objects.exists()

    manifest = course_restore(archive=archive)
    assert manifest["course"] == "mini"
    restored = Course.objects.get(slug="mini")
    assert snapshot(restored) == before
    # The restored database keeps working: a new attempt gets a fresh id.
    again = services.attempt_start(user=get_user_model().objects.get(username="s1"), quiz=Quiz
                                   .objects.get(slug="week01-quiz"))
    assert again.number == 2


def test_restore_refuses_an_existing_course_and_a_broken_file(mini_course):
    archive = course_backup(course=mini_course)
    with pytest.raises(ApplicationError) as caught:
        course_restore(archive=archive)
    assert caught.value.code == "course_exists"
    with pytest.raises(ApplicationError) as caught:
        course_restore(archive=b"not a zip")
    assert caught.value.code == "invalid_backup"
