"""DEMO_BATCHER=celery-batches: jobs go to `demo_run_batch`, which a real worker buffers and runs
as one batch; each batch claims only its own jobs, and only those still queued."""

import random
import time

import pytest
from django.db import transaction

from inference import services
from inference.models import DemoJob
from inference.services import demo_job_cancel, demo_job_create

pytestmark = [pytest.mark.worker]


@pytest.fixture
def user(django_user_model, settings):
    settings.DEMO_BATCHER = "celery-batches"  # the web side (this process) sends demo_run_batch
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 100
    settings.DEMO_RATE_PER_MINUTE = 1000
    return django_user_model.objects.create_user("batched", password="pw-12345!")


def faces(user, n: int) -> list[DemoJob]:
    """n face jobs with fresh seeds (so the cache never answers)."""
    base = random.randrange(0, 2**30)
    return [demo_job_create(user=user, kind="face-generate",
                            params={"seed": base + 100 * i, "count": 2}) for i in range(n)]


def wait_finished(ids, timeout=60) -> list[DemoJob]:
    deadline = time.monotonic() + timeout
    while DemoJob.objects.filter(pk__in=ids, status__in=("queued", "running")).exists():
        assert time.monotonic() < deadline, list(
            DemoJob.objects.filter(pk__in=ids).values_list("status", "message"))
        time.sleep(0.1)
    return list(DemoJob.objects.filter(pk__in=ids))


@pytest.mark.django_db(transaction=True)
def test_jobs_created_together_run_as_one_batch(celery_worker_process, user):
    with transaction.atomic():  # the messages go out together, on commit
        ids = [job.pk for job in faces(user, 4)]
    jobs = wait_finished(ids)
    assert [j.status for j in jobs] == ["succeeded"] * 4, [j.message for j in jobs]
    assert all(len(j.result["faces"]) == 2 for j in jobs)
    assert max(j.timings["batch_size"] for j in jobs) >= 2  # one forward pass for several
    assert "celery-batches: ran" in celery_worker_process.log_path.read_text()


@pytest.mark.django_db(transaction=True)
def test_a_job_cancelled_before_the_flush_is_not_run(celery_worker_process, user):
    with transaction.atomic():
        first, cancelled, last = faces(user, 3)
        demo_job_cancel(job=cancelled, user=user)  # its message is still sent, on commit
    jobs = wait_finished([first.pk, last.pk])
    assert [j.status for j in jobs] == ["succeeded"] * 2
    time.sleep(1.5)  # past the worker's flush interval (1 s): every message was handled
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"
    assert cancelled.started_at is None and cancelled.tries == 0 and not cancelled.result


@pytest.mark.django_db
def test_a_batch_claims_its_own_jobs_only_once(user, monkeypatch):
    """No worker: the batch function in this process. Another queued job of the same kind is not
    taken (that is demo_run's way), and an id repeated by a redelivery runs once."""
    from inference.batches import demo_jobs_execute

    monkeypatch.setattr(services, "_enqueue", lambda job: None)
    mine, other = faces(user, 2)
    assert demo_jobs_execute([str(mine.pk), str(mine.pk)]) == "ran 1 of 1"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == "succeeded" and mine.timings["batch_size"] == 1 and mine.tries == 1
    assert other.status == "queued"
    assert demo_jobs_execute([str(mine.pk)]) == "ran 0 of 1"  # redelivered: nothing to do


def test_a_flush_is_cut_by_kind_and_by_the_image_cap(settings):
    from inference.batches import _chunks

    settings.DEMO_MAX_BATCH, settings.DEMO_MAX_BATCH_IMAGES = 3, 40
    rows = [(i, "face-generate", {"count": 16}) for i in range(3)] + [
        (10 + i, "caption", {}) for i in range(4)]
    chunks = list(_chunks(rows, {"face-generate", "caption"},
                          lambda kind, params: params.get("count", 1)))
    assert chunks == [[0, 1], [2], [10, 11, 12], [13]]
