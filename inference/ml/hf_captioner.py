"""Load a Hugging Face VisionEncoderDecoderModel (e.g. ViT + GPT-2) from a LOCAL directory.

Nothing here downloads: every from_pretrained call passes local_files_only=True. The directory
must hold what `save_pretrained` writes for the model, the tokenizer and (optionally) the image
processor. transformers 5's default ViTImageProcessor wants torchvision, which this project
does not have, so we use ViTImageProcessorPil when it exists, else a manual numpy preprocessing
that reads preprocessor_config.json (resize, rescale 1/255, normalise with image_mean/std).

    bundle = load_hf_captioner("/srv/models/vit-gpt2")
    hf_caption(bundle, images)   # -> ["a cat sitting on a couch", ...]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from .device import pick_device, pick_dtype

__all__ = [
    "HFCaptionerBundle",
    "load_hf_captioner",
    "hf_caption",
]


@dataclass
class HFCaptionerBundle:
    # transformers' classes, typed loosely: transformers is imported only when loading
    model: Any  # transformers.VisionEncoderDecoderModel
    tokenizer: Any  # PreTrainedTokenizer(Fast)
    processor: Any | None  # ViTImageProcessorPil, or None -> manual preprocessing
    preprocess_cfg: dict  # size / mean / std used by the manual path
    device: torch.device


def _manual_cfg(directory: Path, model: Any) -> dict:
    cfg: dict[str, Any] = {
        "size": None,
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "rescale_factor": 1 / 255,
        "do_normalize": True,
    }
    f = directory / "preprocessor_config.json"
    if f.exists():
        cfg.update({k: v for k, v in json.loads(f.read_text()).items() if k in cfg or k == "size"})
    size = cfg["size"]
    if isinstance(size, dict):
        size = size.get("height") or size.get("shortest_edge")
    cfg["size"] = int(size or model.config.encoder.image_size)
    return cfg


def load_hf_captioner(
    directory: str | Path, device: str | torch.device = "auto", half: bool | None = None
) -> HFCaptionerBundle:
    from transformers import AutoTokenizer, VisionEncoderDecoderModel

    directory = Path(directory)
    dev = pick_device(device)
    model = VisionEncoderDecoderModel.from_pretrained(directory, local_files_only=True)
    model = model.eval().to(device=dev, dtype=pick_dtype(dev, half))
    tokenizer = AutoTokenizer.from_pretrained(directory, local_files_only=True)
    processor = None
    try:
        from transformers import ViTImageProcessorPil

        if (directory / "preprocessor_config.json").exists():
            processor = ViTImageProcessorPil.from_pretrained(directory, local_files_only=True)
    except ImportError:  # older transformers: no PIL-only processor class -> manual path
        processor = None
    return HFCaptionerBundle(model, tokenizer, processor, _manual_cfg(directory, model), dev)


def _pixel_values(bundle: HFCaptionerBundle, images: list[np.ndarray]) -> torch.Tensor:
    if bundle.processor is not None:
        pv = bundle.processor(images=[Image.fromarray(im) for im in images], return_tensors="pt")[
            "pixel_values"
        ]
    else:
        c = bundle.preprocess_cfg
        s = c["size"]
        bilinear = Image.Resampling.BILINEAR
        arr = np.stack([np.asarray(Image.fromarray(im).resize((s, s), bilinear)) for im in images])
        x = arr.astype(np.float32) * c["rescale_factor"]  # (B, s, s, 3)
        if c["do_normalize"]:
            x = (x - np.array(c["image_mean"], np.float32)) / np.array(c["image_std"], np.float32)
        pv = torch.from_numpy(x).permute(0, 3, 1, 2)  # (B, 3, s, s)
    return pv.to(bundle.device, bundle.model.dtype)


@torch.inference_mode()
def hf_caption(
    bundle: HFCaptionerBundle,
    images,
    max_new_tokens: int = 20,
    num_beams: int = 1,
    **generate_kwargs,
) -> list[str]:
    """uint8 images (B, H, W, 3) or a list of (H, W, 3) -> one caption string per image
    (greedy by default; extra keyword arguments go to model.generate)."""
    arr = np.asarray(images) if not isinstance(images, list) else images
    if isinstance(arr, np.ndarray) and arr.ndim == 3:
        arr = arr[None]
    imgs = [np.ascontiguousarray(np.asarray(im)[..., :3]).astype(np.uint8) for im in arr]
    out = bundle.model.generate(
        pixel_values=_pixel_values(bundle, imgs),
        max_new_tokens=max_new_tokens,
        num_beams=num_beams,
        do_sample=False,
        **generate_kwargs,
    )
    return [t.strip() for t in bundle.tokenizer.batch_decode(out, skip_special_tokens=True)]
