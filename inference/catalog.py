"""Which model serves each demo kind, and its version, without importing torch."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings

from .ml import CHECKPOINT_DIR
from .ml.registry import model_card as card
from .models import DemoKind
from .shipped import shipped_version
from .training.versions import active_detector, detector_card

MODEL_FOR_KIND = {
    DemoKind.FACE_GENERATE: "face_generator",
    DemoKind.LATENT_WALK: "face_generator",
    DemoKind.FAKE_DETECT: "fake_detector",
    DemoKind.CAPTION: "captioner",
    DemoKind.LIVE_GAN: "toy_gan",
}
# The caption demo's model choice (its "model" parameter) -> the model that serves it.
CAPTION_MODELS = {"photo": "photo_captioner", "shapes": "captioner"}


def model_for(kind: str, params: dict) -> str:
    """The model that serves a job of `kind` with these (clean) parameters."""
    if kind == DemoKind.CAPTION and params.get("model") in CAPTION_MODELS:
        return CAPTION_MODELS[params["model"]]
    return MODEL_FOR_KIND[kind]


def model_version(model_key: str) -> str:
    """A short version string that changes whenever the weights change. The fake detector can be
    retrained by instructors: its version is the active run's (one small query)."""
    if model_key == "fake_detector":
        return active_detector().version
    return shipped_version(model_key)


def model_card(model_key: str) -> dict:
    """The card of the model behind a demo (a copy: callers may add to it)."""
    if model_key == "fake_detector":  # the active run's card, if an instructor retrained it
        return detector_card(active_detector())
    return dict(_model_card(model_key, settings.CAPTIONER_HF_DIR))


@lru_cache(maxsize=16)
def _model_card(model_key: str, hf_dir: str) -> dict:
    # Read once per process: every status poll of a demo shows the card, and the checkpoint
    # (hence the card and the version, itself cached above) only changes with a restart.
    result = card(model_key)
    if model_key == "captioner" and hf_dir:
        result = {**result, "name": f"Hugging Face VisionEncoderDecoder ({Path(hf_dir).name})",
                  "source": hf_dir, "metrics": {}}
    result["version"] = shipped_version(model_key)
    return result


@lru_cache(maxsize=1)
def detector_ood_report() -> dict:
    """The shipped detector measured on pictures unlike its training data (written by
    `manage.py evaluate_detector_ood --json inference/checkpoints/fake_detector.ood.json`);
    {} when the file is missing. Read once per process, like the cards."""
    path = CHECKPOINT_DIR / "fake_detector.ood.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
