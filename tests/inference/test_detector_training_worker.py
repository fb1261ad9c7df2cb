"""Retraining through a real Celery worker process: a tiny run on a handful of generated photos
reports progress, finishes, and once activated the fake-detector demo runs the new model."""

from __future__ import annotations

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inference.catalog import model_version
from inference.models import DemoJob, DetectorTraining, PoolImage

from .training_helpers import photo, photos_zip

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def poll_until_finished(client, run: DetectorTraining, timeout: float = 180) -> list[float]:
    """Poll the run's panel like the page does; return the progress seen while it ran."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(reverse("inference:training-run", args=[run.pk]),
                              HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        run.refresh_from_db()
        if run.status == DetectorTraining.Status.RUNNING:
            seen.append(run.progress)
        if run.is_finished:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"run {run.pk} still {run.status} ({run.message})")


def wait_job(job_id, timeout: float = 90) -> DemoJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = DemoJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"demo job {job_id} did not finish")


def test_retrain_then_the_detector_demo_uses_the_new_model(celery_worker_process, client,
                                                           django_user_model, enrol, settings):
    from courses.models import Course

    settings.DETECTOR_TRAINING_N_FAKE = settings.DETECTOR_TRAINING_N_REAL = 64  # seconds, not hours
    instructor = django_user_model.objects.create(username="trainer")
    enrol(instructor, Course.objects.create(slug="t", title="강좌", title_en="C"), "instructor")
    client.force_login(instructor)
    shipped = model_version("fake_detector")
    pooled = PoolImage.objects.create(kind="real", source="test", model_version=shipped,
                                      detector_prob=0.5, file=default_storage.save(
                                          "pool/training-test.png", ContentFile(photo(7, fmt="PNG"))))

    response = client.post(reverse("inference:training"), {
        "photos": SimpleUploadedFile("mine.zip", photos_zip(24), "application/zip"),
        "epochs": "2"})
    assert response.status_code == 302, response.content.decode()[:500]
    run = DetectorTraining.objects.get()
    seen = poll_until_finished(client, run)
    assert run.status == "succeeded", (run.message, run.error)
    assert any(0 < p < 1 for p in seen), seen  # the bar moved before the end
    meta = run.result["meta"]
    photos = meta["data"]["instructor_photos"]
    assert meta["train"]["instructor_photos"] == 24 == photos["train"] + photos["heldout"]
    assert meta["instructor_heldout"]["n"] == photos["heldout"] > 0
    assert meta["baseline"]["version"] == shipped
    assert run.version and run.version != shipped and default_storage.exists(run.checkpoint_file)
    page = client.get(reverse("inference:training-run", args=[run.pk])).content.decode()
    assert reverse("inference:training-activate", args=[run.pk]) in page

    client.post(reverse("inference:training-activate", args=[run.pk]))
    assert model_version("fake_detector") == run.version
    response = client.post(reverse("inference:create"), {"kind": "fake-detect", "face_seed": 5},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    job = wait_job(DemoJob.objects.get(user=instructor).pk)
    assert job.status == "succeeded", job.message
    assert job.model_version == job.result["model_version"] == run.version
    deadline = time.monotonic() + 30  # the spot-the-fake pool gets the new detector's opinion
    while PoolImage.objects.get(pk=pooled.pk).model_version != run.version:
        assert time.monotonic() < deadline, "pool image not rescored"
        time.sleep(0.2)

    client.post(reverse("inference:training-shipped"))
    assert model_version("fake_detector") == shipped
