"""The demos page for a student: clickable examples, "my past runs", and downloads of results
(faces PNG, detector report, caption JSON). No worker: finished runs are stored as a worker
stores them."""

import io
import json
import re
from datetime import timedelta
from html.parser import HTMLParser

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from inference import services
from inference.models import DemoJob
from tests.inference.conftest import queued_job

pytestmark = pytest.mark.django_db


def finished_job(user, kind, result, params=None, files=None) -> DemoJob:
    job = DemoJob.objects.create(
        kind=kind, user=user, params=params or {}, cache_key="y" * 64, status="succeeded",
        progress=1.0, model_name="test-model", model_version="v1",
        finished_at=timezone.now(), expires_at=timezone.now() + timedelta(minutes=5))
    stored = {}
    for name, data in (files or {}).items():
        stored[name] = default_storage.save(f"demo-tests/{job.pk}/{name}", ContentFile(data))
    if stored:
        result = {**result, "files": {**result.get("files", {}), **stored}}
    job.result = result
    job.save(update_fields=["result"])
    return job


def faces_job(user) -> DemoJob:
    grid = np.zeros((64, 128, 3), dtype=np.uint8)
    grid[:, 64:] = 200
    ppm = b"P6 128 64 255\n" + grid.tobytes()
    return finished_job(user, "face-generate", {
        "faces": [{"file": "face-0.png", "seed": 7}, {"file": "face-1.png", "seed": 8}],
        "sheet": {"file": "faces.png", "tile": 64, "columns": 2,
                  "tiles": ["face-0.png", "face-1.png"]}},
        params={"seed": 7, "count": 2}, files={"faces.png": ppm})


@pytest.fixture
def other_client(django_user_model):
    user = django_user_model.objects.create_user("someone-else", password="pw-12345!")
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def test_past_runs_lists_my_recent_jobs_with_links_and_not_others(api_client, other_client):
    mine = faces_job(api_client.user)
    waiting = queued_job(api_client.user)
    theirs = faces_job(other_client.user)
    page = api_client.get(reverse("inference:index")).content.decode()
    past = page[page.index('class="demo past-runs"'):]
    assert reverse("inference:job", args=[mine.pk]) in past
    assert reverse("inference:job", args=[waiting.pk]) in past
    assert reverse("inference:download", args=[mine.pk]) in past
    # A run still waiting has nothing to download yet.
    assert reverse("inference:download", args=[waiting.pk]) not in past
    assert str(theirs.pk) not in page


def test_faces_download_is_one_png_of_all_faces(api_client):
    job = faces_job(api_client.user)
    response = api_client.get(reverse("inference:download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('.png"')
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.size == (128, 64)


def test_detector_report_and_caption_download_as_json(api_client):
    detect = finished_job(api_client.user, "fake-detect", {
        "probability": 0.91, "label": "fake", "source": "face_seed",
        "model_version": "v1"}, params={"face_seed": 7}, files={"input.png": b"png"})
    report = api_client.get(reverse("inference:download", args=[detect.pk]))
    assert report.status_code == 200 and report["Content-Type"] == "application/json"
    assert report["Content-Disposition"].endswith('.json"')
    body = json.loads(report.content)
    assert body["probability_fake"] == 0.91 and body["label"] == "fake"
    assert body["params"] == {"face_seed": 7} and body["model_version"] == "v1"
    assert "files" not in body  # storage paths stay on the server
    caption = finished_job(api_client.user, "caption", {
        "caption": "빨간 원 위에 파란 사각형", "truth": "빨간 원과 파란 사각형",
        "words": [{"word": "빨간", "file": "attention-0.png"},
                  {"word": "원", "file": "attention-1.png"}]}, params={"scene_seed": 1})
    body = json.loads(api_client.get(reverse("inference:download", args=[caption.pk])).content)
    assert body["caption"] == "빨간 원 위에 파란 사각형" and body["words"] == ["빨간", "원"]


def test_download_of_an_unfinished_or_someone_elses_run_is_refused(api_client, other_client):
    waiting = queued_job(api_client.user)
    response = api_client.get(reverse("inference:download", args=[waiting.pk]))
    assert response.status_code == 404
    mine = faces_job(api_client.user)
    assert other_client.get(reverse("inference:download", args=[mine.pk])).status_code == 403


class _Examples(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "demo-example" in (attrs.get("class") or ""):
            self._current = {"action": attrs.get("action"), "hx": attrs.get("hx-post"),
                             "fields": {}}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attrs.get("type") == "hidden":
            self._current["fields"][attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def test_examples_are_forms_that_run_their_demo_with_valid_values(api_client):
    page = api_client.get(reverse("inference:index")).content.decode()
    parser = _Examples()
    parser.feed(page)
    kinds = {form["fields"]["kind"] for form in parser.forms}
    assert kinds == {"face-generate", "fake-detect", "caption", "live-gan"}
    assert len(parser.forms) >= 9
    create = reverse("inference:create")
    for form in parser.forms:
        # Without JavaScript the form posts itself; with htmx the result shows in place.
        assert form["action"] == create and form["hx"] == create
        fields = {k: v for k, v in form["fields"].items()
                  if k not in ("kind", "csrfmiddlewaretoken", "course")}
        services.demo_params_clean(form["fields"]["kind"], fields)  # raises when invalid
    assert re.search(r'data-fills="#faces-form"', page) and 'id="faces-form"' in page


def test_a_caption_is_marked_with_its_own_language_on_a_page_in_the_other(api_client):
    """A Korean caption on an English page (or an English one on a Korean page) says so, as do
    its words; the encoder's ImageNet labels are English."""
    job = finished_job(api_client.user, "caption", {
        "caption": "고양이 사진", "truth": "고양이", "words": [{"word": "고양이", "file": "a-0.png"}],
        "imagenet": [{"label": "tabby cat", "p": 0.9}]}, params={"lang": "ko", "model": "photo"})
    DemoJob.objects.filter(pk=job.pk).update(model_name="photo_captioner")
    api_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = api_client.get(reverse("inference:job", args=[job.pk]),
                          HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'<p class="caption-text" lang="ko">', page), page
    assert re.search(r'<span lang="ko">고양이</span>', page)
    assert re.search(r'<figcaption lang="ko">고양이</figcaption>', page)
    assert re.search(r'<span lang="en">tabby cat</span>', page)


def test_a_scene_composed_in_the_second_or_third_row_only_is_captioned(api_client):
    """The scene was read only when row 1 had a shape: a student who picked a shape in row 2
    (row 1 left at "—") got a caption of scene 0, a picture they never composed."""
    rows = {"shape-1": "", "color-1": "red", "size-1": "small", "position-1": "left",
            "shape-2": "circle", "color-2": "blue", "size-2": "large", "position-2": "right",
            "shape-3": "", "color-3": "red", "size-3": "small", "position-3": "left"}
    reply = api_client.post(reverse("inference:create"), {"kind": "caption", "lang": "en",
                                                          "model": "", **rows},
                            HTTP_HX_REQUEST="true")
    assert reply.status_code == 200, reply.content.decode()
    job = DemoJob.objects.get(user=api_client.user)
    assert job.params["scene"] == [{"shape": "circle", "color": "blue", "size": "large",
                                    "position": "right"}]
