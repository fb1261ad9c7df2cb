"""Image captioner for the shape scenes: CNN encoder -> grid of spatial tokens -> Transformer
decoder with cross-attention. One model speaks both languages: the first decoder token picks the
language (<en> or <ko>).

    model = load_captioner()
    out = caption(model, images, lang="ko")   # [{"text", "tokens", "attention"}, ...]

The per-word attention map is the last decoder layer's cross-attention (averaged over heads)
from the position that produced the word to the 8x8 grid of image tokens.
"""

from __future__ import annotations

import json
import math
import platform
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from . import scenes
from .device import pick_device, pick_dtype, seed_everything, warmup_cosine
from .imaging import heat_overlay, to_png_bytes
from .metrics import corpus_bleu, rouge_l

__all__ = [
    "WordTokenizer",
    "CaptionerConfig",
    "Captioner",
    "train_captioner",
    "load_captioner",
    "caption",
    "attention_overlay_png",
    "evaluate_captioner",
]

Progress = Callable[[float, str], None]
HELDOUT_SEED_OFFSET = 5_000_000  # scene seeds >= this are never used in training


# ----------------------------------------------------------------------------- tokenizer

_TOKEN_RE = re.compile(r"[^\s,]+|,")


class WordTokenizer:
    """Word-level tokenizer; ',' is its own token. The vocabulary is built from the scene
    grammar (every word it can produce), and saved in the checkpoint as a plain list."""

    PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"
    LANGS = {"en": "<en>", "ko": "<ko>"}  # language tokens start every sequence

    def __init__(self, itos: list[str]):
        self.itos = list(itos)
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.pad_id, self.unk_id, self.eos_id = (
            self.stoi[t] for t in (self.PAD, self.UNK, self.EOS)
        )

    @classmethod
    def from_grammar(cls) -> WordTokenizer:
        words = sorted({w for p in scenes.all_group_phrases() for w in cls.split(p)})
        return cls([cls.PAD, cls.UNK, cls.EOS, *cls.LANGS.values(), *words])

    @staticmethod
    def split(text: str) -> list[str]:
        return _TOKEN_RE.findall(text)

    @staticmethod
    def join(words: list[str]) -> str:
        return " ".join(words).replace(" ,", ",")

    def lang_id(self, lang: str) -> int:
        return self.stoi[self.LANGS[lang]]

    def encode(self, text: str) -> list[int]:
        return [self.stoi.get(w, self.unk_id) for w in self.split(text)]

    def decode(self, ids) -> str:
        return self.join(self.ids_to_words(ids))

    def ids_to_words(self, ids) -> list[str]:
        words = []
        for i in ids:
            i = int(i)
            if i == self.eos_id:
                break
            if i == self.pad_id or self.itos[i] in self.LANGS.values():
                continue
            words.append(self.itos[i])
        return words

    def __len__(self) -> int:
        return len(self.itos)

    def to_dict(self) -> dict:
        return {"itos": self.itos}

    @classmethod
    def from_dict(cls, d: dict) -> WordTokenizer:
        return cls(d["itos"])


# ----------------------------------------------------------------------------- model


@dataclass
class CaptionerConfig:
    vocab_size: int = 64
    image_size: int = 64
    max_len: int = 40  # tokens including the language token and <eos>
    enc_channels: list[int] = field(default_factory=lambda: [32, 64, 128])
    d_model: int = 128
    n_layer: int = 3
    n_head: int = 4
    dropout: float = 0.1

    @property
    def grid(self) -> int:  # image tokens per side: one stride-2 conv per entry in enc_channels
        return self.image_size // 2 ** len(self.enc_channels)


