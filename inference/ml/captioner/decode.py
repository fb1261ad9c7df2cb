"""Captioning with a trained model: greedy decoding, with the attention behind every word."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

from ..imaging import heat_overlay, to_png_bytes
from .model import Captioner
from .tokenizer import WordTokenizer


def _to_tensor(images: np.ndarray, size: int) -> torch.Tensor:
    """uint8 (B, H, W, 3) or (H, W, 3) -> float (B, 3, size, size) in [0, 1]."""
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.shape[1:3] != (size, size):
        bilinear = Image.Resampling.BILINEAR
        arr = np.stack(
            [np.asarray(Image.fromarray(a[..., :3]).resize((size, size), bilinear)) for a in arr]
        )
    return torch.from_numpy(np.ascontiguousarray(arr[..., :3])).permute(0, 3, 1, 2).float() / 255.0


def tokenizer_of(model: Captioner) -> WordTokenizer:
    """The model's vocabulary; a bare Captioner(cfg) has none until training or loading."""
    if model.tokenizer is None:
        raise ValueError("this captioner has no tokenizer: load it with load_captioner()")
    return model.tokenizer


@torch.inference_mode()
def greedy_decode(
    model: Captioner, images: np.ndarray, lang: str = "en", max_len: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """-> token ids (B, T) starting with the language token, and the last layer's
    cross-attention averaged over heads (B, T, g*g) for the final sequence."""
    tok = tokenizer_of(model)
    x = _to_tensor(images, model.cfg.image_size).to(model.device, model.dtype)
    mem = model.encode(x)  # (B, S_img, d)
    B = x.shape[0]
    seq = torch.full((B, 1), tok.lang_id(lang), dtype=torch.long, device=x.device)  # (B, 1)
    done = torch.zeros(B, dtype=torch.bool, device=x.device)
    max_len = min(max_len or model.cfg.max_len, model.cfg.max_len)
    for _ in range(max_len - 1):
        logits, _ = model.decode(seq, mem)  # (B, T, V)
        nxt = logits[:, -1].float().argmax(-1)  # (B,)
        nxt = torch.where(done, torch.full_like(nxt, tok.pad_id), nxt)
        seq = torch.cat([seq, nxt[:, None]], dim=1)
        done |= nxt == tok.eos_id
        if bool(done.all()):
            break
    _, att = model.decode(seq, mem)  # causal: equals the weights seen while decoding
    return seq, att.float().mean(1)  # (B, T), (B, T, S_img)


def caption(model: Captioner, images: np.ndarray, lang: str = "en") -> list[dict]:
    """Greedy captions for uint8 images (B, H, W, 3). Each result:
    {"text": str, "tokens": [word, ...], "attention": [np.ndarray (g, g) per word]} where the
    map for word i is where the decoder looked (last layer, mean over heads) when choosing it.
    """
    seq, att = greedy_decode(model, images, lang)
    g = model.cfg.grid
    out = []
    for b in range(seq.shape[0]):
        ids = seq[b, 1:].tolist()  # drop the language token
        words = tokenizer_of(model).ids_to_words(ids)
        # word i is the output at position i (whose input was the previous token)
        maps = [att[b, i].view(g, g).cpu().numpy() for i in range(len(words))]
        out.append({"text": WordTokenizer.join(words), "tokens": words, "attention": maps})
    return out


def attention_overlay_png(image: np.ndarray, attn_map: np.ndarray, scale: int = 4) -> bytes:
    """PNG of the image (upscaled `scale`x) with the (g, g) attention map blended on top."""
    a = np.asarray(attn_map, dtype=np.float32)
    a = a / a.max() if a.max() > 0 else a
    return to_png_bytes(heat_overlay(np.asarray(image)[..., :3], a, alpha=0.6, scale=scale))

