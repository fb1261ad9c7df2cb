"""Celery tasks for the demos: thin, each calls one function by id."""

from celery import shared_task


@shared_task(name="inference.tasks.demo_run", acks_late=True, reject_on_worker_lost=True,
             ignore_result=True)
def demo_run(job_id: str) -> str:
    from .worker import demo_job_execute  # imports torch: only in worker processes

    return demo_job_execute(job_id=job_id)


@shared_task(name="inference.tasks.spot_pool_refill", acks_late=True, ignore_result=True)
def spot_pool_refill() -> int:
    from .worker import spot_pool_refill as refill  # imports torch: only in worker processes

    return refill()
