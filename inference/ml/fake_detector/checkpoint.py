"""Checkpoint I/O: {"config", "state_dict", "meta"} in a weights-only torch file, plus a JSON
sidecar (`<checkpoint>.meta.json`) so the web process can show a model card without torch."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

import torch

from .. import CHECKPOINT_DIR
from ..device import pick_device, pick_dtype
from .model import DetectorConfig, FakeDetector

CheckpointSource = str | Path | BinaryIO  # a path, or an open binary file (e.g. from storage)


def save_checkpoint(model: FakeDetector, meta: dict, out_path: str | Path) -> None:
    """Write the checkpoint and its sidecar. Floating tensors are stored as fp32 on the CPU, so a
    model trained on a GPU loads on any machine, in fp16 or fp32 as that machine chooses."""
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
    ckpt = read_checkpoint(CHECKPOINT_DIR / "fake_detector.pt" if path is None else path)
    model = FakeDetector(DetectorConfig(**ckpt["config"]))
    model.load_state_dict(ckpt["state_dict"], strict=True)
    model.meta = ckpt.get("meta", {})
    dev = pick_device(device)
    return model.eval().requires_grad_(False).to(device=dev, dtype=pick_dtype(dev, half))


def read_checkpoint(source: CheckpointSource) -> dict:
    """The checkpoint's {"config", "state_dict", "meta"}, on the CPU. weights_only: a checkpoint
    is data, never code, even when an instructor's retrained one comes from storage."""
    return torch.load(source, map_location="cpu", weights_only=True)
