""""This job has finished": from the worker that finished it to the web request waiting for it.

A client may ask the API to wait for a result (`Prefer: wait=10`, RFC 7240) instead of polling.
The waiting web thread must learn of the finish without asking the database over and over:

- With a Redis broker (production), the worker publishes on a channel per job after its commit
  and the web thread blocks on that channel (no CPU while it waits).
- With the embedded filesystem broker (`make run`), there is no shared channel, so the web
  thread re-reads the row every WAIT_POLL_SECONDS: the same answer, a few cheap queries more.

Both sides share only the broker and the database, as the architecture asks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings

log = logging.getLogger(__name__)
WAIT_POLL_SECONDS = 0.05
CHANNEL_PREFIX = "demo-job-finished:"


@lru_cache(maxsize=1)
def _redis():
    """A client (with its own connection pool) for the broker, or None if it is not Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=5, health_check_interval=30)


def jobs_finished(job_ids: Iterable) -> None:
    """Tell waiting requests these jobs are finished. Call after the commit that finished them.

    Best effort: a lost message only means the waiter finds out at its next check.
    """
    client = _redis()
    ids = [str(pk) for pk in job_ids]
    if client is None or not ids:
        return
    try:
        with client.pipeline(transaction=False) as pipe:
            for pk in ids:
                pipe.publish(CHANNEL_PREFIX + pk, b"1")
            pipe.execute()
    except Exception as exc:  # redis errors vary; the job itself is already stored
        log.warning("could not announce %d finished demo jobs: %s", len(ids), exc)


def wait_until(job_id, is_finished: Callable[[], bool], timeout: float) -> bool:
    """Block up to `timeout` seconds until `is_finished()` (a fresh read of the job) is true.

    Returns the last answer of `is_finished()`. The check after subscribing closes the race
    with a worker that finished between the caller's read and the subscription.
    """
    deadline = time.monotonic() + timeout
    client = _redis()
    if client is not None:
        try:
            return _wait_on_channel(client, str(job_id), is_finished, deadline)
        except Exception as exc:  # broker unreachable: fall back to reading the row
            log.warning("waiting on Redis failed, polling the database instead: %s", exc)
    while True:
        if is_finished():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(WAIT_POLL_SECONDS, left))


def _wait_on_channel(client, job_id: str, is_finished: Callable[[], bool],
                     deadline: float) -> bool:
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(CHANNEL_PREFIX + job_id)
        while True:
            if is_finished():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            # A message means "look again"; a timeout (None) means look once more and stop.
            pubsub.get_message(timeout=min(left, 1.0))
    finally:
        pubsub.close()
