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

import numpy as np
import torch
from PIL import Image

from .device import pick_device, pick_dtype

__all__ = [
    "HFCaptionerBundle",
    "load_hf_captioner",
    "hf_caption",
    "make_tiny_vision_encoder_decoder",
]


@dataclass
class HFCaptionerBundle:
    model: object  # transformers.VisionEncoderDecoderModel
    tokenizer: object  # PreTrainedTokenizer(Fast)
    processor: object | None  # ViTImageProcessorPil, or None -> manual preprocessing
    preprocess_cfg: dict  # size / mean / std used by the manual path
    device: torch.device


def _manual_cfg(directory: Path, model) -> dict:
    cfg = {
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
        arr = np.stack(
            [np.asarray(Image.fromarray(im).resize((s, s), Image.BILINEAR)) for im in images]
        )
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


def make_tiny_vision_encoder_decoder(
    directory: str | Path, seed: int = 0, words: list[str] | None = None
) -> Path:
    """Write a tiny RANDOM ViT + GPT-2 VisionEncoderDecoderModel, a word-level tokenizer (built
    with the `tokenizers` library) and a ViT image-processor config to `directory`. For tests of
    the loading path only: its captions are random words."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        GPT2Config,
        PreTrainedTokenizerFast,
        VisionEncoderDecoderConfig,
        VisionEncoderDecoderModel,
        ViTConfig,
    )

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    words = words or "a the red blue green circle square triangle left right on at".split()
    vocab = {w: i for i, w in enumerate(["<pad>", "<bos>", "<eos>", "<unk>", *words])}
    tk = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tk,
        bos_token="<bos>",
        eos_token="<eos>",
        pad_token="<pad>",
        unk_token="<unk>",
    )
    enc = ViTConfig(
        image_size=32,
        patch_size=8,
        num_channels=3,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
    )
    dec = GPT2Config(
        vocab_size=len(vocab),
        n_positions=64,
        n_embd=32,
        n_layer=1,
        n_head=2,
        bos_token_id=vocab["<bos>"],
        eos_token_id=vocab["<eos>"],
        pad_token_id=vocab["<pad>"],
    )
    cfg = VisionEncoderDecoderConfig.from_encoder_decoder_configs(enc, dec)
    cfg.decoder_start_token_id = vocab["<bos>"]
    cfg.pad_token_id = vocab["<pad>"]
    cfg.eos_token_id = vocab["<eos>"]
    model = VisionEncoderDecoderModel(config=cfg)
    model.generation_config.decoder_start_token_id = vocab["<bos>"]
    model.generation_config.pad_token_id = vocab["<pad>"]
    model.generation_config.eos_token_id = vocab["<eos>"]
    # a random decoder likes to repeat <bos>; keep special tokens out so captions show words
    model.generation_config.suppress_tokens = [vocab["<pad>"], vocab["<bos>"], vocab["<unk>"]]
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    (directory / "preprocessor_config.json").write_text(
        json.dumps(
            {
                "image_processor_type": "ViTImageProcessor",
                "do_resize": True,
                "size": {"height": 32, "width": 32},
                "do_rescale": True,
                "rescale_factor": 1 / 255,
                "do_normalize": True,
                "image_mean": [0.5, 0.5, 0.5],
                "image_std": [0.5, 0.5, 0.5],
                "resample": 2,
            },
            indent=2,
        )
    )
    return directory
