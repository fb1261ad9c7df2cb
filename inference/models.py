"""DemoJob: one request to run a model, from the browser to a GPU worker and back. PoolImage:
the spot-the-fake images. DetectorTraining: an instructor's run of retraining the detector."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import job_messages


class DemoKind(models.TextChoices):
    FACE_GENERATE = "face-generate", _("Generate faces")
    LATENT_WALK = "latent-walk", _("Latent-space walk")
    FAKE_DETECT = "fake-detect", _("Detect a GAN fake")
    CAPTION = "caption", _("Caption an image")
    LIVE_GAN = "live-gan", _("Train a GAN live")


# The live GAN's inputs, bounded here so that the database refuses a row outside them too
# (DemoJob's check constraint) and the form, the API and the worker share one set of bounds.
# The modes match inference.ml.toy_gan.MODES (a test keeps them equal: this module must not
# import torch); the page offers the first two, the API all three.
LIVE_GAN_MODES = ("gan", "pacgan", "minibatch")
LIVE_GAN_STEPS = (100, 3000)
LIVE_GAN_DEFAULT_STEPS = 2000  # about ten seconds of one CPU core (docs/live-gan.md)
SEED_MAX = 2**31 - 1


class DemoJobQuerySet(models.QuerySet):
    def expire_stale(self, now=None) -> int:
        """Expire those of these jobs still queued past `expires_at`: no worker took them in
        time. The only place a job expires (the status page, a worker reading its message,
        recovery after a worker start); returns how many did."""
        now = now or timezone.now()
        return self.filter(status=DemoJob.Status.QUEUED, expires_at__lt=now).update(
            status=DemoJob.Status.EXPIRED, finished_at=now,
            message=job_messages.EXPIRED)


class DemoJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.EXPIRED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=32, choices=DemoKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="demo_jobs")
    course = models.ForeignKey("courses.Course", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="demo_jobs")
    lesson = models.ForeignKey("courses.Lesson", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="demo_jobs")
    params = models.JSONField(default=dict)
    # The uploaded image, re-encoded as PNG, in Django's storage (shared by web and GPU nodes).
    input_file = models.CharField(max_length=300, blank=True)
    input_sha256 = models.CharField(max_length=64, blank=True)
    cache_key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    claim = models.CharField(max_length=64, blank=True, help_text=_("Worker batch that owns it"))
    tries = models.PositiveIntegerField(default=0)
    share_in_gallery = models.BooleanField(default=False)
    hidden_by_teacher = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    timings = models.JSONField(default=dict, blank=True)

    objects = DemoJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind", "created_at"]),
                   models.Index(fields=["user", "status"])]
        constraints = [
            # A live-GAN job trains for `steps` steps on the worker: a row with an unbounded
            # step count (or an unknown mode) would hold a worker for as long as it asked.
            models.CheckConstraint(
                condition=~models.Q(kind="live-gan") | (
                    # has_keys first: a missing key compares as NULL, which a CHECK lets by.
                    models.Q(params__has_keys=["mode", "seed", "steps"],
                             params__steps__gte=LIVE_GAN_STEPS[0],
                             params__steps__lte=LIVE_GAN_STEPS[1],
                             params__seed__gte=0, params__seed__lte=SEED_MAX,
                             params__mode__in=LIVE_GAN_MODES)),
                name="live_gan_params_bounded"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def message_display(self) -> str:
        """The stored (English) message in the reader's language: inference.job_messages."""
        return job_messages.job_message_display(self.message)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def result_names(self) -> list[str]:
        """Every result image that can be asked for by name: stored files, then the tiles of a
        sheet (several images stored as one grid; the web cuts a tile out on request)."""
        result = self.result or {}
        return [*(result.get("files") or {}), *((result.get("sheet") or {}).get("tiles") or [])]

    @property
    def preview_file(self) -> str | None:
        """The name of the result image that best represents the job (for galleries)."""
        names = self.result_names
        for name in ("face-0.png", "frame-0.png", "original.png", "input.png"):
            if name in names:
                return name
        return next(iter(names), None)


class PoolImage(models.Model):
    """An image for "spot the fake" items: generated by the course's GAN, or a real photograph.

    The id is a random UUID so that nothing in a page (URLs, ids, order of creation) tells a
    generated image from a real one.
    """

    class Kind(models.TextChoices):
        GENERATED = "generated", _("Generated by the GAN")
        REAL = "real", _("Real photograph")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, db_index=True)
    file = models.CharField(max_length=300)
    source = models.CharField(max_length=200, blank=True, help_text=_("seed, sample name, upload"))
    detector_prob = models.FloatField(null=True, blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    course = models.ForeignKey("courses.Course", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="pool_images",
                               help_text=_("Real photos an instructor uploaded for a course"))
    active = models.BooleanField(default=True)
    # Perceptual hash of the image (inference/phash.py): the fake detector demo refuses images
    # that match one, so it cannot answer the quiz item. Null: not computed yet; empty: a flat
    # picture, which has none.
    phash = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "active"])]


class DetectorTraining(models.Model):
    """One run of retraining the fake detector on an instructor's own real photos.

    The web process writes the row and stores the photos (a ZIP of PNGs it re-encoded itself)
    through Django's storage; a `gpu` worker claims the row, trains, and stores the checkpoint
    through the same storage. Both sides share only the database, the broker and the storage.
    At most one finished run is `active`: it serves the detector demos and the spot-the-fake
    pool; with none active, the shipped checkpoint does.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="detector_trainings")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    progress = models.FloatField(default=0.0)
    # The training's stage, as the model code reports it (English; the page translates it).
    message = models.CharField(max_length=300, blank=True)
    params = models.JSONField(default=dict, help_text=_("epochs, data sizes, seed (bounded)"))
    photos_file = models.CharField(max_length=300, help_text=_("ZIP of the photos in storage"))
    photo_count = models.PositiveIntegerField(default=0)
    # {"config": ..., "meta": ...} as in a checkpoint's sidecar: metrics, confusion matrix, data.
    result = models.JSONField(null=True, blank=True)
    checkpoint_file = models.CharField(max_length=300, blank=True)
    version = models.CharField(max_length=32, blank=True, db_index=True,
                               help_text=_("Digest of the checkpoint file"))
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True),
                                    name="one_active_detector_training"),
            models.CheckConstraint(condition=~models.Q(active=True)
                                   | models.Q(status="succeeded"),
                                   name="active_detector_training_succeeded"),
        ]

    def __str__(self) -> str:
        return f"detector training {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class PoolImageReveal(models.Model):
    """A student saw this pool image's key (generated or real) in the review of an attempt of
    a course. A revealed image is not drawn again for that course's graded quizzes: a student
    who reviews many practice attempts would otherwise learn the pool's answers."""

    image = models.ForeignKey(PoolImage, on_delete=models.CASCADE, related_name="reveals")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE,
                               related_name="pool_reveals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="pool_reveals")
    revealed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["image", "course", "user"],
                                               name="one_reveal_per_image_course_user")]
        indexes = [models.Index(fields=["course", "image"])]
