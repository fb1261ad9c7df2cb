"""Demo jobs end to end through a real Celery worker process, with the real models."""

import io
import time
from datetime import timedelta

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from inference.models import DemoJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_done(client, job_id, timeout=90) -> DemoJob:
    """Poll the panel like the page does until the job finishes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(reverse("inference:job", args=[job_id]), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        job = DemoJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} still {DemoJob.objects.get(pk=job_id).status}")


def create(client, **data) -> str:
    response = client.post(reverse("inference:create"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content.decode()[:500]
    return DemoJob.objects.filter(user__username="demo-user").latest("created_at").pk


@pytest.fixture
def demo_client(client, django_user_model):
    user = django_user_model.objects.create_user("demo-user", password="pw-12345!")
    client.force_login(user)
    return client


def image_of(client, job, name) -> Image.Image:
    response = client.get(reverse("inference:file", args=[job.pk, name]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    data = b"".join(response.streaming_content) if response.streaming else response.content
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"  # whatever the worker stored, the browser gets a PNG
    return image


def test_generate_faces_then_same_request_is_cached(celery_worker_process, demo_client):
    job = wait_done(demo_client, create(demo_client, kind="face-generate", seed=123, count=4))
    assert job.status == "succeeded", job.message
    assert [f["seed"] for f in job.result["faces"]] == [123, 124, 125, 126]
    # Stored as one 4×1 sheet; each face is cut out of it on request.
    sheet = image_of(demo_client, job, "faces.png")
    assert sheet.size == (256, 64)
    faces = [image_of(demo_client, job, f"face-{i}.png") for i in range(4)]
    assert all(face.size == (64, 64) for face in faces)
    assert faces[3].tobytes() == sheet.crop((192, 0, 256, 64)).tobytes()
    # The sheet is stored as raw pixels, so each face is what the generator made.
    assert job.result["files"]["faces.png"].endswith(".ppm")
    from inference.ml.dcgan import generate_from_seeds, load_face_generator

    made = generate_from_seeds(load_face_generator(device="cpu"), [126])[0]
    got = np.asarray(faces[3].convert("RGB"), dtype=np.int16)
    assert np.abs(got - made).max() <= 1  # (another process's thread count may round apart)
    assert faces[0].tobytes() != faces[1].tobytes()
    assert demo_client.get(reverse("inference:file", args=[job.pk, "face-4.png"])
                           ).status_code == 404
    payload = demo_client.get(reverse("api-demo-job", args=[job.pk])).json()
    assert set(payload["result"]["urls"]) == {"faces.png", "face-0.png", "face-1.png",
                                              "face-2.png", "face-3.png"}
    assert job.timings["run_ms"] > 0 and job.model_version
    # The forward pass's own CPU time, for the benchmark (bench/demo_serving.py).
    assert job.timings["model_cpu_ms"] > 0 and job.timings["batch_images"] >= 4
    again = DemoJob.objects.get(pk=create(demo_client, kind="face-generate", seed=123, count=4))
    assert again.status == "succeeded" and again.timings["cached"] is True
    assert again.result == job.result


def test_latent_walk_frames(celery_worker_process, demo_client):
    job = wait_done(demo_client, create(demo_client, kind="latent-walk", seed_a=1, seed_b=2,
                                        steps=5))
    assert job.status == "succeeded", job.message
    assert [f["t"] for f in job.result["frames"]] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert image_of(demo_client, job, "frames.png").size == (5 * 64, 64)  # a film strip
    first, last = image_of(demo_client, job, "frame-0.png"), image_of(demo_client, job,
                                                                      "frame-4.png")
    assert first.size == last.size == (64, 64) and first.tobytes() != last.tobytes()


def test_detect_a_generated_face_and_an_upload(celery_worker_process, demo_client):
    job = wait_done(demo_client, create(demo_client, kind="fake-detect", face_seed=5))
    assert job.status == "succeeded", job.message
    assert 0 <= job.result["probability"] <= 1
    assert image_of(demo_client, job, "spectrum.png").size[0] >= 64
    buffer = io.BytesIO()
    Image.new("RGB", (100, 80), (30, 120, 200)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "photo.jpg"
    response = demo_client.post(reverse("inference:create"),
                                {"kind": "fake-detect", "image": buffer}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    upload_job = DemoJob.objects.filter(kind="fake-detect").latest("created_at")
    assert upload_job.input_file
    done = wait_done(demo_client, upload_job.pk)
    assert done.status == "succeeded" and done.result["source"] == "upload"


def test_caption_a_composed_scene_with_attention_maps(celery_worker_process, demo_client):
    job = wait_done(demo_client, create(
        demo_client, kind="caption", lang="en", **{
            "shape-1": "circle", "color-1": "red", "size-1": "large", "position-1": "left"}))
    assert job.status == "succeeded", job.message
    assert job.result["truth"] and job.result["caption"]
    assert len(job.result["words"]) == len(job.result["caption"].split())
    image_of(demo_client, job, job.result["words"][0]["file"])


def test_bad_parameters_and_hostile_uploads_never_reach_the_queue(demo_client):
    bad = demo_client.post(reverse("inference:create"), {"kind": "face-generate", "count": 99},
                           HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "16" in bad.content.decode()
    svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')
    svg.name = "x.png"
    refused = demo_client.post(reverse("inference:create"), {"kind": "fake-detect", "image": svg},
                               HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert not DemoJob.objects.exists()


def test_in_flight_limit(demo_client, settings):
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 1
    create(demo_client, kind="face-generate", seed=1, count=1)
    second = demo_client.post(reverse("inference:create"), {"kind": "face-generate", "seed": 2},
                              HTTP_HX_REQUEST="true")
    assert second.status_code == 429


def test_a_job_whose_worker_died_is_failed_not_running_forever(demo_client, settings):
    from django.contrib.auth import get_user_model

    # A job some worker claimed ten minutes ago and then stopped beating for.
    job_id = DemoJob.objects.create(
        kind="face-generate", user=get_user_model().objects.get(username="demo-user"),
        params={"seed": 9, "count": 1}, cache_key="x", status="running",
        heartbeat_at=timezone.now() - timedelta(minutes=10),
        expires_at=timezone.now() + timedelta(minutes=5)).pk
    job = wait_done(demo_client, job_id, timeout=5)
    assert job.status == "failed" and job.message


def test_broker_down_fails_the_job_with_a_message(demo_client, monkeypatch):
    from kombu.exceptions import OperationalError

    from config.celery import app

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(app, "send_task", refuse)  # demo messages are sent by task name
    job = DemoJob.objects.get(pk=create(demo_client, kind="face-generate", seed=3))
    assert job.status == "failed" and "unavailable" in job.message or "사용할 수 없" in job.message
