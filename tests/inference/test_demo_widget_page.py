"""Demo widgets inside a lesson page: two widgets in one lesson, forms that work without
JavaScript, and jobs that keep their lesson."""

import re
from collections import Counter

import pytest

from .conftest import lesson_with_demos

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_widget_lesson(mini_pack, client, make_user, enrol):
    """The mini pack's second lesson with two face-generate widgets (as two lessons of weeks 7
    and 9 have two demos), and a logged-in student."""
    user, course = lesson_with_demos(
        mini_pack, client, make_user, enrol, "\n```demo face-generate\nseed: 3\n```\n\ntext\n\n"
        "```demo face-generate\nseed: 4\n```\n")
    client.user, client.course = user, course
    return client


def test_two_widgets_in_one_lesson_have_no_id_in_common(two_widget_lesson):
    page = two_widget_lesson.get("/courses/mini/lessons/second/").content.decode()
    assert page.count('class="demo-widget-live"') == 2
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert not [name for name, n in ids.items() if n > 1]
    # Each face widget has its own detector area, right after its own result area.
    for n in (1, 2):
        assert re.search(rf'id="demo-{n}-result"[^>]*></div>\s*<div id="demo-{n}-detect" '
                         r'class="detect-result">', page)


def forms_with_a_token(page: str) -> list[str]:
    """Each form holding a CSRF token, as its opening tag followed by its contents."""
    return [form for form in re.findall(r"<form\b.*?</form>", page, re.S)
            if "csrfmiddlewaretoken" in form]


def test_every_demo_form_posts_to_its_url_without_javascript(two_widget_lesson):
    """Without JavaScript a form with no method is sent as a GET, the CSRF token in its URL
    (and from there in logs and Referer headers). Each demo form posts, to a real URL; one
    with a file field sends the file."""
    from django.urls import reverse

    from .conftest import queued_job
    from .test_demo_labels import finished

    client = two_widget_lesson
    face = finished(client.user, "face-generate", {"faces": [{"file": "face-0.png", "seed": 3}]},
                    "face_generator")
    pages = {
        "demos page": client.get(reverse("inference:index")).content.decode(),
        "lesson": client.get("/courses/mini/lessons/second/").content.decode(),
        "queued panel": client.get(reverse("inference:job", args=[queued_job(client.user).pk]),
                                   HTTP_HX_REQUEST="true").content.decode(),
        "faces panel": client.get(reverse("inference:job", args=[face.pk]),
                                  HTTP_HX_REQUEST="true").content.decode(),
    }
    for name, page in pages.items():
        forms = forms_with_a_token(page)
        assert forms, name
        for form in forms:
            tag = re.match(r"<form\b[^>]*>", form).group(0)
            assert 'method="post"' in tag, (name, tag)
            assert re.search(r'\saction="/[^"]+"', tag), (name, tag)
            if 'type="file"' in form:
                assert 'enctype="multipart/form-data"' in tag, (name, tag)


def test_a_lesson_widget_form_sent_without_javascript_runs_the_demo(two_widget_lesson):
    from django.urls import reverse

    from inference.models import DemoJob

    client = two_widget_lesson
    page = client.get("/courses/mini/lessons/second/").content.decode()
    tag = re.search(r'<form\b[^>]*class="demo-form"[^>]*>', page).group(0)
    action = re.search(r'\saction="([^"]+)"', tag).group(1)
    reply = client.post(action, {"kind": "face-generate", "course": "mini",
                                 "lesson": "second", "seed": "3", "count": "1"})
    job = DemoJob.objects.get(user=client.user)
    assert reply.status_code == 302 and reply["Location"] == reverse("inference:job",
                                                                     args=[job.pk])


def test_a_face_sent_to_the_detector_from_a_lesson_keeps_the_course_and_lesson(
        two_widget_lesson):
    from django.urls import reverse

    from inference.models import DemoJob

    client = two_widget_lesson
    created = client.post(reverse("inference:create"), {
        "kind": "face-generate", "course": "mini", "lesson": "second", "seed": "3",
        "count": "1"}, HTTP_HX_REQUEST="true")
    assert created.status_code == 200
    faces = DemoJob.objects.get(user=client.user)
    assert (faces.course.slug, faces.lesson.slug) == ("mini", "second")
    DemoJob.objects.filter(pk=faces.pk).update(
        status="succeeded", result={"faces": [{"file": "face-0.png", "seed": 3}]})
    panel = client.get(reverse("inference:job", args=[faces.pk]),
                       HTTP_HX_REQUEST="true").content.decode()
    form = re.search(r'<form\b[^>]*hx-target="next \.detect-result".*?</form>', panel,
                     re.S).group(0)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken")
    client.post(reverse("inference:create"), fields, HTTP_HX_REQUEST="true")
    detect = DemoJob.objects.get(user=client.user, kind="fake-detect")
    assert (detect.course, detect.lesson) == (faces.course, faces.lesson)
    assert detect.params == {"face_seed": 3}


@pytest.mark.parametrize(("lang", "sentence", "status"), [
    ("ko", "취소했습니다.", "취소됨"), ("en", "Cancelled.", "Cancelled")])
def test_a_cancelled_job_says_so_once(client, make_user, lang, sentence, status):
    from django.urls import reverse

    from .conftest import queued_job

    user = make_user("canceller")
    client.force_login(user)
    job = queued_job(user)
    panel = client.post(reverse("inference:cancel", args=[job.pk]), HTTP_HX_REQUEST="true",
                        HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel)).strip()
    assert text == sentence
    assert f"{status}:" not in panel
