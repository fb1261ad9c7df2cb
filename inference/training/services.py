"""Writes for retraining the fake detector (web side; no torch): start, cancel, activate.

Starting checks the whole upload first (inference.training.archive); a refused upload stores
nothing. A run's id reaches the `gpu` queue only after its row and photos are committed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ApplicationError

from ..models import DetectorTraining
from . import stages
from .archive import read_photo_archive
from .selectors import in_progress_run, require_trainer

log = logging.getLogger(__name__)
# Sent by task name, as inference/enqueue.py sends the demos': the web side that asks for a
# training never imports the tasks, whose bodies import the worker code (and torch).
TRAINING_RUN = "inference.training.tasks.detector_training_run"
POOL_RESCORE = "inference.training.tasks.spot_pool_rescore"
DEFAULT_EPOCHS = 6


def _epochs(value) -> int:
    high = settings.DETECTOR_TRAINING_MAX_EPOCHS
    try:
        epochs = int(value if value not in (None, "") else DEFAULT_EPOCHS)
    except (TypeError, ValueError):
        epochs = 0
    if not 1 <= epochs <= high:
        raise ApplicationError(_("Epochs must be a whole number from 1 to %(high)s.") % {
            "high": high}, code="invalid_params", fields={"epochs": [f"1..{high}"]})
    return epochs


def _refuse_if_busy() -> None:
    busy = in_progress_run()
    if busy is not None:
        raise ApplicationError(
            _("Training run %(id)s is still in progress. Wait for it to finish or cancel it.")
            % {"id": busy.pk}, code="training_in_progress", status_code=409)


def detector_training_start(*, user: AbstractBaseUser, photos, epochs=None,
                            start_from_active: bool = False) -> DetectorTraining:
    """Check the photos, store them, queue the run. One run at a time for the whole site (it
    shares the GPU with the demos)."""
    require_trainer(user)
    params = {"epochs": _epochs(epochs), "n_fake": settings.DETECTOR_TRAINING_N_FAKE,
              "n_real": settings.DETECTOR_TRAINING_N_REAL, "seed": 0,
              "start_from_active": bool(start_from_active)}
    _refuse_if_busy()  # before the slow part, so a second instructor learns it at once
    if photos is None:
        raise ApplicationError(_("Choose a ZIP file of your real photos (JPEG, PNG or WebP)."),
                               code="invalid_photos", fields={"photos": ["required"]})
    archive = read_photo_archive(photos)
    stored = ""
    try:
        with transaction.atomic():
            _refuse_if_busy()
            upload = {"skipped": archive.skipped[:20], "skipped_total": len(archive.skipped),
                      "duplicates": archive.duplicates}
            run = DetectorTraining.objects.create(started_by=user, params={**params,
                                                                           "upload": upload},
                                                  photo_count=archive.count)
            stored = default_storage.save(f"detector-training/{run.pk}/photos.zip",
                                          File(archive.file, name="photos.zip"))
            run.photos_file = stored
            run.save(update_fields=["photos_file"])
            transaction.on_commit(lambda: detector_training_enqueue(run))
    except BaseException:
        if stored:  # the row was rolled back: leave no file behind either
            default_storage.delete(stored)
        raise
    finally:
        archive.file.close()
    return run


def detector_training_enqueue(run: DetectorTraining) -> None:
    """Send the run to the gpu queue; if the broker is down, fail it with a message."""
    try:
        sent = current_app.send_task(TRAINING_RUN, (run.pk,), queue="gpu", retry=False)
    except Exception as exc:  # kombu raises several connection errors; all mean "no broker"
        log.warning("detector training %s not queued: %s", run.pk, exc)
        DetectorTraining.objects.filter(pk=run.pk, status=DetectorTraining.Status.QUEUED).update(
            status=DetectorTraining.Status.FAILED, finished_at=timezone.now(),
            error=f"broker unavailable: {exc}"[:2000], message=stages.BROKER_DOWN)
        return
    DetectorTraining.objects.filter(pk=run.pk).update(task_id=sent.id)


def detector_training_cancel(*, run: DetectorTraining, user: AbstractBaseUser
                             ) -> DetectorTraining:
    """Queued: it never starts. Running: the worker sees it at its next progress report and
    stops without saving anything."""
    require_trainer(user)
    DetectorTraining.objects.filter(
        pk=run.pk, status__in=(DetectorTraining.Status.QUEUED, DetectorTraining.Status.RUNNING)
    ).update(status=DetectorTraining.Status.CANCELLED, finished_at=timezone.now(),
             message=stages.CANCELLED)
    run.refresh_from_db()
    return run


def detector_training_activate(*, run: DetectorTraining, user: AbstractBaseUser
                               ) -> DetectorTraining:
    """Serve the demos and the spot-the-fake pool with this run's model from now on."""
    require_trainer(user)
    if run.status != DetectorTraining.Status.SUCCEEDED or not run.checkpoint_file:
        raise ApplicationError(_("Only a finished training run can be used for the demos."),
                               code="not_finished", status_code=409)
    with transaction.atomic():
        DetectorTraining.objects.filter(active=True).exclude(pk=run.pk).update(active=False)
        DetectorTraining.objects.filter(pk=run.pk).update(active=True,
                                                          activated_at=timezone.now())
        transaction.on_commit(_request_pool_rescore)
    run.refresh_from_db()
    return run


