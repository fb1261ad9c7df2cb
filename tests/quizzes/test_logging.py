"""The writes people later ask about leave a log record saying who did what: regrades (how many
attempts changed), question and course-pack imports (what, the counts, or why refused) and
grade overrides (whose grade, from what to what, and why)."""

from __future__ import annotations

import logging

import pytest

from config.errors import ApplicationError
from courses.pack import PackError
from courses.services import course_pack_load
from quizzes import interchange, services
from quizzes.models import Quiz, Slot

pytestmark = pytest.mark.django_db

GIFT = b"::q1:: 2 + 2 = {=4 ~3 ~5}\n\n::q2:: The sky is blue. {T}\n"


def _records(caplog, logger: str, level=logging.INFO) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger and r.levelno == level]


@pytest.fixture
def people(make_user, mini_course, enrol):
    teacher = make_user("teach")
    enrol(teacher, mini_course, "instructor")
    students = [make_user(name) for name in ("s1", "s2", "s3")]
    for student in students:
        enrol(student, mini_course, "student")
    return teacher, students


def test_a_regrade_logs_who_which_quiz_and_how_many_attempts_changed(caplog, mini_course,
                                                                      people):
    teacher, students = people
    category = services.category_get_or_create_path(course=mini_course, path=("Log",))
    question = services.question_create(
        course=mini_course, category=category, name="k", key="k", qtype="single_choice",
        stem="?", data={"choices": [{"text": "a", "fraction": 1}, {"text": "b", "fraction": 0}],
                        "shuffle": False})
    quiz = Quiz.objects.create(course=mini_course, slug="logged", title="Logged")
    Slot.objects.create(quiz=quiz, position=1, question=question)
    for student, pick in zip(students, "abb", strict=True):
        attempt = services.attempt_start(user=student, quiz=quiz)
        response = attempt.responses.get()
        services.response_save(attempt=attempt, slot_id=response.slot_id,
                               answer={"choice": pick}, base_sequence=0)
        services.attempt_submit(attempt=attempt)
    # The key was wrong: "b" is right. Two attempts gain, one loses: all three scores change.
    services.question_version_create(question=question, stem="?", user=teacher, data={
        "choices": [{"text": "a", "fraction": 0}, {"text": "b", "fraction": 1}],
        "shuffle": False})
    caplog.set_level(logging.INFO, logger="quizzes.services")
    services.regrade_commit(quiz=quiz, question=question, user=teacher, reason="wrong key")
    [record] = _records(caplog, "quizzes.services")
    assert record.startswith("regrade: by=teach quiz=mini/logged")
    assert "attempts_regraded=3 scores_changed=3 open_attempts_moved=0 skipped=0" in record
    assert "reason='wrong key'" in record


def test_a_grade_override_logs_who_whose_grade_old_to_new_and_why(caplog, mini_course,
                                                                   people):
    teacher, (student, *_) = people
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    caplog.set_level(logging.INFO, logger="quizzes.services")
    services.grade_override_set(quiz=quiz, user=student, grade="80", reason="late medical note",
                                by=teacher)
    services.grade_override_set(quiz=quiz, user=student, grade="95", reason="re-marked essay",
                                by=teacher)
    first, second = _records(caplog, "quizzes.services")
    assert first == ("grade override: by=teach student=s1 quiz=mini/week01-quiz "
                     "old=computed new=80.00 reason='late medical note'")
    assert "old=80.00 new=95.00 reason='re-marked essay'" in second


def test_a_question_import_logs_who_what_and_the_counts(caplog, mini_course, people):
    teacher, _ = people
    caplog.set_level(logging.INFO, logger="quizzes.interchange")
    interchange.questions_import(course=mini_course, content=GIFT, fmt="gift",
                                 filename="week9.gift", user=teacher)
    [record] = _records(caplog, "quizzes.interchange")
    assert record.startswith("question import: by=teach course=mini file='week9.gift' "
                             "format=gift created=2 updated=0 unchanged=0 skipped=0")


def test_a_refused_question_import_logs_the_reason(caplog, mini_course, people):
    teacher, _ = people
    caplog.set_level(logging.INFO, logger="quizzes.interchange")
    with pytest.raises(ApplicationError):
        interchange.questions_import(course=mini_course, content=b"::q:: 2 + 2 = {=4 ~3",
                                     fmt="gift", filename="broken.gift", user=teacher)
    [record] = _records(caplog, "quizzes.interchange", logging.WARNING)
    assert record.startswith("question import refused: by=teach course=mini "
                             "file='broken.gift'")
    assert "code=invalid_file" in record


def test_a_course_pack_load_logs_the_counts_or_the_reason(caplog, mini_pack, make_user):
    caplog.set_level(logging.INFO, logger="courses.services")
    course_pack_load(path=mini_pack, by=make_user("admin", is_staff=True))
    [record] = _records(caplog, "courses.services")
    assert record.startswith("course pack load: by=admin path=")
    assert "course=mini created=" in record
    (mini_pack / "course.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(PackError):
        course_pack_load(path=mini_pack)
    [refused] = _records(caplog, "courses.services", logging.WARNING)
    assert refused.startswith("course pack refused: by=- path=")
