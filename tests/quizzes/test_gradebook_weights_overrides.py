"""Quiz weights in the gradebook's average, and a teacher's grade override with its reason and
history, over HTTP: what the teacher sees (with a marker), what the student sees (only when the
quiz's marks are shown), the CSV and the API."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from quizzes.models import REVIEW_ITEMS, GradeOverride, Quiz

from .test_attempt_lifecycle import post_settings
from .test_gradebook import _csv_rows, graded  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_rows(user) -> tuple[dict, dict]:
    api = APIClient()
    api.force_authenticate(user)
    body = api.get(reverse("api-grades", args=["mini"])).json()
    return body, {r["username"]: r for r in body["rows"]}


def override(client, quiz: Quiz, username: str, grade: str, reason: str):
    return client.post(reverse("quizzes:grade-override", args=["mini"]), {
        "grade-quiz": quiz.slug, "grade-username": username, "grade-grade": grade,
        "grade-reason": reason}, follow=True)


def errors(page) -> list[str]:
    return re.findall(r'<li class="message-error">(.*?)</li>', page.content.decode(), re.S)


def test_the_average_is_weighted_by_each_quizs_weight(graded):  # noqa: F811
    teacher, ana, _ben, (a, b, _c, d) = graded
    teaching = client_for(teacher)
    # qa (66.7 %) counts three times, qd (0 %) not at all; qb (16.7 %) once.
    post_settings(teaching, a, weight="3")
    post_settings(teaching, d, weight="0")
    body, rows = api_rows(teacher)
    weights = dict(zip(body["quizzes"], body["weights"], strict=True))
    assert weights["qa"] == 3 and weights["qd"] == 0 and weights["qb"] == 1
    expected = (3 * 200 / 3 + 100 / 6) / 4
    assert rows["ana"]["total"] == pytest.approx(expected)
    assert rows["ana"]["counted"] == 2
    page = teaching.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    assert "(×3)" in page and "(×0)" in page
    assert f"{expected:.1f}" in page
    csv_rows = _csv_rows(teaching)
    header, weight_row = csv_rows[0], csv_rows[1]
    assert weight_row[0] == "#weight"
    assert dict(zip(header, weight_row, strict=True))["qa"] == "3"
    ana_row = dict(zip(header, next(r for r in csv_rows if r[0] == "ana"), strict=True))
    assert ana_row["average_of_graded_quizzes"] == f"{expected:.1f}"
    # The student's own page uses the same weights.
    mine = client_for(ana).get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    assert f"{expected:.1f}" in mine


def test_a_weight_out_of_bounds_is_refused_and_stores_nothing(graded):  # noqa: F811
    teacher, _ana, _ben, (a, *_rest) = graded
    teaching = client_for(teacher)
    a.refresh_from_db()
    from quizzes.forms import QuizSettingsForm

    data = {k: v for k, v in QuizSettingsForm.initial_for(a).items()
            if v is not None and k not in ("open_at", "close_at", "shuffle_questions")}
    data["shuffle_choices"] = "on"
    data["weight"] = "5000"
    response = teaching.post(reverse("bank:quiz-settings", args=["mini", a.slug]), data)
    assert response.status_code == 400 and "1000" in response.content.decode()
    a.refresh_from_db()
    assert a.weight == 1


def test_a_grade_override_replaces_the_grade_with_a_marker_and_keeps_its_history(
        graded):  # noqa: F811
    teacher, ana, _ben, (a, b, c, d) = graded
    teaching = client_for(teacher)
    page = override(teaching, b, "ana", "90", "Question 4 was ambiguous")
    assert not errors(page)
    body, rows = api_rows(teacher)
    grades = dict(zip(body["quizzes"], rows["ana"]["grades"], strict=True))
    flags = dict(zip(body["quizzes"], rows["ana"]["overridden"], strict=True))
    assert grades["qb"] == 90 and flags["qb"] and not flags["qa"]
    assert rows["ana"]["total"] == pytest.approx((200 / 3 + 90 + 0) / 3)
    html = teaching.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    assert "Question 4 was ambiguous" in html and "grade-overridden" in html
    # A quiz not attempted can be given a grade too (counted in the average).
    override(teaching, c, "ana", "50", "Excused; graded on the make-up essay")
    _body, rows = api_rows(teacher)
    assert rows["ana"]["counted"] == 4
    # Changing and then removing it keeps every row; the computed grade comes back.
    override(teaching, b, "ana", "85", "Recounted")
    override(teaching, b, "ana", "", "Applied by mistake")
    assert list(GradeOverride.objects.filter(quiz=b).order_by("at", "pk")
                .values_list("grade", "reason", "by__username")) == [
        (90, "Question 4 was ambiguous", teacher.username),
        (85, "Recounted", teacher.username), (None, "Applied by mistake", teacher.username)]
    body, rows = api_rows(teacher)
    grades = dict(zip(body["quizzes"], rows["ana"]["grades"], strict=True))
    assert grades["qb"] == pytest.approx(100 / 6)
    html = teaching.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    for reason in ("Question 4 was ambiguous", "Recounted", "Applied by mistake"):
        assert reason in html
    csv_rows = _csv_rows(teaching)
    ana_row = dict(zip(csv_rows[0], next(r for r in csv_rows if r[0] == "ana"), strict=True))
    assert ana_row["overridden_quizzes"] == "qc" and ana_row["qc"] == "50.0"


def test_the_student_sees_an_override_only_when_the_quizs_marks_are_shown(
        graded):  # noqa: F811
    teacher, ana, _ben, (a, b, c, d) = graded
    teaching = client_for(teacher)
    # Marks only after the close, and the quiz closes tomorrow.
    Quiz.objects.filter(pk=b.pk).update(
        review_policy={"during": [], "immediately": ["attempt"], "open": ["attempt"],
                       "closed": list(REVIEW_ITEMS)},
        close_at=timezone.now() + timezone.timedelta(days=1))
    override(teaching, b, "ana", "90", "Regraded by hand")
    student = client_for(ana)
    _body, rows = api_rows(ana)
    states = dict(zip(_body["quizzes"], rows["ana"]["states"], strict=True))
    grades = dict(zip(_body["quizzes"], rows["ana"]["grades"], strict=True))
    assert states["qb"] == "hidden" and grades["qb"] is None
    page = student.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    assert "90.0" not in page and "Regraded by hand" not in page
    detail = student.get(reverse("quizzes:quiz", args=["mini", b.slug])).content.decode()
    assert "90.0" not in detail
    header, _weights, own = _csv_rows(student)
    cells = dict(zip(header, own, strict=True))
    assert cells["qb"] != "90.0" and cells["overridden_quizzes"] == ""
    # Once the quiz is closed (and its grace over), the student sees it, marked, without the
    # teachers' reason.
    Quiz.objects.filter(pk=b.pk).update(close_at=timezone.now() - timezone.timedelta(hours=1))
    _body, rows = api_rows(ana)
    grades = dict(zip(_body["quizzes"], rows["ana"]["grades"], strict=True))
    assert grades["qb"] == 90
    page = student.get(reverse("quizzes:gradebook", args=["mini"])).content.decode()
    assert "90.0%" in page and "grade-overridden" in page and "Regraded by hand" not in page
    detail = student.get(reverse("quizzes:quiz", args=["mini", b.slug])).content.decode()
    assert "90.0%" in detail


def test_bad_grade_overrides_are_refused_with_a_message_and_store_nothing(
        graded, make_user):  # noqa: F811
    teacher, ana, _ben, (a, b, c, d) = graded
    teaching = client_for(teacher)
    assert any("100" in m for m in errors(override(teaching, b, "ana", "101", "why")))
    assert any("100" in m for m in errors(override(teaching, b, "ana", "abc", "why")))
    assert errors(override(teaching, b, "ana", "80", "   "))
    assert any("nobody" in m for m in errors(override(teaching, b, "nobody", "80", "why")))
    assert errors(override(teaching, b, "ana", "", "nothing to remove"))
    assert not GradeOverride.objects.exists()
    # A student may not set their own.
    response = client_for(ana).post(reverse("quizzes:grade-override", args=["mini"]), {
        "grade-quiz": b.slug, "grade-username": "ana", "grade-grade": "100",
        "grade-reason": "please"})
    assert response.status_code == 403 and not GradeOverride.objects.exists()
