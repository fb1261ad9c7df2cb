"""Reads for the demos: access to a job, its queue position, the status board."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import app
from courses.access import can_see_demo_job, forbidden

from . import notify
from .models import DemoJob, DemoKind


def demo_job_get_for_user(*, user: AbstractBaseUser, job_id) -> DemoJob:
    """The job if `user` made it, teaches its course, or it is shared in their course gallery."""
    job = DemoJob.objects.filter(pk=job_id).select_related("course").first()
    if job is None:
        raise Http404(_("No such demo job."))
    if can_see_demo_job(user=user, job_user_id=job.user_id, course_id=job.course_id,
                        shared=job.share_in_gallery and not job.hidden_by_teacher):
        return job
    raise forbidden(_("This demo result is not yours."))


def demo_job_wait(*, job: DemoJob, seconds: float, user=None,
                  watch: notify.Watch | None = None) -> DemoJob:
    """The job once finished, or as it stands after `seconds` (see inference.notify).

    A waiting request holds a web thread, so one user may hold at most
    DEMO_MAX_WAITS_PER_USER of them; past that the job comes back at once (the client simply
    asks again), and nobody can tie up the web server by opening many waits. Without `user`
    the caller bounds the waits itself (a request waiting for the job it just created: the
    in-flight limit allows only so many). A `watch` opened before the job was enqueued or read
    spares the first look at the row.
    """
    if seconds <= 0 or job.is_finished:
        return job
    with _wait_slot(user) as granted:
        if not granted:
            return job
        latest = [job]

        def finished() -> bool:
            # The whole row: a look happens only when woken, at the deadline, or every
            # RECHECK_SECONDS, and what it reads is the answer (no second read to fetch it).
            latest[0] = DemoJob.objects.get(pk=job.pk)
            return latest[0].is_finished

        notify.wait_until(job.pk, finished, seconds, watch=watch)
        return latest[0]


@contextmanager
def _wait_slot(user):
    """Count the user's waiting requests in the shared cache (per process with the embedded
    local-memory cache, which still bounds each process)."""
    if user is None:
        yield True
        return
    key = f"demo-waits:{user.pk}"
    try:
        count = cache.incr(key)  # one round trip when the user already has a counter
    except ValueError:  # none yet (or it expired): start one; a crash cannot leak it long
        count = 1 if cache.add(key, 1, timeout=settings.DEMO_MAX_WAIT_SECONDS * 6) \
            else cache.incr(key)
    try:
        yield count <= settings.DEMO_MAX_WAITS_PER_USER
    finally:
        try:
            cache.decr(key)
        except ValueError:
            pass


def queue_position(*, job: DemoJob) -> int | None:
    """How many queued jobs are ahead of this one (None once it left the queue)."""
    if job.status != DemoJob.Status.QUEUED:
        return None
    return DemoJob.objects.filter(status=DemoJob.Status.QUEUED,
                                  created_at__lt=job.created_at).count()


def status_board() -> dict:
    """Queue length, recent throughput and timings for the instructor's status page."""
    since = timezone.now() - timedelta(hours=1)
    recent = DemoJob.objects.filter(finished_at__gte=since)
    by_kind = list(recent.values("kind").annotate(
        n=Count("id"), ok=Count("id", filter=Q(status=DemoJob.Status.SUCCEEDED)))
        .order_by("kind"))
    timings = {}
    # A copy of a stored result has `cached` in its timings; a run never has the key. (Excluding
    # `cached=True` instead compares a missing key to true, which is NULL: every run dropped.)
    for job in recent.filter(status=DemoJob.Status.SUCCEEDED).exclude(
            timings__has_key="cached").only("kind", "timings")[:500]:
        timings.setdefault(job.kind, []).append(job.timings)
    labels = dict(DemoKind.choices)
    for row in by_kind:
        row["label"] = labels.get(row["kind"], row["kind"])
        samples = timings.get(row["kind"], [])
        for key in ("queue_ms", "run_ms", "total_ms"):
            values = sorted(t.get(key, 0) for t in samples)
            row[key + "_p50"] = values[len(values) // 2] if values else None
    return {
        "queued": DemoJob.objects.filter(status=DemoJob.Status.QUEUED).count(),
        "running": DemoJob.objects.filter(status=DemoJob.Status.RUNNING).count(),
        "failed_last_hour": recent.filter(status=DemoJob.Status.FAILED).count(),
        "by_kind": by_kind,
        "mean_batch": _mean([t.get("batch_size", 1) for ts in timings.values() for t in ts]),
    }


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def gallery(*, course, kind: str | None = None, limit: int = 12):
    jobs = DemoJob.objects.filter(course=course, share_in_gallery=True, hidden_by_teacher=False,
                                  status=DemoJob.Status.SUCCEEDED).select_related("user")
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs.order_by("-finished_at")[:limit]


_BROKER_CHECK: dict[str, float | bool] = {"at": 0.0, "ok": True}


def broker_available(*, max_age: float = 10.0) -> bool:
    """Whether the message broker answers (checked at most every `max_age` seconds).

    Used to tell students up front that demos are unavailable, instead of failing their jobs.
    """
    now = time.monotonic()
    if now - float(_BROKER_CHECK["at"]) < max_age:
        return bool(_BROKER_CHECK["ok"])
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)
        ok = True
    except Exception:  # kombu raises transport-specific errors; any of them means "down"
        ok = False
    _BROKER_CHECK.update(at=now, ok=ok)
    return ok


def demo_jobs_recent_for_user(*, user: AbstractBaseUser, limit: int = 10) -> list[DemoJob]:
    """The user's own latest demo runs, newest first (the "my past runs" list)."""
    return list(DemoJob.objects.filter(user_id=user.pk).only(
        "id", "kind", "status", "params", "created_at", "finished_at", "result")
        .order_by("-created_at")[:limit])
