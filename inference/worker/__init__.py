"""The worker side of the demos: a `demo_run` message claims queued jobs (claim.py), runs one
batched forward pass (runners.py) and stores the results; pool_refill.py tops up the
spot-the-fake pools.

Imported only by Celery worker processes (inference.tasks imports it inside its tasks), so the
web process never imports torch. Models load once per process and are shared by its threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from .. import job_messages, notify, wakeups
from ..enqueue import demo_jobs_wake
from ..models import DemoJob
from .claim import TAKEN_HERE, claim_batch, looks_lost, reclaim_lost
from .runners import JobTimeout, run_batch

log = logging.getLogger(__name__)


# DEMO_FORWARD_PASSES forward passes at a time per worker process (default one). Jobs whose
# messages arrive while the model is busy wait here, and the first to get in claims every job
# queued by then: the batch grows with the load by itself (dynamic batching, no waiting
# window). Saving a batch's images happens after leaving, so it overlaps with the next forward
# pass. Two passes of one torch thread each (INFERENCE_TORCH_THREADS=1) can beat one pass of two
# threads on a CPU whose cores the web server shares (docs/performance.md).
MODEL_LOCK = threading.BoundedSemaphore(settings.DEMO_FORWARD_PASSES)


def demo_job_execute(*, job_id: str, kind: str | None = None) -> str:
    """Run the job (and any queued jobs of its kind, batched). Idempotent: safe to redeliver.

    With coalesced messages (inference/wakeups.py) a message also stands for the jobs of its
    kind that sent none: it claims the oldest queued ones even when its own job is gone (its
    row deleted, too: the message names the kind).
    """
    coalesced = wakeups.coalescing()
    taken_kind = TAKEN_HERE.kind(job_id)
    if taken_kind is not None:
        # A batch of this process took it: done, or being done. (A process that dies takes its
        # record with it; the redelivered or recovered message then reads the row below.)
        if not coalesced:
            return "running elsewhere"
        return _run_claimed(lambda: _claim_waking(taken_kind, None), taken_kind)
    # Just what deciding needs: most messages find their job already taken by a batch.
    job = next(iter(DemoJob.objects.filter(pk=job_id).order_by().only(
        "status", "kind", "params", "expires_at", "heartbeat_at")[:1]), None)
    if job is None:
        if coalesced and kind:  # a wake-up for its kind only
            return _run_claimed(lambda: _claim_waking(kind, None), kind)
        return "nothing to do"
    if job.status == DemoJob.Status.RUNNING and looks_lost(job):
        return _run_claimed(lambda: (reclaim_lost(job), []), job.kind)
    if job.status == DemoJob.Status.QUEUED and job.expires_at < timezone.now():
        DemoJob.objects.filter(pk=job.pk).expire_stale()
        outcome = "expired"
    elif job.status != DemoJob.Status.QUEUED:  # the usual case: a batch took it
        outcome = "nothing to do" if job.is_finished else "running elsewhere"
    else:
        return _run_claimed(lambda: _claim_waking(job.kind, job), job.kind)
    if not coalesced:
        return outcome
    return _run_claimed(lambda: _claim_waking(job.kind, None), job.kind)


def _claim_waking(kind: str, first: DemoJob | None) -> tuple[list[DemoJob], list]:
    wakeups.clear(kind)  # before the claim: a job enqueued from now on sends its own message
    return claim_batch(kind, first)


def _run_claimed(claim: Callable[[], tuple[list[DemoJob], list]], kind: str) -> str:
    """Claim under MODEL_LOCK, run the forward pass, save after releasing the lock."""
    batch: list[DemoJob] = []
    started = time.perf_counter()
    try:
        with MODEL_LOCK:
            batch, left = claim()
            if left:  # the batch is full: a message for the jobs it could not take
                demo_jobs_wake(kind, left[0])
            if not batch:
                return "claimed elsewhere"
            deadline = time.monotonic() + settings.DEMO_JOB_TIME_LIMIT_SECONDS
            save_rest = run_batch(batch, deadline)
        save_rest()
    except Exception as exc:  # one bad batch must not take the worker down
        log.exception("demo batch failed")
        fail_batch(batch, exc)
        return "failed"
    log.info("ran %d %s job(s) in %.0f ms", len(batch), kind,
             (time.perf_counter() - started) * 1000)
    return f"ran {len(batch)}"


def fail_batch(batch: list[DemoJob], exc: Exception) -> None:
    """Mark a batch's still-running jobs failed with a message a student can read."""
    message = (job_messages.TIMED_OUT if isinstance(exc, JobTimeout)
               else job_messages.model_failed(exc))
    DemoJob.objects.filter(pk__in=[j.pk for j in batch], status=DemoJob.Status.RUNNING).update(
        status=DemoJob.Status.FAILED, finished_at=timezone.now(), error=repr(exc)[:2000],
        message=message)
    notify.jobs_finished(j.pk for j in batch)

