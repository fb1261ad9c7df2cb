"""Running a claimed batch: the models (loaded once per process, shared by its threads), one
forward pass per batch, and the results stored and published.

Imported only by Celery worker processes (inference.tasks imports the worker inside its tasks),
so it imports torch and the models at the top.
"""

from __future__ import annotations

import functools
import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import numpy as np
import torch
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from PIL import Image
from skimage import data as samples

from .. import job_messages, notify
from ..ml.captioner import attention_overlay_png, load_captioner
from ..ml.dcgan import generate, generate_from_seeds, interpolate, load_face_generator
from ..ml.device import device_label
from ..ml.fake_detector import evidence
from ..ml.hf_captioner import hf_caption, load_hf_captioner
from ..ml.photo_captioner.evidence import (
    attention_png,
    caption_photos,
    load_photo_captioner,
    shown_image,
)
from ..ml.scenes import make_scene
from ..ml.shape_decoding import caption
from ..models import DemoJob, DemoKind
from ..training.detectors import DETECTORS
from .claim import images_in
from .live_gan import Cancelled, live_gan_train

log = logging.getLogger(__name__)


class JobTimeout(Exception):
    pass


@functools.cache
def _device() -> str:
    """The device this process's models run on ("auto" resolved), for the job's timings."""
    return device_label(settings.INFERENCE_DEVICE)


@functools.cache
def _configure_torch_threads() -> None:
    """INFERENCE_TORCH_THREADS > 0 caps torch's intra-op threads for this worker process.

    On a machine whose cores also serve the web (`make run`, the benchmark), torch's default of
    one thread per core makes its threads wait for each other whenever one is descheduled, and
    a forward pass gets several times slower (docs/performance.md).
    """
    if settings.INFERENCE_TORCH_THREADS > 0:
        torch.set_num_threads(settings.INFERENCE_TORCH_THREADS)


class _Models:
    """Each model loaded at most once per process, on first use."""
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cache: dict[str, object] = {}

    def get(self, key: str, version: str | None = None):
        _configure_torch_threads()
        if key == "fake_detector":  # instructors can retrain it: loaded per version (None: active)

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
            return load_face_generator(device=device)
        if key == "captioner":
            if settings.CAPTIONER_HF_DIR:
                return load_hf_captioner(settings.CAPTIONER_HF_DIR, device=device)

            return load_captioner(device=device)
        if key == "photo_captioner":
            return load_photo_captioner(device=device)
        raise KeyError(key)


MODELS = _Models()


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


def png_bytes(image: np.ndarray) -> bytes:
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
              DemoKind.FAKE_DETECT: _run_detect, DemoKind.CAPTION: _run_caption,
              DemoKind.LIVE_GAN: _run_live_gan}[kind]
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
    gen = MODELS.get("face_generator")
    _progress(batch, 0.3, job_messages.GENERATING, deadline)
    seeds = [[j.params["seed"] + i for i in range(j.params["count"])] for j in batch]
    with _ModelClock() as clock:  # one forward pass
        images = generate_from_seeds(gen, [s for group in seeds for s in group])
    run_ms = clock.wall_ms
    yield clock  # the model is free for the next batch
    _progress(batch, 0.8, job_messages.SAVING, deadline)
    offset = 0
    for job, group in zip(batch, seeds, strict=True):
        names = [f"face-{i}.png" for i in range(len(group))]
        sheet = _save_sheet(job, "faces.png", list(images[offset:offset + len(group)]),
                            columns=min(4, len(group)))
        offset += len(group)
        faces = [{"file": name, "seed": seed} for name, seed in zip(names, group, strict=True)]
        finished.append((job, {"faces": faces, **_sheet_result(sheet, names)}, run_ms))


