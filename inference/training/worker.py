"""The worker side of retraining: claim a run, train, save through storage, report progress.

Imported only inside Celery tasks (the model code imports torch). The web process and this one
share only the database, the broker and Django's default storage: the photos arrive as a ZIP in
storage, the checkpoint leaves the same way, and no local path crosses between them.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from ..models import DetectorTraining, PoolImage
from . import stages
from .detectors import DETECTORS, checkpoint_bytes
from .versions import active_detector

log = logging.getLogger(__name__)
Status = DetectorTraining.Status


class TrainingCancelled(Exception):
    """The run is no longer "running" (an instructor cancelled it, or recovery failed it)."""


class TrainingTimeout(Exception):
    pass


# ------------------------------------------------------------------------------------------------
# Training
# ------------------------------------------------------------------------------------------------


class ProgressWriter:
    """The training's progress callback. Writes progress, stage and heartbeat (one UPDATE, at
    most once per `interval` seconds unless forced); that UPDATE matching no "running" row means
    the run was cancelled, so training stops there. Past the deadline it stops too."""

    def __init__(self, run_id: int, deadline: float, interval: float) -> None:
        self.run_id, self.deadline, self.interval = run_id, deadline, interval
        self._last = float("-inf")

    def __call__(self, fraction: float, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise TrainingTimeout()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        # Below 1 until the checkpoint is saved: "done" is the worker's to say, not the model's.
        written = DetectorTraining.objects.filter(pk=self.run_id, status=Status.RUNNING).update(
            progress=min(max(float(fraction), 0.0), 0.99), message=message[:300],
            heartbeat_at=timezone.now())
        if not written:
            raise TrainingCancelled()


def read_photos(name: str) -> list[np.ndarray]:
    """The run's photos (the web side's ZIP of grayscale PNGs) as uint8 (H, W) arrays."""
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    photos = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.file_size > settings.DEMO_MAX_UPLOAD_BYTES:  # we wrote it; still, no bombs
                raise ValueError(f"{info.filename} in the stored archive is too large")
            with Image.open(io.BytesIO(archive.read(info))) as image:
                photos.append(np.asarray(image.convert("L")))
    return photos


def _claim(run_id: int) -> bool:
    """Take the run if it is still queued: an UPDATE … WHERE status='queued' succeeds for one
    worker only, so a redelivered message never trains twice."""
    now = timezone.now()
    return DetectorTraining.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=now, heartbeat_at=now, progress=0.0,
        message=stages.READING_PHOTOS) == 1


def _fail(run_id: int, message: str, error: str) -> None:
    DetectorTraining.objects.filter(pk=run_id, status=Status.RUNNING).update(
        status=Status.FAILED, finished_at=timezone.now(), message=message[:300],
        error=error[:2000])


def detector_training_execute(*, run_id: int) -> str:
    """Run one training. Idempotent: a second delivery of the same id does nothing."""
    if not _claim(run_id):
        return "nothing to do"
    run = DetectorTraining.objects.get(pk=run_id)
    deadline = time.monotonic() + settings.DETECTOR_TRAINING_TIME_LIMIT_SECONDS
    report = ProgressWriter(run.pk, deadline, settings.DETECTOR_TRAINING_PROGRESS_INTERVAL)
    started = time.perf_counter()
    try:
        outcome = _train_and_save(run, report)
    except TrainingCancelled:
        log.info("detector training %s stopped: cancelled", run.pk)
        return "cancelled"
    except TrainingTimeout:
        _fail(run.pk, stages.TIMED_OUT, "time limit "
              f"{settings.DETECTOR_TRAINING_TIME_LIMIT_SECONDS} s reached")
        return "timed out"
    except Exception as exc:  # one bad run must not take the worker down
        log.exception("detector training %s failed", run.pk)
        _fail(run.pk, f"Training failed: {exc}", repr(exc))
        return "failed"
    log.info("detector training %s: %s in %.0f s", run.pk, outcome,
             time.perf_counter() - started)
    return outcome


def _train_and_save(run: DetectorTraining, report: ProgressWriter) -> str:
    report(0.0, stages.READING_PHOTOS, force=True)
    photos = read_photos(run.photos_file)
    from ..ml.fake_detector import train_fake_detector  # torch: once the photos are known good
    current = active_detector()  # scored on the same held-out images, for the comparison
    current_bytes = checkpoint_bytes(current)
    params = run.params
    with tempfile.TemporaryDirectory(prefix="detector-training-") as folder:
        out = Path(folder) / "fake_detector.pt"
        train_fake_detector(
            out, n_fake=params["n_fake"], n_real=params["n_real"], epochs=params["epochs"],
            seed=params.get("seed", 0), device=settings.INFERENCE_DEVICE,
            threads=None,  # the worker process's setting stands (it also serves the demos)
            progress=report, extra_real=photos, baseline=io.BytesIO(current_bytes),
            init_from=io.BytesIO(current_bytes) if params.get("start_from_active") else None)
        data = out.read_bytes()
        info = json.loads(out.with_name(out.name + ".meta.json").read_text(encoding="utf-8"))
    report(0.99, stages.SAVING, force=True)
    info["meta"]["baseline"]["version"] = current.version
    info["meta"]["run_id"] = run.pk
    version = hashlib.sha256(data).hexdigest()[:12]
    checkpoint = default_storage.save(f"detector-training/{run.pk}/fake_detector-{version}.pt",
                                      ContentFile(data))
    sidecar = default_storage.save(f"{checkpoint}.meta.json", ContentFile(
        json.dumps(info, indent=2, ensure_ascii=False).encode()))
    now = timezone.now()
    done = DetectorTraining.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=Status.SUCCEEDED, progress=1.0, message=stages.DONE, result=info,
        checkpoint_file=checkpoint, version=version, finished_at=now, heartbeat_at=now)
    if not done:  # cancelled while saving: leave no files behind
        default_storage.delete(checkpoint)
        default_storage.delete(sidecar)
        return "cancelled"
    return "succeeded"


# ------------------------------------------------------------------------------------------------
# Spot-the-fake pool
# ------------------------------------------------------------------------------------------------


def spot_pool_rescore() -> int:
    """Give every pool image the active detector's opinion (after an activation); return how
    many changed. Images stay in the pool: quizzes never wait for this."""
    from ..ml.fake_detector import predict

    detector = DETECTORS.get(None, settings.INFERENCE_DEVICE)
    stale = list(PoolImage.objects.filter(active=True).exclude(model_version=detector.version)
                 .values_list("pk", "file"))
    changed = 0
    for pk, name in stale:
        try:
            with default_storage.open(name, "rb") as handle:
                image = np.asarray(Image.open(handle).convert("RGB"))
        except OSError:
            log.warning("pool image %s unreadable; left as it was", pk)
            continue
        prob = float(predict(detector, image[None])[0])
        changed += PoolImage.objects.filter(pk=pk).update(detector_prob=prob,
                                                          model_version=detector.version)
    log.info("spot-the-fake pool: %d images rescored with detector %s", changed, detector.version)
    return changed
