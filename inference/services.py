"""Every write for the demos on the web side: create, cancel, share. No torch here.

A job row is the single source of truth: the web process writes it, enqueues its id on commit
(inference/enqueue.py: unless a message of its kind is already on its way), and reads it back
for the page; the worker claims it, runs the model and writes the result.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from config.json_depth import json_loads
from courses.access import forbidden, require_job_owner, user_teaches_course

from . import job_messages, notify
from .catalog import CAPTION_MODELS, model_for, model_version
from .enqueue import demo_job_enqueue
from .images import read_upload
from .models import LIVE_GAN_DEFAULT_STEPS, LIVE_GAN_MODES, LIVE_GAN_STEPS, DemoJob, DemoKind
from .pool import detector_input_check

log = logging.getLogger(__name__)
SCENE_FIELDS = {"shape": ("circle", "square", "triangle"),
                "color": ("red", "green", "blue", "yellow"),
                "size": ("small", "large"),
                "position": ("left", "right", "top", "bottom", "center")}
ADMISSION_LOCK = 0x64656D6F  # "demo": the advisory-lock namespace of job admission (per user)
FACES_MAX = 16  # faces in one face-generate run
# A run of `count` faces from `seed` shows seeds seed..seed+count-1, each with a "send to the
# fake detector" button: a generated face's seed (face_seed) goes that far past the largest seed.
FACE_SEED_MAX = 2**31 - 1 + FACES_MAX - 1
# Twenty digits are more than any bound here needs and cheap to convert.
WHOLE_NUMBER = re.compile(r"\s*-?[0-9]{1,20}\s*", re.ASCII)


def _int(params: dict, key: str, default: int, low: int, high: int) -> int:
    """A whole number in [low, high]; absent, null or an empty form field means `default`.

    Strings are read only as ASCII digits (int() would also take "1_000", "٣" and thousands of
    digits, the last one slowly); floats only when whole (JSON's 1e400 is an infinite float);
    booleans are not numbers here.
    """
    value = params.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value):
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApplicationError(_("'%(key)s' must be a whole number.") % {"key": key},
                               code="invalid_params", fields={key: ["int"]})
    if not low <= value <= high:
        raise ApplicationError(_("'%(key)s' must be between %(low)s and %(high)s.") % {
            "key": key, "low": low, "high": high}, code="invalid_params",
            fields={key: [f"{low}..{high}"]})
    return value


def demo_params_clean(kind: str, params: dict, *, has_image: bool = False) -> dict:
    """Bounded, normalised parameters for a kind. A seed left out or sent empty is drawn at
    random and stored in the job's params, so the result can be reproduced."""
    # The API's `params` is any JSON value: a list, a string or a number is refused here, not
    # left to dict() to fail on as a server error.
    if not isinstance(params or {}, dict):
        raise ApplicationError(_("'params' must be an object of names and values."),
                               code="invalid_params", fields={"params": ["object"]})
    params = dict(params or {})
    seed_default = random.randrange(0, 2**31 - 1)
    if kind == DemoKind.FACE_GENERATE:
        return {"seed": _int(params, "seed", seed_default, 0, 2**31 - 1),
                "count": _int(params, "count", 1, 1, FACES_MAX)}
    if kind == DemoKind.LATENT_WALK:
        seed_a = _int(params, "seed_a", seed_default, 0, 2**31 - 1)
        return {"seed_a": seed_a,
                "seed_b": _int(params, "seed_b", (seed_a + 1) % (2**31 - 1), 0, 2**31 - 1),
                "steps": _int(params, "steps", 8, 2, 16)}
    if kind == DemoKind.FAKE_DETECT:
        return _picture_inputs_clean(params, {})
    if kind == DemoKind.CAPTION:
        lang = params.get("lang", "ko")
        if lang not in ("ko", "en"):
            raise ApplicationError(_("'lang' must be ko or en."), code="invalid_params",
                                   fields={"lang": ["ko", "en"]})
        clean = {"lang": lang}
        if params.get("scene"):
            clean["scene"] = _scene_clean(params["scene"])
        elif params.get("scene_seed") not in (None, ""):
            clean["scene_seed"] = _int(params, "scene_seed", 0, 0, 2**31 - 1)
        return caption_params_clean(params, clean, has_image=has_image)
    if kind == DemoKind.LIVE_GAN:
        mode = params.get("mode") or LIVE_GAN_MODES[0]
        if mode not in LIVE_GAN_MODES:
            raise ApplicationError(_("'mode' must be one of %(modes)s.") % {
                "modes": ", ".join(LIVE_GAN_MODES)}, code="invalid_params",
                fields={"mode": list(LIVE_GAN_MODES)})
        return {"mode": mode, "seed": _int(params, "seed", seed_default, 0, 2**31 - 1),
                "steps": _int(params, "steps", LIVE_GAN_DEFAULT_STEPS, *LIVE_GAN_STEPS)}
    raise ApplicationError(_("Unknown demo."), code="invalid_params", status_code=404)


def caption_params_clean(params: dict, clean: dict, *, has_image: bool = False) -> dict:
    """The caption demo's model choice and photo inputs, added to `clean` (lang, scene).

    "model": "photo" (MobileNetV2 + attention decoder, for photographs) or "shapes" (the
    shape-scene captioner built in class). Left out, a photo (an upload, a sample, a generated
    face) means "photo" and anything else "shapes" (a random scene). The shapes model can
    caption a photo too (badly: that is the lesson)."""
    photo_given = has_image or any(params.get(k) not in (None, "")
                                   for k in ("sample", "face_seed"))
    model = params.get("model") or ("photo" if photo_given else "shapes")
    # A dict lookup: an unhashable value (a JSON list or object) is refused before it.
    if not isinstance(model, str) or model not in CAPTION_MODELS:
        raise ApplicationError(_("'model' must be photo or shapes."), code="invalid_params",
                               fields={"model": list(CAPTION_MODELS)})
    clean["model"] = model
    return _picture_inputs_clean(params, clean)


def _picture_inputs_clean(params: dict, clean: dict) -> dict:
    """The picture a detector or photo-caption job reads besides an upload, added to `clean`:
    a generated face (`face_seed`) or one of the shipped sample photographs (`sample`)."""
    if params.get("face_seed") not in (None, ""):
        clean["face_seed"] = _int(params, "face_seed", 0, 0, FACE_SEED_MAX)
    if params.get("sample") not in (None, ""):
        sample = str(params["sample"])
        if sample not in settings.DEMO_SAMPLE_PHOTOS:
            raise ApplicationError(_("Unknown sample photo."), code="invalid_params",
                                   fields={"sample": list(settings.DEMO_SAMPLE_PHOTOS)})
        clean["sample"] = sample
    return clean


def _scene_clean(scene) -> list[dict]:
    if isinstance(scene, str):
        try:
            scene = json_loads(scene)
        except ValueError:
            raise ApplicationError(_("The scene is not valid JSON."), code="invalid_params"
                                   ) from None
    if not isinstance(scene, list) or not 1 <= len(scene) <= 3:
        raise ApplicationError(_("A scene has 1 to 3 shapes."), code="invalid_params")
    clean = []
    for obj in scene:
        if not isinstance(obj, dict):
            raise ApplicationError(_("Each shape is an object."), code="invalid_params")
        item = {}
        for name, allowed in SCENE_FIELDS.items():
            if obj.get(name) not in allowed:
                raise ApplicationError(_("'%(name)s' must be one of %(allowed)s.") % {
                    "name": name, "allowed": ", ".join(allowed)}, code="invalid_params")
            item[name] = obj[name]
        clean.append(item)
    if len({o["position"] for o in clean}) != len(clean):
        raise ApplicationError(_("Put each shape in a different position."),
                               code="invalid_params")
    return clean


def _admission(user: AbstractBaseUser, cache_key: str) -> dict:
    """What creating a job needs to know, in one query: the user's active jobs, their jobs of
    the last minute, all active jobs, and the id of an earlier job with the same result
    (`cached`, None if there is none).

    Written in SQL because every job creation pays for it: the same three filtered counts
    through the ORM cost 1.7 ms of web CPU a job, this 0.3 ms (docs/performance.md),
    and the cache lookup as its own query another 0.5 ms. COUNT(*) FILTER and the
    scalar subquery run on PostgreSQL and SQLite (3.30+) alike.
    """
    table = connection.ops.quote_name(DemoJob._meta.db_table)
    active = "status IN (%s, %s)"
    recent = "(user_id = %s AND created_at >= %s)"
    states = [DemoJob.Status.QUEUED, DemoJob.Status.RUNNING]
    since = connection.ops.adapt_datetimefield_value(timezone.now() - timedelta(minutes=1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FILTER (WHERE {active} AND user_id = %s),"  # noqa: S608 - no input
            f" COUNT(*) FILTER (WHERE {recent}), COUNT(*) FILTER (WHERE {active}),"
            f" (SELECT id FROM {table} WHERE cache_key = %s AND status = %s LIMIT 1)"
            f" FROM {table} WHERE {active} OR {recent}",
            [*states, user.pk, user.pk, since, *states, cache_key, DemoJob.Status.SUCCEEDED,
             *states, user.pk, since])
        mine_active, mine_recent, queued, cached = cursor.fetchone()
    return {"mine_active": mine_active, "mine_recent": mine_recent, "queued": queued,
            "cached": cached}


def _check_limits(counts: dict) -> None:
    """Per-user in-flight and rate limits and the queue cap (counts from _admission)."""
    if counts["mine_active"] >= settings.DEMO_MAX_IN_FLIGHT_PER_USER:
        raise ApplicationError(
            _("You already have %(n)s demos running. Wait for one to finish.") % {
                "n": settings.DEMO_MAX_IN_FLIGHT_PER_USER}, code="too_many_in_flight",
            status_code=429)
    if counts["mine_recent"] >= settings.DEMO_RATE_PER_MINUTE:
        raise ApplicationError(_("Too many demo requests in the last minute. Try again in a "
                                 "moment."), code="rate_limited", status_code=429)
    queued = counts["queued"]
    if queued >= settings.DEMO_QUEUE_CAP:
        raise ApplicationError(_("The demo server is busy; try again in about %(s)s s.") % {
            "s": max(5, queued // 10)}, code="busy", status_code=503)


def _cache_key(kind: str, params: dict, input_sha: str, version: str, *, owner=None) -> str:
    """The key under which a job's result is reused. An upload's key names its owner: handing
    that result to someone else would tell them (and show them) what another user uploaded.
    Results made from seeds, samples or scenes hold no user data and are shared by everyone."""
    parts = [kind, params, input_sha, version] + ([str(owner)] if owner is not None else [])
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def demo_job_create(*, user: AbstractBaseUser, kind: str, params: dict | None = None,
                    image: bytes | None = None, course=None, lesson=None,
                    share_in_gallery: bool = False, job_id: uuid.UUID | None = None) -> DemoJob:
    """Create a job; a cached identical result comes back at once, otherwise it is queued.
    `job_id` lets the caller watch for the job's finish before it is enqueued."""
    if kind not in DemoKind.values:
        raise ApplicationError(_("Unknown demo."), code="invalid_params", status_code=404)
    params = demo_params_clean(kind, params or {}, has_image=image is not None)
    png, input_sha = (None, "")
    if image is not None:
        png, input_sha = read_upload(image)
    if kind == DemoKind.FAKE_DETECT and not (png or params):
        raise ApplicationError(_("Upload an image, or pick a generated face or a sample photo."),
                               code="invalid_params", fields={"image": ["required"]})
    if (kind == DemoKind.CAPTION and params["model"] == "photo" and png is None
            and not {"sample", "face_seed", "scene", "scene_seed"} & set(params)):
        raise ApplicationError(_("Upload a photo, or pick a sample photo or a generated face."),
                               code="invalid_params", fields={"image": ["required"]})
    if kind == DemoKind.FAKE_DETECT:
        # Before the cache lookup: a stored verdict on a quiz image is refused like a new one.
        detector_input_check(png=png, params=params)
    model_key = model_for(kind, params)
    version = model_version(model_key)
    key = _cache_key(kind, params, input_sha, version, owner=user.pk if input_sha else None)
    if kind == DemoKind.LIVE_GAN:  # watching it train is the point: never a stored result
        key = uuid.uuid4().hex
    now = timezone.now()
    common = {"id": job_id or uuid.uuid4(), "kind": kind, "user": user, "course": course,
              "lesson": lesson, "params": params,
              "input_sha256": input_sha, "cache_key": key, "model_name": model_key,
              "model_version": version, "share_in_gallery": share_in_gallery,
              # The Celery task id is chosen here, so sending the task needs no second write.
              "task_id": uuid.uuid4().hex,
              "expires_at": now + timedelta(seconds=settings.DEMO_JOB_EXPIRES_SECONDS)}
    # Count and insert under one lock per user: counted without it, parallel requests each see
    # room under the limit and all get in. The lock ends with the transaction.
    with transaction.atomic():
        _admission_lock(user)
        admission = _admission(user, key)
        if (admission["mine_active"] >= settings.DEMO_MAX_IN_FLIGHT_PER_USER
                and _user_jobs_mark_lost(user)):
            admission = _admission(user, key)
        _check_limits(admission)
        return _job_insert(common, admission, png, now)


def _admission_lock(user: AbstractBaseUser) -> None:
    """Hold this user's admission lock until the transaction ends.

    PostgreSQL: a transaction-scoped advisory lock (no row is locked, so nothing else about the
    user waits). SQLite opens every transaction with BEGIN IMMEDIATE (config/settings.py),
    which already admits one writer at a time. Elsewhere: the user's row, FOR UPDATE.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [ADMISSION_LOCK, int(user.pk) & 0x7FFFFFFF])
    elif connection.vendor != "sqlite":
        type(user).objects.select_for_update().filter(pk=user.pk).exists()


def _job_insert(common: dict, admission: dict, png: bytes | None, now) -> DemoJob:
    """The row of an admitted job: a copy of a stored result, or a queued job."""
    # Any earlier result will do, and only the three columns it lends.
    cached = None if admission["cached"] is None else next(iter(
        DemoJob.objects.filter(pk=admission["cached"]).order_by()
        .values_list("pk", "result", "input_file")[:1]), None)
    if cached is not None:
        source, result, input_file = cached
        return DemoJob.objects.create(
            **common, status=DemoJob.Status.SUCCEEDED, progress=1.0, result=result,
            input_file=input_file, started_at=now, finished_at=now,
            message=job_messages.CACHED,
            timings={"cached": True, "total_ms": 0, "source_job": str(source)})
    job = DemoJob.objects.create(**common)
    if png is not None:
        job.input_file = default_storage.save(f"demos/{job.pk}/input.png", ContentFile(png))
        job.save(update_fields=["input_file"])
    transaction.on_commit(lambda: demo_job_enqueue(job))
    return job


def demo_job_cancel(*, job: DemoJob, user: AbstractBaseUser) -> DemoJob:
    require_job_owner(user=user, job_user_id=job.user_id,
                      message=_("You can only cancel your own demos."))
    # A queued job is simply never run. A running live GAN is cancelled too: its training loop
    # writes its progress only while the row is still running, so the next write (a fraction
    # of a second later) finds the row cancelled and the loop stops, freeing the worker. Other
    # kinds finish in well under a second once running: nothing to gain.
    cancellable = models.Q(status=DemoJob.Status.QUEUED) | models.Q(
        status=DemoJob.Status.RUNNING, kind=DemoKind.LIVE_GAN)
    if DemoJob.objects.filter(cancellable, pk=job.pk).update(
            status=DemoJob.Status.CANCELLED, finished_at=timezone.now(),
            message=job_messages.CANCELLED):
        notify.jobs_finished([job.pk])  # a request waiting for it answers now
    job.refresh_from_db()
    return job


def _user_jobs_mark_lost(user: AbstractBaseUser) -> int:
    """End the user's lost jobs as their status poll would (demo_job_mark_lost): queued past
    `expires_at` (their message was lost, or no worker took it) or running with a stopped
    heartbeat. Nothing else runs them out while nobody watches them, and they would count
    against the in-flight limit until a worker restart. Called only when the user is at that
    limit: a job creation under it pays nothing. Returns how many ended."""
    active = DemoJob.objects.filter(user_id=user.pk,
                                    status__in=(DemoJob.Status.QUEUED, DemoJob.Status.RUNNING))
    return sum(demo_job_mark_lost(job=job).is_finished for job in active)


def demo_job_mark_lost(*, job: DemoJob) -> DemoJob:
    """A running job whose worker stopped sending heartbeats long ago: fail it with a clear
    message (a restarted worker requeues recent ones first: inference.recovery).

    Called on every status poll, so it decides from the row already read and writes only when
    something is actually stale.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS * 2)
    if job.status == DemoJob.Status.RUNNING and job.heartbeat_at and job.heartbeat_at < stale:
        DemoJob.objects.filter(pk=job.pk, status=DemoJob.Status.RUNNING,
                               heartbeat_at__lt=stale).update(
            status=DemoJob.Status.FAILED, finished_at=now, error="worker lost",
            message=job_messages.WORKER_STOPPED)
        job.refresh_from_db()
    elif job.status == DemoJob.Status.QUEUED and job.expires_at < now:
        DemoJob.objects.filter(pk=job.pk).expire_stale(now)
        job.refresh_from_db()
    return job


def demo_job_hide(*, job: DemoJob, user: AbstractBaseUser) -> DemoJob:
    """Hide a result from the class gallery; only the course's teachers may."""
    if not user_teaches_course(user=user, course_id=job.course_id):
        raise forbidden(_("Only the course's teachers can hide gallery items."))
    job.hidden_by_teacher = True
    job.save(update_fields=["hidden_by_teacher"])
    return job
