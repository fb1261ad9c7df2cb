"""An instructor retrains the fake detector in a real browser: upload a ZIP of photos, watch the
progress without reloading, read the held-out metrics, and switch the demos to the new model."""

import pytest

from tests.inference.training_helpers import make_zip, photo, photos_zip

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_instructor_retrains_the_detector_and_switches_the_demos(
        page_for, accounts, celery_worker_process, settings, tmp_path):
    from inference.catalog import model_version
    from inference.models import DetectorTraining

    settings.DETECTOR_TRAINING_N_FAKE = settings.DETECTOR_TRAINING_N_REAL = 64  # seconds
    shipped = model_version("fake_detector")
    page = page_for("instructor", "instructor-pass")
    page.goto("/demos/training/")

    # A bad archive first: refused with the file named, nothing stored.
    bad = tmp_path / "bad.zip"
    bad.write_bytes(make_zip({"notes.txt": b"not a photo", **{
        f"p{i}.jpg": photo(i) for i in range(24)}}))
    page.set_input_files("#training-photos", str(bad))
    page.click("button.primary")
    error = page.locator("#training-error")
    error.wait_for()
    assert "notes.txt" in error.inner_text()
    assert not DetectorTraining.objects.exists()

    good = tmp_path / "photos.zip"
    good.write_bytes(photos_zip(24))
    page.set_input_files("#training-photos", str(good))
    page.fill("#training-epochs", "1")
    page.click("button.primary")
    page.wait_for_url("**/demos/training/*/")
    run_url = page.url
    page.locator(".training-panel progress, .training-panel table").first.wait_for()
    shot(page, "detector-training-progress")

    # The panel swaps itself in place (htmx) until the metrics appear: no reload.
    metrics = page.locator(".training-panel table").first
    metrics.wait_for(timeout=180_000)
    assert page.url == run_url
    headers = metrics.locator("thead th")
    assert headers.count() == 2  # the new model beside the one in use
    shot(page, "detector-training-result")

    run = DetectorTraining.objects.get()
    assert run.status == "succeeded" and run.version != shipped
    page.click("form[action$='/activate/'] button")
    page.locator(".badge.ok").wait_for()
    assert model_version("fake_detector") == run.version

    page.click("form[action$='/shipped/'] button")
    page.wait_for_load_state()
    assert model_version("fake_detector") == shipped
