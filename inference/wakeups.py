"""One gpu-queue message per batch, not per job ("coalesced wake-ups"; Redis).

A demo message (inference.worker.demo_job_execute) claims every queued job of
its kind that fits in one forward pass, so with four jobs a batch three messages of every four
found their job already taken: each still cost the web a Celery publish and the worker Celery's
receive, dispatch and acknowledgement (docs/performance.md). Now:

- The web sends a job's message only if it can set this kind's wake key (Redis SET NX, which
  lives WAKE_TTL_SECONDS). Otherwise a message sent moments ago has not yet been taken up, and
  the worker that takes it up will claim this job too.
- The worker clears the key right before it claims (so a job enqueued after that sends its own
  message), and claims the oldest queued jobs of the kind, whether or not the message's own job
  is still queued. If jobs are left over because the batch was full, it sends a message for them.

Why a job cannot be left behind: its enqueue runs after its commit, so if it found the key set,
its commit came before the worker cleared the key and therefore before the claim that follows;
that claim takes it or, if full, sends the message for the rest. The key's lifetime bounds the
damage of a message that is not processed soon (a backlog, a worker killed holding it: jobs then
send their own again; recovery re-sends every queued job when a worker starts).

Without Redis (the filesystem broker of `make run`) or with DEMO_COALESCE_MESSAGES off, every
job sends its own message. The messages themselves are sent by inference/enqueue.py.
"""

from __future__ import annotations

import logging

from django.conf import settings

from . import notify

log = logging.getLogger(__name__)
KEY_PREFIX = "demo-wake:"
WAKE_TTL_SECONDS = 2.0


def _client():
    if not settings.DEMO_COALESCE_MESSAGES:
        return None
    return notify._redis()


def coalescing() -> bool:
    return _client() is not None


def message_needed(kind: str, job_id) -> bool:
    """Whether this job must send its own message (False: a pending one will claim it).
    Any Redis error sends the message: a message too many costs little, one too few a job."""
    client = _client()
    if client is None:
        return True
    try:
        return bool(client.set(KEY_PREFIX + kind, str(job_id), nx=True,
                               px=int(WAKE_TTL_SECONDS * 1000)))
    except Exception as exc:  # redis errors vary
        log.warning("wake key for %s not set, sending the message: %s", kind, exc)
        return True


def clear(kind: str) -> None:
    """Called by the worker right before it claims jobs of `kind` (see the module docstring)."""
    client = _client()
    if client is None:
        return
    try:
        client.delete(KEY_PREFIX + kind)
    except Exception as exc:
        # The key then lives out its WAKE_TTL_SECONDS: jobs enqueued until then wait for the
        # next message of their kind or for the key to lapse.
        log.warning("wake key for %s not cleared: %s", kind, exc)

