"""An instructor in a real browser: enrols students from a pasted list (a wrong line refused and
named, then the corrected list imported), gives one student more time on a quiz, and overrides
a grade with a reason that the gradebook marks. The pages have no serious accessibility
problem."""

import pytest

from .conftest import shot
from .test_accessibility import axe_violations

pytestmark = pytest.mark.e2e


def test_instructor_enrols_students_and_adjusts_time_and_grades(page_for, accounts, course):
    from courses.models import Enrollment
    from quizzes.models import GradeOverride, Quiz, QuizOverride

    page = page_for("instructor", "instructor-pass", bypass_csp=True)
    page.goto(f"/courses/{course.slug}/")
    page.click(f"a[href='/courses/{course.slug}/participants/']")
    page.wait_for_url(f"**/courses/{course.slug}/participants/")
    assert axe_violations(page) == []

    page.fill("#roster-text", "kim01,김민지,kim01@example.org,student\n"
                              "lee 02,이서준,lee02@example.org,student\n")
    page.click("form[action$='/participants/import/'] button[type=submit]")
    errors = page.locator("#roster-errors")
    errors.wait_for()
    assert "lee 02" in errors.inner_text()
    assert not Enrollment.objects.filter(course=course, user__username="kim01").exists()
    # The pasted text is still there: fix the wrong line and import again.
    page.fill("#roster-text", page.input_value("#roster-text").replace("lee 02", "lee02"))
    page.click("form[action$='/participants/import/'] button[type=submit]")
    page.locator(".message-success").wait_for()
    assert set(Enrollment.objects.filter(course=course, user__username__in=["kim01", "lee02"])
               .values_list("role", flat=True)) == {"student"}
    assert page.locator("th[scope=row]:has-text('kim01')").count() == 1
    shot(page, "participants")
    assert axe_violations(page) == []

    quiz = Quiz.objects.filter(course=course).exclude(kind=Quiz.Kind.PRACTICE).first()
    page.goto(f"/courses/{course.slug}/quizzes/{quiz.slug}/results/")
    page.fill("#id_override-username", "kim01")
    page.fill("#id_override-time_limit_minutes", "90")
    page.click("form[action$='/overrides/'] button[type=submit]")
    page.locator(".message-success").wait_for()
    assert QuizOverride.objects.get(quiz=quiz, user__username="kim01").time_limit == 90 * 60
    assert axe_violations(page) == []

    page.goto(f"/courses/{course.slug}/grades/")
    page.select_option("#id_grade-quiz", quiz.slug)
    page.fill("#id_grade-username", "kim01")
    page.fill("#id_grade-grade", "75")
    page.fill("#id_grade-reason", "결석 사유 인정: 보충 과제로 평가")
    page.click("form[action$='/grades/override/'] button[type=submit]")
    page.locator(".message-success").wait_for()
    assert GradeOverride.objects.get(quiz=quiz, user__username="kim01").grade == 75
    row = page.locator("tr:has(th:has-text('kim01'))")
    assert "75.0" in row.inner_text() and row.locator(".grade-overridden").count() == 1
    assert "결석 사유 인정" in page.locator("#overrides-heading + p + form + div").inner_text()
    assert axe_violations(page) == []
