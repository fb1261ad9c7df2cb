"""The worker side of the demos: claim queued jobs, run one batched forward pass, store results.

Imported only by Celery worker processes (inference.tasks imports it inside the task), so the
web process never imports torch. Models load once per process and are shared by its threads.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image

from . import notify, wakeups
from .models import DemoJob, DemoKind

log = logging.getLogger(__name__)
BATCHABLE = {DemoKind.FACE_GENERATE, DemoKind.LATENT_WALK, DemoKind.FAKE_DETECT,
             DemoKind.CAPTION}


class JobTimeout(Exception):
    pass


@functools.cache
def _device() -> str:
    """The device this process's models run on ("auto" resolved), for the job's timings."""
    from .ml.device import device_label

    return device_label(settings.INFERENCE_DEVICE)


@functools.cache
def _configure_torch_threads() -> None:
    """INFERENCE_TORCH_THREADS > 0 caps torch's intra-op threads for this worker process.

    On a machine whose cores also serve the web (`make run`, the benchmark), torch's default of
    one thread per core makes its threads wait for each other whenever one is descheduled, and
    a forward pass gets several times slower (docs/performance.md).
    """
    if settings.INFERENCE_TORCH_THREADS > 0:
        import torch

        torch.set_num_threads(settings.INFERENCE_TORCH_THREADS)


class _Models:
    """Each model loaded at most once per process, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, object] = {}

    def get(self, key: str, version: str | None = None):
        _configure_torch_threads()
        if key == "fake_detector":  # instructors can retrain it: loaded per version (None: active)
            from .training.detectors import DETECTORS

            return DETECTORS.get(version, settings.INFERENCE_DEVICE)
        with self._lock:
            if key not in self._cache:
                started = time.perf_counter()
                self._cache[key] = self._load(key)
                log.info("loaded %s in %.2f s", key, time.perf_counter() - started)
            return self._cache[key]

    @staticmethod
    def _load(key: str):
        device = settings.INFERENCE_DEVICE
        if key == "face_generator":
            from .ml.dcgan import load_face_generator

            return load_face_generator(device=device)
        if key == "captioner":
            if settings.CAPTIONER_HF_DIR:
                from .ml.hf_captioner import load_hf_captioner

                return load_hf_captioner(settings.CAPTIONER_HF_DIR, device=device)
            from .ml.captioner import load_captioner

            return load_captioner(device=device)
        raise KeyError(key)


MODELS = _Models()


# ------------------------------------------------------------------------------------------------
# Claiming
# ------------------------------------------------------------------------------------------------


def images_in(kind: str, params: dict) -> int:
    """How many images a job puts through the model: a batch is capped by this sum."""
    if kind == DemoKind.FACE_GENERATE:
        return int(params.get("count", 1))
    if kind == DemoKind.LATENT_WALK:
        return int(params.get("steps", 8))
    return 1


def _claim(kind: str, first: DemoJob | None = None) -> tuple[list[DemoJob], list]:
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
    """Atomically take exactly these jobs, those still queued and not expired, and no others
    (celery-batches, inference/batches.py: each job comes in its own message)."""
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
        tries=F("tries") + 1, progress=0.1, message="loading model")
    taken = list(DemoJob.objects.filter(claim=token, status=DemoJob.Status.RUNNING)
                 .order_by("created_at"))
    TAKEN_HERE.add(taken)
    return taken


def _reclaim_lost(job: DemoJob, dry_run: bool = False) -> list[DemoJob]:
    """A redelivered task whose job is 'running' under a dead worker: take it over once.
    With dry_run, only say (truthy) whether the job looks lost, from the row already read."""
    stale = timezone.now() - timedelta(seconds=settings.DEMO_HEARTBEAT_STALE_SECONDS)
    if dry_run:
        return [job] if job.heartbeat_at is None or job.heartbeat_at < stale else []
    token = uuid.uuid4().hex
    taken = DemoJob.objects.filter(pk=job.pk, status=DemoJob.Status.RUNNING,
                                   heartbeat_at__lt=stale, tries__lt=3).update(
        claim=token, heartbeat_at=timezone.now(), tries=F("tries") + 1)
    return list(DemoJob.objects.filter(claim=token)) if taken else []


