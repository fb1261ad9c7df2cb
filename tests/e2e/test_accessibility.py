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


def test_the_countdown_is_announced_politely_at_a_few_thresholds_only(page_for, accounts):
    page = page_for("student", "student-pass")
    page.clock.install()  # the page's clock: the countdown can be run forward in a moment
    page.goto("/courses/genai-intro/quizzes/week07-quiz/")
    page.locator("form[action$='/start/'] button").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    timer = page.locator(".timer")
    assert timer.get_attribute("aria-live") is None and timer.get_attribute("role") is None
    region = page.locator("#timer-announcement")
    assert region.get_attribute("aria-live") == "polite"
    left = page.evaluate("(Date.parse(document.querySelector('.timer').dataset.deadline)"
                         " - Date.parse(document.querySelector('.timer').dataset.now)) / 1000")
    assert left > 600  # a 15-minute quiz
    assert region.text_content() == ""  # nothing said on arrival: the page shows the time
    heard, elapsed = [], 0.0

    def run_until(seconds_left: float) -> str:
        nonlocal elapsed
        page.clock.run_for(int((left - seconds_left - elapsed) * 1000))  # every second's tick
        elapsed = left - seconds_left
        return region.text_content()

    for threshold in (600, 300, 60, 30):
        # Nothing new just before a threshold; the announcement just after it.
        assert run_until(threshold + 3) == (heard[-1] if heard else "")
        heard.append(run_until(threshold - 3))
    assert heard == ["이 시도의 남은 시간은 10분입니다.", "이 시도의 남은 시간은 5분입니다.",
                     "이 시도의 남은 시간은 1분입니다.", "이 시도의 남은 시간은 30초입니다."]
    assert timer.get_attribute("aria-live") is None  # the clock itself never turns live


def test_the_phone_header_is_one_row_with_the_account_controls_in_a_menu(page_for, accounts):
    page = page_for("student", "student-pass", viewport={"width": 375, "height": 740})
    page.goto("/courses/genai-intro/")
    header = page.locator(".site-header").bounding_box()
    brand = page.locator(".site-nav .brand").bounding_box()
    assert header["height"] <= brand["height"] + 40, header  # one row, not two
    assert not page.locator("#lang-select").is_visible()
    page.locator(".account-menu > summary").click()
    assert page.locator("#lang-select").is_visible()
    assert page.locator(".logout-form button").is_visible()
    shot(page, "phone-header-menu")
    # On a wide screen everything is in the header row, with no menu to open.
    wide = page_for("student", "student-pass")
    wide.goto("/courses/genai-intro/")
    assert wide.locator("#lang-select").is_visible()
    assert wide.locator(".logout-form button").is_visible()
    assert not wide.locator(".account-menu > summary").is_visible()
    shot(wide, "header-wide")


def test_tabbing_back_never_leaves_the_focused_control_under_the_sticky_timer(page_for, accounts):
    page = page_for("student", "student-pass", viewport={"width": 1000, "height": 600})
    page.goto("/courses/genai-intro/quizzes/week07-quiz/")
    page.locator("form[action$='/start/'] button").click()
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    # The Finish button, last in the form (flag buttons and the hidden default are submits too).
    page.locator("#attempt-form button.primary").last.focus()
    hidden = []
    for _ in range(25):
        page.keyboard.press("Shift+Tab")
        box = page.evaluate("""() => {
            const el = document.activeElement, timer = document.querySelector('.timer');
            const r = el.getBoundingClientRect(), t = timer.getBoundingClientRect();
            // Covered: the timer is stuck to the top and the control overlaps it.
            const covered = t.top < 1 && r.top < t.bottom && r.bottom > t.top;
            return {tag: el.tagName, id: el.id, top: r.top, timer: t.bottom, covered: covered};
        }""")
        if box["covered"]:
            hidden.append(box)
    assert hidden == []
