"""The gradebook: a defined average, "not attempted" apart from 0, a student's own page, and a
CSV that a spreadsheet opens without running anything."""

import csv
import io
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes import services
from quizzes.models import Category, Quiz, Slot

from .conftest import RIGHT, WRONG, answer_all

pytestmark = pytest.mark.django_db


def _quiz(course, slug: str, items: int) -> Quiz:
    """A quiz of `items` single-choice questions whose key is the first choice."""
    category = services.category_get_or_create_path(course=course, path=("Gradebook",))
    quiz = Quiz.objects.create(course=course, slug=slug, title=slug.upper(), week=9,
                               shuffle_choices=False)
    for i in range(items):
        question = services.question_create(
            course=course, category=category, name=f"{slug}-{i}", key=f"{slug}-{i}",
            qtype="single_choice", stem=f"{slug} {i}?",
            data={"choices": [{"text": "right", "fraction": 1}, {"text": "wrong", "fraction": 0}],
                  "shuffle": False})
        Slot.objects.create(quiz=quiz, position=i + 1, question=question)
    return quiz


def _take(user, quiz: Quiz, right: int) -> None:
    attempt = services.attempt_start(user=user, quiz=quiz)
    for n, response in enumerate(attempt.responses.order_by("position")):
        services.response_save(attempt=attempt, slot_id=response.slot_id,
                               answer={"choice": "right" if n < right else "wrong"}, base_sequence=0)
    services.attempt_submit(attempt=attempt)


def _csv_rows(client, course_slug="mini") -> list[list[str]]:
    text = client.get(reverse("quizzes:gradebook", args=[course_slug]) + "?format=csv"
                      ).content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def graded(mini_course, make_user, enrol):
    """Ana: 2 of 3 (66.7 %), C not attempted, 1 of 6 (16.7 %), 0 of 2 (0 %). Ben: nothing."""
    teacher = make_user("teacher")
    enrol(teacher, mini_course, "instructor")
    ana = make_user("ana")
    ana.first_name, ana.last_name = "Ana", "Kim"
    ana.save()
    enrol(ana, mini_course, "student")
    ben = make_user("ben")
    enrol(ben, mini_course, "student")
    a, b, c, d = (_quiz(mini_course, "qa", 3), _quiz(mini_course, "qb", 6),
                  _quiz(mini_course, "qc", 2), _quiz(mini_course, "qd", 2))
    _take(ana, a, 2)
    _take(ana, b, 1)
    _take(ana, d, 0)
    return teacher, ana, ben, (a, b, c, d)


def test_the_average_leaves_out_quizzes_not_attempted_but_counts_a_zero(client, graded):
    teacher, ana, ben, quizzes = graded
    api = APIClient()
    api.force_authenticate(teacher)
    body = api.get(reverse("api-grades", args=["mini"])).json()
    rows = {r["username"]: r for r in body["rows"]}
    # Mean of 66.7, 16.7 and 0: the two mini-pack quizzes and qc were not attempted.
    assert rows["ana"]["total"] == pytest.approx((200 / 3 + 100 / 6 + 0) / 3)
    assert rows["ana"]["counted"] == 3
    states = dict(zip(body["quizzes"], rows["ana"]["states"], strict=True))
    grades = dict(zip(body["quizzes"], rows["ana"]["grades"], strict=True))
    assert states["qc"] == "not_attempted" and grades["qc"] is None
    assert states["qd"] == "graded" and grades["qd"] == 0
    assert rows["ben"]["total"] is None and rows["ben"]["counted"] == 0
    assert set(rows["ben"]["states"]) == {"not_attempted"}

    client.force_login(teacher)
    page = client.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    assert "27.8" in page  # the average, not 83.4 / 6 = 13.9
    csv_rows = _csv_rows(client)
    header, ana_row = csv_rows[0], next(r for r in csv_rows if r[0] == "ana")
    cells = dict(zip(header, ana_row, strict=True))
    assert cells["qa"] == "66.7" and cells["qd"] == "0.0" and cells["qc"] not in ("", "0.0")
    assert cells["average_of_graded_quizzes"] == "27.8" and cells["graded_quizzes"] == "3"


