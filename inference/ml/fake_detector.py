"""Fake-image detector: P(image was made by our DCGAN face generator).

Model: a small CNN on the luminance image plus a second small CNN on its centred FFT
log-magnitude spectrum (transposed-convolution upsampling leaves periodic "checkerboard"
patterns that show up as bright peaks at fractions of the sampling rate, e.g. N/2, N/4).

Training data (all offline):
  fake  DCGAN faces from seeds (train seeds 0.., held-out seeds from 10_000_000..)
  real  scikit-image's lfw_subset() faces (100 grayscale 25x25 photos; 80 train / 20 held out)
        and random crops of skimage.data photographs (whole photographs are held out).

Shortcut guards (the detector must not learn "colour", "size" or "blur" instead of "GAN"):
  * colour: every training image, fake or real, is converted to grayscale (3 equal channels),
    and the model itself looks at luminance only, so at inference colour is ignored too.
  * size/blur: LFW faces are 25x25, so they must be upsampled to 64. The same low-resolution
    path (down to 20..32 px, bilinear back up to 64) is applied to fakes and photo crops with
    probabilities chosen so that exactly `low_res_fraction` of EACH class goes through it.
  * compression: random JPEG re-encoding (quality 50..95) with the same probability for both
    classes; random horizontal flips for both.
  * held-out split by source: held-out LFW indices, held-out photographs and held-out seeds never
    appear in training.

An instructor's own real photos (`extra_real`, e.g. CelebA faces) join the real class: they are
split by photo (a held-out photo never gives a training crop), cropped like the sample
photographs and sent through the same grayscale / low-res / JPEG / flip pipeline as every other
real image, and the held-out ones are scored on their own too (meta["instructor_heldout"]).
"""

from __future__ import annotations

import io
import json
import math
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from .device import pick_device, pick_dtype, seed_everything, warmup_cosine
from .imaging import colormap, heat_overlay, normalize01, to_png_bytes

__all__ = [
    "DetectorConfig",
    "FakeDetector",
    "train_fake_detector",
    "load_fake_detector",
    "predict",
    "evidence",
    "log_spectrum",
    "display_spectrum",
    "mean_spectrum_png",
    "preprocess",
    "real_photo_crops",
    "photo_crops",
    "split_photos",
    "lfw_faces",
    "TRAIN_PHOTOS",
    "HELDOUT_PHOTOS",
]

Progress = Callable[[float, str], None]

# skimage.data photographs (all load offline; each one's docstring states public domain / CC0 /
# no known copyright restrictions; moon and stereo_motorcycle are left out because theirs state
# no licence). Whole photographs are held out: no crop of a held-out photo is seen in training.
TRAIN_PHOTOS = (
    "astronaut", "camera", "rocket", "coins", "brick", "grass", "retina",
    "hubble_deep_field", "immunohistochemistry",
)  # fmt: skip
HELDOUT_PHOTOS = ("chelsea", "coffee", "clock", "gravel")
LFW_TRAIN = range(0, 80)  # lfw_subset()[:100] are faces; 80 for training
LFW_HELDOUT = range(80, 100)  # and 20 held out
HELDOUT_SEED_OFFSET = 10_000_000  # fake seeds >= this are never used in training
CheckpointSource = str | Path | BinaryIO  # a path, or an open binary file (e.g. from storage)


# ----------------------------------------------------------------------------- model


@dataclass
class DetectorConfig:
    image_size: int = 64
    width: int = 16  # channels after the first conv; doubles at each downsampling
    use_spectrum: bool = True
    spec_width: int = 8
    dropout: float = 0.2


