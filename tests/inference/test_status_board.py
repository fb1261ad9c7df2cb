"""The instructors' demo status board: median timings of the jobs the workers ran (a cached
copy is not a run), kinds by their translated names, and the device the worker really uses."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from inference.models import DemoJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user(
        "board", password="pw-12345!", is_staff=True))
    return client


def finished(user, kind, timings):
    now = timezone.now()
    return DemoJob.objects.create(kind=kind, user=user, params={}, cache_key="k",
                                  status="succeeded", finished_at=now, timings=timings,
                                  expires_at=now + timedelta(minutes=5))


def board_row(html: str, label: str) -> list[str]:
    row = re.search(r"<tr><td>" + re.escape(label) + r"</td>(.*?)</tr>", html, re.S)
    assert row, html
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


def test_the_board_shows_median_timings_and_translated_kind_names(staff_client,
                                                                  django_user_model):
    user = django_user_model.objects.get()
    for queue_ms, run_ms in ((10, 100), (20, 200), (30, 300)):
        finished(user, "face-generate", {"queue_ms": queue_ms, "run_ms": run_ms,
                                         "total_ms": queue_ms + run_ms, "batch_size": 2})
    finished(user, "face-generate", {"cached": True, "total_ms": 0, "source_job": "x"})
    html = staff_client.get("/demos/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">face-generate<" not in html
    # jobs, succeeded, waiting, in the model, total (medians of the three runs)
    assert board_row(html, "Generate faces") == ["4", "4", "20", "200", "220"]
    korean = staff_client.get("/demos/status/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert board_row(korean, "얼굴 생성")[:2] == ["4", "4"]


def test_the_worker_line_does_not_claim_a_gpu(staff_client, settings):
    settings.CELERY_BROKER_URL = "memory://"  # no worker answers: the board says so
    html = staff_client.get("/demos/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "GPU worker" not in html and "Demo worker" in html
    korean = staff_client.get("/demos/status/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "데모 워커" in korean


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_board_names_the_device_the_worker_runs_on(celery_worker_process, staff_client):
    import torch

    html = staff_client.get("/demos/status/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "answering" in html and "not answering" not in html, html
    line = re.search(r"<p class=\"worker-health\">(.*?)</p>", html, re.S).group(1)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert device in line.lower() and "GPU worker" not in html, line