def detector_use_shipped(*, user: AbstractBaseUser) -> None:
    """Go back to the checkpoint that ships with the code."""
    require_trainer(user)
    with transaction.atomic():
        DetectorTraining.objects.filter(active=True).update(active=False)
        transaction.on_commit(_request_pool_rescore)


def _request_pool_rescore() -> None:
    """The spot-the-fake images show the detector's opinion: have the gpu worker redo it with the
    detector now active. A missing broker is logged, never raised (the switch itself is done)."""
    try:
        current_app.send_task(POOL_RESCORE, queue="gpu", expires=3600, retry=False)
    except Exception as exc:  # broker down
        log.warning("could not request a spot-the-fake pool rescore: %s", exc)


def detector_trainings_clean(*, older_than_days: int | None = None, dry_run: bool = False
                             ) -> dict[str, int]:
    """Delete the stored files of training runs that ended more than `older_than_days` ago
    (default DETECTOR_TRAINING_KEEP_DAYS): the instructor's photo ZIP of every such run, and the
    checkpoint of every such run that is not the active model. The rows stay, with their
    metrics, so the training page still shows what each run reached; a run without its
    checkpoint can no longer be switched to. Runs still queued or running are never touched.

    Each run's field is cleared before its file is deleted: a crash in between leaves an
    orphaned file, never a row pointing at nothing.
    """
    days = settings.DETECTOR_TRAINING_KEEP_DAYS if older_than_days is None else older_than_days
    ended = DetectorTraining.objects.filter(
        status__in=(DetectorTraining.Status.SUCCEEDED, DetectorTraining.Status.FAILED,
                    DetectorTraining.Status.CANCELLED),
        finished_at__lt=timezone.now() - timedelta(days=days))
    counts = {"photos": 0, "checkpoints": 0}
    for field, runs, key in (
            ("photos_file", ended.exclude(photos_file=""), "photos"),
            ("checkpoint_file", ended.exclude(checkpoint_file="").filter(active=False),
             "checkpoints")):
        for pk, name in runs.values_list("pk", field):
            counts[key] += 1
            if dry_run:
                continue
            # Re-checked in the UPDATE: a run switched to in the meantime keeps its checkpoint.
            still = DetectorTraining.objects.filter(pk=pk, **{field: name})
            if field == "checkpoint_file":
                still = still.filter(active=False)
            if still.update(**{field: ""}):
                default_storage.delete(name)
            else:
                counts[key] -= 1
    log.info("detector trainings older than %d days: %s%s", days, counts,
             " (dry run)" if dry_run else "")
    return counts
