"""Training of the captioner, in steps: scenes -> fit (steps over shuffled batches) ->
held-out evaluation -> meta -> checkpoint. A seed gives the same model on the same machine."""

from __future__ import annotations

import math
import platform
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..device import pick_device, seed_everything, warmup_cosine
from .checkpoint import save_checkpoint
from .data import HELDOUT_SEED_OFFSET, batch_tokens, make_dataset
from .evaluate import evaluate_captioner
from .model import Captioner, CaptionerConfig
from .tokenizer import WordTokenizer

Progress = Callable[[float, str], None]


def train_captioner(
    out_path: str | Path | None,
    *,
    n_train: int = 16000,
    epochs: int = 3,
    seed: int = 0,
    lang: str = "both",
    n_eval: int = 300,
    cfg: CaptionerConfig | None = None,
    batch_size: int = 64,
    lr: float = 2e-3,
    dup_prob: float | None = 0.5,
    max_steps: int | None = None,
    device: str | torch.device = "auto",
    threads: int | None = 2,
    progress: Progress | None = None,
) -> dict:
    """Train on scenes from seeds 0..n_train-1 (each image with its English and/or Korean
    caption), evaluate on held-out seeds, save {"config", "state_dict", "tokenizer", "meta"}
    (plus a JSON sidecar). Returns meta. lang: "en", "ko" or "both"."""
    t0 = time.time()
    report = progress or (lambda f, m: None)
    if threads:
        torch.set_num_threads(threads)
    seed_everything(seed)
    langs = ["en", "ko"] if lang == "both" else [lang]
    tok = WordTokenizer.from_grammar()
    cfg = cfg or CaptionerConfig()
    cfg.vocab_size = len(tok)
    dev = pick_device(device)
    report(0.0, "rendering scenes")
    # training over-samples repeated objects (dup_prob; counting is the hardest part);
    # evaluation uses the standard distribution
    imgs, ens, kos = make_dataset(range(n_train), cfg.image_size, dup_prob)
    texts = {"en": ens, "ko": kos}

    model = Captioner(cfg).to(dev)
    model.tokenizer = tok
    steps = epochs * math.ceil(n_train / batch_size)
    total = steps if max_steps is None else min(max_steps, steps)
    history, step = _fit(model, imgs, texts, langs, total=total, batch_size=batch_size, lr=lr,
                         seed=seed, dev=dev, report=report)

    report(0.9, "evaluating on held-out scenes")
    model.eval()
    metrics = evaluate_captioner(model, n=n_eval, langs=langs)
    model = model.float().cpu()
    model.meta = _meta(
        metrics, history, langs, model, t0,
        train={"n_train": n_train, "epochs": epochs, "steps": step, "seed": seed, "lang": lang,
               "batch_size": batch_size, "lr": lr, "n_eval": n_eval, "dup_prob": dup_prob},
    )
    if out_path is not None:
        save_checkpoint(model, out_path)
    report(1.0, "done: " + ", ".join(f"{lg} BLEU-4 {m['bleu4']:.3f}" for lg, m in metrics.items()))
    return model.meta


def _meta(
    metrics: dict, history: list[dict], langs: list[str], model: Captioner, t0: float, *,
    train: dict,
) -> dict:
    """What the checkpoint says about itself: metrics, recipe, data and versions."""
    return {
        "model": "captioner",
        "metrics": metrics,
        "history": history,
        "train": train,
        "data": f"procedural scenes, train seeds 0..{train['n_train'] - 1}, "
        f"held-out seeds from {HELDOUT_SEED_OFFSET}",
        "langs": langs,
        "n_params": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(time.time() - t0, 1),
        "torch": str(torch.__version__),
        "python": platform.python_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _optimizer(model: Captioner, lr: float) -> torch.optim.AdamW:
    """AdamW that decays matrices only (not biases, norms or position embeddings)."""
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or "pos" in n]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )


def _fit(
    model: Captioner,
    imgs: np.ndarray,
    texts: dict[str, list[str]],
    langs: list[str],
    *,
    total: int,
    batch_size: int,
    lr: float,
    seed: int,
    dev: torch.device,
    report: Progress,
) -> tuple[list[dict], int]:
    """`total` optimiser steps over shuffled passes of the data (the last pass may stop early);
    the mean loss of each pass. Progress runs from 0.02 to 0.90 of the whole."""
    tok = model.tokenizer
    assert tok is not None
    n_train = len(imgs)
    x_all = torch.from_numpy(imgs).permute(0, 3, 1, 2)  # (N, 3, S, S) uint8
    opt = _optimizer(model, lr)
    sched = warmup_cosine(opt, total, warmup_frac=0.1)
    g = torch.Generator().manual_seed(seed)
    step, history = 0, []
    while step < total:
        model.train()
        perm = torch.randperm(n_train, generator=g)
        tot, cnt = 0.0, 0
        for i in range(0, n_train, batch_size):
            if step >= total:
                break
            idx = perm[i : i + batch_size]
            xb = x_all[idx].to(dev).float() / 255.0  # (b, 3, S, S)
            # every image once per language: encode once, decode len(langs) captions
            b_texts = [texts[lg][j] for lg in langs for j in idx.tolist()]
            b_langs = [lg for lg in langs for _ in range(len(idx))]
            inp, tgt = batch_tokens(tok, b_texts, b_langs, model.cfg.max_len)
            mem = model.encode(xb).repeat(len(langs), 1, 1)  # (L*b, S_img, d)
            logits, _ = model.decode(inp.to(dev), mem)  # (L*b, T, V)
            loss = F.cross_entropy(logits.flatten(0, 1), tgt.to(dev).flatten(), ignore_index=-100)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            tot += loss.item()
            cnt += 1
            if step % 25 == 0 or step == total:
                report(0.02 + 0.88 * step / total, f"step {step}/{total} loss {tot / cnt:.4f}")
        history.append({"step": step, "train_loss": tot / max(cnt, 1)})
    return history, step
