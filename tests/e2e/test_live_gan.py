"""The live GAN in a real browser: it trains on the worker, the page shows its progress while
it runs and the final plot when it ends, without a reload."""

import re

import pytest

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_the_live_gan_streams_its_progress_and_ends_with_the_plot(page_for, accounts,
                                                                  celery_worker_process):
    page = page_for("student", "student-pass", locale="en-US")
    page.goto("/demos/")
    url = page.url
    form = page.locator("#live-gan-form")
    form.locator("input[name=seed]").fill("1")
    # Seconds of training even on a fast host, so that the page's polls (every 0.5 s) catch it
    # running: 600 steps once ended before the first poll showed a step.
    form.locator("input[name=steps]").fill("1500")
    form.locator("button[type=submit]").click()
    result = page.locator("#live-gan-result")
    # While it runs: a snapshot of a step before the last, with the stop button.
    running = result.locator(".live-gan[data-steps='1500']").first
    running.wait_for(timeout=90_000)
    steps_seen = set()
    while not result.locator(".live-gan-done").count():
        snapshot = result.locator(".live-gan").first
        try:
            steps_seen.add(int(snapshot.get_attribute("data-step", timeout=2_000)))
        except Exception:  # noqa: BLE001 - the panel was swapped between two reads
            pass
        page.wait_for_timeout(150)
        assert len(steps_seen) < 10_000
    assert any(step < 1500 for step in steps_seen), steps_seen
    assert len(steps_seen) >= 2, steps_seen  # it moved on the page, not just appeared
    assert page.url == url  # no reload, no navigation
    done = result.locator(".live-gan-done")
    assert re.search(r"\d of 8 modes covered", done.inner_text())
    assert result.locator(".live-gan").get_attribute("data-step") == "1500"
    assert result.locator("svg.live-gan-scatter circle.pt-sample").count() == 256
    assert result.locator("svg.live-gan-losses polyline").count() == 2
    with page.expect_download() as download:
        result.locator("a[download]").click()
    assert download.value.suggested_filename.endswith(".json")
    page.evaluate("document.getElementById('live-gan-result').scrollIntoView()")
    shot(page, "demo-live-gan-en")


@pytest.mark.parametrize("locale, viewport, name", [
    ("ko-KR", {"width": 1200, "height": 900}, "demo-live-gan-ko"),
    ("ko-KR", {"width": 375, "height": 812}, "phone-live-gan-ko"),
    ("en-US", {"width": 375, "height": 812}, "phone-live-gan-en")])
def test_a_finished_live_gan_reads_on_a_phone_and_in_korean(page_for, accounts, locale, viewport,
                                                           name, celery_worker_process):
    from inference import services

    job = services.demo_job_create(user=accounts["student"], kind="live-gan",
                                   params={"mode": "gan", "seed": 1, "steps": 300})
    page = page_for("student", "student-pass", locale=locale, viewport=viewport)
    page.goto(f"/demos/jobs/{job.pk}/")
    page.locator(".live-gan-done").wait_for(timeout=90_000)
    scatter = page.locator("svg.live-gan-scatter")
    box = scatter.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]  # fits the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    text = page.locator(".job-panel").inner_text()
    assert ("모드" in text) if locale == "ko-KR" else ("modes covered" in text)
    page.evaluate("document.querySelector('.job-panel').scrollIntoView()")
    shot(page, name)
