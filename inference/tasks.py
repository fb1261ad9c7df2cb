"""Celery tasks for the demos: thin, each calls one function by id."""

from celery import shared_task

from .batches import demo_run_batch  # noqa: F401 - registered here (DEMO_BATCHER)


@shared_task(name="inference.tasks.demo_run", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def demo_run(job_id: str, kind: str | None = None) -> str:
    """`kind` lets the message wake its kind's jobs even if its own row is gone (wakeups.py)."""
    from .worker import demo_job_execute  # imports torch: only in worker processes

    return demo_job_execute(job_id=job_id, kind=kind)


@shared_task(name="inference.tasks.spot_pool_refill", acks_late=True, ignore_result=True)
def spot_pool_refill() -> int:
    from .worker import spot_pool_refill as refill  # imports torch: only in worker processes

    return refill()


@shared_task(name="inference.tasks.demo_jobs_recover", ignore_result=True)
def demo_jobs_recover() -> int:
    from .recovery import demo_jobs_recover as recover

    return recover()


def _recover_on_start(sender=None, **kwargs) -> None:
    """When a worker (re)starts: load the models now rather than on the first student's click,
    then re-send jobs a killed worker left behind."""
    import logging

    from django.conf import settings

    from .recovery import demo_jobs_recover as recover

    try:
        if settings.INFERENCE_PRELOAD:
            from .worker import MODELS

            for key in ("face_generator", "fake_detector", "captioner"):
                MODELS.get(key)
        recover()
    except Exception:  # never keep a worker from starting
        logging.getLogger(__name__).exception("demo worker start-up tasks failed")


from celery.signals import worker_ready  # noqa: E402 - registered with the task module

worker_ready.connect(_recover_on_start, weak=False)
