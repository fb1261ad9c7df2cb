"""Which model serves each demo kind, and its version, without importing torch."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .models import DemoKind

MODEL_FOR_KIND = {
    DemoKind.FACE_GENERATE: "face_generator",
    DemoKind.LATENT_WALK: "face_generator",
    DemoKind.FAKE_DETECT: "fake_detector",
    DemoKind.CAPTION: "captioner",
}


@lru_cache(maxsize=8)
def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def model_version(model_key: str) -> str:
    """A short version string that changes whenever the weights change."""
    from .ml import CHECKPOINT_DIR
    from .ml.registry import MODELS

    if model_key == "captioner" and settings.CAPTIONER_HF_DIR:
        return "hf:" + Path(settings.CAPTIONER_HF_DIR).name
    checkpoint = MODELS[model_key]["checkpoint"]
    if checkpoint is None:
        return "gan-face-generate-1.1.1"
    path = CHECKPOINT_DIR / checkpoint
    return _file_digest(str(path)) if path.exists() else "missing"


def model_card(model_key: str) -> dict:
    from .ml.registry import model_card as card

    result = card(model_key)
    if model_key == "captioner" and settings.CAPTIONER_HF_DIR:
        result = {**result, "name": f"Hugging Face VisionEncoderDecoder "
                                    f"({Path(settings.CAPTIONER_HF_DIR).name})",
                  "source": settings.CAPTIONER_HF_DIR, "metrics": {}}
    result["version"] = model_version(model_key)
    return result
