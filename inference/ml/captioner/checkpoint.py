"""Checkpoint I/O: {"config", "state_dict", "tokenizer", "meta"} in a weights-only torch file,
plus a JSON sidecar (`<checkpoint>.meta.json`) so the web process can show a model card without
torch. The tied output weights are stored once (as the token embedding)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import torch

from .. import CHECKPOINT_DIR
from ..device import pick_device, pick_dtype
from .decode import tokenizer_of
from .model import Captioner, CaptionerConfig
from .tokenizer import WordTokenizer


def save_checkpoint(model: Captioner, out_path: str | Path) -> None:
    """Write the model (its config, weights, tokenizer and meta) and the sidecar."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sd = {k: v.detach().clone() for k, v in model.state_dict().items() if k != "lm_head.weight"}
    config = asdict(model.cfg)
    torch.save(
        {"config": config, "state_dict": sd, "tokenizer": tokenizer_of(model).to_dict(),
         "meta": model.meta},
        out_path,
    )
    out_path.with_name(out_path.name + ".meta.json").write_text(
        json.dumps({"config": config, "meta": model.meta}, indent=2, ensure_ascii=False)
    )


def load_captioner(
    path: str | Path | None = None, device: str | torch.device = "auto", half: bool | None = None
) -> Captioner:
    """Rebuild config + tokenizer from the checkpoint (default: the shipped captioner.pt)."""
    ckpt = torch.load(
        path or CHECKPOINT_DIR / "captioner.pt", map_location="cpu", weights_only=True
    )
    model = Captioner(CaptionerConfig(**ckpt["config"]))
    sd = dict(ckpt["state_dict"])
    sd.setdefault("lm_head.weight", sd["tok_emb.weight"])  # tied weights are stored once
    model.load_state_dict(sd, strict=True)
    model.tokenizer = WordTokenizer.from_dict(ckpt["tokenizer"])
    model.meta = ckpt.get("meta", {})
    dev = pick_device(device)
    return model.eval().requires_grad_(False).to(device=dev, dtype=pick_dtype(dev, half))
