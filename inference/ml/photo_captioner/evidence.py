"""Caption photographs with the trained decoder: text, per-word attention maps, and the
ImageNet classifier's own top labels as a grounded second reading."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .. import CHECKPOINT_DIR
from ..imaging import heat_overlay, resize, to_png_bytes
from . import CHECKPOINT_NAME
from .encoder import MobileNetV2, encode, imagenet_top, load_encoder
from .model import PhotoCaptioner, decode, load_decoder

SHOWN = 224  # the picture the attention maps are drawn on: what the encoder saw


@dataclass
class PhotoCaptionModel:
    encoder: MobileNetV2
    decoder: PhotoCaptioner


def load_photo_captioner(checkpoint: str | Path | None = None, device: str = "cpu"
                         ) -> PhotoCaptionModel:
    """The frozen encoder (from the installed weights package) and the shipped decoder. The
    decoder is small and runs on the CPU; the encoder goes to `device` (cuda when there)."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    path = Path(checkpoint) if checkpoint else CHECKPOINT_DIR / CHECKPOINT_NAME
    return PhotoCaptionModel(load_encoder(device), load_decoder(path))


def caption_photos(model: PhotoCaptionModel, images: list[np.ndarray], lang: str) -> list[dict]:
    """uint8 RGB (or grey) images of any sizes -> per image {"text", "tokens", "attention":
    [(7, 7) per word], "imagenet": [{"label", "p"} x3]}."""
    if lang not in ("en", "ko"):
        raise ValueError(f"lang must be 'en' or 'ko', not {lang!r}")
    grids, logits = encode(model.encoder, images)
    out = decode(model.decoder, grids, lang)
    for result, top in zip(out, imagenet_top(logits), strict=True):
        result["imagenet"] = top
    return out


def shown_image(image: np.ndarray) -> np.ndarray:
    """The picture as the encoder saw it (the whole frame squeezed to 224 x 224), RGB."""
    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return resize(np.ascontiguousarray(arr[..., :3]), SHOWN)


def attention_png(image: np.ndarray, attn: np.ndarray) -> bytes:
    """PNG of the picture as seen (224 px) with one word's 7x7 attention blended on top."""
    a = np.asarray(attn, dtype=np.float32)
    a = a / a.max() if a.max() > 0 else a
    return to_png_bytes(heat_overlay(shown_image(image), a, alpha=0.55, scale=1))
