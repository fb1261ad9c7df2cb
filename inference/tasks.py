"""Celery tasks for the demos: thin, each calls one function by id.

Their messages are sent by name from inference/enqueue.py, so only Celery's task discovery
imports this module. It imports the worker's code inside the tasks all the same: that code
imports torch, and a web process that discovers the tasks (Celery's app finalising) must not.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from .recovery import demo_jobs_recover as recover

log = logging.getLogger(__name__)


@shared_task(name="inference.tasks.demo_run", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def demo_run(job_id: str, kind: str | None = None) -> str:
    """`kind` lets the message wake its kind's jobs even if its own row is gone (wakeups.py)."""
    from .worker import demo_job_execute  # imports torch: only in worker processes

    return demo_job_execute(job_id=job_id, kind=kind)


@shared_task(name="inference.tasks.spot_pool_refill", acks_late=True, ignore_result=True)
def spot_pool_refill() -> int:
    from .worker.pool_refill import spot_pool_refill as refill  # torch: worker processes only

    return refill()


@shared_task(name="inference.tasks.demo_jobs_recover", ignore_result=True)
def demo_jobs_recover() -> int:
    return recover()


def _recover_on_start(sender=None, **kwargs) -> None:
    """When a worker (re)starts: load the models now rather than on the first student's click,
    then re-send jobs a killed worker left behind."""
    try:
        if settings.INFERENCE_PRELOAD:
            from .worker.runners import MODELS  # imports torch: only in worker processes

            for key in ("face_generator", "fake_detector", "captioner"):
                MODELS.get(key)
        recover()
    except Exception:  # never keep a worker from starting
        log.exception("demo worker start-up tasks failed")


worker_ready.connect(_recover_on_start, weak=False)
