"""The live GAN demo: bounded inputs (service and database), snapshots streamed to the row
while it trains, a cancel that stops the training at once, and the page that shows it."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from config.errors import ApplicationError
from inference import services
from inference.models import DemoJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(make_user):
    return make_user("trainee")


def running_job(user, **params) -> DemoJob:
    """A live-GAN job as a worker's claim leaves it."""
    now = timezone.now()
    return DemoJob.objects.create(
        kind="live-gan", user=user, params={"mode": "gan", "seed": 1, "steps": 100, **params},
        cache_key="l" * 64, status=DemoJob.Status.RUNNING, started_at=now, heartbeat_at=now,
        expires_at=now + timedelta(minutes=5))


@pytest.mark.parametrize("params, field", [
    ({"steps": 99}, "steps"), ({"steps": 3001}, "steps"), ({"steps": "1e9"}, "steps"),
    ({"seed": -1}, "seed"), ({"mode": "wgan"}, "mode"), ({"mode": ["gan"]}, "mode")])
def test_out_of_bounds_inputs_get_a_clear_error(params, field):
    with pytest.raises(ApplicationError) as caught:
        services.demo_params_clean("live-gan", params)
    assert caught.value.code == "invalid_params"
    assert field in caught.value.message


def test_defaults_are_a_plain_gan_of_two_thousand_steps_with_a_stored_seed():
    clean = services.demo_params_clean("live-gan", {"seed": ""})
    assert clean["mode"] == "gan" and clean["steps"] == 2000
    assert 0 <= clean["seed"] < 2**31


def test_the_database_refuses_an_unbounded_live_gan_row(user):
    for params in ({"mode": "gan", "seed": 1, "steps": 10**6},
                   {"mode": "unrolled", "seed": 1, "steps": 1000},
                   {"mode": "gan", "seed": 1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            DemoJob.objects.create(kind="live-gan", user=user, params=params, cache_key="x",
                                   expires_at=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_training_streams_snapshots_to_the_row_and_ends_with_the_result(user):
    from inference.worker.live_gan import live_gan_train

    job = running_job(user, steps=200)
    seen = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            row = DemoJob.objects.filter(pk=job.pk).values("result", "progress").first()
            if row["result"]:
                seen.append((row["result"]["step"], row["progress"]))
            time.sleep(0.02)
        connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = live_gan_train(job, deadline=time.monotonic() + 120)
    finally:
        done.set()
        watcher.join()
    assert result["step"] == result["steps"] == 200
    assert len(result["samples"]) == 256 and len(result["data"]) == 256
    assert [h["step"] for h in result["history"]] == list(range(10, 201, 10))
    # The page saw the run move: snapshots of several steps before the end, progress rising.
    steps_seen = sorted({step for step, _ in seen})
    assert len(steps_seen) >= 3 and steps_seen[-1] < 200
    assert [p for _, p in sorted(seen)] == sorted(p for _, p in seen)


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_training_stops_it_at_once(user):
    from inference.worker.live_gan import Cancelled, live_gan_train

    job = running_job(user, steps=3000)
    outcome = {}

    def train():
        started = time.monotonic()
        try:
            live_gan_train(job, deadline=time.monotonic() + 300)
            outcome["result"] = "finished"
        except Cancelled:
            outcome["result"] = "cancelled"
        outcome["seconds"] = time.monotonic() - started
        connection.close()

    thread = threading.Thread(target=train)
    thread.start()
    deadline = time.monotonic() + 60
    while not DemoJob.objects.get(pk=job.pk).result:  # the first snapshot is stored
        assert time.monotonic() < deadline
        time.sleep(0.05)
    cancelled_at = time.monotonic()
    services.demo_job_cancel(job=job, user=user)
    thread.join(timeout=30)
    assert outcome["result"] == "cancelled"
    # One snapshot interval (75 steps of a 3000-step run) at most, not the rest of the run.
    assert time.monotonic() - cancelled_at < 5
    row = DemoJob.objects.get(pk=job.pk)
    assert row.status == DemoJob.Status.CANCELLED and row.result["step"] < 3000


def test_the_running_panel_shows_the_plot_and_asks_again_soon(client, user):
    job = running_job(user)
    job.result = {"live": True, "mode": "gan", "n_modes": 8, "radius": 2.0, "step": 40,
                  "steps": 100, "modes_covered": 3, "quality": 0.5, "per_mode": [1] * 8,
                  "samples": [[0.1, 0.2], [2.0, 0.0]], "data": [[2.0, 0.0]],
                  "centres": [[2.0, 0.0]],
                  "history": [{"step": 20, "d_loss": 1.3, "g_loss": 0.8, "modes": 1},
                              {"step": 40, "d_loss": 1.2, "g_loss": 0.9, "modes": 3}]}
    job.save()
    client.force_login(user)
    html = client.get(reverse("inference:job", args=[job.pk]), HTTP_HX_REQUEST="true",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Step 40 of 100" in html and "3 of 8 modes covered" in html
    assert html.count('class="pt-sample"') == 2 and "polyline" in html
    assert 'hx-trigger="load delay:500ms"' in html and "wait=" not in html
    assert "Stop training" in html


def test_a_finished_run_downloads_its_samples_and_losses(client, user):
    job = running_job(user)
    DemoJob.objects.filter(pk=job.pk).update(
        status=DemoJob.Status.SUCCEEDED, finished_at=timezone.now(),
        result={"mode": "gan", "steps": 100, "modes_covered": 2, "samples": [[0, 0]],
                "history": [{"step": 100, "d_loss": 1.0, "g_loss": 1.0, "modes": 2}]})
    client.force_login(user)
    response = client.get(reverse("inference:download", args=[job.pk]))
    assert response["Content-Disposition"].endswith('.json"')
    report = response.json()
    assert report["kind"] == "live-gan" and report["modes_covered"] == 2
    assert report["history"][0]["step"] == 100


def test_a_lesson_directive_with_a_bad_live_gan_option_names_it():
    from courses.rendering import DirectiveError
    from inference.directives import parse_demo_directive

    assert parse_demo_directive("demo live-gan", "seed: 1\nsteps: 2000\n")["options"] == {
        "seed": 1, "steps": 2000}
    with pytest.raises(DirectiveError, match="'steps' must be between 100 and 3000"):
        parse_demo_directive("demo live-gan", "steps: 50000\n")
    with pytest.raises(DirectiveError, match="'mode' must be one of gan, pacgan, minibatch"):
        parse_demo_directive("demo live-gan", "mode: wgan\n")


def test_the_week_7_lesson_on_mode_collapse_embeds_the_live_gan(make_user, enrol, client):
    from tests.course_pages import lesson_html, load_and_log_in

    page = lesson_html(load_and_log_in(make_user, enrol, client), "image-generation")
    section = page[page.find("모드 붕괴와 학습 불안정"):]
    assert section.find("예측 → 실행 → 설명") < section.find('class="demo-form live-gan-form"')
    form = section[section.find('class="demo-form live-gan-form"'):]
    form = form[:form.find("</form>")]
    assert 'name="mode" value="gan" checked' in form and 'value="pacgan"' in form
    assert 'name="seed" min="0" max="2147483647" value="1"' in form
    assert 'name="steps" min="100" max="3000" step="100" value="2000"' in form
    assert 'name="lesson" value="image-generation"' in form
