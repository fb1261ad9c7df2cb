"""Training data: rendered scenes with their English and Korean captions, as token batches."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import torch

from .. import scenes
from .tokenizer import WordTokenizer

HELDOUT_SEED_OFFSET = 5_000_000  # scene seeds >= this are never used in training


def batch_tokens(
    tok: WordTokenizer, texts: list[str], langs: list[str], max_len: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """-> inputs (N, T) = [<lang>, w1..wn, pad..], targets (N, T) = [w1..wn, <eos>, -100..]."""
    seqs = [
        [tok.lang_id(lang), *tok.encode(t), tok.eos_id]
        for t, lang in zip(texts, langs, strict=True)
    ]
    T = max(len(s) for s in seqs) - 1
    if T + 1 > max_len:
        raise ValueError(f"caption longer than max_len={max_len}")
    inp = torch.full((len(seqs), T), tok.pad_id, dtype=torch.long)
    tgt = torch.full((len(seqs), T), -100, dtype=torch.long)
    for i, s in enumerate(seqs):
        inp[i, : len(s) - 1] = torch.tensor(s[:-1])
        tgt[i, : len(s) - 1] = torch.tensor(s[1:])
    return inp, tgt


def make_dataset(
    seeds: Iterable[int], size: int, dup_prob: float | None = None
) -> tuple[np.ndarray, list[str], list[str]]:
    """Scenes for seeds -> images (N, size, size, 3) uint8, English and Korean captions.
    dup_prob=None: the standard scene distribution (what make_scene(seed=...) draws)."""
    imgs, ens, kos = [], [], []
    for s in seeds:
        spec = (
            scenes.random_spec(int(s)) if dup_prob is None else scenes.random_spec(int(s), dup_prob)
        )
        im, en, ko = scenes.make_scene(seed=int(s), spec=spec, size=size)
        imgs.append(im)
        ens.append(en)
        kos.append(ko)
    return np.stack(imgs), ens, kos

