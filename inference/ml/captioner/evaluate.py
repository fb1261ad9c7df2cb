"""Held-out evaluation: BLEU-4, ROUGE-L and exact match against the grammar's captions."""

from __future__ import annotations

import numpy as np

from ..metrics import corpus_bleu, rouge_l
from .data import HELDOUT_SEED_OFFSET, make_dataset
from .decode import caption
from .model import Captioner
from .tokenizer import WordTokenizer


def evaluate_captioner(
    model: Captioner,
    n: int = 300,
    langs: tuple[str, ...] | list[str] = ("en", "ko"),
    seed_offset: int = HELDOUT_SEED_OFFSET,
    batch_size: int = 128,
) -> dict:
    """BLEU-4 (corpus), ROUGE-L (mean F1) and exact match on held-out scenes."""
    imgs, ens, kos = make_dataset(range(seed_offset, seed_offset + n), model.cfg.image_size)
    refs = {"en": ens, "ko": kos}
    res = {}
    for lang in langs:
        hyps = []
        for i in range(0, n, batch_size):
            hyps += [c["text"] for c in caption(model, imgs[i : i + batch_size], lang)]
        split = WordTokenizer.split
        res[lang] = {
            "bleu4": corpus_bleu([[split(r)] for r in refs[lang]], [split(h) for h in hyps]),
            "rouge_l": float(
                np.mean(
                    [rouge_l(split(r), split(h)) for r, h in zip(refs[lang], hyps, strict=True)]
                )
            ),
            "exact_match": float(np.mean([r == h for r, h in zip(refs[lang], hyps, strict=True)])),
            "n": n,
            "examples": [
                {"ref": r, "hyp": h} for r, h in list(zip(refs[lang], hyps, strict=True))[:5]
            ],
        }
    return res
