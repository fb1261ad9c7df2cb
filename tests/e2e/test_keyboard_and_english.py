"""The student scenario with the keyboard alone, and in English."""

import re

import pytest

pytestmark = pytest.mark.e2e


def tab_to(page, predicate_js: str, limit: int = 200) -> None:
    """Press Tab until the focused element satisfies `predicate_js` (a JS expression on el)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"):
            return
    raise AssertionError(f"never reached: {predicate_js}")


def test_student_scenario_with_the_keyboard_only(page_for, accounts):
    page = page_for("student", "student-pass")
    tab_to(page, "el.textContent.includes('생성형 인공지능 입문')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/courses/genai-intro/$"))
    tab_to(page, "el.getAttribute('href') && el.getAttribute('href').endsWith('/gan-principle/')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/gan-principle/$"))
    tab_to(page, "el.tagName === 'SUMMARY'")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.parentElement.open")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('읽음으로 표시')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=이 수업을 읽었습니다")

    page.goto("/courses/genai-intro/quizzes/week07-quiz/")
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('퀴즈 시작')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    tab_to(page, "el.type === 'radio'")
    page.keyboard.press("Space")  # selects the focused choice
    page.locator(".save-status:has-text('저장됨')").first.wait_for()
    tab_to(page, "el.tagName === 'SELECT'")  # a select-missing-words gap
    page.keyboard.press("ArrowDown")
    page.locator(".save-status:has-text('저장됨')").nth(1).wait_for()
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('시도 종료')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/finish/$"))
    page.once("dialog", lambda dialog: dialog.accept())
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.includes('모두 제출하고 종료')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review/$"))
    assert page.locator(".explanation").count() >= 1
    # Focus is always visible: the focused element has an outline.
    tab_to(page, "el.tagName === 'A'")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_student_scenario_in_english(page_for, accounts):
    page = page_for("student", "student-pass", locale="en-US")
    page.select_option("#lang-select", "en")
    page.click("form.lang-form button")
    page.wait_for_selector("text=My courses")
    page.click("text=Introduction to Generative AI")
    page.wait_for_selector("text=My progress")
    page.goto("/courses/genai-intro/lessons/gan-principle/")
    page.click("button:has-text('Mark as read')")
    page.wait_for_selector("text=You have read this lesson.")
    page.goto("/courses/genai-intro/quizzes/week07-quiz/")
    page.click("button:has-text('Start the quiz')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    page.locator("section.question input[type=radio]").first.check()
    page.locator(".save-status:has-text('Saved')").first.wait_for()
    page.click("button:has-text('Finish attempt')")
    page.wait_for_selector("text=questions are not answered yet")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Submit all and finish')")
    page.wait_for_url(re.compile(r"/review/$"))
    assert page.locator("h3:has-text('Explanation')").count() >= 1
    assert page.locator("html").get_attribute("lang") == "en"
