"""Sending work to the gpu queue: the one place the demos' messages are published.

A new job (services, on commit), the jobs a killed worker left behind (recovery), the jobs a
full batch left over (the worker) and a spot-the-fake pool refill (inference.pool) all go
through here. Messages are sent by task name, so this module imports neither inference.tasks
nor the worker code the tasks run: what sends work does not depend on what runs it, and only
Celery's task discovery imports inference.tasks.

With coalesced messages (inference/wakeups.py) a job sends none while a message of its kind is
on its way: that message's claim takes it.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.conf import settings
from django.utils import timezone

from . import job_messages, wakeups
from .models import DemoJob

log = logging.getLogger(__name__)
DEMO_RUN = "inference.tasks.demo_run"
SPOT_POOL_REFILL = "inference.tasks.spot_pool_refill"


def _send(job_id, kind: str, task_id: str | None = None) -> None:
    """Publish one `demo_run` message; `kind` lets it wake its kind's jobs even if its own row
    is gone. Raises what the broker raises."""
    current_app.send_task(DEMO_RUN, (str(job_id),), {"kind": kind}, queue="gpu",
                          task_id=task_id or None, expires=settings.DEMO_JOB_EXPIRES_SECONDS,
                          retry=False)


def demo_job_enqueue(job: DemoJob) -> None:
    """Send the job's id to the gpu queue; if the broker is down, fail the job with a message."""
    if not wakeups.message_needed(job.kind, job.pk):
        return  # a message of its kind is on its way, and its claim will take this job
    try:
        _send(job.pk, job.kind, job.task_id)
    except Exception as exc:  # kombu raises several connection errors; all mean "no broker"
        log.warning("demo job %s not queued: %s", job.pk, exc)
        wakeups.clear(job.kind)  # no message is on its way: the next job must send its own
        DemoJob.objects.filter(pk=job.pk).update(
            status=DemoJob.Status.FAILED, finished_at=timezone.now(),
            error="broker unavailable",
            message=job_messages.UNAVAILABLE)


def demo_jobs_wake(kind: str, job_id) -> None:
    """A message for the queued jobs a full batch left over, unless one is already on its way
    (without coalescing every job has its own message: nothing to do)."""
    if not wakeups.coalescing() or not wakeups.message_needed(kind, job_id):
        return
    try:
        _send(job_id, kind)
    except Exception as exc:  # the key lapses and the next job, or recovery, sends one
        log.warning("no message for the jobs left over of %s: %s", kind, exc)


def spot_pool_refill_send() -> None:
    """Ask a gpu worker to top the spot-the-fake pools up. Raises what the broker raises: the
    caller (inference.pool.request_refill) decides what a missing broker means."""
    current_app.send_task(SPOT_POOL_REFILL, queue="gpu", expires=600, retry=False)
