"""Demos in a real browser: a face appears without a reload, goes to the detector; a caption."""

import re

import pytest

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_generate_detect_and_caption_without_reload(page_for, accounts, celery_worker_process):
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    url = page.url
    page.fill("#face-seed", "77")
    page.fill("#face-count", "2")
    page.click("#faces-h ~ form button[type=submit]")
    page.locator("#faces-result progress, #faces-result img").first.wait_for()
    faces = page.locator("#faces-result img")
    faces.first.wait_for(timeout=60_000)
    assert faces.count() == 2 and page.url == url  # no navigation happened
    # Each face is cut out of the job's sheet when the browser asks for it. Wait for it to
    # load from here: wait_for_function would poll with eval, which the site's CSP forbids.
    width = "document.querySelector('#faces-result img').naturalWidth"
    for _ in range(100):
        if page.evaluate(width) > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate(width) == 64
    shot(page, "demo-faces")
    page.locator("#faces-result button:has-text('가짜 탐지기')").first.click()
    verdict = page.locator("#detect-result .verdict")
    verdict.wait_for(timeout=60_000)
    assert re.search(r"0\.\d{3}|1\.000", verdict.inner_text())
    shot(page, "demo-detect")
    page.select_option("#shape-1", "circle")
    page.select_option("#color-1", "red")
    page.select_option("#size-1", "large")
    page.select_option("#position-1", "left")
    page.click("#caption-h ~ form button[type=submit]")
    caption = page.locator("#caption-result .caption-text")
    caption.wait_for(timeout=60_000)
    assert caption.inner_text().strip()
    assert page.locator("#caption-result .image-strip img").count() >= 2
    shot(page, "demo-caption")
    assert page.url == url


def test_an_empty_seed_generates_a_face_and_shows_the_seed_drawn(page_for, accounts,
                                                                 celery_worker_process):
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    assert page.input_value("#face-seed") == ""
    page.fill("#face-count", "1")
    page.click("#faces-h ~ form button[type=submit]")
    faces = page.locator("#faces-result img")
    faces.first.wait_for(timeout=60_000)
    assert faces.count() == 1
    assert not page.locator("#faces-result .error").count()
    seed = re.search(r"\d+", page.locator("#faces-result .job-seed").inner_text())
    assert seed, page.locator("#faces-result").inner_text()
    # The page is in Korean: each face is captioned with its seed, in Korean.
    assert f"시드 {seed.group()}" in page.locator("#faces-result figcaption").inner_text()
