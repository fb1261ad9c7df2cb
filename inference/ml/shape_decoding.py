"""Greedy decoding that keeps a caption in the language asked for and stops runaway repeats.

The shape captioner shares one vocabulary between English and Korean and picks the language
with its first token. On an image unlike its training scenes (a photograph) plain greedy
decoding drifted: a cat photo with lang=en gave "three large red squares 사각형 사각형 ..." (35
repeats, Korean words in an English caption). Three guards fix the decoding, not the model:

- a language mask: only the requested language's words (plus punctuation and <eos>) can be
  chosen, so an English caption never contains Hangul and a Korean one no Latin words;
- a repeat stop: when the best next word would repeat the word just written, complete a
  five-word sequence written before, or be a word's fifth use, the caption ends there (a
  loop is cut short rather than steered into another loop);
- a length cap (the model's max_len, and at most `max_words`).

The helpers are plain tensor functions, shared by the photo captioner; `caption` here runs the
shape captioner (inference.ml.captioner.Captioner) with them.
"""

from __future__ import annotations

import re

import numpy as np
import torch
from PIL import Image

HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
LATIN = re.compile(r"[A-Za-z]")
SPECIAL = {"<pad>", "<unk>", "<eos>", "<en>", "<ko>"}
NGRAM = 5  # no five-word sequence twice: the grammar never repeats one
MAX_USES = 4  # "a", "the", "large" occur at most three times in a three-shape caption


def word_language(word: str) -> str | None:
    """"ko" for a word with Hangul, "en" for one with Latin letters, None for punctuation and
    numbers (allowed in both)."""
    if HANGUL.search(word):
        return "ko"
    if LATIN.search(word):
        return "en"
    return None


def language_mask(itos: list[str], lang: str, eos: str = "<eos>") -> torch.Tensor:
    """(V,) bool: True for tokens a caption in `lang` may contain (its words, punctuation,
    <eos>); special tokens other than <eos> are never chosen."""
    if lang not in ("en", "ko"):
        raise ValueError(f"lang must be 'en' or 'ko', not {lang!r}")
    allowed = []
    for word in itos:
        if word == eos:
            allowed.append(True)
        elif word in SPECIAL:
            allowed.append(False)
        else:
            allowed.append(word_language(word) in (None, lang))
    return torch.tensor(allowed, dtype=torch.bool)


def banned_next(history: list[int], vocab_size: int, ngram: int = NGRAM,
                max_uses: int = MAX_USES) -> torch.Tensor:
    """(V,) bool: True for tokens that would repeat the previous word, be used a
    (max_uses + 1)th time, or complete an n-gram (n = `ngram`) that already occurs in
    `history` (the words written so far)."""
    banned = torch.zeros(vocab_size, dtype=torch.bool)
    if history:
        banned[history[-1]] = True
        counts = torch.bincount(torch.tensor(history), minlength=vocab_size)[:vocab_size]
        banned |= counts >= max_uses
    if len(history) >= ngram - 1:
        prefix = tuple(history[len(history) - ngram + 1:])
        for i in range(len(history) - ngram + 1):
            if tuple(history[i:i + ngram - 1]) == prefix:
                banned[history[i + ngram - 1]] = True
    return banned


def pick_next(logits: torch.Tensor, histories: list[list[int]], allowed: torch.Tensor,
              eos_id: int) -> torch.Tensor:
    """logits (B, V) -> next token ids (B,): the best word of the requested language, or
    `eos_id` where that word is a repeat (the repeat stop)."""
    logits = logits.float().clone()
    logits[:, ~allowed.to(logits.device)] = float("-inf")
    best = logits.argmax(-1)
    for b, history in enumerate(histories):
        if banned_next(history, logits.shape[1])[int(best[b])]:
            best[b] = eos_id
    return best


def _to_tensor(images: np.ndarray, size: int) -> torch.Tensor:
    arr = np.array(images)  # a copy: torch wants a writable array
    if arr.ndim == 3:
        arr = arr[None]
    if arr.shape[1:3] != (size, size):
        arr = np.stack([np.asarray(Image.fromarray(a[..., :3]).resize((size, size),
                                                                       Image.Resampling.BILINEAR))
                        for a in arr])
    return torch.from_numpy(np.ascontiguousarray(arr[..., :3])).permute(0, 3, 1, 2).float() / 255


@torch.inference_mode()
def greedy_decode(model, images: np.ndarray, lang: str = "en", max_words: int = 24
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """The shape captioner's greedy decoding with the guards above. -> token ids (B, T)
    starting with the language token, and the last layer's cross-attention averaged over heads
    (B, T, g*g)."""
    tok = model.tokenizer
    allowed = language_mask(tok.itos, lang)
    x = _to_tensor(images, model.cfg.image_size).to(model.device, model.dtype)
    mem = model.encode(x)  # (B, S_img, d)
    B = x.shape[0]
    seq = torch.full((B, 1), tok.lang_id(lang), dtype=torch.long, device=x.device)
    done = [False] * B
    histories: list[list[int]] = [[] for _ in range(B)]
    for _ in range(min(model.cfg.max_len - 1, max_words + 1)):
        logits, _ = model.decode(seq, mem)  # (B, T, V)
        nxt = pick_next(logits[:, -1], histories, allowed, tok.eos_id)
        for b in range(B):
            if done[b]:
                nxt[b] = tok.pad_id
            else:
                histories[b].append(int(nxt[b]))
                done[b] = int(nxt[b]) == tok.eos_id
        seq = torch.cat([seq, nxt[:, None]], dim=1)
        if all(done):
            break
    _, att = model.decode(seq, mem)  # causal: the weights seen while decoding
    return seq, att.float().mean(1)


def caption(model, images: np.ndarray, lang: str = "en") -> list[dict]:
    """Shape-captioner captions for uint8 images (B, H, W, 3), guarded as above. Each result:
    {"text", "tokens": [word, ...], "attention": [(g, g) array per word]}."""
    seq, att = greedy_decode(model, images, lang)
    g = model.cfg.grid
    tok = model.tokenizer
    out = []
    for b in range(seq.shape[0]):
        words = tok.ids_to_words(seq[b, 1:].tolist())
        maps = [att[b, i].view(g, g).cpu().numpy() for i in range(len(words))]
        out.append({"text": tok.join(words), "tokens": words, "attention": maps})
    return out
