"""A tiny random Hugging Face VisionEncoderDecoderModel on disk, for the loader's tests."""

from __future__ import annotations

import json
from pathlib import Path

import torch


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
