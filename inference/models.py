"""DemoJob: one request to run a model, from the browser to a GPU worker and back."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoKind(models.TextChoices):
    FACE_GENERATE = "face-generate", _("Generate faces")
    LATENT_WALK = "latent-walk", _("Latent-space walk")
    FAKE_DETECT = "fake-detect", _("Detect a GAN fake")
    CAPTION = "caption", _("Caption an image")


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

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "kind", "created_at"]),
                   models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def preview_file(self) -> str | None:
        """The name of the result image that best represents the job (for galleries)."""
        files = (self.result or {}).get("files") or {}
        for name in ("face-0.png", "frame-0.png", "original.png", "input.png"):
            if name in files:
                return name
        return next(iter(files), None)
