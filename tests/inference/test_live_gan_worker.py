"""The live GAN through a real Celery worker process: a job created by the service is
claimed, trained with snapshots on the row, and finished with its result; a cancelled one
stops training (no snapshot after the cancel, and the worker logs the stop)."""

import time

import pytest

from inference import services
from inference.models import DemoJob

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(job, predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if predicate(job):
            return job
        assert time.monotonic() < deadline, (job.status, job.message, job.progress)
        time.sleep(0.1)


def test_a_live_gan_runs_on_the_worker_and_a_cancel_stops_it(celery_worker_process,
                                                               make_user):
    user = make_user("gan-student")
    long = services.demo_job_create(user=user, kind="live-gan",
                                    params={"mode": "pacgan", "seed": 3, "steps": 3000})
    wait_for(long, lambda j: j.status == "running" and j.result is not None)
    assert long.result["live"] and long.result["step"] < 3000
    services.demo_job_cancel(job=long, user=user)

    short = services.demo_job_create(user=user, kind="live-gan",
                                     params={"mode": "gan", "seed": 4, "steps": 200})
    wait_for(short, lambda j: j.is_finished)
    assert short.status == DemoJob.Status.SUCCEEDED, short.message
    assert short.result["step"] == 200 and len(short.result["samples"]) == 256
    assert short.timings["run_ms"] > 0 and short.model_version == "toy-gan-1"
    long.refresh_from_db()
    assert long.status == DemoJob.Status.CANCELLED
    step_at_cancel = long.result["step"]
    time.sleep(1.0)  # a training still running would have written another snapshot by now
    long.refresh_from_db()
    assert long.result["step"] == step_at_cancel < 3000
    # The worker's own word that the loop stopped (inference.worker.runners._run_live_gan).
    deadline = time.monotonic() + 10
    while "cancelled after" not in celery_worker_process.log_path.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.2)
