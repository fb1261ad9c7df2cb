"""Demos in a real browser: an example fills its form and runs, the result downloads, and the
run is listed under "my past runs"."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_example_fills_and_runs_then_downloads_and_is_listed(page_for, accounts,
                                                             celery_worker_process):
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    url = page.url
    page.locator("form.demo-example[data-fills='#faces-form'] button").first.click()
    faces = page.locator("#faces-result img")
    faces.first.wait_for(timeout=60_000)
    assert page.url == url  # in place, no navigation
    assert page.input_value("#face-seed") == "7" and page.input_value("#face-count") == "4"
    assert faces.count() == 4
    with page.expect_download() as download:
        page.locator("#faces-result a[download]").click()
    assert download.value.suggested_filename.endswith(".png")
    page.reload()
    runs = page.locator(".past-runs tbody tr")
    assert runs.count() == 1
    assert runs.first.locator("a[href*='/demos/jobs/']").count() == 2  # the run, its download
