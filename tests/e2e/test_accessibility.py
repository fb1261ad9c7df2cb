"""Accessibility and small screens: axe-core finds no serious or critical problem on the main
pages, and at 375 px nothing scrolls sideways."""

import re
from pathlib import Path

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci` (make test does)")
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def main_pages(page, base_quiz="week07-quiz") -> dict[str, str]:
    """Visit the main pages once (starting and submitting a quiz) and return their URLs."""
    urls = {"home": "/", "course": "/courses/genai-intro/",
            "lesson": "/courses/genai-intro/lessons/gan-principle/",
            "quiz": f"/courses/genai-intro/quizzes/{base_quiz}/",
            "gradebook": "/courses/genai-intro/grades/", "demos": "/demos/"}
    page.goto(urls["quiz"])
    page.locator("form[action$='/start/'] button").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    urls["attempt"] = page.url
    page.locator("section.question input[type=radio]").first.check()
    page.locator(".save-status:has-text('저장'), .save-status:has-text('Saved')").first.wait_for()
    page.locator("#attempt-form button.primary[type=submit]").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form[action$='/submit/'] button").click()
    page.wait_for_url(re.compile(r"/review/$"))
    urls["review"] = page.url
    return urls


def test_axe_finds_no_serious_problems_on_the_main_pages(page_for, accounts):
    page = page_for("student", "student-pass", bypass_csp=True)
    problems = {}
    for name, url in main_pages(page).items():
        page.goto(url)
        found = axe_violations(page)
        if found:
            problems[name] = found
    assert problems == {}


def test_phone_width_has_no_horizontal_scrolling(page_for, accounts):
    page = page_for("student", "student-pass", viewport={"width": 375, "height": 740})
    wide = {}
    for name, url in main_pages(page).items():
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide[name] = overflow
        if name in ("course", "quiz", "review"):
            shot(page, f"phone-{name}")
    assert wide == {}
