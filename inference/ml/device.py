"""Device selection, the device/dtype mixin of every net, and seeding helpers."""

from __future__ import annotations

import math
import os
import random

import numpy as np
import torch
import torch.nn as nn


class DeviceMixin(nn.Module):
    """Where a model's inputs must go: the device and dtype of its parameters.

    A net loaded with ``load_*`` may sit on CUDA in fp16 or on the CPU in fp32; predict
    functions move their inputs with ``x.to(model.device, model.dtype)``. Adds no parameters and
    no state, so checkpoints are unchanged."""

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype


def pick_device(pref: str | torch.device | None = "auto") -> torch.device:
    """Resolve a device preference.

    "auto" (or None) -> cuda if available, else cpu. "cuda" without CUDA falls back to cpu, so a
    worker configured for a GPU still runs (slowly) on a CPU-only machine.
    """
    if isinstance(pref, torch.device):
        return pref
    pref = (pref or "auto").lower()
    if pref == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if pref.startswith("cuda") and not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device(pref)


def device_label(pref: str | torch.device | None = "auto") -> str:
    """What a preference resolves to on this machine, for people: "cpu", "cuda:0 (NVIDIA …)"."""
    device = pick_device(pref)
    if device.type != "cuda":
        return str(device)
    index = device.index if device.index is not None else torch.cuda.current_device()
    return f"cuda:{index} ({torch.cuda.get_device_name(index)})"


def pick_dtype(device: torch.device, half: bool | None = None) -> torch.dtype:
    """fp16 on CUDA (unless half=False), always fp32 on CPU (fp16 on CPU is slow and lossy)."""
    if device.type != "cuda":
        return torch.float32
    return torch.float16 if half is None or half else torch.float32


def seed_everything(seed: int) -> None:
    """Seed python, numpy and torch (all devices). For training runs, not for per-request use."""
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
    os.environ.setdefault("PYTHONHASHSEED", str(seed))


def torch_rng(seed: int) -> torch.Generator:
    """A CPU torch.Generator seeded with `seed`: draw on CPU, then move, so results do not depend
    on the device the model runs on."""
    g = torch.Generator(device="cpu")
    g.manual_seed(int(seed))
    return g


def warmup_cosine(
    optimizer: torch.optim.Optimizer,
    total_steps: int,
    warmup_frac: float = 0.1,
    final_frac: float = 0.05,
) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warm-up then cosine decay to final_frac of the peak LR (works for any step count,
    including the 1-2 steps of a smoke test)."""
    total = max(int(total_steps), 1)
    warm = max(1, int(total * warmup_frac))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        t = min(1.0, (step - warm) / max(total - warm, 1))
        return final_frac + (1 - final_frac) * 0.5 * (1 + math.cos(math.pi * t))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
