"""An upload past DEMO_MAX_UPLOAD_BYTES is refused before it is read: at once when its declared
length says so, and the moment the body passes the limit when it streams; a 413 with a message
either way, on the demo page and in the API, and nothing is stored."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from inference.models import DemoJob

pytestmark = pytest.mark.django_db
BOUNDARY = "BoUnDaRy"


class StreamedBody:
    """A multipart body of `size` bytes made up as it is read (nothing held in memory): the
    `kind` field, then an image part of zeros up to the closing boundary. Counts what the
    server reads."""

    def __init__(self, size: int):
        self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n"
                     f"fake-detect\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
                     f"name=\"image\"; filename=\"big.png\"\r\nContent-Type: image/png\r\n\r\n"
                     ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.read_bytes = 0

    def read(self, n=-1):
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        start, self.read_bytes = self.read_bytes, self.read_bytes + n
        tail_from = self.size - len(self.tail)
        out = bytearray(n)
        for i, byte in enumerate(self.head[start:start + n]):
            out[i] = byte
        for pos in range(max(start, tail_from), start + n):
            out[pos - start] = self.tail[pos - tail_from]
        return bytes(out)

    def readline(self, n=-1):
        return self.read(n)


@pytest.fixture
def student(client, django_user_model):
    user = django_user_model.objects.create_user("uploader", password="pw-12345!")
    client.force_login(user)
    return client


def post_streamed(client, path, body: StreamedBody, **headers):
    return client.request(**{
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "wsgi.input": body,
        "CONTENT_LENGTH": str(body.size),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", **headers})


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
