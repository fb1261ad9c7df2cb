"""The versions of the weights that ship with the code, without importing torch.

A version is a digest of the checkpoint's bytes, so it changes whenever the weights do. Both
the catalog (which model serves a demo) and the detector versions (shipped or retrained) ask
here, so neither needs the other for it.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .ml import CHECKPOINT_DIR
from .ml.registry import MODELS


@lru_cache(maxsize=8)
def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def shipped_version(model_key: str) -> str:
    """The version of the weights that ship with the code (or the configured HF captioner)."""
    if model_key == "captioner" and settings.CAPTIONER_HF_DIR:
        return "hf:" + Path(settings.CAPTIONER_HF_DIR).name
    checkpoint = MODELS[model_key]["checkpoint"]
    if checkpoint is None:  # no file: the package's weights, or a model trained per run
        return MODELS[model_key].get("version", "gan-face-generate-1.1.1")
    path = CHECKPOINT_DIR / checkpoint
    return _file_digest(str(path)) if path.exists() else "missing"