# DEMO_FORWARD_PASSES forward passes at a time per worker process (default one). Jobs whose
# messages arrive while the model is busy wait here, and the first to get in claims every job
# queued by then: the batch grows with the load by itself (dynamic batching, no waiting
# window). Saving a batch's images happens after leaving, so it overlaps with the next forward
# pass. Two passes of one torch thread each (INFERENCE_TORCH_THREADS=1) can beat one pass of two
# threads on a CPU whose cores the web server shares (docs/performance.md).
MODEL_LOCK = threading.BoundedSemaphore(settings.DEMO_FORWARD_PASSES)


def demo_job_execute(*, job_id: str, kind: str | None = None) -> str:
    """Run the job (and any queued jobs of its kind, batched). Idempotent: safe to redeliver.

    With coalesced messages (inference/wakeups.py) a message also stands for the jobs of its
    kind that sent none: it claims the oldest queued ones even when its own job is gone (its
    row deleted, too: the message names the kind).
    """
    coalesced = wakeups.coalescing()
    taken_kind = TAKEN_HERE.kind(job_id)
    if taken_kind is not None:
        # A batch of this process took it: done, or being done. (A process that dies takes its
        # record with it; the redelivered or recovered message then reads the row below.)
        if not coalesced:
            return "running elsewhere"
        return _run_claimed(lambda: _claim_waking(taken_kind, None), taken_kind)
    # Just what deciding needs: most messages find their job already taken by a batch.
    job = next(iter(DemoJob.objects.filter(pk=job_id).order_by().only(
        "status", "kind", "params", "expires_at", "heartbeat_at")[:1]), None)
    if job is None:
        if coalesced and kind:  # a wake-up for its kind only
            return _run_claimed(lambda: _claim_waking(kind, None), kind)
        return "nothing to do"
    now = timezone.now()
    if job.status == DemoJob.Status.RUNNING and _reclaim_lost(job, dry_run=True):
        return _run_claimed(lambda: (_reclaim_lost(job), []), job.kind)
    if job.status == DemoJob.Status.QUEUED and job.expires_at < now:
        DemoJob.objects.filter(pk=job.pk, status=DemoJob.Status.QUEUED).update(
            status=DemoJob.Status.EXPIRED, finished_at=now,
            message="No worker picked this demo up in time. Run it again.")
        outcome = "expired"
    elif job.status != DemoJob.Status.QUEUED:  # the usual case: a batch took it
        outcome = "nothing to do" if job.is_finished else "running elsewhere"
    else:
        return _run_claimed(lambda: _claim_waking(job.kind, job), job.kind)
    if not coalesced:
        return outcome
    return _run_claimed(lambda: _claim_waking(job.kind, None), job.kind)


def _claim_waking(kind: str, first: DemoJob | None) -> tuple[list[DemoJob], list]:
    wakeups.clear(kind)  # before the claim: a job enqueued from now on sends its own message
    return _claim(kind, first)


def _run_claimed(claim: Callable[[], tuple[list[DemoJob], list]], kind: str) -> str:
    """Claim under MODEL_LOCK, run the forward pass, save after releasing the lock."""
    batch: list[DemoJob] = []
    started = time.perf_counter()
    try:
        with MODEL_LOCK:
            batch, left = claim()
            if left:  # the batch is full: a message for the jobs it could not take
                wakeups.send(kind, left[0])
            if not batch:
                return "claimed elsewhere"
            deadline = time.monotonic() + settings.DEMO_JOB_TIME_LIMIT_SECONDS
            save_rest = run_batch(batch, deadline)
        save_rest()
    except Exception as exc:  # one bad batch must not take the worker down
        log.exception("demo batch failed")
        fail_batch(batch, exc)
        return "failed"
    log.info("ran %d %s job(s) in %.0f ms", len(batch), kind,
             (time.perf_counter() - started) * 1000)
    return f"ran {len(batch)}"


def fail_batch(batch: list[DemoJob], exc: Exception) -> None:
    """Mark a batch's still-running jobs failed with a message a student can read."""
    message = ("The demo took too long and was stopped." if isinstance(exc, JobTimeout)
               else f"The model failed: {exc}"[:290])
    DemoJob.objects.filter(pk__in=[j.pk for j in batch], status=DemoJob.Status.RUNNING).update(
        status=DemoJob.Status.FAILED, finished_at=timezone.now(), error=repr(exc)[:2000],
        message=message)
    notify.jobs_finished(j.pk for j in batch)


