"""The demo page in Korean: option labels translated (values kept), the detector's result is
brought into view, and a result does not name its model a second time."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inference.models import DemoJob

pytestmark = pytest.mark.django_db


def options(page: str, select_id: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_scene_options_and_sample_photos_have_korean_labels_and_english_values(client,
                                                                               make_user):
    client.force_login(make_user("viewer"))
    page = client.get(reverse("inference:index"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert ("red", "빨강") in options(page, "color-1")
    assert ("small", "작게") in options(page, "size-1")
    assert ("left", "왼쪽") in options(page, "position-1")
    assert ("astronaut", "우주비행사") in options(page, "detect-sample")
    for select in ("shape-1", "color-1", "size-1", "position-1", "detect-sample"):
        for value, label in options(page, select):
            assert not value or label != value, (select, value)
    assert 'for="color-1">색 1</label>' in page


def finished(user, kind, result, model_name):
    return DemoJob.objects.create(
        kind=kind, user=user, params={"seed": 3, "count": 1}, cache_key="y" * 64,
        status="succeeded", result=result, model_name=model_name, model_version="abc123",
        timings={"total_ms": 5, "run_ms": 3, "batch_size": 1}, finished_at=timezone.now(),
        expires_at=timezone.now() + timedelta(minutes=5))


def test_send_to_detector_brings_the_result_into_view(client, make_user):
    user = make_user("viewer")
    client.force_login(user)
    job = finished(user, "face-generate", {"faces": [{"file": "face-0.png", "seed": 3}]},
                   "face_generator")
    panel = client.get(reverse("inference:job", args=[job.pk]), HTTP_HX_REQUEST="true",
                       HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    # The next detector area after the panel: the demo page's, or the lesson widget's own.
    form = re.search(r'<form\b[^>]*hx-target="next \.detect-result"[^>]*>',
                     panel).group(0)
    assert 'hx-swap="innerHTML show:top"' in form


def test_a_result_names_its_model_once(client, make_user):
    from inference.catalog import model_card

    user = make_user("viewer")
    client.force_login(user)
    job = finished(user, "face-generate", {"faces": [{"file": "face-0.png", "seed": 3}]},
                   "face_generator")
    panel = client.get(reverse("inference:job", args=[job.pk]), HTTP_HX_REQUEST="true",
                       HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert model_card("face_generator")["name"] not in panel
    assert "abc123" in panel