def test_the_csv_name_column_has_the_full_name_or_the_username(client, graded):
    teacher, *_ = graded
    client.force_login(teacher)
    names = {row[0]: row[1] for row in _csv_rows(client)[2:]}
    assert names == {"ana": "Ana Kim", "ben": "ben"}


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(client, graded, make_user,
                                                                mini_course, enrol):
    teacher, *_ = graded
    for username, first in (("=HYPERLINK(\"http://x\")", ""), ("plain", "+SUM(1)"),
                            ("at", "@cmd"), ("minus", "-2+3"), ("\ttab", "")):
        user = make_user(username)
        user.first_name = first
        user.save()
        enrol(user, mini_course, "student")
    client.force_login(teacher)
    rows = _csv_rows(client)
    cells = [cell for row in rows for cell in row[:2]]
    for cell in cells:
        assert not re.match(r"[=+\-@\t\r]", cell), cell
    assert "'=HYPERLINK(\"http://x\")" in cells and "'+SUM(1)" in cells and "'@cmd" in cells
    assert "'-2+3" in cells and "'\ttab" in cells


def test_a_student_sees_only_their_own_grades_page(client, graded):
    _, ana, ben, quizzes = graded
    client.force_login(ana)
    page = client.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    # One row per graded quiz (its link; practice quizzes count for nothing), no student
    # column, no one else's name.
    rows = re.findall(r'<th scope="row"><a href="([^"]*)"', page)
    assert rows == [reverse("quizzes:quiz", args=["mini", q.slug])
                    for q in Quiz.objects.filter(course=quizzes[0].course)
                    .exclude(kind=Quiz.Kind.PRACTICE).order_by("week", "slug")]
    assert ">ben<" not in page and "(ben)" not in page
    assert "66.7%" in page and "27.8" in page
    api = APIClient()
    api.force_authenticate(ana)
    assert [r["username"] for r in api.get(reverse("api-grades", args=["mini"])).json()["rows"]
            ] == ["ana"]
    assert [row[0] for row in _csv_rows(client)[2:]] == ["ana"]


def _add_essay(quiz: Quiz) -> None:
    """An essay question (graded by a person) as the quiz's last slot, before any attempt."""
    category = Category.objects.filter(course=quiz.course).first()
    essay = services.question_create(
        course=quiz.course, category=category, name="essay", qtype="essay", key="m-essay",
        stem="Explain GANs in your own words.", data={"response_format": "plain"})
    last = quiz.slots.order_by("-position").first().position
    Slot.objects.create(quiz=quiz, position=last + 1, question=essay, mark=1)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.mark.parametrize("method", [Quiz.GradingMethod.FIRST, Quiz.GradingMethod.LAST,
                                    Quiz.GradingMethod.AVERAGE])
def test_an_attempt_the_method_counts_awaiting_grading_leaves_the_grade_awaiting(
        student, teacher, quiz, method):
    """Grading method "first" (or "last", "average") with an essay in the quiz: a student who
    writes the essay only in the attempt they want not to count (it then awaits a human
    grader) does not get the good attempt's mark alone as the quiz grade, for themselves or
    in the teacher's gradebook: the grade awaits, as Moodle's does for the first and last."""
    Quiz.objects.filter(pk=quiz.pk).update(grading_method=method, close_at=None)
    quiz.refresh_from_db()
    _add_essay(quiz)
    bad_first = method == Quiz.GradingMethod.FIRST

    def sit(answers, essay: bool):
        attempt = services.attempt_start(user=student, quiz=quiz)
        answer_all(attempt, {**answers, **({"m-essay": {"text": "GANs"}} if essay else {})})
        return services.attempt_submit(attempt=attempt)

    # FIRST: the first attempt is the bad one (essay written); LAST / AVERAGE: the last one.
    if bad_first:
        bad = sit(WRONG, essay=True)
        good = sit(RIGHT, essay=False)
    else:
        good = sit(RIGHT, essay=False)
        bad = sit(WRONG, essay=True)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.score is None  # awaiting a human grader
    assert good.percent == pytest.approx(7 / 8 * 100)

    body = _api(student).get(reverse("api-quiz", args=["mini", quiz.slug])).json()
    teacher_rows = _api(teacher).get(reverse("api-grades", args=["mini"])).json()
    position = teacher_rows["quizzes"].index(quiz.slug)
    [row] = [r for r in teacher_rows["rows"] if r["username"] == student.username]
    # The attempt the method picks (first / last), or one the average needs, awaits grading:
    # the quiz grade cannot be the good attempt's mark alone.
    assert (body["grade_status"], body["grade"]) == ("awaiting", None), body
    assert (row["states"][position], row["grades"][position]) == ("awaiting", None), row