def _cbr(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


# ITU-R 601-2 luma, the same weights as Pillow's convert("L") used by the data pipeline.
_LUMA = (0.299, 0.587, 0.114)


def log_spectrum(gray: torch.Tensor) -> torch.Tensor:
    """(B, 1, H, W) in [-1, 1] -> centred log-magnitude spectrum (B, 1, H, W), float32."""
    g = gray.float()
    g = g - g.mean(dim=(-2, -1), keepdim=True)  # drop the DC term (mean brightness)
    mag = torch.fft.fft2(g, norm="ortho").abs()
    return torch.fft.fftshift(torch.log1p(mag), dim=(-2, -1))


class FakeDetector(nn.Module):
    """x (B, 3, H, W) float in [0, 1] -> logit (B,) of P(fake)."""

    def __init__(self, cfg: DetectorConfig):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        self.pixels = nn.Sequential(
            _cbr(1, w),  # (B, w, 64, 64): full resolution, sees pixel-level artefacts
            _cbr(w, 2 * w, 2),  # (B, 2w, 32, 32)
            _cbr(2 * w, 4 * w, 2),  # (B, 4w, 16, 16)
            _cbr(4 * w, 8 * w, 2),  # (B, 8w, 8, 8)
            _cbr(8 * w, 8 * w),  # (B, 8w, 8, 8)
            nn.AdaptiveAvgPool2d(1),  # (B, 8w, 1, 1)
            nn.Flatten(),  # (B, 8w)
        )
        n_feat = 8 * w
        if cfg.use_spectrum:
            s = cfg.spec_width
            self.spectrum = nn.Sequential(
                nn.BatchNorm2d(1),  # standardise the log-spectrum
                _cbr(1, s, 2),  # (B, s, 32, 32)
                _cbr(s, 2 * s, 2),  # (B, 2s, 16, 16)
                nn.AdaptiveMaxPool2d(4),  # (B, 2s, 4, 4): "is there a peak in this region?"
                nn.Flatten(),  # (B, 32s)
                nn.Linear(32 * s, 4 * s),
                nn.ReLU(inplace=True),  # (B, 4s)
            )
            n_feat += 4 * s
        self.head = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(n_feat, 1))

    def luminance(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) in [0, 1] -> (B, 1, H, W) in [-1, 1]."""
        r, g, b = x[:, 0:1], x[:, 1:2], x[:, 2:3]
        return (_LUMA[0] * r + _LUMA[1] * g + _LUMA[2] * b) * 2.0 - 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gray = self.luminance(x)  # (B, 1, H, W)
        feats = [self.pixels(gray)]  # (B, 8w)
        if self.cfg.use_spectrum:
            spec = log_spectrum(gray).to(gray.dtype)  # (B, 1, H, W)
            feats.append(self.spectrum(spec))  # (B, 4s)
        return self.head(torch.cat(feats, dim=1)).squeeze(1)  # (B,)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype


# ----------------------------------------------------------------------------- data


def _gray3(img: np.ndarray) -> np.ndarray:
    """Any uint8 (H, W) / (H, W, 3|4) -> grayscale replicated to (H, W, 3) uint8."""
    im = Image.fromarray(img)
    g = np.asarray(im.convert("L"))
    return np.repeat(g[..., None], 3, axis=2)


def _load_photo(name: str) -> np.ndarray:
    import skimage.data

    img = getattr(skimage.data, name)()
    if isinstance(img, tuple):  # stereo_motorcycle -> (left, right, disparity)
        img = img[0]
    img = np.asarray(img)
    if img.dtype != np.uint8:
        img = (np.clip(img, 0, 1) * 255).round().astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    return img


def real_photo_crops(names, n: int, rng: np.random.Generator, size: int = 64) -> np.ndarray:
    """n random square crops (side 64..256 px, resized to size) spread over the given
    skimage.data photographs -> (n, size, size, 3) uint8, grayscale replicated."""
    photos = [_load_photo(nm) for nm in names]
    out = np.zeros((n, size, size, 3), dtype=np.uint8)
    for i in range(n):
        p = photos[i % len(photos)]
        h, w = p.shape[:2]
        side = int(rng.integers(size, min(256, h, w) + 1))
        y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crop = Image.fromarray(p[y : y + side, x : x + side]).convert("L")
        crop = crop.resize((size, size), Image.BILINEAR)  # Pillow antialiases when shrinking
        out[i] = np.repeat(np.asarray(crop)[..., None], 3, axis=2)
    return out


def split_photos(n: int, heldout_fraction: float, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held-out) of n photos: each photo lands on exactly one side, and at
    least one photo is on each side."""
    if n < 2:
        raise ValueError(f"need at least 2 photos to hold some out, got {n}")
    n_held = min(n - 1, max(1, int(round(n * heldout_fraction))))
    order = rng.permutation(n)
    return np.sort(order[n_held:]), np.sort(order[:n_held])