class ImageEncoder(nn.Module):
    """(B, 3, S, S) in [0, 1] -> (B, g*g, d) spatial tokens (g = S / 2**len(enc_channels)).

    A 4x4 stride-2 stem, one stride-2 3x3 conv per further width, one more 3x3 conv at the
    last width (receptive field 32 px: a large shape fits in one token's view), then a linear
    projection to d plus a learned position embedding per grid cell."""

    def __init__(self, cfg: CaptionerConfig):
        super().__init__()
        c0, *rest = cfg.enc_channels
        layers = [
            nn.Conv2d(3, c0, 4, 2, 1),
            nn.BatchNorm2d(c0),
            nn.ReLU(inplace=True),
        ]  # (B, c0, S/2, S/2)
        cin = c0
        for c in rest:  # each halves the resolution
            layers += [nn.Conv2d(cin, c, 3, 2, 1), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            cin = c
        layers += [nn.Conv2d(cin, cin, 3, 1, 1), nn.BatchNorm2d(cin), nn.ReLU(inplace=True)]
        self.cnn = nn.Sequential(*layers)  # (B, C, g, g)
        self.proj = nn.Linear(cin, cfg.d_model)
        self.pos = nn.Parameter(torch.zeros(1, cfg.grid * cfg.grid, cfg.d_model))
        nn.init.normal_(self.pos, std=0.02)
        self.ln = nn.LayerNorm(cfg.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.cnn(x * 2.0 - 1.0)  # (B, C, g, g)
        f = f.flatten(2).transpose(1, 2)  # (B, g*g, C)
        return self.ln(self.proj(f) + self.pos)  # (B, g*g, d)


class SelfAttention(nn.Module):
    """Causal multi-head self-attention (flash/SDPA kernel)."""

    def __init__(self, cfg: CaptionerConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)
        self.dropout = cfg.dropout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        y = F.scaled_dot_product_attention(
            q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0
        )
        return self.out(y.transpose(1, 2).reshape(B, T, C))  # (B, T, C)


class CrossAttention(nn.Module):
    """Multi-head attention from text positions to image tokens; also returns the weights
    (B, n_head, T, g*g), which are what the demo shows."""

    def __init__(self, cfg: CaptionerConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.q = nn.Linear(cfg.d_model, cfg.d_model)
        self.kv = nn.Linear(cfg.d_model, 2 * cfg.d_model)
        self.out = nn.Linear(cfg.d_model, cfg.d_model)
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x: torch.Tensor, mem: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, C = x.shape
        S, H = mem.shape[1], self.n_head
        q = self.q(x).view(B, T, H, C // H).transpose(1, 2)  # (B, H, T, hs)
        k, v = self.kv(mem).split(C, dim=2)  # 2 x (B, S, C)
        k = k.view(B, S, H, C // H).transpose(1, 2)  # (B, H, S, hs)
        v = v.view(B, S, H, C // H).transpose(1, 2)  # (B, H, S, hs)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)  # (B, H, T, S)
        att = att.float().softmax(dim=-1).to(q.dtype)
        y = self.drop(att) @ v  # (B, H, T, hs)
        return self.out(y.transpose(1, 2).reshape(B, T, C)), att


class DecoderBlock(nn.Module):
    def __init__(self, cfg: CaptionerConfig):
        super().__init__()
        d = cfg.d_model
        self.ln1, self.ln2, self.ln3 = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
        self.self_attn = SelfAttention(cfg)
        self.cross_attn = CrossAttention(cfg)
        self.mlp = nn.Sequential(
            nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d), nn.Dropout(cfg.dropout)
        )
        self.drop = nn.Dropout(cfg.dropout)

    def forward(self, x, mem):
        x = x + self.drop(self.self_attn(self.ln1(x)))  # (B, T, d)
        y, att = self.cross_attn(self.ln2(x), mem)
        x = x + self.drop(y)
        x = x + self.mlp(self.ln3(x))
        return x, att


class Captioner(nn.Module):
    """images (B, 3, S, S) + tokens (B, T) -> logits (B, T, V) and last-layer cross-attention."""

    def __init__(self, cfg: CaptionerConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = ImageEncoder(cfg)
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos_emb = nn.Embedding(cfg.max_len, cfg.d_model)
        self.blocks = nn.ModuleList(DecoderBlock(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.tok_emb.weight  # weight tying
        self.drop = nn.Dropout(cfg.dropout)
        self.tokenizer: WordTokenizer | None = None  # attached by load/train
        self.meta: dict = {}
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(m: nn.Module) -> None:  # GPT-2 style: small normal init
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def encode(self, images: torch.Tensor) -> torch.Tensor:
        return self.encoder(images)  # (B, S_img, d)

    def decode(self, tokens: torch.Tensor, mem: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T = tokens.shape
        pos = torch.arange(T, device=tokens.device)
        x = self.drop(self.tok_emb(tokens) + self.pos_emb(pos))  # (B, T, d)
        att = None
        for block in self.blocks:
            x, att = block(x, mem)
        return self.lm_head(self.ln_f(x)), att  # (B, T, V), (B, H, T, S_img)

    def forward(self, images, tokens):
        return self.decode(tokens, self.encode(images))

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @property
    def dtype(self) -> torch.dtype:
        return next(self.parameters()).dtype


# ----------------------------------------------------------------------------- inference


def _to_tensor(images: np.ndarray, size: int) -> torch.Tensor:
    """uint8 (B, H, W, 3) or (H, W, 3) -> float (B, 3, size, size) in [0, 1]."""
    arr = np.asarray(images)
    if arr.ndim == 3:
        arr = arr[None]
    if arr.shape[1:3] != (size, size):
        arr = np.stack(
            [
                np.asarray(Image.fromarray(a[..., :3]).resize((size, size), Image.BILINEAR))
                for a in arr
            ]
        )
    return torch.from_numpy(np.ascontiguousarray(arr[..., :3])).permute(0, 3, 1, 2).float() / 255.0


@torch.inference_mode()
def greedy_decode(
    model: Captioner, images: np.ndarray, lang: str = "en", max_len: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """-> token ids (B, T) starting with the language token, and the last layer's
    cross-attention averaged over heads (B, T, g*g) for the final sequence."""
    tok = model.tokenizer
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
        words = model.tokenizer.ids_to_words(ids)
        # word i is the output at position i (whose input was the previous token)
        maps = [att[b, i].view(g, g).cpu().numpy() for i in range(len(words))]
        out.append({"text": WordTokenizer.join(words), "tokens": words, "attention": maps})
    return out


def attention_overlay_png(image: np.ndarray, attn_map: np.ndarray, scale: int = 4) -> bytes:
    """PNG of the image (upscaled `scale`x) with the (g, g) attention map blended on top."""
    a = np.asarray(attn_map, dtype=np.float32)
    a = a / a.max() if a.max() > 0 else a
    return to_png_bytes(heat_overlay(np.asarray(image)[..., :3], a, alpha=0.6, scale=scale))


# ----------------------------------------------------------------------------- data / train


def _batch_tokens(tok: WordTokenizer, texts: list[str], langs: list[str], max_len: int):
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
    seeds, size: int, dup_prob: float | None = None
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


def evaluate_captioner(
    model: Captioner,
    n: int = 300,
    langs=("en", "ko"),
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
    x_all = torch.from_numpy(imgs).permute(0, 3, 1, 2)  # (N, 3, S, S) uint8

    model = Captioner(cfg).to(dev)
    model.tokenizer = tok
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "pos" not in n]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2 or "pos" in n]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    steps_per_epoch = math.ceil(n_train / batch_size)
    total = (
        epochs * steps_per_epoch if max_steps is None else min(max_steps, epochs * steps_per_epoch)
    )
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
            inp, tgt = _batch_tokens(tok, b_texts, b_langs, cfg.max_len)
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

    report(0.9, "evaluating on held-out scenes")
    model.eval()
    metrics = evaluate_captioner(model, n=n_eval, langs=langs)
    model = model.float().cpu()
    meta = {
        "model": "captioner",
        "metrics": metrics,
        "history": history,
        "train": {
            "n_train": n_train,
            "epochs": epochs,
            "steps": step,
            "seed": seed,
            "lang": lang,
            "batch_size": batch_size,
            "lr": lr,
            "n_eval": n_eval,
            "dup_prob": dup_prob,
        },
        "data": f"procedural scenes, train seeds 0..{n_train - 1}, "
        f"held-out seeds from {HELDOUT_SEED_OFFSET}",
        "langs": langs,
        "n_params": sum(p.numel() for p in model.parameters()),
        "train_seconds": round(time.time() - t0, 1),
        "torch": str(torch.__version__),
        "python": platform.python_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    model.meta = meta
    if out_path is not None:
        out_path = Path(out_path)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        sd = {k: v.detach().clone() for k, v in model.state_dict().items() if k != "lm_head.weight"}
        torch.save(
            {"config": asdict(cfg), "state_dict": sd, "tokenizer": tok.to_dict(), "meta": meta},
            out_path,
        )
        out_path.with_name(out_path.name + ".meta.json").write_text(
            json.dumps({"config": asdict(cfg), "meta": meta}, indent=2, ensure_ascii=False)
        )
    report(1.0, "done: " + ", ".join(f"{lg} BLEU-4 {m['bleu4']:.3f}" for lg, m in metrics.items()))
    return meta


def load_captioner(
    path: str | Path | None = None, device: str | torch.device = "auto", half: bool | None = None
) -> Captioner:
    """Rebuild config + tokenizer from the checkpoint (default: the shipped captioner.pt)."""
    from . import CHECKPOINT_DIR

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
