"""The captioner network: CNN encoder -> grid of spatial tokens -> Transformer decoder with
cross-attention. The first decoder token picks the language (<en> or <ko>)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..device import DeviceMixin
from .tokenizer import WordTokenizer


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

    def forward(self, x: torch.Tensor, mem: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = x + self.drop(self.self_attn(self.ln1(x)))  # (B, T, d)
        y, att = self.cross_attn(self.ln2(x), mem)
        x = x + self.drop(y)
        x = x + self.mlp(self.ln3(x))
        return x, att


class Captioner(DeviceMixin):
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
        att: torch.Tensor | None = None
        for block in self.blocks:
            x, att = block(x, mem)
        assert att is not None, "a captioner has at least one decoder block"
        return self.lm_head(self.ln_f(x)), att  # (B, T, V), (B, H, T, S_img)

    def forward(
        self, images: torch.Tensor, tokens: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.decode(tokens, self.encode(images))

