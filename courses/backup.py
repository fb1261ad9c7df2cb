"""Back up one course (content, question bank, quizzes, attempts, grades) and restore it.

The archive is a zip with `data.json` (Django's serializer format, primary keys kept) and the
files the rows point to in Django's storage (demo results, pool images, imported question
files are rows). Restoring is meant for an empty database (a new server, a disaster recovery):
it loads everything in one transaction, or nothing.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from itertools import chain

from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from config.errors import ApplicationError

FORMAT_VERSION = 1


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder, but times to the microsecond as the database keeps them: Django's
    writes them to the millisecond, so a restored attempt's times would move by up to 1 ms
    (the restore reads either)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


def _course_objects(course) -> list:
    from inference.models import DemoJob
    from quizzes.models import (
        Attempt,
        Category,
        Dispute,
        GradeOverride,
        Question,
        QuestionFile,
        QuestionVersion,
        Quiz,
        QuizOverride,
        RegradeLog,
        Response,
        Slot,
    )

    from .models import Enrollment, Lesson, LessonProgress, Module

    enrollments = list(Enrollment.objects.filter(course=course))
    attempts = Attempt.objects.filter(quiz__course=course)
    quiz_overrides = list(QuizOverride.objects.filter(quiz__course=course))
    grade_overrides = list(GradeOverride.objects.filter(quiz__course=course).order_by("pk"))
    user_ids = ({e.user_id for e in enrollments} | set(attempts.values_list("user_id", flat=True))
                | {o.user_id for o in quiz_overrides}
                | {o.user_id for o in grade_overrides}
                | {o.by_id for o in grade_overrides if o.by_id is not None})
    users = list(get_user_model().objects.filter(pk__in=user_ids).order_by("pk"))
    # Categories parents first, so loading never meets a missing parent.
    categories = sorted(Category.objects.filter(course=course), key=lambda c: len(c.path))
    return list(chain(
        users, [course], Module.objects.filter(course=course),
        Lesson.objects.filter(course=course), enrollments,
        LessonProgress.objects.filter(lesson__course=course), categories,
        Question.objects.filter(course=course),
        QuestionVersion.objects.filter(question__course=course),
        QuestionFile.objects.filter(version__question__course=course),
        Quiz.objects.filter(course=course), Slot.objects.filter(quiz__course=course),
        attempts, Response.objects.filter(attempt__quiz__course=course)
        .exclude(attempt__state="prepared"),  # not started: rebuilt after a restore
        Dispute.objects.filter(quiz__course=course), RegradeLog.objects.filter(quiz__course=course),
        quiz_overrides, grade_overrides, DemoJob.objects.filter(course=course),
    ))


def course_backup(*, course) -> bytes:
    """A zip of everything that belongs to `course`."""
    objects = _course_objects(course)
    data = serializers.serialize("json", objects, indent=1, cls=ExactJSONEncoder)
    files: set[str] = set()
    for obj in objects:
        if obj._meta.label == "inference.DemoJob":
            files.update((obj.result or {}).get("files", {}).values())
            if obj.input_file:
                files.add(obj.input_file)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps({
            "format": FORMAT_VERSION, "course": course.slug, "objects": len(objects),
            "files": sorted(files)}))
        archive.writestr("data.json", data)
        for name in sorted(files):
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as handle:
                    archive.writestr(f"files/{name}", handle.read())
    return out.getvalue()


def course_restore(*, archive: bytes) -> dict:
    """Load a backup into this database (all or nothing); return the manifest."""
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive))
        manifest = json.loads(bundle.read("manifest.json"))
        data = bundle.read("data.json").decode("utf-8")
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ApplicationError(f"This is not a course backup: {exc}", code="invalid_backup"
                               ) from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise ApplicationError(f"Backup format {manifest.get('format')} is not supported "
                               f"(this version reads {FORMAT_VERSION}).", code="invalid_backup")
    from .models import Course

    if Course.objects.filter(slug=manifest["course"]).exists():
        raise ApplicationError(f"Course {manifest['course']!r} already exists here; restore "
                               "into an empty database or delete it first.",
                               code="course_exists", status_code=409)
    with transaction.atomic():
        for item in serializers.deserialize("json", data):
            item.save()
        for name in manifest.get("files", []):
            member = f"files/{name}"
            if member in bundle.namelist() and not default_storage.exists(name):
                default_storage.save(name, ContentFile(bundle.read(member)))
    _reset_sequences()
    return manifest


def _reset_sequences() -> None:
    """PostgreSQL keeps id counters apart from the rows: move them past the restored ids."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    models = [m for m in apps.get_models() if m._meta.app_label in (
        "auth", "courses", "quizzes", "inference")]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
