"""celery-batches: the alternative to our own micro-batcher (settings.DEMO_BATCHER).

With DEMO_BATCHER="celery-batches", `_enqueue` sends `demo_run_batch` instead of `demo_run`.
The worker does not run each message: celery-batches' strategy buffers them in the worker and
flushes the buffer as ONE task call, with the list of requests, every
DEMO_BATCH_FLUSH_INTERVAL seconds or every DEMO_BATCH_FLUSH_EVERY messages. That task claims
exactly the jobs of its requests that are still queued (never other queued jobs: each job comes
in its own message), groups them by kind and runs one forward pass per kind under the same
MODEL_LOCK as `demo_run`, with the same caps (DEMO_MAX_BATCH jobs, DEMO_MAX_BATCH_IMAGES
images) and the same failure handling.

What the worker needs:

- Prefetch. A buffered message is reserved and not yet acknowledged, so the worker holds at most
  concurrency × prefetch multiplier of them. The project's multiplier is 1 (config/celery.py):
  with `-c 4` a batch could never hold more than 4 jobs and would always wait for the timer.
  Start the gpu worker with `--prefetch-multiplier N` so that 4 × N ≥ 2 × DEMO_BATCH_FLUSH_EVERY
  (the messages of the batch that runs stay reserved while the next one fills): `-c 4
  --prefetch-multiplier 8` for the default 16. A worker that reserves fewer says so in its log.
  The multiplier applies to every queue the worker reads: give it only `-Q gpu`.
- Acknowledgement. The task is acks_late: celery-batches acknowledges every message of a batch
  when the batch task returns (it catches the task's exceptions, so a failed batch is
  acknowledged too; its jobs are marked failed first). A worker killed while messages sit in its
  buffer or run has acknowledged none of them: the broker redelivers them (Redis: after the
  visibility timeout; the filesystem broker hands a message over once and cannot), and in any
  case the next worker's start-up re-sends every job still queued (inference/recovery.py).
  Claiming is idempotent, so a job whose message arrives twice runs once.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

from celery import shared_task
from celery.signals import worker_ready
from celery_batches import Batches
from django.conf import settings

log = logging.getLogger(__name__)


def _job_id(request) -> str:
    return str(request.args[0] if request.args else request.kwargs["job_id"])


@shared_task(name="inference.tasks.demo_run_batch", base=Batches, acks_late=True,
             ignore_result=True, flush_every=settings.DEMO_BATCH_FLUSH_EVERY,
             flush_interval=settings.DEMO_BATCH_FLUSH_INTERVAL)
def demo_run_batch(requests) -> str:
    """One call per flush of celery-batches' buffer: `requests` are the buffered messages."""
    return demo_jobs_execute([_job_id(r) for r in requests])


def _chunks(rows: list[tuple], batchable: set, images_in: Callable) -> Iterator[list]:
    """Job ids by kind (oldest first), cut at DEMO_MAX_BATCH jobs / DEMO_MAX_BATCH_IMAGES images."""
    by_kind: dict[str, list[tuple]] = defaultdict(list)
    for pk, kind, params in rows:
        by_kind[kind].append((pk, images_in(kind, params)))
    for kind, jobs in by_kind.items():
        chunk: list = []
        images = 0
        for pk, n in jobs:
            if chunk and (kind not in batchable or len(chunk) >= settings.DEMO_MAX_BATCH
                          or images + n > settings.DEMO_MAX_BATCH_IMAGES):
                yield chunk
                chunk, images = [], 0
            chunk.append(pk)
            images += n
        if chunk:
            yield chunk


def demo_jobs_execute(job_ids: list[str]) -> str:
    """Run the jobs of one celery-batches flush that are still queued. Idempotent."""
    from django.utils import timezone

    from .models import DemoJob
    from .worker import BATCHABLE, _reclaim_lost, claim_ids, images_in  # torch: worker only

    ids = list(dict.fromkeys(job_ids))  # a redelivered message may repeat an id
    now = timezone.now()
    DemoJob.objects.filter(pk__in=ids, status=DemoJob.Status.QUEUED, expires_at__lt=now).update(
        status=DemoJob.Status.EXPIRED, finished_at=now,
        message="No worker picked this demo up in time. Run it again.")
    rows = list(DemoJob.objects.filter(pk__in=ids, status=DemoJob.Status.QUEUED)
                .order_by("created_at").values_list("pk", "kind", "params"))
    # Redelivered after a worker died while running them: taken over once their heartbeat is
    # stale, as demo_run does (the usual case: another batch has them, nothing to do).
    lost = [job for job in DemoJob.objects.filter(pk__in=ids, status=DemoJob.Status.RUNNING)
            if _reclaim_lost(job, dry_run=True)]
    ran = 0
    for chunk in _chunks(rows, BATCHABLE, images_in):
        ran += _run(lambda chunk=chunk: claim_ids(chunk))  # still queued: not cancelled
    for job in lost:
        ran += _run(lambda job=job: _reclaim_lost(job))
    return f"ran {ran} of {len(ids)}"


def _run(claim: Callable[[], list]) -> int:
    """Claim and run one forward pass under MODEL_LOCK, save after releasing it; failure
    handling as in worker.demo_job_execute. Returns the number of jobs that succeeded."""

    from .worker import MODEL_LOCK, fail_batch, run_batch

    batch: list = []
    started = time.perf_counter()
    try:
        with MODEL_LOCK:
            batch = claim()
            if not batch:
                return 0
            deadline = time.monotonic() + settings.DEMO_JOB_TIME_LIMIT_SECONDS
            save_rest = run_batch(batch, deadline)
        save_rest()
    except Exception as exc:  # one bad batch must not take the others (or the worker) down
        log.exception("demo batch failed (celery-batches)")
        fail_batch(batch, exc)
        return 0
    log.info("celery-batches: ran %d %s job(s) in %.0f ms", len(batch), batch[0].kind,
             (time.perf_counter() - started) * 1000)
    return len(batch)


def _check_prefetch(sender=None, **kwargs) -> None:
    """Say so at start-up when this worker cannot buffer a full batch (see the docstring)."""
    if settings.DEMO_BATCHER != "celery-batches":
        return
    reserved = getattr(sender, "initial_prefetch_count", 0)  # 0: no limit
    if reserved and reserved < 2 * settings.DEMO_BATCH_FLUSH_EVERY:
        log.warning("celery-batches: this worker reserves at most %d messages, fewer than 2 × "
                    "DEMO_BATCH_FLUSH_EVERY (%d): batches will be smaller or wait for the %.3f s "
                    "timer. Start it with --prefetch-multiplier so that concurrency × multiplier "
                    "≥ %d.", reserved, settings.DEMO_BATCH_FLUSH_EVERY,
                    settings.DEMO_BATCH_FLUSH_INTERVAL, 2 * settings.DEMO_BATCH_FLUSH_EVERY)


worker_ready.connect(_check_prefetch, weak=False)