def photo_crops(photos: Sequence[np.ndarray], n: int, rng: np.random.Generator | None,
                size: int = 64, min_frac: float = 0.6) -> np.ndarray:
    """n square crops cycling over the photos (uint8 (H, W) or (H, W, 3), any size), grayscale,
    resized to size -> (n, size, size, 3) uint8. A crop's side is min_frac..1 of the photo's
    shorter side at a random place (a face photo stays mostly face); rng=None takes the
    centred full square instead (for a repeatable evaluation)."""
    out = np.zeros((n, size, size, 3), dtype=np.uint8)
    for i in range(n):
        gray = Image.fromarray(photos[i % len(photos)]).convert("L")
        w, h = gray.size
        short = min(w, h)
        if rng is None:
            side, x, y = short, (w - short) // 2, (h - short) // 2
        else:
            side = int(rng.integers(max(1, int(short * min_frac)), short + 1))
            x, y = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
        crop = gray.crop((x, y, x + side, y + side)).resize((size, size), Image.BILINEAR)
        out[i] = np.repeat(np.asarray(crop)[..., None], 3, axis=2)
    return out


def lfw_faces(indices) -> np.ndarray:
    """lfw_subset() faces (25x25 grayscale photos) -> (n, 25, 25) uint8."""
    import skimage.data

    faces = skimage.data.lfw_subset()[list(indices)]  # (n, 25, 25) float64 in [0, 1]
    return (faces * 255).round().astype(np.uint8)


def _low_res(img: np.ndarray, side: int, size: int) -> np.ndarray:
    """Down to side x side (antialiased), bilinear back up to size x size."""
    im = Image.fromarray(img)
    if im.size != (side, side):
        im = im.resize((side, side), Image.BILINEAR)
    return np.asarray(im.resize((size, size), Image.BILINEAR))


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def _extra_crop_count(n_real: int, lfw_share: float, n_photos: int, extra_share: float) -> int:
    """How many of the n_real real images are crops of the extra photos: extra_share of the
    slots LFW does not fill, and at least one per photo (never more than those slots)."""
    if not n_photos:
        return 0
    slots = n_real - int(round(n_real * lfw_share))
    return min(slots, max(n_photos, int(round(slots * extra_share))))


@dataclass
class _Pools:
    """Base images before the random pipeline: fakes and photo crops at 64, LFW at 25."""

    fakes: np.ndarray  # (Nf, 64, 64, 3) uint8 colour (converted to gray in the pipeline)
    photos: np.ndarray  # (Np, 64, 64, 3) uint8 gray x3
    lfw: np.ndarray  # (Nl, 25, 25) uint8


