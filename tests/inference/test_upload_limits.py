"""An upload past DEMO_MAX_UPLOAD_BYTES is refused before it is read: at once when its declared
length says so, and the moment the body passes the limit when it streams; a 413 with a message
either way, on the demo page and in the API, and nothing is stored."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from inference.models import DemoJob
from tests import streamed_upload

pytestmark = pytest.mark.django_db


def StreamedBody(size: int) -> streamed_upload.StreamedBody:  # noqa: N802 - reads as the class
    """A demo's upload: the `kind` field, then an image part of zeros."""
    return streamed_upload.StreamedBody(size, fields={"kind": "fake-detect"}, file_field="image",
                                        filename="big.png", content_type="image/png")


post_streamed = streamed_upload.post_streamed


@pytest.fixture
def student(client, django_user_model):
    user = django_user_model.objects.create_user("uploader", password="pw-12345!")
    client.force_login(user)
    return client


@pytest.mark.parametrize("path, headers", [("/api/demos/jobs/", {}),
                                           ("/demos/jobs/", {"HTTP_HX_REQUEST": "true"})])
def test_a_declared_length_past_the_limit_is_refused_unread(student, path, headers):
    body = StreamedBody(40 * 1024 * 1024)
    reply = post_streamed(student, path, body, **headers)
    assert reply.status_code == 413, reply.content[:300]
    assert "MB" in reply.content.decode()
    assert body.read_bytes < 1024 * 1024, body.read_bytes
    assert not DemoJob.objects.exists()


@pytest.mark.parametrize("path, headers", [("/api/demos/jobs/", {}),
                                           ("/demos/jobs/", {"HTTP_HX_REQUEST": "true"})])
def test_a_body_that_streams_past_the_limit_is_cut_off_there(student, settings, path, headers):
    settings.DEMO_MAX_UPLOAD_BYTES = 100_000
    body = StreamedBody(160_000)  # within the declared-length allowance, past the file limit
    reply = post_streamed(student, path, body, **headers)
    assert reply.status_code == 413, reply.content[:300]
    assert body.read_bytes < body.size
    assert not DemoJob.objects.exists()


def test_the_api_refusal_has_the_error_shape_and_names_the_image(student, settings):
    settings.DEMO_MAX_UPLOAD_BYTES = 1000
    image = io.BytesIO()
    Image.effect_noise((256, 256), 80).convert("RGB").save(image, format="PNG")
    image.seek(0)
    image.name = "noise.png"
    reply = student.post("/api/demos/jobs/", {"kind": "fake-detect", "image": image},
                         HTTP_ACCEPT_LANGUAGE="en")
    assert reply.status_code == 413
    error = reply.json()["error"]
    assert error["code"] == "upload_too_large" and "image" in error["fields"]
    assert "MB" in error["message"]


def test_an_upload_under_the_limit_still_goes_through(student):
    image = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 20, 30)).save(image, format="PNG")
    image.seek(0)
    image.name = "ok.png"
    reply = student.post(reverse("inference:create"), {"kind": "fake-detect", "image": image},
                         HTTP_HX_REQUEST="true")
    assert reply.status_code == 200, reply.content.decode()
    assert DemoJob.objects.get().input_file


def test_the_refusal_speaks_the_requests_language(student):
    body = StreamedBody(40 * 1024 * 1024)
    reply = post_streamed(student, "/api/demos/jobs/", body, HTTP_ACCEPT_LANGUAGE="ko")
    assert reply.status_code == 413 and "업로드한 파일이" in reply.json()["error"]["message"]
    body = StreamedBody(40 * 1024 * 1024)
    reply = post_streamed(student, "/api/demos/jobs/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert reply.json()["error"]["message"].startswith("The upload is larger than 5 MB")
