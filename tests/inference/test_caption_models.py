"""The caption demo's model choice: a photo goes to the photo captioner, a scene to the shape
captioner, and a request for the photo model without a photo is a clear error."""

import io

import numpy as np
import pytest
from django.urls import reverse
from PIL import Image

from inference.models import DemoJob

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((40, 60, 3), 120, np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def _create(client, data):
    return client.post(reverse("inference:create"), data)


@pytest.fixture(autouse=True)
def no_worker(settings, monkeypatch):
    monkeypatch.setattr("inference.services.demo_job_enqueue", lambda job: None)


def test_an_uploaded_photo_is_captioned_by_the_photo_model(api_client):
    upload = io.BytesIO(_png())
    upload.name = "cat.png"
    reply = _create(api_client, {"kind": "caption", "lang": "en", "image": upload})
    assert reply.status_code == 302, reply.content
    job = DemoJob.objects.get()
    assert job.model_name == "photo_captioner"
    assert job.params == {"lang": "en", "model": "photo"}
    assert job.input_file


def test_a_sample_photo_or_a_generated_face_goes_to_the_photo_model(api_client):
    _create(api_client, {"kind": "caption", "sample": "chelsea"})
    _create(api_client, {"kind": "caption", "face_seed": "7", "lang": "en"})
    jobs = list(DemoJob.objects.order_by("created_at"))
    assert [j.model_name for j in jobs] == ["photo_captioner", "photo_captioner"]
    assert jobs[0].params == {"lang": "ko", "model": "photo", "sample": "chelsea"}
    assert jobs[1].params["face_seed"] == 7


def test_a_scene_or_nothing_goes_to_the_shape_model_as_before(api_client):
    _create(api_client, {"kind": "caption", "scene_seed": "5"})
    _create(api_client, {"kind": "caption"})
    assert {j.model_name for j in DemoJob.objects.all()} == {"captioner"}
    assert all(j.params["model"] == "shapes" for j in DemoJob.objects.all())


def test_the_shape_model_can_be_chosen_for_a_photo(api_client):
    _create(api_client, {"kind": "caption", "model": "shapes", "sample": "coffee"})
    job = DemoJob.objects.get()
    assert job.model_name == "captioner" and job.params["sample"] == "coffee"


def test_the_photo_model_without_a_photo_is_a_clear_error(api_client):
    reply = _create(api_client, {"kind": "caption", "model": "photo"})
    assert reply.status_code == 400
    assert any(m in reply.content.decode() for m in ("Upload a photo", "사진을 올리거나"))
    assert not DemoJob.objects.exists()


@pytest.mark.parametrize("data, word", [({"model": "vit"}, "model"),
                                        ({"sample": "dog", "model": "photo"}, "sample")])
def test_an_unknown_model_or_sample_is_refused(api_client, data, word):
    reply = _create(api_client, {"kind": "caption", **data})
    assert reply.status_code == 400
    assert not DemoJob.objects.exists()


def test_the_demo_page_offers_the_model_choice_and_the_detectors_limits(api_client):
    page = api_client.get(reverse("inference:index")).content.decode()
    assert 'name="model"' in page and 'id="caption-image"' in page
    assert 'value="photo"' in page and 'value="shapes"' in page
    assert "detector-trust" in page