def _run_walk(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    gen = MODELS.get("face_generator")
    _progress(batch, 0.3, job_messages.WALKING, deadline)
    zs = [interpolate(j.params["seed_a"], j.params["seed_b"], j.params["steps"]) for j in batch]
    with _ModelClock() as clock:
        images = generate(gen, torch.cat(zs))
    run_ms = clock.wall_ms
    yield clock  # the model is free for the next batch
    _progress(batch, 0.8, job_messages.SAVING, deadline)
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
        return generate_from_seeds(MODELS.get("face_generator"), [job.params["face_seed"]])[0], \
            "generated"
    if "sample" in job.params:
        image = getattr(samples, job.params["sample"])()
        if image.ndim == 2:
            image = np.stack([image] * 3, axis=-1)
        return np.asarray(image[..., :3], dtype=np.uint8), "sample"

    spec = job.params.get("scene")
    image, _, _ = make_scene(seed=job.params.get("scene_seed", 0), spec=spec)
    return image, "scene"


def _run_detect(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    _progress(batch, 0.3, job_messages.CHECKING, deadline)
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
            files["original.png"] = _save(job, "original.png", png_bytes(image))
        finished.append((job, {"probability": found["prob"], "label": found["label"],
                               "source": source, "files": files,
                               "model_version": model.version}, run_ms))
    yield  # everything above needed the model (the saliency map is a backward pass)


def _run_caption(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    """A batch may mix the two caption models (the job's model_name says which): the shape
    captioner's jobs run as before, the photo captioner's through _run_photo_caption."""
    photo = [j for j in batch if j.model_name == "photo_captioner"]
    shapes = [j for j in batch if j.model_name != "photo_captioner"]
    steps = [run(jobs, deadline, finished) for run, jobs in
             ((_run_photo_caption, photo), (_run_shape_caption, shapes)) if jobs]
    for step in steps:
        next(step)  # each one's forward pass
    yield
    for step in steps:
        for _ in step:  # each one's storing
            pass


def _run_photo_caption(batch: list[DemoJob], deadline: float, finished: Finished
                       ) -> Iterator[None]:
    model = MODELS.get("photo_captioner")
    _progress(batch, 0.3, "captioning", deadline)
    images = [_input_image(job)[0] for job in batch]
    started = time.perf_counter()
    outputs: list = [None] * len(batch)
    for lang in ("ko", "en"):
        idx = [i for i, j in enumerate(batch) if j.params["lang"] == lang]
        if idx:
            for i, out in zip(idx, caption_photos(model, [images[i] for i in idx], lang),
                              strict=True):
                outputs[i] = out
    run_ms = (time.perf_counter() - started) * 1000
    yield  # the model is free for the next batch
    _progress(batch, 0.8, "drawing attention maps", deadline)
    for job, image, out in zip(batch, images, outputs, strict=True):
        files = {"input.png": _save(job, "input.png", png_bytes(shown_image(image)))}
        words = []
        for i, (word, attn) in enumerate(zip(out["tokens"], out["attention"], strict=True)):
            name = f"attention-{i}.png"
            files[name] = _save(job, name, attention_png(image, attn))
            words.append({"word": word, "file": name})
        finished.append((job, {"caption": out["text"], "words": words, "truth": None,
                               "imagenet": out["imagenet"], "files": files}, run_ms))


def _run_shape_caption(batch: list[DemoJob], deadline: float, finished: Finished
                       ) -> Iterator[None]:
    model = MODELS.get("captioner")
    _progress(batch, 0.3, job_messages.CAPTIONING, deadline)
    images, truths = [], []
    for job in batch:
        image, source = _input_image(job)
        images.append(image)
        truth = None
        if source == "scene":
            _, en, ko = make_scene(seed=job.params.get("scene_seed", 0),
                                   spec=job.params.get("scene"))
            truth = ko if job.params["lang"] == "ko" else en
        truths.append(truth)
    started = time.perf_counter()
    if settings.CAPTIONER_HF_DIR:
        outputs = [{"text": text, "tokens": text.split(), "attention": []}
                   for text in hf_caption(model, images)]
    else:
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
    _progress(batch, 0.8, job_messages.DRAWING_ATTENTION, deadline)

    for job, image, out, truth in zip(batch, images, outputs, truths, strict=True):
        small = np.asarray(Image.fromarray(image).convert("RGB").resize((64, 64)))
        files = {"input.png": _save(job, "input.png", png_bytes(small))}
        words = []
        for i, (word, attn) in enumerate(zip(out["tokens"], out["attention"], strict=False)):
            name = f"attention-{i}.png"
            files[name] = _save(job, name, attention_overlay_png(small, attn))
            words.append({"word": word, "file": name})
        finished.append((job, {"caption": out["text"], "words": words, "truth": truth,
                               "files": files}, run_ms))



def _run_live_gan(batch: list[DemoJob], deadline: float, finished: Finished) -> Iterator[None]:
    """Train a toy GAN per job (one: the kind is not batched), streaming its snapshots
    (worker/live_gan.py). It shares no model, so it yields at once: its seconds of training
    run after MODEL_LOCK is released and hold up no other demo's forward pass."""
    yield None
    for job in batch:
        started = time.perf_counter()
        try:
            result = live_gan_train(job, deadline)
        except Cancelled:  # its owner cancelled it: the row says so already
            log.info("live GAN %s cancelled after %.1f s", job.pk, time.perf_counter() - started)
            continue
        except TimeoutError:
            raise JobTimeout() from None
        finished.append((job, result, (time.perf_counter() - started) * 1000))
