"""Claiming demo jobs on the worker: which queued jobs make one batch, and taking them once.

An UPDATE … WHERE status='queued' takes each row at most once, on SQLite and PostgreSQL alike,
so concurrent tasks (threads, processes, nodes) never run the same job twice.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .. import job_messages, wakeups
from ..models import DemoJob, DemoKind

BATCHABLE = {DemoKind.FACE_GENERATE, DemoKind.LATENT_WALK, DemoKind.FAKE_DETECT,
             DemoKind.CAPTION}



def images_in(kind: str, params: dict) -> int:
    """How many images a job puts through the model: a batch is capped by this sum."""
    if kind == DemoKind.FACE_GENERATE:
        return int(params.get("count", 1))
    if kind == DemoKind.LATENT_WALK:
        return int(params.get("steps", 8))
    return 1


def claim_batch(kind: str, first: DemoJob | None = None) -> tuple[list[DemoJob], list]:
    """Atomically take `first` (if given) and other queued jobs of `kind`, oldest first, as one
    batch; also return the ids of queued jobs left out because the batch was full.

    A batch holds at most DEMO_MAX_BATCH jobs and DEMO_MAX_BATCH_IMAGES images (always at least
    one job): past a few dozen 64×64 images a CPU forward pass gets slower per image, not
    faster (docs/performance.md). An UPDATE … WHERE status='queued' claims each row at most
    once, on SQLite and PostgreSQL alike, so concurrent tasks never run the same job twice.
    """
    now = timezone.now()
    ids = [first.pk] if first is not None else []
    room = settings.DEMO_MAX_BATCH_IMAGES - (images_in(kind, first.params) if first else 0)
    limit = settings.DEMO_MAX_BATCH if kind in BATCHABLE else 1
    left = []
    # With coalesced messages, one row more than fits by count, even when `first` fills the
    # batch alone: the jobs left over have no message of their own (inference/wakeups.py).
    rows = limit - len(ids) + (1 if wakeups.coalescing() else 0)
    if rows > 0:
        queued = DemoJob.objects.filter(kind=kind, status=DemoJob.Status.QUEUED,
                                        expires_at__gt=now)
        if ids:
            queued = queued.exclude(pk__in=ids)
        for pk, params in queued.order_by("created_at").values_list("pk", "params")[:rows]:
            n = images_in(kind, params)
            if len(ids) >= limit or (ids and n > room):
                left.append(pk)
                break
            ids.append(pk)
            room -= n
    return (_take(DemoJob.objects.filter(pk__in=ids)) if ids else []), left


def claim_ids(ids: list) -> list[DemoJob]:
    """Atomically take exactly these jobs, those still queued and not expired, and no others."""
    return _take(DemoJob.objects.filter(pk__in=ids, expires_at__gt=timezone.now()))


class _TakenHere:
    """The ids of the last jobs this process claimed. A batch takes jobs whose own messages are
    still on their way; when they arrive, the task answers from here instead of reading the
    row (with 4 jobs a batch, 3 of every 4 messages; docs/performance.md).

    A claim counts only while its heartbeat could still be fresh: after that, recovery may have
    put the job back in the queue (a hung batch), and its re-sent message must read the row.
    """

    def __init__(self, size: int = 4096, max_age: float | None = None) -> None:
        self._ids: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._size = size
        self._max_age = max_age

    def add(self, jobs: list[DemoJob]) -> None:
        now = time.monotonic()
        with self._lock:
            for job in jobs:
                self._ids[str(job.pk)] = (now, job.kind)
            while len(self._ids) > self._size:
                self._ids.popitem(last=False)

    def kind(self, job_id) -> str | None:
        """The kind of a job this process claimed (while the claim counts), else None."""
        max_age = (settings.DEMO_HEARTBEAT_STALE_SECONDS if self._max_age is None
                   else self._max_age)
        with self._lock:
            taken = self._ids.get(str(job_id))
        return taken[1] if taken is not None and time.monotonic() - taken[0] < max_age else None

    def __contains__(self, job_id) -> bool:
        return self.kind(job_id) is not None


TAKEN_HERE = _TakenHere()


def _take(jobs) -> list[DemoJob]:
    """Mark those of `jobs` still queued as running under a fresh claim token; return them."""
    token = uuid.uuid4().hex
    now = timezone.now()
    jobs.filter(status=DemoJob.Status.QUEUED).update(
        status=DemoJob.Status.RUNNING, claim=token, started_at=now, heartbeat_at=now,
        tries=F("tries") + 1, progress=0.1, message=job_messages.LOADING_MODEL)
    taken = list(DemoJob.objects.filter(claim=token, status=DemoJob.Status.RUNNING)
                 .order_by("created_at"))
    TAKEN_HERE.add(taken)
    return taken


def looks_lost(job: DemoJob) -> bool:
    """Whether a running job's worker seems dead (its heartbeat is stale), from the row read."""
    stale = timezone.now() - timedelta(seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS)
    return job.heartbeat_at is None or job.heartbeat_at < stale


def reclaim_lost(job: DemoJob) -> list[DemoJob]:
    """A redelivered task whose job is 'running' under a dead worker: take it over once."""
    stale = timezone.now() - timedelta(seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS)
    token = uuid.uuid4().hex
    taken = DemoJob.objects.filter(pk=job.pk, status=DemoJob.Status.RUNNING,
                                   heartbeat_at__lt=stale, tries__lt=3).update(
        claim=token, heartbeat_at=timezone.now(), tries=F("tries") + 1)
    return list(DemoJob.objects.filter(claim=token)) if taken else []
