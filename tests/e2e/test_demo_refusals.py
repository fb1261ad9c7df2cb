"""A demo the server refuses (busy, too many running) says why, in the result area, in the
page's language: a click is never answered by nothing."""

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("setting", "sentence"), [
    ("DEMO_QUEUE_CAP", "데모 서버가 바쁩니다"),            # 503: the queue is full
    ("DEMO_MAX_IN_FLIGHT_PER_USER", "이미 데모 0개가 실행 중"),  # 429: the user's own limit
])
def test_a_refused_demo_says_why_in_the_result_area(page_for, accounts, settings, setting,
                                                    sentence):
    setattr(settings, setting, 0)  # every new job is refused; no worker is needed
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    page.fill("#face-seed", "31337")
    page.click("#faces-form button[type=submit]")
    error = page.locator("#faces-result .error")
    error.wait_for(timeout=10_000)
    assert sentence in error.inner_text()


def test_a_busy_refusal_shows_in_a_lesson_widget_too(page_for, accounts, course, settings):
    settings.DEMO_QUEUE_CAP = 0
    page = page_for("student", "student-pass")
    page.goto(f"/courses/{course.slug}/lessons/celebrity-face-lab/")
    widget = page.locator("section.demo-widget-live").first
    widget.locator("button.primary").first.click()
    error = widget.locator(".demo-result .error")
    error.wait_for(timeout=10_000)
    assert "데모 서버가 바쁩니다" in error.inner_text()
