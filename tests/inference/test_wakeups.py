"""One gpu-queue message per batch (inference/wakeups.py): jobs whose message would only find
them already taken send none, and no job is left behind."""

import os
import time
from datetime import timedelta

import pytest

from inference import wakeups
from inference.models import DemoJob

from .conftest import TEST_REDIS_URL


def test_a_message_is_needed_only_when_none_of_the_kind_is_on_its_way(redis_broker):
    redis_broker.delete(wakeups.KEY_PREFIX + "test-kind")
    assert wakeups.message_needed("test-kind", "job-1")       # the first sends one
    assert not wakeups.message_needed("test-kind", "job-2")   # it will claim these
    assert not wakeups.message_needed("test-kind", "job-3")
    assert wakeups.message_needed("other-kind", "job-4")      # kinds are batched apart
    wakeups.clear("test-kind")                                # a worker is about to claim
    assert wakeups.message_needed("test-kind", "job-5")       # so a newer job sends its own
    # The key lapses, so a message that is never taken up holds nobody back for long.
    ttl_ms = redis_broker.pttl(wakeups.KEY_PREFIX + "test-kind")
    assert 0 < ttl_ms <= wakeups.WAKE_TTL_SECONDS * 1000
    redis_broker.delete(wakeups.KEY_PREFIX + "test-kind", wakeups.KEY_PREFIX + "other-kind")


def test_without_coalescing_every_job_sends_its_message(redis_broker, settings):
    settings.DEMO_COALESCE_MESSAGES = False
    assert all(wakeups.message_needed("test-kind", f"job-{i}") for i in range(3))


@pytest.mark.django_db
@pytest.mark.parametrize(("max_jobs", "max_images", "taken", "left"), [
    (1, 32, 1, 1),   # the message's own job fills the batch by count (batching off)
    (64, 32, 2, 1),  # full by images: two 16-face jobs
    (64, 64, 3, 0),  # everything fits: nothing left over
])
def test_a_full_batch_names_a_job_it_left_over(redis_broker, settings, django_user_model,
                                               max_jobs, max_images, taken, left):
    """Jobs left over by a full batch may have no message of their own: the claim must see
    them, even when the message's own job fills the batch alone."""
    from django.utils import timezone

    from inference.worker import claim

    settings.DEMO_MAX_BATCH, settings.DEMO_MAX_BATCH_IMAGES = max_jobs, max_images
    user = django_user_model.objects.create_user("c", password="pw-12345!")
    jobs = [DemoJob.objects.create(kind="face-generate", user=user, cache_key="k",
                                   params={"seed": i, "count": 16},
                                   expires_at=timezone.now() + timedelta(minutes=5))
            for i in range(3)]
    batch, leftover = claim.claim_batch("face-generate", first=jobs[0])
    assert [j.pk for j in batch] == [j.pk for j in jobs[:taken]]
    assert leftover == [j.pk for j in jobs[taken:taken + left]]


@pytest.mark.django_db
def test_a_message_whose_job_is_gone_still_wakes_its_kind(redis_broker, django_user_model):
    """Its job deleted (or run by another batch), a message still stands for the jobs of its
    kind that sent none: it names its kind, and claims and runs them."""
    import uuid

    from django.utils import timezone

    from inference import worker

    user = django_user_model.objects.create_user("g", password="pw-12345!")
    jobs = [DemoJob.objects.create(kind="face-generate", user=user, cache_key="k",
                                   params={"seed": i, "count": 1},
                                   expires_at=timezone.now() + timedelta(minutes=5))
            for i in range(2)]
    gone = str(uuid.uuid4())
    assert worker.demo_job_execute(job_id=gone) == "nothing to do"  # no kind: nothing to wake
    assert worker.demo_job_execute(job_id=gone, kind="face-generate") == "ran 2"
    assert {j.status for j in DemoJob.objects.filter(pk__in=[j.pk for j in jobs])} == {
        "succeeded"}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_jobs_that_sent_no_message_are_all_served_batch_after_batch(
        celery_worker_process, redis_broker, django_user_model, settings):
    """Five 16-face jobs find a message of their kind on its way, so none sends its own. One
    message then wakes the worker: batches hold 32 images (two jobs), and each full batch sends
    the message for the jobs it left over, until all five are done."""
    if not os.environ.get("CELERY_BROKER_URL", "").startswith(TEST_REDIS_URL):
        pytest.skip("the worker process reads this Redis only in CI's environment (.ci/run)")
    from inference import services
    from inference.tasks import demo_run

    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 5
    user = django_user_model.objects.create_user("w", password="pw-12345!")
    redis_broker.set(wakeups.KEY_PREFIX + "face-generate", "a message on its way", px=30_000)
    jobs = [services.demo_job_create(user=user, kind="face-generate",
                                     params={"seed": 77_000 + 16 * i, "count": 16})
            for i in range(5)]
    time.sleep(1.0)
    assert DemoJob.objects.filter(user=user, status="queued").count() == 5  # no message sent
    log_path = celery_worker_process.log_path
    seen = len(log_path.read_text().splitlines())
    demo_run.apply_async((str(jobs[0].pk),), queue="gpu")  # the message that was on its way
    deadline = time.monotonic() + 60
    while DemoJob.objects.filter(user=user, status__in=("queued", "running")).exists():
        assert time.monotonic() < deadline, list(DemoJob.objects.filter(user=user).values_list(
            "status", "message"))
        time.sleep(0.2)
    done = list(DemoJob.objects.filter(user=user))
    assert [j.status for j in done] == ["succeeded"] * 5
    assert sorted(j.timings["batch_size"] for j in done) == [1, 2, 2, 2, 2]
    received = [line for line in log_path.read_text().splitlines()[seen:]
                if "inference.tasks.demo_run[" in line and "received" in line]
    assert len(received) == 3, received  # ours, then one for each full batch's leftovers
