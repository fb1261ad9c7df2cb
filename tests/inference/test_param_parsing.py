"""Numbers a client sends in headers, query strings and demo parameters: a huge, negative,
non-ASCII, fractional or infinite value is a clear 4xx (or clamped), never a 500; an empty
seed means a random one."""


import pytest
from django.urls import reverse

from inference.models import DemoJob
from tests.inference.conftest import queued_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(api_client):
    return api_client


@pytest.mark.parametrize("prefer", ["wait=" + "9" * 4301, "wait=" + "9" * 100_000,
                                    "wait=-5", "wait=\u0663", "wait=0x10", "wait=1e9",
                                    "respond-async, wait=" + "1" * 5000])
def test_a_hostile_prefer_wait_is_clamped_or_ignored(student, settings, prefer):
    settings.DEMO_MAX_WAIT_SECONDS = 0
    job = queued_job(student.user)
    reply = student.get(reverse("api-demo-job", args=[job.pk]), HTTP_PREFER=prefer)
    assert reply.status_code == 200, reply.content
    assert reply.json()["status"] == "queued"


def test_a_huge_wait_on_create_is_clamped_not_a_500(student, settings):
    settings.DEMO_MAX_WAIT_SECONDS = 0
    reply = student.post("/api/demos/jobs/", {"kind": "face-generate",
                                              "params": {"seed": 5, "count": 1}},
                         content_type="application/json", HTTP_PREFER="wait=" + "9" * 4301)
    assert reply.status_code in (200, 202), reply.content


@pytest.mark.parametrize("wait", ["9" * 5000, "-3", "nan", "inf", "-inf", "1e999", "\u0663",
                                  "abc"])
def test_the_page_panel_wait_parameter_never_breaks_the_panel(student, settings, wait):
    settings.DEMO_PAGE_WAIT_SECONDS = 0.1
    job = queued_job(student.user)
    reply = student.get(reverse("inference:job", args=[job.pk]), {"wait": wait},
                        HTTP_HX_REQUEST="true")
    assert reply.status_code == 200, reply.content


@pytest.mark.parametrize("seed", ['"' + "9" * 4301 + '"', '"' + "9" * 20 + '"', "-1", '"-1"',
                                  str(2**31), "1" + "0" * 400, "1e400", "-1e400", "3.5",
                                  "true", '"\u0663"', '"1_000"', "[1]", '{"a": 1}', '"0x10"'])
def test_a_bad_seed_in_the_api_is_a_400_that_names_the_field(student, seed):
    body = '{"kind": "face-generate", "params": {"seed": ' + seed + ', "count": 1}}'
    reply = student.post("/api/demos/jobs/", body, content_type="application/json")
    assert reply.status_code == 400, reply.content
    error = reply.json()["error"]
    # Ours names the seed; DRF's JSON field refuses a non-finite number (1e400) itself.
    assert (error["code"], list(error["fields"])) in (("invalid_params", ["seed"]),
                                                      ("invalid", ["params"])), error
    assert not DemoJob.objects.exists()


def test_an_infinite_seed_sent_as_form_json_is_a_400(student):
    # A multipart/form `params` is parsed by a lenient JSON reader that accepts Infinity.
    reply = student.post("/api/demos/jobs/", {"kind": "face-generate",
                                              "params": '{"seed": Infinity, "count": NaN}'})
    assert reply.status_code == 400, reply.content
    assert "params" in reply.json()["error"]["fields"]
    assert not DemoJob.objects.exists()


@pytest.mark.parametrize("field", ["count", "steps"])
def test_a_huge_count_on_the_page_is_a_clear_error(student, field):
    kind = "face-generate" if field == "count" else "latent-walk"
    reply = student.post(reverse("inference:create"), {"kind": kind, field: "9" * 4301},
                         HTTP_HX_REQUEST="true")
    assert reply.status_code == 400, reply.content
    assert field in reply.content.decode()


@pytest.mark.parametrize("params", ['"seed=1"', "[1, 2]", "7", "true"])
def test_params_that_are_not_an_object_are_a_400_that_names_them(student, params):
    body = '{"kind": "face-generate", "params": ' + params + "}"
    reply = student.post("/api/demos/jobs/", body, content_type="application/json")
    assert reply.status_code == 400, reply.content
    assert reply.json()["error"]["fields"] == {"params": ["object"]}
    assert not DemoJob.objects.exists()


@pytest.mark.parametrize(("kind", "name", "value"), [
    ("caption", "model", {"photo": 1}), ("caption", "model", ["photo"]),
    ("caption", "lang", {"ko": 1}), ("live-gan", "mode", {"gan": 1}),
    ("fake-detect", "sample", {"cat": 1})])
def test_a_choice_sent_as_an_object_or_a_list_is_a_400_not_a_500(student, kind, name, value):
    """A choice is looked up in a set or a dict: an unhashable value must not reach it."""
    reply = student.post("/api/demos/jobs/", {"kind": kind, "params": {name: value}},
                         content_type="application/json")
    assert reply.status_code == 400, reply.content
    assert list(reply.json()["error"]["fields"]) == [name]
    assert not DemoJob.objects.exists()


def test_every_face_a_run_shows_can_be_sent_to_the_detector_and_the_captioner(student):
    """Faces from seed s are seeds s..s+count-1, each with a "send to the fake detector"
    button: from the largest seed the form allows, those past 2**31 - 1 were refused (400)."""
    from inference.services import demo_params_clean

    run = demo_params_clean("face-generate", {"seed": 2**31 - 2, "count": 16})
    last = run["seed"] + run["count"] - 1
    for kind in ("fake-detect", "caption"):
        reply = student.post(reverse("inference:create"), {"kind": kind, "face_seed": last},
                             HTTP_HX_REQUEST="true")
        assert reply.status_code == 200, reply.content.decode()
    reply = student.post(reverse("inference:create"), {"kind": "fake-detect",
                                                       "face_seed": 2**31 + 15},
                         HTTP_HX_REQUEST="true")
    assert reply.status_code == 400  # no run shows this face
