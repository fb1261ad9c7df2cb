"""Real photos an instructor adds to a course's spot-the-fake pool, and how long the pool lasts
(web side, no torch).

The shipped real photos are a fixed offline set, and every real photo whose key a student sees
in a review is never drawn again for the course's graded quizzes, so a large class uses them up.
An instructor uploads more: a ZIP (read by inference/training/archive.py, with its limits) or
image files (inference/images.py), each stored like the worker's pool images (64×64 greyscale,
an RGB PNG, its perceptual hash), for that course only. A photo that matches any image the
course's quizzes can draw (phash.py's distance), revealed or retired ones included, is skipped:
re-adding a photo whose key students have seen would bring its key back into graded quizzes.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from PIL import Image

from config.errors import ApplicationError
from courses.access import (
    CourseAccess,
    course_access_get,
    instructed_course_ids,
    require_instructor,
)
from courses.models import Course, Enrollment

from . import phash
from .images import read_upload
from .models import PoolImage
from .pool import drawable_images, pool_image_hash, request_refill
from .training.archive import normalised_png, read_photo_archive, refuse, too_big

POOL_SIDE = 64  # every pool image is shown 64×64 greyscale (inference/worker/pool_refill.py)


def require_pool_manager(*, user: AbstractBaseUser, course_slug: str) -> CourseAccess:
    """The course's instructors and staff add photos (TAs and students do not)."""
    return require_instructor(course_access_get(user=user, course_slug=course_slug),
                              _("Only the course's instructors can add photos to its "
                                "spot-the-fake pool."))


def pool_png(photo: bytes) -> bytes:
    """A checked photo as a pool image: its centre square, 64×64 greyscale, saved as an RGB PNG
    like the worker's images, so that neither size, colour nor PNG mode tells an uploaded photo
    from a generated face."""
    with Image.open(io.BytesIO(photo)) as opened:
        grey = opened.convert("L")
    side = min(grey.size)
    left, top = (grey.width - side) // 2, (grey.height - side) // 2
    grey = grey.crop((left, top, left + side, top + side)).resize((POOL_SIDE, POOL_SIDE),
                                                                  Image.BICUBIC)
    out = io.BytesIO()
    Image.merge("RGB", (grey, grey, grey)).save(out, format="PNG")
    return out.getvalue()


def _photos_from(files: list) -> list[tuple[str, bytes]]:
    """(name, normalised greyscale PNG) for every photo in the uploaded files: ZIPs through the
    training upload's safe reading, single images through read_upload. Any problem refuses the
    whole upload."""
    if not files or not any(getattr(f, "size", 0) for f in files):
        raise refuse(_("Choose a ZIP of real photos, or one or more photos (JPEG, PNG or "
                        "WebP)."))
    photos: list[tuple[str, bytes]] = []
    for upload in files:
        name = getattr(upload, "name", "") or _("the upload")
        head = upload.read(4)
        upload.seek(0)
        if head.startswith(b"PK") or name.lower().endswith(".zip"):
            archive = read_photo_archive(upload, min_photos=1)
            with archive.file, zipfile.ZipFile(archive.file) as stored:
                photos += [(f"{name}: {entry_name}", stored.read(info))
                           for entry_name, info in zip(archive.names, stored.infolist(),
                                                       strict=True)]
            continue
        if upload.size > settings.DEMO_MAX_UPLOAD_BYTES:
            raise too_big(name, upload.size, settings.DEMO_MAX_UPLOAD_BYTES)
        try:
            png, _sha = read_upload(upload.read())
        except ApplicationError as exc:
            raise refuse(f"“{name}”: {exc.message}") from None
        photos.append((name, normalised_png(png, name)))
    if len(photos) > settings.DETECTOR_TRAINING_MAX_PHOTOS:
        raise refuse(_("The upload has %(n)s photos; the limit is %(limit)s. Upload fewer "
                        "photos.") % {"n": len(photos),
                                      "limit": settings.DETECTOR_TRAINING_MAX_PHOTOS})
    return photos


@dataclass
class PoolPhotosAdded:
    added: int = 0
    duplicates: list[str] = field(default_factory=list)  # names of photos already in the pool
    flat: list[str] = field(default_factory=list)  # names of plain pictures (no detail)


