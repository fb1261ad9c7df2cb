"""The caption decoder: Show, Attend and Tell (Xu et al., 2015) over MobileNetV2's 7x7 grid.

A GRU cell writes one word a step; before each word it scores the 49 grid cells against its
state (additive attention), and the weighted mean of the cells goes into the step with the
previous word. Those 49 weights, per word, are the attention maps the demo draws. The first
input token is <en> or <ko>: one decoder, two languages.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from ..shape_decoding import language_mask, pick_next
from .encoder import FEATURE_DIM, GRID

_TOKEN_RE = re.compile(r"[^\s,]+|,")


class Vocab:
    PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"
    LANGS = {"en": "<en>", "ko": "<ko>"}

    def __init__(self, itos: list[str]):
        self.itos = list(itos)
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.pad_id, self.unk_id, self.eos_id = (self.stoi[t] for t in
                                                 (self.PAD, self.UNK, self.EOS))

    @classmethod
    def build(cls, texts) -> Vocab:
        words = sorted({w for t in texts for w in cls.split(t)})
        return cls([cls.PAD, cls.UNK, cls.EOS, *cls.LANGS.values(), *words])

    @staticmethod
    def split(text: str) -> list[str]:
        return _TOKEN_RE.findall(text)

    @staticmethod
    def join(words: list[str]) -> str:
        return " ".join(words).replace(" ,", ",")

    def encode(self, text: str) -> list[int]:
        return [self.stoi.get(w, self.unk_id) for w in self.split(text)]

    def lang_id(self, lang: str) -> int:
        return self.stoi[self.LANGS[lang]]

    def __len__(self) -> int:
        return len(self.itos)


@dataclass
class PhotoCaptionerConfig:
    vocab_size: int = 128
    feat_dim: int = FEATURE_DIM
    pca_dim: int = 256  # the grid's cells are first reduced to their top principal components
    grid: int = GRID
    d: int = 160
    max_len: int = 16  # words, <eos> included
    dropout: float = 0.3


class PhotoCaptioner(nn.Module):
    def __init__(self, cfg: PhotoCaptionerConfig, vocab: Vocab):
        super().__init__()
        self.cfg, self.vocab = cfg, vocab
        d = cfg.d
        # A fixed PCA of the training cells (set by fit_pca): 1280 -> 256 before the trained
        # projection. It keeps ~92 % of the variance and makes the projection 5x cheaper.
        self.register_buffer("pca_mean", torch.zeros(cfg.feat_dim))
        self.register_buffer("pca_basis", torch.eye(cfg.feat_dim, cfg.pca_dim))
        self.proj = nn.Sequential(nn.Dropout(cfg.dropout), nn.Linear(cfg.pca_dim, d),
                                  nn.LayerNorm(d))
        self.init_h = nn.Linear(d, d)
        self.embed = nn.Embedding(cfg.vocab_size, d)
        self.att_k = nn.Linear(d, d)
        self.att_q = nn.Linear(d, d)
        self.att_v = nn.Linear(d, 1)
        self.gru = nn.GRUCell(2 * d, d)
        self.drop = nn.Dropout(cfg.dropout)
        self.out = nn.Linear(2 * d, cfg.vocab_size)

    @torch.no_grad()
    def fit_pca(self, feats: torch.Tensor) -> float:
        """Set the PCA from encoder grids (N, 49, F); -> the share of variance kept."""
        cells = feats.reshape(-1, feats.shape[-1]).float()
        mean = cells.mean(0)
        _, s, v = torch.linalg.svd(cells - mean, full_matrices=False)
        self.pca_mean.copy_(mean)  # type: ignore[operator]  # a registered buffer
        self.pca_basis.copy_(v[: self.cfg.pca_dim].T)  # type: ignore[operator]
        return float((s[: self.cfg.pca_dim] ** 2).sum() / (s ** 2).sum())

    def reduce(self, feats: torch.Tensor) -> torch.Tensor:
        """Encoder grids (B, 49, F) -> (B, 49, pca_dim)."""
        mean, basis = self.pca_mean, self.pca_basis
        assert isinstance(mean, torch.Tensor) and isinstance(basis, torch.Tensor)  # buffers
        return (feats.float() - mean) @ basis

    def start(self, reduced: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """reduced grids (B, 49, pca_dim) -> memory (B, 49, d), its attention keys, first
        state h (B, d)."""
        mem = self.proj(reduced)
        return mem, self.att_k(mem), torch.tanh(self.init_h(mem.mean(1)))

    def step(self, token: torch.Tensor, h: torch.Tensor, mem: torch.Tensor, keys: torch.Tensor
             ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One word: token (B,) -> logits (B, V), new h (B, d), attention (B, 49)."""
        score = self.att_v(torch.tanh(keys + self.att_q(h)[:, None])).squeeze(-1)  # (B, 49)
        att = score.softmax(-1)
        ctx = (att[..., None] * mem).sum(1)  # (B, d)
        h = self.gru(torch.cat([self.embed(token), ctx], -1), h)
        logits = self.out(self.drop(torch.cat([h, ctx], -1)))
        return logits, h, att

    def forward(self, reduced: torch.Tensor, tokens: torch.Tensor) -> tuple[torch.Tensor,
                                                                             torch.Tensor]:
        """Teacher forcing on reduced grids: tokens (B, T) = [<lang>, w1, ...] -> logits
        (B, T, V), attention (B, T, 49)."""
        mem, keys, h = self.start(reduced)
        logits, atts = [], []
        for t in range(tokens.shape[1]):
            lg, h, att = self.step(tokens[:, t], h, mem, keys)
            logits.append(lg)
            atts.append(att)
        return torch.stack(logits, 1), torch.stack(atts, 1)


