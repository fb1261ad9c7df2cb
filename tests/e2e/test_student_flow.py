"""A student's main path: the home page shows what is due and where to continue; in a quiz
shown one question per page, the navigator, the flag for later and previous/next work together
with autosave, and all of it survives a reload."""

import re

import pytest

pytestmark = pytest.mark.e2e


def test_home_due_quiz_navigator_flag_and_one_question_per_page(page_for, accounts, course):
    from quizzes.models import Quiz, Response

    Quiz.objects.filter(course=course, slug="week06-quiz").update(questions_per_page=1)
    page = page_for("student", "student-pass")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto("/")
    assert page.locator(".card.continue a[href*='/lessons/']").count() == 1
    due = page.locator("table.due-list")
    due.locator("a[href$='/quizzes/week06-quiz/']").click()
    page.click("button:has-text('퀴즈 시작')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    attempt_url = page.url
    assert page.locator("section.question").count() == 1
    assert page.locator(".quiz-nav .nav-item").count() > 1
    assert page.locator("#nav-q1").get_attribute("aria-current") == "page"

    # Answer (autosaved) and flag question 1: the navigator follows both.
    question = page.locator("section.question")
    question.locator("input[type=radio]").first.check()
    question.locator(".save-status:has-text('저장')").wait_for()
    page.locator("#nav-q1.answered").wait_for()
    page.locator(".flag-toggle").click()
    page.locator(".flag-toggle[aria-pressed=true]").wait_for()
    page.locator("#nav-q1.flagged").wait_for()
    first = Response.objects.get(attempt__user=accounts["student"], position=1)
    assert first.flagged and first.answer is not None and first.sequence == 1

    # Next page, then back through the navigator: answer and flag are still there.
    page.click(".page-nav button[value='2']")
    page.wait_for_url(re.compile(r"\?page=2"))
    assert page.locator("section#q2").count() == 1
    page.locator("#nav-q1").click()
    page.wait_for_url(re.compile(r"\?page=1"))
    assert page.locator("section#q1 input[type=radio]:checked").count() == 1
    assert page.locator(".flag-toggle").get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.locator("#nav-q1.answered.flagged").count() == 1

    # Home: the attempt is what to continue now.
    page.goto("/")
    assert page.locator(".card.continue a").first.get_attribute("href") in attempt_url
    assert not [e for e in errors if "Content Security Policy" in e], errors
