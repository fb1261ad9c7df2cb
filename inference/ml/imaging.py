"""Small image helpers (numpy + Pillow only): PNG bytes, colour maps, heat-map overlays."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

# Anchor colours of a perceptually ordered "inferno"-like map (black -> purple -> orange -> yellow).
_CMAP_ANCHORS = np.array(
    [
        [0, 0, 4],
        [40, 11, 84],
        [101, 21, 110],
        [159, 42, 99],
        [212, 72, 66],
        [245, 125, 21],
        [250, 193, 39],
        [252, 255, 164],
    ],
    dtype=np.float32,
)


def to_png_bytes(img: np.ndarray | Image.Image) -> bytes:
    """(H, W, 3) or (H, W) uint8 array (or a PIL image) -> PNG file bytes."""
    if not isinstance(img, Image.Image):
        arr = np.asarray(img)
        if arr.dtype != np.uint8:
            raise TypeError(f"expected uint8 image, got {arr.dtype}")
        img = Image.fromarray(arr)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def normalize01(x: np.ndarray, lo_pct: float = 0.0, hi_pct: float = 100.0) -> np.ndarray:
    """Scale to [0, 1] between two percentiles (robust to a few extreme values)."""
    x = np.asarray(x, dtype=np.float32)
    lo, hi = np.percentile(x, lo_pct), np.percentile(x, hi_pct)
    if hi - lo < 1e-12:
        return np.zeros_like(x)
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def colormap(x01: np.ndarray) -> np.ndarray:
    """(H, W) values in [0, 1] -> (H, W, 3) uint8 through the inferno-like anchors."""
    x = np.clip(np.asarray(x01, dtype=np.float32), 0.0, 1.0) * (len(_CMAP_ANCHORS) - 1)
    i0 = np.floor(x).astype(np.int64).clip(0, len(_CMAP_ANCHORS) - 2)
    t = (x - i0)[..., None]
    rgb = _CMAP_ANCHORS[i0] * (1 - t) + _CMAP_ANCHORS[i0 + 1] * t
    return rgb.round().astype(np.uint8)


def resize(
    img: np.ndarray,
    size: int | tuple[int, int],
    resample: Image.Resampling = Image.Resampling.BILINEAR,
) -> np.ndarray:
    """Resize a uint8 (H, W) / (H, W, 3) array to size x size (or (w, h))."""
    wh = (size, size) if isinstance(size, int) else size
    return np.asarray(Image.fromarray(img).resize(wh, resample))


def heat_overlay(
    image: np.ndarray, heat01: np.ndarray, alpha: float = 0.55, scale: int = 1
) -> np.ndarray:
    """Blend a [0, 1] heat map (any size, upsampled bilinearly) over an RGB uint8 image.

    Returns (H*scale, W*scale, 3) uint8. The map's weight grows with its value so cold regions
    keep the photo visible.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    h, w = image.shape[:2]
    H, W = h * scale, w * scale
    bilinear, nearest = Image.Resampling.BILINEAR, Image.Resampling.NEAREST
    base = resize(image, (W, H), nearest if scale > 1 else bilinear).astype(np.float32)
    heat_image = Image.fromarray((np.clip(heat01, 0, 1) * 255).astype(np.uint8))
    heat = np.asarray(heat_image.resize((W, H), bilinear), dtype=np.float32) / 255.0
    col = colormap(heat).astype(np.float32)
    a = alpha * heat[..., None] ** 0.7
    out = base * (1 - a) + col * a
    return out.round().clip(0, 255).astype(np.uint8)
