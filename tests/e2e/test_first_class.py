"""A fresh installation, first class, in a real browser: the student reads a lesson, makes a
face in the week-9 lab, takes the week-9 quiz (spot the fake shows its images, a flag, the
navigator), submits and reviews; the instructor enrols a student from a pasted list, gives
extra time, fixes a key from the results page and regrades, and reads every item's row."""

import re

import pytest

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_first_class_student_then_instructor(page_for, accounts, course, celery_worker_process):
    from django.core.cache import cache

    from quizzes.models import Quiz, QuizOverride, RegradeLog

    cache.clear()  # no refill request of an earlier test holds this one back
    page = page_for("student", "student-pass")
    page.goto("/")
    shot(page, "first-class-home")
    page.goto(f"/courses/{course.slug}/")
    page.locator("a[href*='/lessons/']").first.click()
    page.locator(".lesson-body").wait_for()
    shot(page, "first-class-lesson")

    page.goto(f"/courses/{course.slug}/lessons/celebrity-face-lab/")
    widget = page.locator("section.demo-widget-live").first
    seed = widget.locator("input[name=seed]")
    if seed.count():
        seed.fill("")
    widget.locator("button.primary").first.click()
    widget.locator(".demo-result img").first.wait_for(timeout=120_000)
    widget.scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('.demo-result img')]"
                           ".every(img => img.complete && img.naturalWidth > 0)")
    shot(page, "first-class-face")

    page.goto(f"/courses/{course.slug}/quizzes/week09-quiz/")
    page.click("button:has-text('퀴즈 시작')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    # The starting request asked the worker to fill the pool; the item shows it when ready.
    page.locator(".qtype-spot-the-fake img").first.wait_for(timeout=120_000)
    assert page.locator(".qtype-spot-the-fake img").count() == 6
    page.locator("section.question").first.locator("input[type=radio]").first.check()
    page.locator("#nav-q1.answered").wait_for()
    page.locator(".flag-toggle").first.click()
    page.locator("#nav-q1.flagged").wait_for()
    spot = page.locator(".qtype-spot-the-fake").locator("xpath=ancestor::section").first
    spot_id = spot.get_attribute("id")
    page.locator(f"#nav-{spot_id}").click()
    spot.locator("input[type=checkbox]").first.check()
    spot.locator(".save-status:has-text('저장')").wait_for()
    shot(page, "first-class-spot-the-fake")
    page.click("button:has-text('시도 종료')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('모두 제출하고 종료')")
    page.wait_for_url(re.compile(r"/review/$"))
    assert page.locator(".qtype-spot-the-fake.is-review li").count() == 6
    shot(page, "first-class-review")

    teacher = page_for("instructor", "instructor-pass")
    teacher.goto(f"/courses/{course.slug}/participants/")
    teacher.fill("#roster-text", "kim01,김민지,kim01@example.org,student\n")
    teacher.click("form[action$='/participants/import/'] button[type=submit]")
    teacher.locator(".message-success").wait_for()
    assert teacher.locator("th[scope=row]:has-text('kim01')").count() == 1
    shot(teacher, "first-class-participants")

    quiz = Quiz.objects.get(course=course, slug="week09-quiz")
    teacher.goto(f"/courses/{course.slug}/quizzes/{quiz.slug}/results/")
    teacher.fill("#id_override-username", "kim01")
    teacher.fill("#id_override-time_limit_minutes", "90")
    teacher.click("form[action$='/overrides/'] button[type=submit]")
    teacher.locator(".message-success").wait_for()
    assert QuizOverride.objects.get(quiz=quiz, user__username="kim01").time_limit == 90 * 60

    teacher.locator("a:has-text('수정')").first.click()
    teacher.wait_for_selector("#d-choices-0-fraction")
    rows = int(teacher.locator("input[name='d-choices-rows']").input_value())
    for i in range(rows):
        teacher.select_option(f"#d-choices-{i}-fraction", "1.0" if i == 1 else "0.0")
    teacher.click("button.primary:has-text('저장')")
    teacher.wait_for_url(re.compile(r"/regrade/$"))
    assert teacher.locator("td:has-text('v1 → v2')").count() == 1
    shot(teacher, "first-class-regrade")
    teacher.fill("#reason", "보기 2가 정답")
    teacher.click("button:has-text('재채점 확정')")
    teacher.wait_for_url(re.compile(r"/results/$"))
    teacher.wait_for_selector("text=재채점했습니다")
    assert RegradeLog.objects.filter(quiz=quiz).count() == 1
    # One statistics row per item, every type included (spot the fake too).
    items = teacher.locator("table:has(th:has-text('변별도')) tbody tr")
    assert items.count() == quiz.slots.count()
    teacher.locator("svg.chart").first.scroll_into_view_if_needed()
    shot(teacher, "first-class-statistics")
