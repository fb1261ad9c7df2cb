"""Training and held-out evaluation of the detector, in steps:

    recipe  -> data (fakes, photo crops, held-out sets) -> fit (epochs) -> evaluate
            -> (baseline scored on the same held-out images) -> meta -> checkpoint

Every random draw comes from generators seeded by the recipe's seed, in a fixed order, so a
seed gives the same model on the same machine.
"""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..dcgan import load_face_generator
from ..device import pick_device, seed_everything, warmup_cosine
from .checkpoint import CheckpointSource, load_fake_detector, read_checkpoint, save_checkpoint
from .data import (
    HELDOUT_PHOTOS,
    HELDOUT_SEED_OFFSET,
    LFW_HELDOUT,
    LFW_TRAIN,
    TRAIN_PHOTOS,
    Pools,
    build_pools,
    extra_crop_count,
    jpeg_reencode,
    low_res,
    photo_crops,
    pipeline,
    split_photos,
)
from .model import DetectorConfig, FakeDetector, predict

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Recipe:
    """How many images of each kind, how they are augmented, and how the model is optimised."""

    n_fake: int
    n_real: int
    epochs: int
    seed: int
    n_test: int
    batch_size: int
    lr: float
    low_res_fraction: float
    jpeg_prob: float
    lfw_share: float
    extra_heldout_fraction: float
    extra_share: float


@dataclass
class HeldOut:
    """The held-out images: the test set as augmented for training (x, y), the same images
    without JPEG (clean_x, clean_y, the base of the robustness checks), and an instructor's
    held-out photos on their own (instructor_x, instructor_y; None without them)."""

    x: np.ndarray
    y: np.ndarray
    clean_x: np.ndarray
    clean_y: np.ndarray
    instructor_x: np.ndarray | None = None
    instructor_y: np.ndarray | None = None


@dataclass
class ExtraPhotos:
    """An instructor's real photos, split by photo: no held-out photo gives a training crop."""

    train: list[np.ndarray]
    heldout: list[np.ndarray]

    @property
    def total(self) -> int:
        return len(self.train) + len(self.heldout)


