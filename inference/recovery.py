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
from django.db.models import Q
from django.utils import timezone

from .models import DemoJob

log = logging.getLogger(__name__)


def demo_jobs_recover() -> int:
    from .services import _enqueue

    now = timezone.now()
    stale = now - timedelta(seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS)
    lost = DemoJob.objects.filter(status=DemoJob.Status.RUNNING, heartbeat_at__lt=stale)
    lost.filter(tries__gte=3).update(
        status=DemoJob.Status.FAILED, finished_at=now, error="worker lost three times",
        message="The worker running this demo stopped several times. Try it again later.")
    lost.filter(tries__lt=3).update(status=DemoJob.Status.QUEUED, claim="",
                                    message="The worker restarted; your demo is queued again.")
    DemoJob.objects.filter(status=DemoJob.Status.QUEUED, expires_at__lt=now).update(
        status=DemoJob.Status.EXPIRED, finished_at=now,
        message="No worker picked this demo up in time. Run it again.")
    waiting = list(DemoJob.objects.filter(Q(status=DemoJob.Status.QUEUED),
                                          expires_at__gte=now).order_by("created_at"))
    for job in waiting:
        _enqueue(job)
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
    from .models import DetectorTraining
    from .training import stages

    now = timezone.now()
    stale = now - timedelta(seconds=settings.DETECTOR_TRAINING_STALE_SECONDS)
    lost = DetectorTraining.objects.filter(status=DetectorTraining.Status.RUNNING,
                                           heartbeat_at__lt=stale).update(
        status=DetectorTraining.Status.FAILED, finished_at=now, message=stages.WORKER_LOST,
        error=f"worker lost: no heartbeat for {settings.DETECTOR_TRAINING_STALE_SECONDS} s")
    if lost:
        log.warning("failed %d detector trainings whose worker stopped", lost)
    if resend_queued:
        from .training.services import _enqueue

        for run in DetectorTraining.objects.filter(status=DetectorTraining.Status.QUEUED):
            _enqueue(run)
    return lost
