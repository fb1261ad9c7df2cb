"""A spot-the-fake item started on an empty pool shows its images once the worker made them,
without a reload, and then counts (a fresh installation's first attempt)."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_the_item_fills_itself_when_the_pool_is_ready(page_for, accounts, celery_worker_process):
    from django.core.cache import cache

    from inference.models import PoolImage
    from quizzes.models import Attempt

    cache.clear()  # no refill request of an earlier test holds this one back
    assert not PoolImage.objects.exists()
    page = page_for("student", "student-pass")
    page.goto("/courses/genai-intro/quizzes/week09-quiz/")
    page.click("button:has-text('퀴즈 시작')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    item = page.locator(".qtype-spot-the-fake")
    assert "준비되지 않았습니다" in item.inner_text()
    # The starting request asked the worker to fill the pool; the item asks the page again.
    page.locator(".qtype-spot-the-fake img").first.wait_for(timeout=120_000)
    assert page.locator(".qtype-spot-the-fake img").count() == 6
    page.locator(".qtype-spot-the-fake input[type=checkbox]").first.check()
    page.locator(".qtype-spot-the-fake").locator("xpath=ancestor::section").locator(
        ".save-status:has-text('저장')").wait_for()
    attempt = Attempt.objects.get(user=accounts["student"])
    spot = attempt.responses.get(version__qtype="spot_the_fake")
    assert spot.answer and float(spot.max_mark) > 0
    assert attempt.max_score == sum(r.max_mark for r in attempt.responses.all())
