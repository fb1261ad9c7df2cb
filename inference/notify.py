""""This job has finished": from the worker that finished it to the web request waiting for it.

A client may ask the API to wait for a result (`Prefer: wait=10`, RFC 7240) instead of polling.
The waiting web thread must learn of the finish without asking the database over and over:

- With a Redis broker (production), the worker publishes on a channel per job after its commit.
  Each web process holds one subscription to all those channels (a listener thread started on
  first use) and wakes the request threads waiting for a job; they use no CPU while waiting
  and no Redis connection of their own.
- With the embedded filesystem broker (`make run`), there is no shared channel, so the web
  thread re-reads the row every WAIT_POLL_SECONDS: the same answer, a few cheap queries more.

Both sides share only the broker and the database, as the architecture asks.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache

import redis
from django.conf import settings

log = logging.getLogger(__name__)
WAIT_POLL_SECONDS = 0.05
# A subscribed waiter's re-check of the row without an announcement. Each re-check is a query
# and a few ms of web CPU; at 64 waiting clients re-checking every second they were half of the
# web server's work per job (docs/performance.md).
RECHECK_SECONDS = 5.0
CHANNEL_PREFIX = "demo-job-finished:"


@lru_cache(maxsize=1)
def _redis():
    """A client (with its own connection pool) for the broker, or None if it is not Redis."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return None
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


class Watch:
    """Interest in one job's announcement, registered before anything could announce it.

    Opened before the job is enqueued (or read), a watch cannot miss the announcement of its
    finish, so the wait needs no first look at the row: a request that creates a job and waits
    for it reads the row once, when woken (docs/performance.md). Without a shared
    channel (the filesystem broker) or while the listener is not subscribed, the wait looks
    first, as before.
    """

    def __init__(self, job_id) -> None:
        self.job_id = str(job_id)
        self.event = threading.Event()
        client = _redis()
        self.listener = _listener(client) if client is not None else None
        if self.listener is not None:
            self.listener.add(self.job_id, self.event)
        # Subscribed now: every announcement from here on reaches the event. (Losing Redis later
        # sets the event, so the wait then looks at the row.)
        self.sure = self.listener is not None and self.listener.subscribed.is_set()

    def __enter__(self) -> Watch:
        return self

    def __exit__(self, *exc) -> None:
        if self.listener is not None:
            self.listener.remove(self.job_id, self.event)


def wait_until(job_id, is_finished: Callable[[], bool], timeout: float,
               watch: Watch | None = None) -> bool:
    """Block up to `timeout` seconds until `is_finished()` (a fresh read of the job) is true.

    Returns the last answer of `is_finished()`, which is asked at least once. Registering before
    the first check closes the race with a worker that finishes in between; a watch opened
    before the job was enqueued closes it earlier still and spares that first check. A lost
    announcement costs at most RECHECK_SECONDS.
    """
    deadline = time.monotonic() + timeout
    if watch is None:
        with Watch(job_id) as own:
            return _wait(own, is_finished, deadline, look_first=True)
    return _wait(watch, is_finished, deadline, look_first=not watch.sure)


def _wait(watch: Watch, is_finished: Callable[[], bool], deadline: float,
          look_first: bool) -> bool:
    listener = watch.listener
    if listener is None:  # no shared channel: look again every WAIT_POLL_SECONDS
        return _check_until(is_finished, deadline, lambda left: time.sleep(
            min(WAIT_POLL_SECONDS, left)))

    def pause(left: float) -> None:
        # While the listener is subscribed an announcement wakes us, and so does the listener
        # losing or regaining Redis; the rare re-check only covers a publish the worker could
        # not make. Without a subscription, look again every second.
        every = RECHECK_SECONDS if listener.subscribed.is_set() else 1.0
        if watch.event.wait(min(left, every)):
            watch.event.clear()

    if not look_first:
        pause(max(0.0, deadline - time.monotonic()))
    return _check_until(is_finished, deadline, pause)


def _check_until(is_finished: Callable[[], bool], deadline: float,
                 pause: Callable[[float], object]) -> bool:
    while True:
        if is_finished():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        pause(left)


class _Listener:
    """One pattern subscription per process; wakes the events registered for a job id."""

    def __init__(self, client) -> None:
        self.client = client
        self.lock = threading.Lock()
        self.waiters: dict[str, set[threading.Event]] = {}
        self.subscribed = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-job-listener", daemon=True)
        self.thread.start()
        self.subscribed.wait(1.0)  # the first waiter should not miss an early announcement

    def add(self, job_id: str, event: threading.Event) -> None:
        with self.lock:
            self.waiters.setdefault(job_id, set()).add(event)

    def remove(self, job_id: str, event: threading.Event) -> None:
        with self.lock:
            events = self.waiters.get(job_id, set())
            events.discard(event)
            if not events:
                self.waiters.pop(job_id, None)

    def _wake_all(self) -> None:
        with self.lock:
            for events in self.waiters.values():
                for event in events:
                    event.set()

    def _run(self) -> None:
        while True:
            try:
                pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self.subscribed.set()
                self._wake_all()  # announcements made while we were away are lost: look now
                for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    job_id = message["channel"].decode().removeprefix(CHANNEL_PREFIX)
                    with self.lock:
                        for event in self.waiters.get(job_id, ()):
                            event.set()
            except Exception as exc:  # Redis went away: waiters fall back to a check a second
                self.subscribed.clear()
                self._wake_all()
                log.warning("demo job listener lost Redis, retrying: %s", exc)
                time.sleep(1.0)


_LISTENERS: dict[int, _Listener] = {}
_LISTENERS_LOCK = threading.Lock()


def _listener(client) -> _Listener:
    """This process's listener (a forked web worker starts its own: threads do not survive
    a fork)."""
    with _LISTENERS_LOCK:
        pid = os.getpid()
        if pid not in _LISTENERS:
            _LISTENERS[pid] = _Listener(client)
        return _LISTENERS[pid]
