"""The Celery app: two queues, JSON only, late acks.

Queues: `gpu` runs model inference and detector training (one worker process per GPU);
`default` runs the periodic housekeeping (closing overdue attempts, failing lost trainings,
cleaning old training runs). Regrades, statistics and imports run in the request. Tasks are
idempotent, so they acknowledge late: a worker killed mid-task leaves the message for another
worker.
"""

import os
from pathlib import Path

from celery import Celery, signals
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("genai_classroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_default_queue="default",
    task_queues=(Queue("default"), Queue("gpu")),
    task_routes={"inference.tasks.*": {"queue": "gpu"},
                 "inference.training.tasks.detector_trainings_recover": {"queue": "default"},
                 "inference.training.tasks.detector_trainings_clean": {"queue": "default"},
                 "inference.training.tasks.*": {"queue": "gpu"}},
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    result_expires=3600,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # Run by one `celery beat` (embedded in the local worker with -B): close attempts whose
    # time ran out with nobody on the page, so the gradebook is right without a visit.
    beat_schedule={
        "finish-overdue-attempts": {"task": "quizzes.tasks.attempts_finish_overdue",
                                    "schedule": 60.0, "options": {"queue": "default"}},
        # Build each student's next attempt ahead of the start (quizzes/attempt_build.py):
        # publish and edits ask at once; this catches late enrolments and lost messages.
        "prepare-attempts": {"task": "quizzes.tasks.quizzes_attempts_prepare",
                             "schedule": 300.0, "options": {"queue": "default"}},
        # Fail detector trainings whose gpu worker was killed: never "running" forever.
        "recover-lost-detector-trainings": {
            "task": "inference.training.tasks.detector_trainings_recover",
            "schedule": 60.0, "options": {"queue": "default"}},
        # Old training runs' photos and checkpoints (DETECTOR_TRAINING_KEEP_DAYS).
        "clean-old-detector-trainings": {
            "task": "inference.training.tasks.detector_trainings_clean",
            "schedule": 24 * 3600.0, "options": {"queue": "default"}},
    },
)
app.autodiscover_tasks()
app.autodiscover_tasks(["inference.training"])  # inference/training/tasks.py

# Database connections in worker processes live as long as in the web (CONN_MAX_AGE), not one
# task. Celery's Django fixup closes every connection before and after each task unless
# DB_REUSE_MAX is set; a demo task then pays for a new PostgreSQL connection (a backend process
# forked by the server) every time, more than the task's own queries cost (docs/performance.md).
# With reuse on, the fixup would keep even a broken connection, so the handlers below
# do what Django does around each web request instead.
app.conf.CELERY_DB_REUSE_MAX = 2**62


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(**kwargs):  # noqa: ARG001 - Celery's signal signature
    """Drop connections past CONN_MAX_AGE or left unusable by an error, as Django does at the
    start and end of each request (a task is a worker's request)."""
    from django.db import close_old_connections

    close_old_connections()


def _ensure_embedded_folders() -> None:
    """The filesystem broker and result backend need their folders before the first message."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = app.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _prepare(sender, **kwargs):  # noqa: ARG001 - Celery's signal signature
    _ensure_embedded_folders()


@app.task(name="config.health", ignore_result=False)
def health() -> dict:
    """Answer from a real worker process: used by tests and the status page to prove one is up,
    and to show the device its models run on (what INFERENCE_DEVICE resolves to there)."""
    import socket

    from django.conf import settings

    try:
        from inference.ml.device import device_label  # torch: a gpu worker has it loaded
    except ImportError:  # a process without torch runs no model
        device = ""
    else:
        device = device_label(settings.INFERENCE_DEVICE)
    return {"status": "ok", "pid": os.getpid(), "host": socket.gethostname(), "device": device}