def _pipeline(
    pools: _Pools,
    rng: np.random.Generator,
    size: int,
    low_res_fraction: float,
    jpeg_prob: float,
    jpeg: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the SAME random pipeline to both classes. Returns images (N, size, size, 3) uint8
    and labels (N,) float32 (1 = fake). Real rows: LFW first, then photo crops."""
    n_f, n_p, n_l = len(pools.fakes), len(pools.photos), len(pools.lfw)
    n_real = n_p + n_l
    # LFW faces are always low-res (25 px): give photo crops the probability that makes the
    # real class's low-res share equal low_res_fraction, like the fake class's.
    p_photo_low = min(1.0, max(0.0, (low_res_fraction * n_real - n_l) / max(n_p, 1)))
    imgs = np.zeros((n_f + n_real, size, size, 3), dtype=np.uint8)
    labels = np.concatenate([np.ones(n_f), np.zeros(n_real)]).astype(np.float32)

    def finish(img: np.ndarray) -> np.ndarray:
        img = _gray3(img)
        if jpeg and rng.random() < jpeg_prob:
            img = _jpeg(img, int(rng.integers(50, 96)))
        if rng.random() < 0.5:
            img = img[:, ::-1]
        return img

    for i, f in enumerate(pools.fakes):
        if rng.random() < low_res_fraction:
            f = _low_res(f, int(rng.integers(20, 33)), size)
        imgs[i] = finish(f)
    for j, face in enumerate(pools.lfw):
        # a random 21..25 px window of the 25 px face, then the shared upsampling path
        s = int(rng.integers(21, 26))
        y, x = int(rng.integers(0, 26 - s)), int(rng.integers(0, 26 - s))
        imgs[n_f + j] = finish(_low_res(face[y : y + s, x : x + s], s, size))
    for k, p in enumerate(pools.photos):
        if rng.random() < p_photo_low:
            p = _low_res(p, int(rng.integers(20, 33)), size)
        imgs[n_f + n_l + k] = finish(p)
    return imgs, labels


def _build_pools(
    n_fake: int,
    n_real: int,
    heldout: bool,
    rng: np.random.Generator,
    gen,
    size: int,
    lfw_share: float,
    extra: Sequence[np.ndarray] = (),
    extra_share: float = 0.5,
    extra_rng: np.random.Generator | None = None,
) -> _Pools:
    """extra: the instructor's photos for this side (train or held-out). Their crops take
    `extra_share` of the real slots that are not LFW faces (at least one crop per photo), in
    place of sample-photo crops, so the classes stay balanced."""
    from .dcgan import generate_from_seeds

    offset = HELDOUT_SEED_OFFSET if heldout else 0
    fakes = generate_from_seeds(gen, [offset + i for i in range(n_fake)])
    lfw_idx = LFW_HELDOUT if heldout else LFW_TRAIN
    n_lfw = int(round(n_real * lfw_share))
    base = lfw_faces(lfw_idx)
    lfw = base[np.arange(n_lfw) % len(base)]  # each face repeated, re-augmented each time
    slots = n_real - n_lfw
    n_extra = _extra_crop_count(n_real, lfw_share, len(extra), extra_share)
    photos = real_photo_crops(HELDOUT_PHOTOS if heldout else TRAIN_PHOTOS, slots - n_extra, rng,
                              size)
    if n_extra:
        photos = np.concatenate([photos, photo_crops(extra, n_extra, extra_rng, size)])
    return _Pools(fakes=fakes, photos=photos, lfw=lfw)


# ----------------------------------------------------------------------------- inference


def preprocess(images: np.ndarray, size: int = 64) -> torch.Tensor:
    """uint8 (B, H, W, 3) (or (H, W, 3), or (B, H, W) gray) -> float (B, 3, size, size) in [0, 1].
    Non-square inputs are centre-cropped to a square, then resized (bilinear, antialiased)."""
    arr = np.asarray(images)
    if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (3, 4)):  # one image
        arr = arr[None]
    if arr.ndim == 3:  # (B, H, W) gray
        arr = np.repeat(arr[..., None], 3, axis=3)
    if arr.dtype != np.uint8:
        raise TypeError(f"expected uint8 images, got {arr.dtype}")
    if arr.shape[-1] == 4:
        arr = arr[..., :3]
    out = []
    for img in arr:
        h, w = img.shape[:2]
        if (h, w) != (size, size):
            s = min(h, w)
            y, x = (h - s) // 2, (w - s) // 2
            img = np.asarray(
                Image.fromarray(img[y : y + s, x : x + s]).resize((size, size), Image.BILINEAR)
            )
        out.append(img)
    x = torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2)  # (B, 3, size, size) uint8
    return x.float() / 255.0


@torch.inference_mode()
def predict(model: FakeDetector, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """uint8 images (B, H, W, 3) -> P(fake) as float32 (B,)."""
    x = preprocess(images, model.cfg.image_size)
    probs = []
    for i in range(0, len(x), batch_size):
        xb = x[i : i + batch_size].to(model.device, model.dtype)
        probs.append(torch.sigmoid(model(xb).float()).cpu())
    return torch.cat(probs).numpy() if probs else np.zeros(0, np.float32)


def display_spectrum(gray: torch.Tensor, whiten: bool = False) -> torch.Tensor:
    """Spectrum for people to look at: (B, 1, H, W) in [-1, 1] -> (B, H, W) centred log-magnitude.

    Unlike the model's input spectrum it applies a Hann window first (so the image borders do
    not paint a bright "+" through the centre). whiten=True subtracts the mean over each ring
    of equal frequency radius, removing the natural 1/f fall-off so that periodic artefacts
    (the DCGAN's transposed-convolution upsampling: dots at multiples of N/4) stand out."""
    B, _, H, W = gray.shape
    g = gray.float()[:, 0] - gray.float().mean(dim=(-3, -2, -1)).view(B, 1, 1)  # (B, H, W)
    win = torch.outer(torch.hann_window(H, periodic=False), torch.hann_window(W, periodic=False))
    spec = torch.log(torch.fft.fft2(g * win.to(g.device), norm="ortho").abs() + 1e-4)
    spec = torch.fft.fftshift(spec, dim=(-2, -1))  # (B, H, W), low frequencies in the middle
    if whiten:
        yy, xx = torch.meshgrid(torch.arange(H) - H // 2, torch.arange(W) - W // 2, indexing="ij")
        ring = (
            torch.sqrt((yy**2 + xx**2).float()).round().long().flatten().to(spec.device)
        )  # (H*W,)
        n = torch.bincount(ring).clamp_min(1).float()
        flat = spec.flatten(1)  # (B, H*W)
        prof = torch.stack([torch.bincount(ring, weights=f) for f in flat]) / n  # (B, R)
        spec = (flat - prof[:, ring]).view(B, H, W)
    return spec


def _gray_batch(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) in [0, 1] -> (B, 1, H, W) luminance in [-1, 1]."""
    return (x * torch.tensor(_LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True) * 2 - 1


def evidence(model: FakeDetector, image: np.ndarray, scale: int = 4) -> dict:
    """Explain one prediction. image: uint8 (H, W, 3).

    Returns {"prob": P(fake), "label": "fake"|"real", "input_png": the 64x64 grayscale image the
    model saw, "spectrum_png": its centred FFT log-magnitude (Hann-windowed; low frequencies in
    the middle; periodic upsampling artefacts would be off-centre dots; on one image they are
    faint, mean_spectrum_png over many images shows them clearly), "saliency_png":
    |d logit / d pixel| over the image (input-gradient saliency), all PNGs upscaled by `scale`}.
    """
    x = preprocess(image, model.cfg.image_size)[:1]  # (1, 3, S, S)
    with torch.inference_mode(False), torch.enable_grad():
        xg = x.clone().to(model.device, model.dtype).requires_grad_(True)
        logit = model(xg)  # (1,)
        (grad,) = torch.autograd.grad(logit.sum(), xg)
    prob = float(torch.sigmoid(logit.detach().float())[0])
    sal = grad.float().abs().amax(dim=1, keepdim=True)  # (1, 1, S, S)
    sal = F.avg_pool2d(sal, 3, 1, 1)[0, 0].cpu().numpy()  # light smoothing
    sal01 = normalize01(sal, 0, 99.5)
    gray = x[0].permute(1, 2, 0).numpy() @ np.array(_LUMA, np.float32)  # (S, S) in [0, 1]
    gray_u8 = (gray * 255).round().clip(0, 255).astype(np.uint8)
    spec = colormap(normalize01(display_spectrum(_gray_batch(x))[0].numpy(), 1, 99.5))

    def big(a: np.ndarray) -> np.ndarray:  # nearest-neighbour upscaling for display
        return np.asarray(
            Image.fromarray(a).resize((a.shape[1] * scale, a.shape[0] * scale), Image.NEAREST)
        )

    rgb = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    return {
        "prob": prob,
        "label": "fake" if prob >= 0.5 else "real",
        "input_png": to_png_bytes(big(gray_u8)),
        "spectrum_png": to_png_bytes(big(spec)),
        "saliency_png": to_png_bytes(heat_overlay(rgb, sal01, alpha=0.65, scale=scale)),
    }


def mean_spectrum_png(images: np.ndarray, scale: int = 4, whiten: bool = True) -> bytes:
    """Average spectrum of many images (B, H, W, 3) as a PNG. Averaging removes the content and
    keeps what all images share; with whiten=True (ring-mean removed) the DCGAN's upsampling
    artefacts show as a grid of bright dots (multiples of N/4) that real photos do not have."""
    spec = display_spectrum(_gray_batch(preprocess(images)), whiten=whiten).mean(0).numpy()
    img = colormap(normalize01(spec, 1, 99.5))
    return to_png_bytes(
        Image.fromarray(img).resize((img.shape[1] * scale, img.shape[0] * scale), Image.NEAREST)
    )


# ----------------------------------------------------------------------------- train / eval


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


def _accuracy(model, imgs, labels) -> float:
    return float(((predict(model, imgs) >= 0.5) == (labels >= 0.5)).mean())


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
        _build_pools for how many crops they give. None: the shipped recipe, unchanged.
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
    start = None
    if init_from is not None:
        start = torch.load(init_from, map_location="cpu", weights_only=True)
        if cfg is not None and asdict(cfg) != start["config"]:
            raise ValueError("cfg differs from the architecture of the init_from checkpoint")
        cfg = DetectorConfig(**start["config"])
    cfg = cfg or DetectorConfig()
    rng = np.random.default_rng(seed)
    n_test = n_test or max(64, min(n_fake, n_real) // 4)
    extra = list(extra_real or [])
    # A generator of its own for everything about the extra photos: without them, every other
    # random draw is exactly what it was before they existed.
    extra_rng = np.random.default_rng(seed + 2)
    extra_train: list[np.ndarray] = []
    extra_held: list[np.ndarray] = []
    if extra:
        train_idx, held_idx = split_photos(len(extra), extra_heldout_fraction, extra_rng)
        extra_train = [extra[i] for i in train_idx]
        extra_held = [extra[i] for i in held_idx]

    report(0.0, "generating fakes and cropping real photos")
    from .dcgan import load_face_generator

    gen = load_face_generator(device=dev)
    train_pools = _build_pools(n_fake, n_real, False, rng, gen, cfg.image_size, lfw_share,
                               extra_train, extra_share, extra_rng)
    report(0.02, "generating the held-out images")
    test_pools = _build_pools(n_test, n_test, True, rng, gen, cfg.image_size, lfw_share,
                              extra_held, extra_share, extra_rng)
    del gen
    test_rng = np.random.default_rng(seed + 1)
    test_x, test_y = _pipeline(test_pools, test_rng, cfg.image_size, low_res_fraction, jpeg_prob)
    clean_x, clean_y = _pipeline(
        test_pools,
        np.random.default_rng(seed + 1),
        cfg.image_size,
        low_res_fraction,
        jpeg_prob,
        jpeg=False,
    )

    held_x = held_y = None
    if extra_held:  # each held-out photo once, centre crop, through the same test pipeline
        only_real = _Pools(fakes=np.zeros((0, cfg.image_size, cfg.image_size, 3), np.uint8),
                           photos=photo_crops(extra_held, len(extra_held), None, cfg.image_size),
                           lfw=np.zeros((0, 25, 25), np.uint8))
        held_x, held_y = _pipeline(only_real, np.random.default_rng(seed + 3), cfg.image_size,
                                   low_res_fraction, jpeg_prob)
    report(0.04, "generating the first epoch's images")

    model = FakeDetector(cfg)
    if start is not None:
        model.load_state_dict(start["state_dict"], strict=True)
    model = model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    n_train = n_fake + n_real
    steps_per_epoch = math.ceil(n_train / batch_size)
    total = epochs * steps_per_epoch
    sched = warmup_cosine(opt, total, warmup_frac=0.15)
    history = []
    step = 0
    for epoch in range(epochs):
        # a fresh draw of the shared pipeline every epoch (new low-res sizes / JPEG / flips)
        xs, ys = _pipeline(train_pools, rng, cfg.image_size, low_res_fraction, jpeg_prob)
        x_all = torch.from_numpy(xs).permute(0, 3, 1, 2)  # (N, 3, S, S) uint8
        y_all = torch.from_numpy(ys)
        perm = torch.from_numpy(rng.permutation(n_train))
        model.train()
        tot_loss, tot_n = 0.0, 0
        for i in range(0, n_train, batch_size):
            idx = perm[i : i + batch_size]
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
                report(
                    0.05 + 0.85 * step / total,
                    f"epoch {epoch + 1}/{epochs} loss {tot_loss / tot_n:.4f}",
                )
        model.eval()
        acc = _accuracy(model, test_x, test_y)
        history.append(
            {"epoch": epoch + 1, "train_loss": tot_loss / max(tot_n, 1), "heldout_acc": acc}
        )
        report(
            0.05 + 0.85 * step / max(total, 1), f"epoch {epoch + 1}: held-out accuracy {acc:.3f}"
        )

    report(0.92, "evaluating on held-out sources")
    model.eval()
    metrics = _binary_metrics(predict(model, test_x), test_y)
    robustness = {}
    for q in (90, 70, 50):
        xq = np.stack([_jpeg(im, q) for im in clean_x])
        robustness[f"jpeg_q{q}"] = _accuracy(model, xq, clean_y)
    half = cfg.image_size // 2
    xr = np.stack([_low_res(im, half, cfg.image_size) for im in clean_x])
    robustness["resize_0.5x"] = _accuracy(model, xr, clean_y)
    robustness["clean_no_jpeg"] = _accuracy(model, clean_x, clean_y)
    p_test = predict(model, test_x)
    metrics["mean_prob_fake_on_fakes"] = float(p_test[test_y == 1].mean())
    metrics["mean_prob_fake_on_reals"] = float(p_test[test_y == 0].mean())
    instructor = _real_only_metrics(model, held_x, held_y) if held_x is not None else None
    compared = None
    if baseline is not None:
        report(0.96, "scoring the current model on the same held-out images")
        old = load_fake_detector(baseline, device=dev, half=False)
        compared = {"metrics": _binary_metrics(predict(old, test_x), test_y)}
        if held_x is not None:
            compared["instructor_heldout"] = _real_only_metrics(old, held_x, held_y)
        del old

    model = model.float().cpu()
    n_params = sum(p.numel() for p in model.parameters())
    meta = {
        "model": "fake_detector",
        "metrics": metrics,
        "robustness": robustness,
        "history": history,
        "train": {
            "n_fake": n_fake,
            "n_real": n_real,
            "epochs": epochs,
            "seed": seed,
            "n_test": n_test,
            "batch_size": batch_size,
            "lr": lr,
            "low_res_fraction": low_res_fraction,
            "jpeg_prob": jpeg_prob,
            "lfw_share": lfw_share,
            "instructor_photos": len(extra),
            "init_from_checkpoint": init_from is not None,
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
            f"{low_res_fraction:.0%} of each class; JPEG q50-95 with p={jpeg_prob} "
            "for both classes; random flips",
        },
        "n_params": n_params,
        "train_seconds": round(time.time() - t0, 1),
        "torch": str(torch.__version__),
        "python": platform.python_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    if extra:
        meta["data"]["instructor_photos"] = {
            "total": len(extra), "train": len(extra_train), "heldout": len(extra_held),
            "split": "by photo: no held-out photo gives a training crop",
            "train_crops": _extra_crop_count(n_real, lfw_share, len(extra_train), extra_share),
            "heldout_crops_in_test_set": _extra_crop_count(n_test, lfw_share, len(extra_held),
                                                           extra_share),
        }
        meta["instructor_heldout"] = instructor
    if compared is not None:
        meta["baseline"] = compared
    if out_path is not None:
        save_checkpoint(model, meta, out_path)
    report(1.0, f"done: held-out accuracy {metrics['accuracy']:.3f}")
    return meta


def save_checkpoint(model: FakeDetector, meta: dict, out_path: str | Path) -> None:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sd = {
        k: v.detach().float().cpu().clone() if v.is_floating_point() else v.cpu().clone()
        for k, v in model.state_dict().items()
    }
    torch.save({"config": asdict(model.cfg), "state_dict": sd, "meta": meta}, out_path)
    sidecar = out_path.with_name(out_path.name + ".meta.json")
    sidecar.write_text(
        json.dumps({"config": asdict(model.cfg), "meta": meta}, indent=2, ensure_ascii=False)
    )


def load_fake_detector(
    path: CheckpointSource | None = None,
    device: str | torch.device = "auto",
    half: bool | None = None,
) -> FakeDetector:
    """Rebuild the detector from the config stored in the checkpoint (default: the shipped one).
    path may also be an open binary file, e.g. a retrained checkpoint read from storage."""
    from . import CHECKPOINT_DIR

    path = CHECKPOINT_DIR / "fake_detector.pt" if path is None else path
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model = FakeDetector(DetectorConfig(**ckpt["config"]))
    model.load_state_dict(ckpt["state_dict"], strict=True)
    model.meta = ckpt.get("meta", {})
    dev = pick_device(device)
    return model.eval().requires_grad_(False).to(device=dev, dtype=pick_dtype(dev, half))