def pool_photos_add(*, course: Course, user: AbstractBaseUser, files: list) -> PoolPhotosAdded:
    """Add the real photos in `files` to `course`'s spot-the-fake pool; say what was added and
    what was skipped. A bad file refuses the whole upload and stores nothing."""
    photos = [(name, pool_png(photo)) for name, photo in _photos_from(files)]
    result = PoolPhotosAdded()
    saved: list[str] = []
    try:
        with transaction.atomic():
            # One upload per course at a time: two copies of a photo sent at once would each
            # pass the duplicate check against the other's not yet committed rows.
            Course.objects.select_for_update().filter(pk=course.pk).first()
            existing = list(PoolImage.objects.filter(Q(course=None) | Q(course=course))
                            .only("id", "file", "phash").order_by())
            hashes = [h for h in (pool_image_hash(image) for image in existing) if h]
            rows = []
            for name, png in photos:
                value = phash.pool_hash(png)
                if not value:
                    result.flat.append(name)
                    continue
                query = np.frombuffer(value, dtype=np.uint8)[None]
                if hashes and phash.nearest(query, hashes).min() <= phash.MAX_DISTANCE:
                    result.duplicates.append(name)
                    continue
                hashes.append(value)
                pk = uuid.uuid4()
                path = default_storage.save(f"pool/{pk}.png", ContentFile(png))
                saved.append(path)
                rows.append(PoolImage(id=pk, kind=PoolImage.Kind.REAL, file=path, course=course,
                                      source=f"upload:{name}"[:200], phash=value))
            PoolImage.objects.bulk_create(rows)
            result.added = len(rows)
    except BaseException:
        for path in saved:  # the rows were rolled back: leave no files behind
            default_storage.delete(path)
        raise
    if result.added:
        transaction.on_commit(request_refill)  # the worker adds the detector's verdicts
    return result


# ------------------------------------------------------------------------------------------------
# How long the pool lasts
# ------------------------------------------------------------------------------------------------


@dataclass
class PoolSupply:
    real: int  # real photos no student of the course has seen the key of
    generated: int
    uploaded: int  # real photos the course's instructors added (revealed ones included)
    reals_per_attempt: int
    fakes_per_attempt: int
    attempts: int  # graded attempts whose reviews the unrevealed images cover at this size
    students: int

    @property
    def low(self) -> bool:
        """Fewer attempts covered than the course has students: the next quiz may run short."""
        return self.attempts < max(self.students, 1)


def pool_supply(*, course: Course, count: int, fakes: int) -> PoolSupply:
    """What the course's graded spot-the-fake draws have left for an item of `count` images,
    `fakes` of them generated. Drawing uses nothing up; a review that shows an attempt's keys
    does, so each reviewed graded attempt takes its images out of the course's graded draws."""
    images = drawable_images(course_id=course.pk, unrevealed=True)
    real = images.filter(kind=PoolImage.Kind.REAL).count()
    generated = images.filter(kind=PoolImage.Kind.GENERATED).count()
    reals = max(count - fakes, 1)
    return PoolSupply(
        real=real, generated=generated, reals_per_attempt=reals, fakes_per_attempt=fakes,
        uploaded=PoolImage.objects.filter(course=course, kind=PoolImage.Kind.REAL).count(),
        attempts=min(real // reals, generated // max(fakes, 1)),
        students=Enrollment.objects.filter(course=course,
                                           role=Enrollment.Role.STUDENT).count())


def item_pool_supply(*, course: Course, question) -> PoolSupply | None:
    """pool_supply at the size of a spot-the-fake question's latest version."""
    version = question.latest_version()
    if version is None or version.qtype != "spot_the_fake":
        return None
    return pool_supply(course=course, count=version.data["count"], fakes=version.data["fakes"])


def pool_courses(*, user: AbstractBaseUser) -> list[Course]:
    """The courses whose pool `user` may add photos to: those they instruct (staff: all)."""
    courses = Course.objects.order_by("slug")
    ids = instructed_course_ids(user=user)
    if ids is not None:
        courses = courses.filter(pk__in=ids)
    return list(courses)