def train_fake_detector(
    out_path: str | Path | None,
    *,
    n_fake: int = 4000,
    n_real: int = 4000,
    epochs: int = 8,
    seed: int = 0,
    n_test: int | None = None,
    cfg: DetectorConfig | None = None,
    batch_size: int = 64,
    lr: float = 2e-3,
    low_res_fraction: float = 0.5,
    jpeg_prob: float = 0.5,
    lfw_share: float = 0.3,
    device: str | torch.device = "auto",
    threads: int | None = 2,
    progress: Progress | None = None,
    extra_real: Sequence[np.ndarray] | None = None,
    extra_heldout_fraction: float = 0.2,
    extra_share: float = 0.5,
    init_from: CheckpointSource | None = None,
    baseline: CheckpointSource | None = None,
) -> dict:
    """Train, evaluate on held-out sources, save {"config", "state_dict", "meta"} to out_path
    (plus a JSON sidecar `<out_path>.meta.json` for torch-free model cards). Returns meta.

    extra_real: more real photos (uint8 (H, W) or (H, W, 3), any size), e.g. an instructor's
        own; split by photo into training and held-out (`extra_heldout_fraction`), see
        data.build_pools for how many crops they give. None: the shipped recipe, unchanged.
    init_from: a checkpoint whose weights (and architecture) training starts from.
    baseline: a checkpoint scored on the very same held-out images (meta["baseline"]), so the
        new model can be compared with the one it would replace.
    progress(fraction, message) may raise to stop training (nothing is saved then)."""
    t0 = time.time()
    report = progress or (lambda f, m: None)
    if threads:
        torch.set_num_threads(threads)
    seed_everything(seed)
    dev = pick_device(device)
    cfg, start = _architecture(cfg, init_from)
    recipe = Recipe(
        n_fake=n_fake, n_real=n_real, epochs=epochs, seed=seed,
        n_test=n_test or max(64, min(n_fake, n_real) // 4), batch_size=batch_size, lr=lr,
        low_res_fraction=low_res_fraction, jpeg_prob=jpeg_prob, lfw_share=lfw_share,
        extra_heldout_fraction=extra_heldout_fraction, extra_share=extra_share,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    # A generator of its own for everything about the extra photos: without them, every other
    # random draw is exactly what it would be with none.
    extra_rng = np.random.default_rng(seed + 2)
    extra = _split_extra(list(extra_real or []), extra_heldout_fraction, extra_rng)

    train_pools, heldout = _data(recipe, cfg, extra, rng, extra_rng, dev, report)
    report(0.04, "generating the first epoch's images")
    model = FakeDetector(cfg)
    if start is not None:
        model.load_state_dict(start, strict=True)
    model = model.to(dev)
    history = _fit(model, recipe, train_pools, heldout, rng, dev, report)

    report(0.92, "evaluating on held-out sources")
    model.eval()
    metrics, robustness, instructor = _evaluate(model, heldout)
    compared = None
    if baseline is not None:
        report(0.96, "scoring the current model on the same held-out images")
        compared = _score_baseline(baseline, heldout, dev)

    model = model.float().cpu()
    meta = _meta(recipe, model, metrics, robustness, history, extra, init_from is not None, t0)
    if extra.total:
        meta["instructor_heldout"] = instructor
    if compared is not None:
        meta["baseline"] = compared
    if out_path is not None:
        save_checkpoint(model, meta, out_path)
    report(1.0, f"done: held-out accuracy {metrics['accuracy']:.3f}")
    return meta


# ----------------------------------------------------------------------------- steps


def _architecture(
    cfg: DetectorConfig | None, init_from: CheckpointSource | None
) -> tuple[DetectorConfig, dict | None]:
    """The config to build, and the state dict to start from (None: fresh weights). A
    checkpoint to start from fixes the architecture; a cfg that disagrees with it is an error."""
    if init_from is None:
        return cfg or DetectorConfig(), None
    start = read_checkpoint(init_from)
    if cfg is not None and asdict(cfg) != start["config"]:
        raise ValueError("cfg differs from the architecture of the init_from checkpoint")
    return DetectorConfig(**start["config"]), start["state_dict"]


def _split_extra(
    photos: list[np.ndarray], heldout_fraction: float, extra_rng: np.random.Generator
) -> ExtraPhotos:
    if not photos:
        return ExtraPhotos(train=[], heldout=[])
    train_idx, held_idx = split_photos(len(photos), heldout_fraction, extra_rng)
    return ExtraPhotos(train=[photos[i] for i in train_idx],
                       heldout=[photos[i] for i in held_idx])


def _data(
    recipe: Recipe,
    cfg: DetectorConfig,
    extra: ExtraPhotos,
    rng: np.random.Generator,
    extra_rng: np.random.Generator,
    dev: torch.device,
    report: Progress,
) -> tuple[Pools, HeldOut]:
    """Generate the fakes and crop the real photos for training and for the held-out sets. The
    training pools are augmented afresh every epoch (_fit); the held-out sets once, here."""
    size, r = cfg.image_size, recipe
    report(0.0, "generating fakes and cropping real photos")
    gen = load_face_generator(device=dev)
    train_pools = build_pools(r.n_fake, r.n_real, False, rng, gen, size, r.lfw_share,
                              extra.train, r.extra_share, extra_rng)
    report(0.02, "generating the held-out images")
    test_pools = build_pools(r.n_test, r.n_test, True, rng, gen, size, r.lfw_share,
                             extra.heldout, r.extra_share, extra_rng)
    del gen
    # the same seed twice: the clean set is the test set's images without the JPEG step
    test_x, test_y = pipeline(test_pools, np.random.default_rng(r.seed + 1), size,
                              r.low_res_fraction, r.jpeg_prob)
    clean_x, clean_y = pipeline(test_pools, np.random.default_rng(r.seed + 1), size,
                                r.low_res_fraction, r.jpeg_prob, jpeg=False)
    heldout = HeldOut(x=test_x, y=test_y, clean_x=clean_x, clean_y=clean_y)
    if extra.heldout:  # each held-out photo once, centre crop, through the same test pipeline
        only_real = Pools(fakes=np.zeros((0, size, size, 3), np.uint8),
                          photos=photo_crops(extra.heldout, len(extra.heldout), None, size),
                          lfw=np.zeros((0, 25, 25), np.uint8))
        heldout.instructor_x, heldout.instructor_y = pipeline(
            only_real, np.random.default_rng(r.seed + 3), size, r.low_res_fraction, r.jpeg_prob)
    return train_pools, heldout


def _fit(
    model: FakeDetector,
    recipe: Recipe,
    pools: Pools,
    heldout: HeldOut,
    rng: np.random.Generator,
    dev: torch.device,
    report: Progress,
) -> list[dict]:
    """AdamW with warm-up and cosine decay; per epoch, the training loss and held-out accuracy.
    Progress runs from 0.05 to 0.90 of the whole."""
    r, size = recipe, model.cfg.image_size
    opt = torch.optim.AdamW(model.parameters(), lr=r.lr, weight_decay=1e-4)
    n_train = r.n_fake + r.n_real
    total = r.epochs * math.ceil(n_train / r.batch_size)
    sched = warmup_cosine(opt, total, warmup_frac=0.15)
    history: list[dict] = []
    step = 0
    for epoch in range(r.epochs):
        # a fresh draw of the shared pipeline every epoch (new low-res sizes / JPEG / flips)
        xs, ys = pipeline(pools, rng, size, r.low_res_fraction, r.jpeg_prob)
        x_all = torch.from_numpy(xs).permute(0, 3, 1, 2)  # (N, 3, S, S) uint8
        y_all = torch.from_numpy(ys)
        perm = torch.from_numpy(rng.permutation(n_train))
        model.train()
        tot_loss, tot_n = 0.0, 0
        for i in range(0, n_train, r.batch_size):
            idx = perm[i : i + r.batch_size]
            xb = x_all[idx].to(dev).float() / 255.0  # (b, 3, S, S)
            yb = y_all[idx].to(dev)
            loss = F.binary_cross_entropy_with_logits(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            tot_loss += loss.item() * len(idx)
            tot_n += len(idx)
            if step % 20 == 0 or step == total:
                report(0.05 + 0.85 * step / total,
                       f"epoch {epoch + 1}/{r.epochs} loss {tot_loss / tot_n:.4f}")
        model.eval()
        acc = _accuracy(model, heldout.x, heldout.y)
        history.append(
            {"epoch": epoch + 1, "train_loss": tot_loss / max(tot_n, 1), "heldout_acc": acc}
        )
        report(0.05 + 0.85 * step / max(total, 1),
               f"epoch {epoch + 1}: held-out accuracy {acc:.3f}")
    return history


def _evaluate(model: FakeDetector, heldout: HeldOut) -> tuple[dict, dict, dict | None]:
    """Held-out metrics; accuracy after the edits a shared image suffers (JPEG at three
    qualities, half resolution) or without any JPEG at all; and the scores on an instructor's
    held-out photos (None without them)."""
    size = model.cfg.image_size
    metrics = _binary_metrics(predict(model, heldout.x), heldout.y)
    robustness = {}
    for q in (90, 70, 50):
        xq = np.stack([jpeg_reencode(im, q) for im in heldout.clean_x])
        robustness[f"jpeg_q{q}"] = _accuracy(model, xq, heldout.clean_y)
    xr = np.stack([low_res(im, size // 2, size) for im in heldout.clean_x])
    robustness["resize_0.5x"] = _accuracy(model, xr, heldout.clean_y)
    robustness["clean_no_jpeg"] = _accuracy(model, heldout.clean_x, heldout.clean_y)
    p_test = predict(model, heldout.x)
    metrics["mean_prob_fake_on_fakes"] = float(p_test[heldout.y == 1].mean())
    metrics["mean_prob_fake_on_reals"] = float(p_test[heldout.y == 0].mean())
    instructor = None
    if heldout.instructor_x is not None and heldout.instructor_y is not None:
        instructor = _real_only_metrics(model, heldout.instructor_x, heldout.instructor_y)
    return metrics, robustness, instructor


def _score_baseline(baseline: CheckpointSource, heldout: HeldOut, dev: torch.device) -> dict:
    """The model in use, scored on the very same held-out images as the new one."""
    old = load_fake_detector(baseline, device=dev, half=False)
    compared = {"metrics": _binary_metrics(predict(old, heldout.x), heldout.y)}
    if heldout.instructor_x is not None and heldout.instructor_y is not None:
        compared["instructor_heldout"] = _real_only_metrics(
            old, heldout.instructor_x, heldout.instructor_y)
    return compared


def _meta(
    recipe: Recipe,
    model: FakeDetector,
    metrics: dict,
    robustness: dict,
    history: list[dict],
    extra: ExtraPhotos,
    from_checkpoint: bool,
    t0: float,
) -> dict:
    """What the checkpoint says about itself: metrics, recipe, data sources and versions."""
    r = recipe
    meta: dict = {
        "model": "fake_detector",
        "metrics": metrics,
        "robustness": robustness,
        "history": history,
        "train": {
            "n_fake": r.n_fake,
            "n_real": r.n_real,
            "epochs": r.epochs,
            "seed": r.seed,
            "n_test": r.n_test,
            "batch_size": r.batch_size,
            "lr": r.lr,
            "low_res_fraction": r.low_res_fraction,
            "jpeg_prob": r.jpeg_prob,
            "lfw_share": r.lfw_share,
            "instructor_photos": extra.total,
            "init_from_checkpoint": from_checkpoint,
        },
        "data": {
            "fake": "DCGAN faces (gan-face-generate 1.1.1 weights), train seeds 0..n_fake-1, "
            f"held-out seeds from {HELDOUT_SEED_OFFSET}",
            "real_train": {
                "lfw_subset_indices": [LFW_TRAIN.start, LFW_TRAIN.stop],
                "photos": list(TRAIN_PHOTOS),
            },
            "real_heldout": {
                "lfw_subset_indices": [LFW_HELDOUT.start, LFW_HELDOUT.stop],
                "photos": list(HELDOUT_PHOTOS),
            },
            "pipeline": "all images grayscale; shared low-res path (20-32 px and back) for "
            f"{r.low_res_fraction:.0%} of each class; JPEG q50-95 with p={r.jpeg_prob} "
            "for both classes; random flips",
        },
        "n_params": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(time.time() - t0, 1),
        "torch": str(torch.__version__),
        "python": platform.python_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if extra.total:
        meta["data"]["instructor_photos"] = {
            "total": extra.total, "train": len(extra.train), "heldout": len(extra.heldout),
            "split": "by photo: no held-out photo gives a training crop",
            "train_crops": extra_crop_count(r.n_real, r.lfw_share, len(extra.train),
                                            r.extra_share),
            "heldout_crops_in_test_set": extra_crop_count(r.n_test, r.lfw_share,
                                                          len(extra.heldout), r.extra_share),
        }
    return meta


# ----------------------------------------------------------------------------- metrics


def _binary_metrics(probs: np.ndarray, labels: np.ndarray) -> dict:
    pred = probs >= 0.5
    y = labels >= 0.5
    tp, tn = int((pred & y).sum()), int((~pred & ~y).sum())
    fp, fn = int((pred & ~y).sum()), int((~pred & y).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "accuracy": (tp + tn) / max(len(y), 1),
        "precision": prec,
        "recall": rec,
        "f1": f1,
        # rows = true class, columns = predicted class, order [real, fake]
        "confusion": [[tn, fp], [fn, tp]],
        "confusion_labels": ["real", "fake"],
        "n": int(len(y)),
    }


def _real_only_metrics(model: FakeDetector, imgs: np.ndarray, labels: np.ndarray) -> dict:
    """Scores on a set of real images only (an instructor's held-out photos): accuracy is the
    share called real; precision/recall of the fake class mean nothing without fakes."""
    probs = predict(model, imgs)
    m = _binary_metrics(probs, labels)
    return {"n": m["n"], "accuracy": m["accuracy"], "called_fake": 1.0 - m["accuracy"],
            "mean_prob_fake": float(probs.mean()) if len(probs) else 0.0,
            "confusion": m["confusion"], "confusion_labels": m["confusion_labels"]}


def _accuracy(model: FakeDetector, imgs: np.ndarray, labels: np.ndarray) -> float:
    return float(((predict(model, imgs) >= 0.5) == (labels >= 0.5)).mean())
