"""The face generator's seed field says "empty = random": an empty or missing seed draws one,
on the demo page, in a lesson's widget and in the API, and the result shows the seed drawn."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from inference.models import DemoJob

pytestmark = pytest.mark.django_db
CONTENT = Path(__file__).resolve().parents[2] / "content" / "genai-intro"


@pytest.fixture
def student(client, django_user_model):
    user = django_user_model.objects.create_user("seedless", password="pw-12345!")
    client.force_login(user)
    client.user = user
    return client


def drawn_seed(job: DemoJob) -> int:
    seed = job.params["seed"]
    assert isinstance(seed, int) and 0 <= seed < 2**31 - 1
    return seed


@pytest.mark.parametrize("params", [{}, {"seed": ""}, {"seed": None}, {"seed": "  "},
                                    {"seed": "", "count": ""}])
def test_the_api_draws_a_seed_when_none_or_an_empty_one_is_given(student, params):
    reply = student.post("/api/demos/jobs/", {"kind": "face-generate", "params": params},
                         content_type="application/json")
    assert reply.status_code == 202, reply.content
    job = DemoJob.objects.get()
    assert reply.json()["params"] == {"seed": drawn_seed(job), "count": job.params["count"]}


def test_the_demo_page_form_with_an_empty_seed_queues_a_job(student):
    page = student.get(reverse("inference:index")).content.decode()
    assert 'id="face-seed" name="seed"' in page  # the field the browser leaves empty
    reply = student.post(reverse("inference:create"),
                         {"kind": "face-generate", "seed": "", "count": "4"},
                         HTTP_HX_REQUEST="true")
    assert reply.status_code == 200, reply.content.decode()
    job = DemoJob.objects.get()
    assert job.params["count"] == 4
    drawn_seed(job)


class _FormFields(HTMLParser):
    """The fields of the first face-generate widget's form, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields, self.in_form, self.done = {}, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "demo-form" in (attrs.get("class") or "") and not self.done:
            self.in_form, self.fields = True, {}
        elif tag == "input" and self.in_form and attrs.get("type") not in ("checkbox", "file"):
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
            self.done = self.fields.get("kind") == "face-generate"


def test_the_week9_face_lab_widget_without_a_preset_seed_generates_and_shares(
        student, django_user_model):
    from courses.services import course_pack_load, enrollment_create

    course = course_pack_load(path=CONTENT).course
    enrollment_create(user=student.user, course=course, role="student")
    lesson = reverse("courses:lesson", args=[course.slug, "celebrity-face-lab"])
    form = _FormFields()
    form.feed(student.get(lesson).content.decode())
    assert form.done and form.fields["seed"] == "", form.fields
    reply = student.post(reverse("inference:create"), {**form.fields, "share": "1"},
                         HTTP_HX_REQUEST="true")
    assert reply.status_code == 200, reply.content.decode()
    job = DemoJob.objects.get()
    assert job.lesson.slug == "celebrity-face-lab" and job.share_in_gallery
    drawn_seed(job)


def test_the_finished_panel_shows_the_seed_it_drew(student):
    student.post(reverse("inference:create"), {"kind": "face-generate", "seed": "", "count": "2"},
                 HTTP_HX_REQUEST="true")
    job = DemoJob.objects.get()
    seed = drawn_seed(job)
    # What the worker writes for a finished face job (inference.worker).
    DemoJob.objects.filter(pk=job.pk).update(status="succeeded", result={"faces": [
        {"seed": seed, "file": "face-1.png"}, {"seed": seed + 1, "file": "face-2.png"}]},
        timings={"total_ms": 5, "run_ms": 2, "batch_size": 1})
    panel = student.get(reverse("inference:job", args=[job.pk]), HTTP_HX_REQUEST="true")
    text = re.sub(r"\s+", " ", panel.content.decode())
    assert re.search(rf'class="[^"]*job-seed[^"]*"[^>]*>[^<]*\b{seed}\b', text), text