def batch_tokens(vocab: Vocab, texts: list[str], langs: list[str], max_len: int
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """-> inputs (N, T) = [<lang>, w1..wn, pad..], targets (N, T) = [w1..wn, <eos>, -100..]."""
    inputs = torch.full((len(texts), max_len), vocab.pad_id, dtype=torch.long)
    targets = torch.full((len(texts), max_len), -100, dtype=torch.long)
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        ids = vocab.encode(text)[: max_len - 1]
        seq = [vocab.lang_id(lang), *ids]
        inputs[i, : len(seq)] = torch.tensor(seq)
        targets[i, : len(ids) + 1] = torch.tensor([*ids, vocab.eos_id])
    return inputs, targets


def loss_fn(logits: torch.Tensor, targets: torch.Tensor, att: torch.Tensor,
            alpha_c: float = 0.5) -> torch.Tensor:
    """Cross-entropy plus Show-Attend-Tell's doubly stochastic term: over a caption, each grid
    cell should get about one unit of attention in all (it spreads the maps over the words)."""
    ce = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                         ignore_index=-100)
    mask = (targets != -100).float()[..., None]  # (B, T, 1)
    covered = (att * mask).sum(1)  # (B, 49)
    n_words = mask.sum(1)  # (B, 1)
    reg = ((n_words / att.shape[-1] - covered) ** 2).mean()
    return ce + alpha_c * reg


@torch.no_grad()
def decode(model: PhotoCaptioner, feats: torch.Tensor, lang: str) -> list[dict]:
    """Greedy captions for encoder grids (B, 49, F), in `lang` only (the language mask and
    repeat stop of inference.ml.shape_decoding). Each: {"text", "tokens", "attention":
    [(7, 7) array per word]}."""
    model.eval()
    vocab = model.vocab
    allowed = language_mask(vocab.itos, lang)
    mem, keys, h = model.start(model.reduce(feats))
    B = feats.shape[0]
    token = torch.full((B,), vocab.lang_id(lang), dtype=torch.long)
    histories: list[list[int]] = [[] for _ in range(B)]
    maps: list[list] = [[] for _ in range(B)]
    done = [False] * B
    for _ in range(model.cfg.max_len):
        logits, h, att = model.step(token, h, mem, keys)
        token = pick_next(logits, histories, allowed, vocab.eos_id)
        for b in range(B):
            if done[b]:
                continue
            if int(token[b]) == vocab.eos_id:
                done[b] = True
            else:
                histories[b].append(int(token[b]))
                maps[b].append(att[b].view(model.cfg.grid, model.cfg.grid).numpy())
        if all(done):
            break
    out = []
    for b in range(B):
        words = [vocab.itos[i] for i in histories[b]]
        out.append({"text": Vocab.join(words), "tokens": words, "attention": maps[b]})
    return out


def save_checkpoint(model: PhotoCaptioner, meta: dict, path) -> None:
    """{"config", "vocab", "state_dict" (float16: half the bytes, same captions), "meta"} and
    the JSON sidecar the web reads for the model card."""
    import json
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    torch.save({"config": asdict(model.cfg), "vocab": model.vocab.itos, "state_dict": state,
                "meta": meta}, path)
    path.with_name(path.name + ".meta.json").write_text(
        json.dumps({"config": asdict(model.cfg), "meta": meta}, ensure_ascii=False, indent=2)
        + "\n", encoding="utf-8")


def load_decoder(path) -> PhotoCaptioner:
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model = PhotoCaptioner(PhotoCaptionerConfig(**ckpt["config"]), Vocab(ckpt["vocab"]))
    model.load_state_dict({k: v.float() if v.is_floating_point() else v
                           for k, v in ckpt["state_dict"].items()})
    model.meta = ckpt.get("meta", {})
    return model.eval()
