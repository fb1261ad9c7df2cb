"""kill -9 of the Celery worker in the middle of demo jobs: after a restart every job finishes
(or fails with a message); none stays "running"."""

import os
import signal
import time

import pytest

from inference.models import DemoJob
from inference.services import demo_job_create
from tests.conftest import start_worker, stop_worker, wait_until_settled

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_jobs_survive_a_killed_worker(django_user_model, tmp_path, settings):
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 1000
    settings.DEMO_RATE_PER_MINUTE = 1000
    user = django_user_model.objects.create_user("victim-of-kill", password="pw-123456!")
    # Heartbeats go stale after 2 s, so recovery starts quickly; both workers use it.
    env = {"DEMO_HEARTBEAT_STALE_SECONDS": "2", "DEMO_MAX_BATCH": "2"}
    first = start_worker(tmp_path / "a.log", name="doomed", extra_env=env)
    jobs = [demo_job_create(user=user, kind="latent-walk",
                            params={"seed_a": i, "seed_b": 10_000 + i, "steps": 16}).pk
            for i in range(30)]
    deadline = time.monotonic() + 60
    while not DemoJob.objects.filter(pk__in=jobs, status="running").exists():
        assert time.monotonic() < deadline, "no job started"
        time.sleep(0.05)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    first.log_file.close()
    stranded = DemoJob.objects.filter(pk__in=jobs).exclude(status="succeeded").count()
    assert stranded > 0  # the kill really left work behind
    time.sleep(2.5)  # let the heartbeats of the killed batch go stale
    second = start_worker(tmp_path / "b.log", name="rescuer", extra_env=env)
    try:
        wait_until_settled(jobs, timeout=180, every=0.3)
    finally:
        stop_worker(second)
    statuses = list(DemoJob.objects.filter(pk__in=jobs).values_list("status", "message"))
    assert all(status in ("succeeded", "failed", "expired") for status, _ in statuses)
    assert all(message for status, message in statuses if status != "succeeded")
    assert all(status == "succeeded" for status, _ in statuses), statuses
