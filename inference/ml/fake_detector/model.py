"""The detector network and its input contract: uint8 images in, P(fake) out.

A small CNN on the luminance image plus a second small CNN on its centred FFT log-magnitude
spectrum (transposed-convolution upsampling leaves periodic "checkerboard" patterns that show
up as bright peaks at fractions of the sampling rate, e.g. N/2, N/4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

from ..device import DeviceMixin


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
LUMA = (0.299, 0.587, 0.114)


def log_spectrum(gray: torch.Tensor) -> torch.Tensor:
    """(B, 1, H, W) in [-1, 1] -> centred log-magnitude spectrum (B, 1, H, W), float32."""
    g = gray.float()
    g = g - g.mean(dim=(-2, -1), keepdim=True)  # drop the DC term (mean brightness)
    mag = torch.fft.fft2(g, norm="ortho").abs()
    return torch.fft.fftshift(torch.log1p(mag), dim=(-2, -1))


class FakeDetector(DeviceMixin):
    """x (B, 3, H, W) float in [0, 1] -> logit (B,) of P(fake)."""

    def __init__(self, cfg: DetectorConfig):
        super().__init__()
        self.cfg = cfg
        self.meta: dict = {}  # training facts, attached by load_fake_detector
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
        return (LUMA[0] * r + LUMA[1] * g + LUMA[2] * b) * 2.0 - 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        gray = self.luminance(x)  # (B, 1, H, W)
        feats = [self.pixels(gray)]  # (B, 8w)
        if self.cfg.use_spectrum:
            spec = log_spectrum(gray).to(gray.dtype)  # (B, 1, H, W)
            feats.append(self.spectrum(spec))  # (B, 4s)
        return self.head(torch.cat(feats, dim=1)).squeeze(1)  # (B,)


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
            crop = Image.fromarray(img[y : y + s, x : x + s])
            img = np.asarray(crop.resize((size, size), Image.Resampling.BILINEAR))
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

