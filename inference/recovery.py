"""Jobs left behind by a worker that died (kill -9, a lost node): requeue them or fail them.

A job is never "running" forever: one whose heartbeat stopped longer than the time limit ago is
put back in the queue (up to 3 tries) and its id re-sent; queued jobs whose message may have been
lost with the worker are re-sent too (with coalesced messages, one per batch: inference/wakeups.py).
Claiming is idempotent, so a job whose original message does arrive after all still runs once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from . import job_messages
from .enqueue import demo_job_enqueue
from .models import DemoJob, DetectorTraining
from .training import stages
from .training.services import detector_training_enqueue

log = logging.getLogger(__name__)


def demo_jobs_recover() -> int:
    """Requeue or fail running jobs whose worker stopped, expire stale queued ones, and re-send
    the rest of the queue; return how many were re-sent."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS)
    lost = DemoJob.objects.filter(status=DemoJob.Status.RUNNING, heartbeat_at__lt=stale)
    lost.filter(tries__gte=3).update(
        status=DemoJob.Status.FAILED, finished_at=now, error="worker lost three times",
        message=job_messages.WORKER_LOST_REPEATEDLY)
    lost.filter(tries__lt=3).update(status=DemoJob.Status.QUEUED, claim="",
                                    message=job_messages.REQUEUED)
    DemoJob.objects.expire_stale(now)
    waiting = list(DemoJob.objects.filter(status=DemoJob.Status.QUEUED,
                                          expires_at__gte=now).order_by("created_at"))
    for job in waiting:
        demo_job_enqueue(job)
    if waiting:
        log.info("re-sent %d demo jobs after a worker start", len(waiting))
    return len(waiting)


def detector_trainings_recover(*, resend_queued: bool = False) -> int:
    """Fail the trainings whose worker stopped beating (killed, node lost); return how many.

    Unlike a demo job, a training is not requeued: it may have run for an hour, and the
    instructor decides whether to start it again. Runs by beat every minute, when a worker
    starts (which also re-sends queued runs: harmless, the claim is idempotent) and when the
    run's page is polled.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.DETECTOR_TRAINING_STALE_SECONDS)
    lost = DetectorTraining.objects.filter(status=DetectorTraining.Status.RUNNING,
                                           heartbeat_at__lt=stale).update(
        status=DetectorTraining.Status.FAILED, finished_at=now, message=stages.WORKER_LOST,
        error=f"worker lost: no heartbeat for {settings.DETECTOR_TRAINING_STALE_SECONDS} s")
    if lost:
        log.warning("failed %d detector trainings whose worker stopped", lost)
    if resend_queued:
        for run in DetectorTraining.objects.filter(status=DetectorTraining.Status.QUEUED):
            detector_training_enqueue(run)
    return lost
