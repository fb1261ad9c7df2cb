"""Topping up the spot-the-fake pools on the worker: generated faces and real photos, each with
the fake detector's verdict (the web has no torch, so uploaded photos get theirs here too)."""

from __future__ import annotations

import logging
import uuid

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image
from skimage import data as samples

from ..ml.dcgan import generate_from_seeds
from ..ml.fake_detector import predict
from ..models import PoolImage
from ..phash import pool_hash  # stored with each image: the detector demo refuses them by it
from .runners import MODELS, png_bytes

log = logging.getLogger(__name__)


def _gray64(image: np.ndarray) -> np.ndarray:
    """Every pool image is shown as 64×64 greyscale, so neither colour nor size gives a fake away
    (the offline real faces are greyscale)."""
    gray = Image.fromarray(np.asarray(image, dtype=np.uint8)).convert("L").resize(
        (64, 64), Image.BICUBIC)
    return np.stack([np.asarray(gray)] * 3, axis=-1)


def _real_pool_images(n: int, rng: np.random.Generator) -> list[tuple[np.ndarray, str]]:
    """Real photographs available offline: LFW faces (scikit-image) and crops of sample photos."""
    faces = samples.lfw_subset()[:100]  # the first 100 are real faces (25×25, float in [0, 1])
    out = []
    for i in rng.permutation(len(faces))[:n]:
        out.append(((faces[i] * 255).astype(np.uint8), f"lfw:{int(i)}"))
    return out


def spot_pool_refill() -> int:
    """Top the generated and real pools up to settings.SPOT_POOL_TARGET; return images added."""
    target = settings.SPOT_POOL_TARGET
    rng = np.random.default_rng()
    added = 0
    detector = MODELS.get("fake_detector")
    version = detector.version
    # Images whose key a student saw in a review are never drawn for graded quizzes again: the
    # target counts only images nobody has seen revealed, so graded draws always find enough.
    unrevealed = PoolImage.objects.filter(active=True, reveals__isnull=True)
    need = target - unrevealed.filter(kind=PoolImage.Kind.GENERATED).count()
    if need > 0:
        seeds = [int(s) for s in rng.integers(0, 2**31 - 2, size=need)]
        faces = [_gray64(face) for face in generate_from_seeds(MODELS.get("face_generator"),
                                                                seeds)]
        probs = predict(detector, np.stack(faces))
        for seed, face, prob in zip(seeds, faces, probs, strict=True):
            pk, png = uuid.uuid4(), png_bytes(face)
            path = default_storage.save(f"pool/{pk}.png", ContentFile(png))
            PoolImage.objects.create(id=pk, kind=PoolImage.Kind.GENERATED, file=path,
                                     source=f"seed:{seed}", detector_prob=float(prob),
                                     model_version=version, phash=pool_hash(png) or b"")
            added += 1
    # Real photos are a fixed offline set (LFW): once each is in the pool, none can be added.
    # Only the shared ones count: a course's uploaded photos serve that course alone.
    shared_real = PoolImage.objects.filter(kind=PoolImage.Kind.REAL, course=None)
    need = target - unrevealed.filter(kind=PoolImage.Kind.REAL, course=None).count()
    if need > 0:
        taken = set(shared_real.values_list("source", flat=True))
        photos = [(img, src) for img, src in _real_pool_images(100, rng) if src not in taken][
            :need]
        if photos:
            gray = [_gray64(np.stack([img] * 3, axis=-1)) for img, _ in photos]
            probs = predict(detector, np.stack(gray))
            for (_, source), image, prob in zip(photos, gray, probs, strict=True):
                pk, png = uuid.uuid4(), png_bytes(image)
                path = default_storage.save(f"pool/{pk}.png", ContentFile(png))
                PoolImage.objects.create(id=pk, kind=PoolImage.Kind.REAL, file=path,
                                         source=source, detector_prob=float(prob),
                                         model_version=version, phash=pool_hash(png) or b"")
                added += 1
    # Photos instructors uploaded come without the detector's verdict (the web has no torch).
    pending = list(PoolImage.objects.filter(kind=PoolImage.Kind.REAL, detector_prob=None,
                                            active=True).order_by("created_at")[:256])
    if pending:
        gray = []
        for image in pending:
            with default_storage.open(image.file, "rb") as handle, Image.open(handle) as opened:
                gray.append(_gray64(np.asarray(opened.convert("RGB"))))
        for image, prob in zip(pending, predict(detector, np.stack(gray)), strict=True):
            PoolImage.objects.filter(pk=image.pk).update(detector_prob=float(prob),
                                                         model_version=version)
    log.info("spot-the-fake pool: %d images added", added)
    return added
