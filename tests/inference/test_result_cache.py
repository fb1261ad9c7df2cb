"""The stored-result cache: an uploaded image's result is never handed to another user (it
would tell them someone uploaded that image, and show it to them); a result made from a seed
or a sample is not user data and is shared."""

import io

import pytest
from django.utils import timezone
from PIL import Image

from inference.models import DemoJob

pytestmark = pytest.mark.django_db


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (12, 200, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def clients(client, django_user_model):
    from django.test import Client

    made = []
    for name in ("uploader", "neighbour"):
        user = django_user_model.objects.create_user(name, password="pw-12345!")
        c = client if not made else Client()
        c.force_login(user)
        made.append(c)
    return made


def post(client, **data):
    if "image" in data:
        upload = io.BytesIO(data["image"])
        upload.name = "photo.png"
        data["image"] = upload
        return client.post("/api/demos/jobs/", data)
    return client.post("/api/demos/jobs/", data, content_type="application/json")


def finish(job_id) -> None:
    """What the worker does with a job: store a result."""
    DemoJob.objects.filter(pk=job_id).update(
        status=DemoJob.Status.SUCCEEDED, finished_at=timezone.now(),
        result={"probability": 0.9, "label": "fake", "files": {}}, timings={"total_ms": 3})


def test_an_uploaded_images_result_is_not_shared_with_another_user(clients):
    uploader, neighbour = clients
    first = post(uploader, kind="fake-detect", image=png())
    assert first.status_code == 202, first.content
    finish(first.json()["id"])

    theirs = post(neighbour, kind="fake-detect", image=png())
    assert theirs.status_code == 202, theirs.content
    body = theirs.json()
    assert body["status"] == "queued" and not body["timings"].get("cached"), body
    assert DemoJob.objects.get(pk=body["id"]).input_file != DemoJob.objects.get(
        pk=first.json()["id"]).input_file

    again = post(uploader, kind="fake-detect", image=png())  # the uploader's own: cached
    assert again.status_code == 200 and again.json()["timings"]["cached"] is True


@pytest.mark.parametrize("kind, params", [("face-generate", {"seed": 3, "count": 2}),
                                          ("fake-detect", {"sample": "astronaut"})])
def test_a_result_from_a_seed_or_a_sample_is_shared(clients, kind, params):
    uploader, neighbour = clients
    first = post(uploader, kind=kind, params=params)
    finish(first.json()["id"])
    theirs = post(neighbour, kind=kind, params=params)
    assert theirs.status_code == 200 and theirs.json()["timings"]["cached"] is True
