"""The exam's hand-written reads (quizzes/attempt_reads.py, config/sql_rows.py) return what the
ORM would: every field, through the same conversions (JSON, dates, decimals), on PostgreSQL and
SQLite alike."""

from datetime import timedelta

import pytest
from django.db import connection  # noqa: F401 (the skipif conditions)
from django.utils import timezone

from quizzes import attempt_reads, services
from quizzes.attempt_build import quiz_attempts_prepare
from quizzes.models import Attempt, QuizOverride, Response

from .conftest import RIGHT

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.fixture
def answered(student, quiz):
    attempt = services.attempt_start(user=student, quiz=quiz)
    q1 = attempt.responses.select_related("version__question").get(
        version__question__key="m-q1")
    services.response_save(attempt=attempt, slot_id=q1.slot_id, answer=RIGHT["m-q1"],
                           base_sequence=0)
    return attempt


def test_an_attempt_with_its_quiz_course_and_the_viewers_role(answered, student, make_user):
    expected = Attempt.objects.select_related("quiz__course").get(pk=answered.pk)
    got, role = attempt_reads.attempt_with_role(user_id=student.pk, attempt_id=answered.pk)
    assert fields(got) == fields(expected) and role == "student"
    assert fields(got.quiz) == fields(expected.quiz)
    assert fields(got.quiz.course) == fields(expected.quiz.course)
    outsider = make_user("outsider")
    assert attempt_reads.attempt_with_role(user_id=outsider.pk, attempt_id=answered.pk)[1] is None
    assert attempt_reads.attempt_with_role(user_id=student.pk, attempt_id=10**9) == (None, None)


def test_responses_with_their_versions_in_display_order(answered, student):
    expected = list(Response.objects.filter(attempt=answered).select_related("version")
                    .order_by("position"))
    got = attempt_reads.attempt_responses_with_versions(attempt_id=answered.pk)
    assert [fields(r) for r in got] == [fields(r) for r in expected]
    assert [fields(r.version) for r in got] == [fields(r.version) for r in expected]
    assert any(r.answer == RIGHT["m-q1"] and r.saved_at is not None for r in got)
    for_save, role = attempt_reads.responses_for_save(user_id=student.pk, attempt_id=answered.pk)
    assert role == "student"
    by_position = sorted(for_save, key=lambda r: r.position)
    assert [fields(r) for r in by_position] == [fields(r) for r in expected]
    assert {r.attempt.pk for r in for_save} == {answered.pk}
    assert fields(for_save[0].attempt.quiz) == fields(answered.quiz)


def test_a_prepared_attempt_is_not_read(quiz, student):
    quiz_attempts_prepare(quiz_id=quiz.pk)
    prepared = Attempt.prepared.get(quiz=quiz, user=student)
    assert attempt_reads.attempt_with_role(user_id=student.pk, attempt_id=prepared.pk) == (
        None, None)
    assert attempt_reads.responses_for_save(user_id=student.pk, attempt_id=prepared.pk) == (
        [], None)


def test_the_quiz_overrides_that_set_a_close(quiz, student, make_user):
    later = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    QuizOverride.objects.create(quiz=quiz, user=student, close_at=later)
    QuizOverride.objects.create(quiz=quiz, user=make_user("more-time"), time_limit=600)
    assert attempt_reads.quiz_override_closes(quiz_id=quiz.pk) == {student.pk: later}


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the fast save is PostgreSQL's")
def test_a_saves_read_of_the_shapes_leaves_out_the_versions_the_process_knows(
        answered, student, make_user, quiz):
    expected = list(Response.objects.filter(attempt=answered).select_related("version"))
    rows = attempt_reads.response_shapes(user_id=student.pk, attempt_id=answered.pk,
                                         known_versions=[])
    assert sorted(rows) == sorted(
        (r.pk, r.slot_id, r.position, r.layout, r.instance, r.version_id, r.version.qtype,
         r.version.data) for r in expected)
    known = [expected[0].version_id]
    rows = attempt_reads.response_shapes(user_id=student.pk, attempt_id=answered.pk,
                                         known_versions=known)
    assert {row[5]: row[7] is None for row in rows} == {
        r.version_id: r.version_id in known for r in expected}
    # Only the owner's started attempt is read.
    assert attempt_reads.response_shapes(user_id=make_user("other").pk, attempt_id=answered.pk,
                                         known_versions=[]) == []
    quiz_attempts_prepare(quiz_id=quiz.pk)
    prepared = Attempt.prepared.filter(quiz=quiz).first()
    assert prepared is not None
    assert attempt_reads.response_shapes(user_id=prepared.user_id, attempt_id=prepared.pk,
                                         known_versions=[]) == []
