"""Demos inside lessons and quizzes, in a real browser (issue: demos feed back into pages)."""

import re
import time

import pytest

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def fill_pool():
    """Ask the real worker to fill the spot-the-fake pool and wait for it."""
    from inference.models import PoolImage
    from inference.tasks import spot_pool_refill

    spot_pool_refill.apply_async(queue="gpu")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if (PoolImage.objects.filter(kind="generated").count() >= 6
                and PoolImage.objects.filter(kind="real").count() >= 6):
            return
        time.sleep(0.5)
    raise AssertionError("the pool was not filled")


def test_week7_walk_week9_detect_then_spot_the_fake_quiz(page_for, accounts,
                                                          celery_worker_process, settings):
    settings.SPOT_POOL_TARGET = 12
    page = page_for("student", "student-pass")
    page.goto("/courses/genai-intro/lessons/image-generation/")
    widget = page.locator("section.demo-widget-live").first
    widget.locator("button:has-text('걷기')").click()
    frames = widget.locator(".image-strip img")
    frames.first.wait_for(timeout=60_000)
    assert frames.count() == 8
    shot(page, "lesson-latent-walk")

    page.goto("/courses/genai-intro/lessons/fake-detection-1/")
    widget = page.locator("section.demo-widget-live").first
    widget.locator("button:has-text('검사')").click()
    widget.locator(".verdict").wait_for(timeout=60_000)
    assert re.search(r"\d\.\d{3}", widget.locator(".verdict").inner_text())

    fill_pool()
    page.goto("/courses/genai-intro/quizzes/week09-quiz/")
    page.click("button:has-text('퀴즈 시작')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    grid = page.locator(".qtype-spot-the-fake img")
    assert grid.count() == 6
    before = [grid.nth(i).get_attribute("src") for i in range(6)]
    page.locator(".qtype-spot-the-fake input[type=checkbox]").first.check()
    page.locator(".qtype-spot-the-fake").locator("xpath=ancestor::section").locator(
        ".save-status:has-text('저장')").wait_for()
    page.reload()
    grid = page.locator(".qtype-spot-the-fake img")
    assert [grid.nth(i).get_attribute("src") for i in range(6)] == before
    assert page.locator(".qtype-spot-the-fake input[type=checkbox]").first.is_checked()
    shot(page, "quiz-spot-the-fake")
    page.click("button:has-text('시도 종료')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('모두 제출하고 종료')")
    page.wait_for_url(re.compile(r"/review/$"))
    review = page.locator(".qtype-spot-the-fake.is-review")
    assert review.locator("li").count() == 6
    assert re.search(r"탐지기: \d\.\d\d|detector: \d\.\d\d", review.inner_text())
    shot(page, "review-spot-the-fake")
