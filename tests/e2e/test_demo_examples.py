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


def test_an_example_leaves_its_form_showing_only_what_it_ran(page_for, accounts):
    """Examples run one after another each filled their values into the form and left the
    previous example's there: after "face_seed=7" then "scene_seed=1" the caption form still
    had the face seed and the photo model, so the form's own button captioned face 7, not the
    scene shown. No worker: only the form is read."""
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    examples = page.locator("form.demo-example[data-fills='#caption-form']")
    examples.filter(has_text="face_seed=7").locator("button").click()
    page.locator("#caption-result .job-panel").wait_for()
    assert page.input_value("#caption-face-seed") == "7"
    examples.filter(has_text="scene_seed=1").locator("button").click()
    page.wait_for_timeout(300)
    assert page.input_value("#scene-seed") == "1"
    assert page.input_value("#caption-face-seed") == ""
    assert page.input_value("#caption-model") == ""  # Automatic, as the example ran
