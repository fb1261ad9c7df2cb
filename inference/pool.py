"""Image pools for "spot the fake" items (web side, no torch).

Starting an attempt never waits on a model: it draws from images the `gpu` worker generated
earlier (`inference.tasks.spot_pool_refill` keeps the pool filled). If the pool is short, the
item says so and the rest of the quiz goes on.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Collection

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from quizzes.models import Attempt, Response

from . import phash
from .enqueue import spot_pool_refill_send
from .models import PoolImage, PoolImageReveal

log = logging.getLogger(__name__)
REFILL_EVERY = 15  # seconds


def drawable_images(*, course_id: int | None, unrevealed: bool):
    """The active pool images an attempt in `course_id` may show: the shipped ones and the
    course's own uploaded real photos (never another course's). `unrevealed` (graded quizzes):
    only those whose key no student of the course has seen in a review (PoolImageReveal)."""
    images = PoolImage.objects.filter(Q(course=None) | Q(course=course_id), active=True)
    if unrevealed:
        images = images.exclude(reveals__course=course_id)
    return images


def draw_split(*, count: int, fakes: int, generated: int, real: int) -> tuple[int, int] | None:
    """(generated, real) images to draw when `generated` and `real` are available, or None.

    The authored split when both pools have enough. Otherwise the short side gives what it has
    and the other side makes up the count, as long as the grid still shows at least one of each:
    the student judges every image on its own and is not told how many are generated, so the
    split need not be fixed (quizzes/qtypes/spot_the_fake.py grades image by image).
    """
    if generated >= fakes and real >= count - fakes:
        return fakes, count - fakes
    if 1 <= real < count - fakes and generated >= count - real:
        return count - real, real
    if 1 <= generated < fakes and real >= count - generated:
        return generated, count - generated
    return None


def spot_instance(*, data: dict, rng: random.Random, course_id: int | None = None,
                  unrevealed_in=None, exclude: Collection[str] = ()) -> dict:
    """Draw `fakes` generated and `count - fakes` real images for one attempt in `course_id`
    (the shipped pool and the course's uploaded photos; see draw_split when one side is short).

    `unrevealed_in`: a course (graded quizzes): only images whose key no student of that course
    has seen in a review (PoolImageReveal). If too few are left, the item has no images for
    now, like an empty pool: the worker is asked to add more, and the attempt draws them when it
    is next shown (quizzes.services.attempt_images_redraw). `exclude`: image ids not to draw
    (the student's attempts of the other kind that are still open).
    """
    count, fakes = data["count"], data["fakes"]
    if unrevealed_in is not None:
        course_id = unrevealed_in
    images = drawable_images(course_id=course_id, unrevealed=unrevealed_in is not None)
    if exclude:
        images = images.exclude(pk__in=list(exclude))
    generated = list(images.filter(kind=PoolImage.Kind.GENERATED)
                     .values_list("pk", "detector_prob"))
    real = list(images.filter(kind=PoolImage.Kind.REAL).values_list("pk", "detector_prob"))
    if min(len(generated), len(real)) < settings.SPOT_POOL_TARGET // 2:
        transaction.on_commit(request_refill)
    split = draw_split(count=count, fakes=fakes, generated=len(generated), real=len(real))
    if split != (fakes, count - fakes) and unrevealed_in is not None:
        # Reviews use real photos up; instructors add more on the course's pool page
        # (content/README.md).
        log.warning("spot the fake: course %s has %d generated and %d real pool images whose "
                    "keys no review showed; an item needs %d and %d%s", unrevealed_in,
                    len(generated), len(real), fakes, count - fakes,
                    "" if split is None else f" (drew {split[0]} and {split[1]})")
    if split is None:
        return {"count": count, "fakes": fakes, "images": []}
    chosen = [{"id": str(pk), "fake": True, "prob": prob}
              for pk, prob in rng.sample(generated, split[0])]
    chosen += [{"id": str(pk), "fake": False, "prob": prob}
               for pk, prob in rng.sample(real, split[1])]
    rng.shuffle(chosen)
    return {"count": count, "fakes": split[0], "images": chosen}


def pool_images_reveal(*, course_id: int, user, image_ids: list[str]) -> None:
    """Record that `user` saw the keys of these pool images in a review of `course`'s quiz.
    One INSERT; seeing them again changes nothing."""
    ids = set(PoolImage.objects.filter(pk__in=image_ids).values_list("pk", flat=True))
    PoolImageReveal.objects.bulk_create(
        [PoolImageReveal(image_id=pk, course_id=course_id, user=user) for pk in ids],
        ignore_conflicts=True)


def request_refill() -> None:
    """Ask the gpu queue to top the pool up; a missing broker is logged, never raised.

    At most one request every REFILL_EVERY seconds (per cache): a page waiting for its images
    asks again on each refresh, and one refill serves them all.
    """
    if not cache.add("spot-pool-refill-requested", 1, timeout=REFILL_EVERY):
        return
    try:
        spot_pool_refill_send()
    except Exception as exc:  # broker down: the quiz must still start
        cache.delete("spot-pool-refill-requested")  # nothing was sent: the next page asks again
        log.warning("could not request a spot-the-fake pool refill: %s", exc)


# ------------------------------------------------------------------------------------------------
# Keeping the fake detector demo away from the pool
# ------------------------------------------------------------------------------------------------


def pool_image_hash(image: PoolImage) -> bytes:
    """The image's perceptual hash, computed and stored on first need (rows made before hashes
    existed, or by hand); b"" for a flat picture."""
    if image.phash is None:
        with default_storage.open(image.file, "rb") as handle:
            image.phash = phash.pool_hash(handle.read()) or b""
        PoolImage.objects.filter(pk=image.pk).update(phash=image.phash)
    return bytes(image.phash)


def _shown_by_open_attempt(ids: set[str]) -> bool:
    """Whether an open quiz attempt shows any of these pool images (ids as text)."""
    instances = (Response.objects.filter(attempt__state=Attempt.State.IN_PROGRESS,
                                         version__qtype="spot_the_fake")
                 .exclude(instance=None).values_list("instance", flat=True))
    return any(image.get("id") in ids for instance in instances
               for image in (instance or {}).get("images", []))


def detector_input_check(*, png: bytes | None, params: dict) -> None:
    """Refuse a fake-detector job on a spot-the-fake pool image, whoever asks.

    The detector would answer the quiz item: a student with an open attempt could send it the
    item's images (or a re-encoded, resized or slightly cropped copy; phash.py says how close
    counts as the same picture). Every image that can still be drawn (`active`) is refused,
    not only those an open attempt shows right now: otherwise a student could have an image
    judged before an attempt draws it. A retired image is refused while an open attempt
    still shows it. Faces the generator makes from other seeds, uploads and sample photos
    still get their verdict.
    """
    refusal = ApplicationError(
        _("This picture is one of the images of the \"spot the fake\" quiz item, so the "
          "fake detector does not judge it. Try the detector on another picture: your own "
          "photo, a sample photo or a face generated from a seed."),
        code="quiz_image", status_code=403, fields={"image": ["quiz_image"]})
    if "face_seed" in params and PoolImage.objects.filter(
            source=f"seed:{params['face_seed']}").exists():
        raise refusal  # the very face a pool image was made from
    if png is None:
        return
    queries = phash.query_hashes(png)
    if not len(queries):
        return
    images = list(PoolImage.objects.only("id", "file", "phash", "active").order_by())
    hashes = [pool_image_hash(image) for image in images]
    hashed = [(image, value) for image, value in zip(images, hashes, strict=True) if value]
    distances = phash.nearest(queries, [value for _, value in hashed])
    matched = [image for (image, _), d in zip(hashed, distances, strict=True)
               if d <= phash.MAX_DISTANCE]
    if any(image.active for image in matched) or (
            matched and _shown_by_open_attempt({str(image.pk) for image in matched})):
        raise refusal