# ------------------------------------------------------------------------------------------------
# Running a batch
# ------------------------------------------------------------------------------------------------


# A batch's progress is written at most this often. A face batch is done in about 0.1 s, and an
# UPDATE per stage cost more than its forward pass's share per job; a student whose page asks
# every 2 s never saw those stages anyway. Slow batches (captions, big walks) still report each.
PROGRESS_EVERY = timedelta(seconds=0.5)


def _progress(batch: list[DemoJob], fraction: float, message: str, deadline: float) -> None:
    """Check the time limit; store the stage if the last write (the claim, or an earlier stage)
    is at least PROGRESS_EVERY old."""
    if time.monotonic() > deadline:
        raise JobTimeout()
    now = timezone.now()
    if all(j.heartbeat_at and now - j.heartbeat_at < PROGRESS_EVERY for j in batch):
        return
    DemoJob.objects.filter(pk__in=[j.pk for j in batch], status=DemoJob.Status.RUNNING).update(
        progress=fraction, message=message, heartbeat_at=now)
    for job in batch:
        job.heartbeat_at = now


def _png(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(out, format="PNG")
    return out.getvalue()


def _save(job: DemoJob, name: str, data: bytes) -> str:
    return default_storage.save(f"demos/{job.pk}/{name}", ContentFile(data))


Finished = list  # of (job, result, run_ms) for one batch, committed together by save_rest


class _ModelClock:
    """Wall and CPU time of a batch's forward pass. The CPU time (this thread's; on a GPU
    mostly the launch cost) goes into the timings with the batch's image count, so the
    benchmark can tell how much dearer the model gets under load than alone."""

    def __enter__(self) -> _ModelClock:
        self.wall, self.cpu = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall_ms = (time.perf_counter() - self.wall) * 1000
        self.cpu_ms = (time.thread_time() - self.cpu) * 1000


def _finish(job: DemoJob, result: dict, run_ms: float, batch_size: int,
            model: dict | None = None) -> None:
    now = timezone.now()
    queue_ms = (job.started_at - job.created_at).total_seconds() * 1000
    DemoJob.objects.filter(pk=job.pk, status=DemoJob.Status.RUNNING).update(
        status=DemoJob.Status.SUCCEEDED, progress=1.0, message="", result=result,
        finished_at=now, timings={
            "queue_ms": round(queue_ms, 1), "run_ms": round(run_ms, 1),
            "total_ms": round((now - job.created_at).total_seconds() * 1000, 1),
            "batch_size": batch_size, "device": _device(),
            **(model or {})})


def run_batch(batch: list[DemoJob], deadline: float) -> Callable[[], None]:
    """Run the model for a batch; return the function that saves and publishes its results.

    Each runner is a generator: the code before its `yield` needs the model (run under
    MODEL_LOCK), the code after only encodes and stores images.
    """
    kind = batch[0].kind  # the claim stored progress 0.1, "loading model"
    runner = {DemoKind.FACE_GENERATE: _run_faces, DemoKind.LATENT_WALK: _run_walk,
              DemoKind.FAKE_DETECT: _run_detect, DemoKind.CAPTION: _run_caption}[kind]
    finished: Finished = []
    steps = runner(batch, deadline, finished)
    model = next(steps)  # up to the runner's yield: the forward pass (its clock, if it has one)
    clock = {"batch_images": sum(images_in(j.kind, j.params) for j in batch),
             "model_cpu_ms": round(model.cpu_ms, 2)} if model else None

    def save_rest() -> None:
        for _ in steps:  # the rest of the runner: encoding and storing
            pass
        # One commit for the whole batch: a commit per job costs a disk flush each on SQLite.
        with transaction.atomic():
            for job, result, run_ms in finished:
                _finish(job, result, run_ms, len(batch), clock)
        notify.jobs_finished(job.pk for job, _, _ in finished)

    return save_rest


def _save_sheet(job: DemoJob, name: str, images: list[np.ndarray], columns: int) -> dict:
    """Store a job's images as one PNG grid, `columns` wide: one encode and one file instead of
    one per image, which is most of the worker's time after the forward pass. The web cuts a
    single image out when someone asks for it (inference.images.tile_png)."""
    tile = images[0].shape[0]
    rows = -(-len(images) // columns)
    grid = np.zeros((rows * tile, columns * tile, 3), dtype=np.uint8)
    for i, image in enumerate(images):
        row, col = divmod(i, columns)
        grid[row * tile:(row + 1) * tile, col * tile:(col + 1) * tile] = image
    # Raw pixels (binary PPM: a 15-byte header and the bytes as they are), not PNG: the sheet
    # is read back only by the web, which sends each tile (or the whole sheet) as PNG. Even an
    # undeflated PNG runs its row filters: 2-12 ms of worker CPU per 16-face sheet against
    # 0.2 for PPM (docs/performance.md). The name the page asks for stays `name`.
    header = f"P6 {grid.shape[1]} {grid.shape[0]} 255\n".encode()
    stored = name.rsplit(".", 1)[0] + ".ppm"
    return {"file": name, "path": _save(job, stored, header + grid.tobytes()), "tile": tile,
            "columns": columns}


def _sheet_result(sheet: dict, tiles: list[str]) -> dict:
    """The result fields that make every tile addressable by name (DemoJob.result_names)."""
    return {"sheet": {"file": sheet["file"], "tile": sheet["tile"], "columns": sheet["columns"],
                      "tiles": tiles},
            "files": {sheet["file"]: sheet["path"]}}


def _run_faces(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    from .ml.dcgan import generate_from_seeds

    gen = MODELS.get("face_generator")
    _progress(batch, 0.3, "generating", deadline)
    seeds = [[j.params["seed"] + i for i in range(j.params["count"])] for j in batch]
    with _ModelClock() as clock:  # one forward pass
        images = generate_from_seeds(gen, [s for group in seeds for s in group])
    run_ms = clock.wall_ms
    yield clock  # the model is free for the next batch
    _progress(batch, 0.8, "saving", deadline)
    offset = 0
    for job, group in zip(batch, seeds, strict=True):
        names = [f"face-{i}.png" for i in range(len(group))]
        sheet = _save_sheet(job, "faces.png", list(images[offset:offset + len(group)]),
                            columns=min(4, len(group)))
        offset += len(group)
        faces = [{"file": name, "seed": seed} for name, seed in zip(names, group, strict=True)]
        finished.append((job, {"faces": faces, **_sheet_result(sheet, names)}, run_ms))


def _run_walk(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    import torch

    from .ml.dcgan import generate, interpolate

    gen = MODELS.get("face_generator")
    _progress(batch, 0.3, "walking the latent space", deadline)
    zs = [interpolate(j.params["seed_a"], j.params["seed_b"], j.params["steps"]) for j in batch]
    with _ModelClock() as clock:
        images = generate(gen, torch.cat(zs))
    run_ms = clock.wall_ms
    yield clock  # the model is free for the next batch
    _progress(batch, 0.8, "saving", deadline)
    offset = 0
    for job, z in zip(batch, zs, strict=True):
        steps = z.shape[0]
        names = [f"frame-{i}.png" for i in range(steps)]
        sheet = _save_sheet(job, "frames.png", list(images[offset:offset + steps]),
                            columns=steps)  # one row: a film strip
        offset += steps
        frames = [{"file": name, "t": round(i / (steps - 1), 3)} for i, name in enumerate(names)]
        finished.append((job, {"frames": frames, **_sheet_result(sheet, names)}, run_ms))


def _input_image(job: DemoJob) -> tuple[np.ndarray, str]:
    """The picture a detection or caption job is about, and where it came from."""
    if job.input_file:
        with default_storage.open(job.input_file, "rb") as handle:
            return np.asarray(Image.open(handle).convert("RGB")), "upload"
    if "face_seed" in job.params:
        from .ml.dcgan import generate_from_seeds

        return generate_from_seeds(MODELS.get("face_generator"), [job.params["face_seed"]])[0], \
            "generated"
    if "sample" in job.params:
        from skimage import data as samples

        image = getattr(samples, job.params["sample"])()
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        return np.asarray(image[..., :3], dtype=np.uint8), "sample"
    from .ml.scenes import make_scene

    spec = job.params.get("scene")
    image, _, _ = make_scene(seed=job.params.get("scene_seed", 0), spec=spec)
    return image, "scene"


def _run_detect(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    from .ml.fake_detector import evidence

    _progress(batch, 0.3, "checking", deadline)
    started = time.perf_counter()
    for job in batch:
        model = MODELS.get("fake_detector", job.model_version)  # the version the job was promised
        image, source = _input_image(job)
        found = evidence(model, image)
        run_ms = (time.perf_counter() - started) * 1000
        files = {"input.png": _save(job, "seen.png", found["input_png"]),
                 "spectrum.png": _save(job, "spectrum.png", found["spectrum_png"]),
                 "saliency.png": _save(job, "saliency.png", found["saliency_png"])}
        if source != "upload":
            files["original.png"] = _save(job, "original.png", _png(image))
        finished.append((job, {"probability": found["prob"], "label": found["label"],
                               "source": source, "files": files,
                               "model_version": model.version}, run_ms))
    yield  # everything above needed the model (the saliency map is a backward pass)


def _run_caption(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    model = MODELS.get("captioner")
    _progress(batch, 0.3, "captioning", deadline)
    images, truths = [], []
    for job in batch:
        image, source = _input_image(job)
        images.append(image)
        truth = None
        if source == "scene":
            from .ml.scenes import make_scene

            _, en, ko = make_scene(seed=job.params.get("scene_seed", 0),
                                   spec=job.params.get("scene"))
            truth = ko if job.params["lang"] == "ko" else en
        truths.append(truth)
    started = time.perf_counter()
    if settings.CAPTIONER_HF_DIR:
        from .ml.hf_captioner import hf_caption

        outputs = [{"text": text, "tokens": text.split(), "attention": []}
                   for text in hf_caption(model, images)]
    else:
        from .ml.captioner import caption

        outputs = [None] * len(batch)
        for lang in ("ko", "en"):
            idx = [i for i, j in enumerate(batch) if j.params["lang"] == lang]
            if not idx:
                continue
            resized = np.stack([np.asarray(Image.fromarray(images[i]).convert("RGB")
                                           .resize((64, 64))) for i in idx])
            for i, out in zip(idx, caption(model, resized, lang=lang), strict=True):
                outputs[i] = out
    run_ms = (time.perf_counter() - started) * 1000
    yield  # the model is free for the next batch
    _progress(batch, 0.8, "drawing attention maps", deadline)
    from .ml.captioner import attention_overlay_png

    for job, image, out, truth in zip(batch, images, outputs, truths, strict=True):
        small = np.asarray(Image.fromarray(image).convert("RGB").resize((64, 64)))
        files = {"input.png": _save(job, "input.png", _png(small))}
        words = []
        for i, (word, attn) in enumerate(zip(out["tokens"], out["attention"], strict=False)):
            name = f"attention-{i}.png"
            files[name] = _save(job, name, attention_overlay_png(small, attn))
            words.append({"word": word, "file": name})
        finished.append((job, {"caption": out["text"], "words": words, "truth": truth,
                               "files": files}, run_ms))


# ------------------------------------------------------------------------------------------------
# Spot-the-fake pools
# ------------------------------------------------------------------------------------------------


def _gray64(image: np.ndarray) -> np.ndarray:
    """Every pool image is shown as 64×64 greyscale, so neither colour nor size gives a fake away
    (the offline real faces are greyscale)."""
    gray = Image.fromarray(np.asarray(image, dtype=np.uint8)).convert("L").resize(
        (64, 64), Image.BICUBIC)
    return np.stack([np.asarray(gray)] * 3, axis=-1)


def _real_pool_images(n: int, rng: np.random.Generator) -> list[tuple[np.ndarray, str]]:
    """Real photographs available offline: LFW faces (scikit-image) and crops of sample photos."""
    from skimage import data as samples

    faces = samples.lfw_subset()[:100]  # the first 100 are real faces (25×25, float in [0, 1])
    out = []
    for i in rng.permutation(len(faces))[:n]:
        out.append(((faces[i] * 255).astype(np.uint8), f"lfw:{int(i)}"))
    return out


def spot_pool_refill() -> int:
    """Top the generated and real pools up to settings.SPOT_POOL_TARGET; return images added."""
    from .ml.dcgan import generate_from_seeds
    from .ml.fake_detector import predict
    from .models import PoolImage
    from .phash import pool_hash  # stored now: the detector demo refuses pool images by it

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
            pk, png = uuid.uuid4(), _png(face)
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
                pk, png = uuid.uuid4(), _png(image)
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
