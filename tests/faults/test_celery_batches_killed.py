"""celery-batches and kill -9: messages sitting in a worker's buffer are reserved, not
acknowledged, so none of their jobs ran; after a restart every one of them runs."""

import os
import random
import signal
import time

import pytest
from amqp.exceptions import ChannelError
from django.conf import settings as django_settings
from django.db import transaction

from config.celery import app
from inference import services
from inference.models import DemoJob
from inference.tasks import demo_run_batch
from tests.conftest import start_worker, stop_worker, wait_until_settled

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
QUEUE = "gpu-buffer-then-killed"  # only the doomed worker reads it


def waiting_in(queue: str) -> int:
    with app.connection_for_read() as conn:
        try:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # Redis: an empty queue has no key
            return 0


def unacked_redis_bodies() -> list[str]:
    """The messages that the Redis transport holds as delivered but not acknowledged."""
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        return [v.decode() for v in channel.client.hvals(channel.unacked_key)]


def forget_unacked_redis(ids) -> None:
    """Drop the dead worker's reservations, which Redis would restore to QUEUE in an hour."""
    with app.connection_for_read() as conn:
        channel = conn.default_channel
        for tag, body in channel.client.hgetall(channel.unacked_key).items():
            if any(str(pk).encode() in body for pk in ids):
                channel.client.hdel(channel.unacked_key, tag)
                channel.client.zrem(channel.unacked_index_key, tag)


def test_buffered_messages_of_a_killed_worker_are_not_lost(django_user_model, tmp_path,
                                                            settings, monkeypatch):
    settings.DEMO_BATCHER = "celery-batches"
    settings.DEMO_MAX_IN_FLIGHT_PER_USER = 100
    user = django_user_model.objects.create_user("killed-batch", password="pw-123456!")
    # A worker that buffers for ten minutes: it reserves the messages and never flushes.
    doomed = start_worker(tmp_path / "a.log", name="buffering", queues=QUEUE, extra_env={
        "DEMO_BATCHER": "celery-batches", "DEMO_BATCH_FLUSH_INTERVAL": "600",
        "INFERENCE_PRELOAD": "0"})
    monkeypatch.setattr(services, "_enqueue", lambda job: demo_run_batch.apply_async(
        (str(job.pk),), queue=QUEUE))
    try:
        base = random.randrange(0, 2**30)
        with transaction.atomic():
            ids = [services.demo_job_create(user=user, kind="face-generate",
                                            params={"seed": base + 10 * i, "count": 1}).pk
                   for i in range(3)]
        deadline = time.monotonic() + 30
        while waiting_in(QUEUE):
            assert time.monotonic() < deadline, "the worker did not take the messages"
            time.sleep(0.1)
        time.sleep(0.5)  # taken off the queue → in the worker's buffer
        if django_settings.CELERY_BROKER_URL.startswith("redis"):
            unacked = unacked_redis_bodies()
            assert all(any(str(pk) in body for body in unacked) for pk in ids)
            forget_unacked_redis(ids)
    finally:
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait()
        doomed.log_file.close()
    assert "--prefetch-multiplier" in doomed.log_path.read_text()  # it says it reserves too few
    assert set(DemoJob.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"queued"}

    # The next worker's start-up re-sends every queued job (the filesystem broker cannot
    # redeliver; Redis would, after its visibility timeout: the claim makes that harmless).
    monkeypatch.undo()
    rescuer = start_worker(tmp_path / "b.log", name="rescuer", extra_env={
        "DEMO_BATCHER": "celery-batches", "DEMO_BATCH_FLUSH_INTERVAL": "0.05"})
    try:
        wait_until_settled(ids, timeout=60, every=0.2)
    finally:
        stop_worker(rescuer)
    jobs = DemoJob.objects.filter(pk__in=ids)
    assert [j.status for j in jobs] == ["succeeded"] * 3
    assert all(j.tries == 1 for j in jobs)
