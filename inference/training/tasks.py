"""Celery tasks for retraining: thin, each calls one function by id.

Registered by config/celery.py (autodiscover of inference.training). The training task runs on
the `gpu` queue, acknowledges late (a killed worker leaves the message for another worker; the
claim makes a second delivery harmless) and has no Celery time limit: the limit is enforced
inside, at each progress report, so a run stops cleanly with a message instead of a killed
process.
"""

from celery import shared_task
from celery.signals import worker_ready


@shared_task(name="inference.training.tasks.detector_training_run", acks_late=True,
             reject_on_worker_lost=True, ignore_result=True)
def detector_training_run(run_id: int) -> str:
    from .worker import detector_training_execute  # imports torch: only in worker processes

    return detector_training_execute(run_id=run_id)


@shared_task(name="inference.training.tasks.spot_pool_rescore", acks_late=True,
             ignore_result=True)
def spot_pool_rescore() -> int:
    from .worker import spot_pool_rescore as rescore  # imports torch: only in worker processes

    return rescore()


@shared_task(name="inference.training.tasks.detector_trainings_recover", ignore_result=True)
def detector_trainings_recover() -> int:
    from ..recovery import detector_trainings_recover as recover

    return recover()


@shared_task(name="inference.training.tasks.detector_trainings_clean", ignore_result=True)
def detector_trainings_clean() -> dict:
    from .services import detector_trainings_clean as clean

    return clean()


def _recover_on_start(sender=None, **kwargs) -> None:
    """A worker (re)started: fail the runs a killed worker left "running" (once stale), and
    re-send queued runs whose message may have been lost with it."""
    import logging

    from ..recovery import detector_trainings_recover as recover

    try:
        recover(resend_queued=True)
    except Exception:  # never keep a worker from starting
        logging.getLogger(__name__).exception("detector training recovery failed")


worker_ready.connect(_recover_on_start, weak=False)
