"""A GAN small enough to train live: 2-D points from a ring of Gaussians.

The data is a mixture of `n_modes` Gaussians whose centres sit evenly on a circle (the
"8 Gaussians" of the unrolled-GAN and WGAN-GP papers). Both networks are small MLPs, so a few
thousand steps take seconds on one CPU thread, and a student can watch the generator's samples
move onto the modes, or pile onto a few of them (mode collapse).

Modes (the page's switch offers the first and the last):
- "gan": the original GAN with the non-saturating loss (binary cross-entropy on the
  discriminator's logits). On this data it often gathers on a few modes and hops between them
  (mode collapse): the discriminator judges each point alone, so a generator that puts every
  point where the discriminator is fooled loses nothing for the modes it leaves out.
- "pacgan": the same loss, but the discriminator judges `pack` points at once, concatenated
  (PacGAN, Lin et al., 2018; a form of the minibatch idea). A pair of points from one mode is
  unlike a pair of real points, which usually come from two different modes, so the generator
  is pushed to spread out. Same cost per step as the plain GAN.
- "minibatch": minibatch discrimination as Salimans et al. (2016) wrote it. Kept for
  comparison: on one CPU thread it costs about four times as much per step and in our
  measurements covered fewer modes than packing in the same time.

WGAN-GP, the other well-known fix, needs several critic steps per generator step and did not
cover the ring within the ten-second budget on one CPU thread.

    for snap in train_iter(ToyGANConfig(mode="pacgan", steps=2000, seed=1)):
        print(snap.step, snap.d_loss, snap.g_loss, snap.modes_covered)

`train_iter` is a generator: the caller stops training by no longer asking for snapshots (the
worker checks its cancel flag between two).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MODES = ("gan", "pacgan", "minibatch")


@dataclass
class ToyGANConfig:
    mode: str = "gan"  # one of MODES
    steps: int = 2000  # generator steps (one discriminator step each)
    seed: int = 0
    n_modes: int = 8
    radius: float = 2.0
    std: float = 0.05  # of each mode
    z_dim: int = 2
    hidden: int = 64
    batch_size: int = 64
    lr: float = 1e-3
    n_kernels: int = 16  # minibatch discrimination: kernels and the size of each
    kernel_dim: int = 8
    pack: int = 2  # pacgan: points the discriminator judges together
    report_every: int = 25  # generator steps between two snapshots
    n_show: int = 256  # generator samples in a snapshot

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.steps < 1 or self.report_every < 1:
            raise ValueError("steps and report_every must be at least 1")


def mode_centres(config: ToyGANConfig) -> np.ndarray:
    """(n_modes, 2) centres on the circle of radius `radius`."""
    angles = 2 * math.pi * np.arange(config.n_modes) / config.n_modes
    return config.radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def sample_data(config: ToyGANConfig, n: int, generator: torch.Generator) -> torch.Tensor:
    """(n, 2) points of the mixture, each mode equally likely."""
    centres = torch.as_tensor(mode_centres(config), dtype=torch.float32)
    which = torch.randint(config.n_modes, (n,), generator=generator)
    return centres[which] + config.std * torch.randn(n, 2, generator=generator)


def _mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, n_out))


class MinibatchDiscrimination(nn.Module):
    """Appends to each row of a batch how close it is to the other rows (Salimans et al.).

    x (B, n_in) -> M = x T reshaped (B, K, C); for each kernel k, o[i, k] = sum over j != i of
    exp(-||M[i, k] - M[j, k]||_1); out (B, n_in + K). A batch of near-identical points has large
    o: the discriminator can see the lack of variety that it cannot see in one point.
    """

    def __init__(self, n_in: int, n_kernels: int, kernel_dim: int) -> None:
        super().__init__()
        self.n_kernels, self.kernel_dim = n_kernels, kernel_dim
        self.T = nn.Parameter(0.1 * torch.randn(n_in, n_kernels * kernel_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = (x @ self.T).view(-1, self.n_kernels, self.kernel_dim)  # (B, K, C)
        dist = (m[:, None] - m[None]).abs().sum(-1)  # (B, B, K)
        o = torch.exp(-dist).sum(1) - 1  # (B, K): minus each row's own exp(0)
        return torch.cat([x, o], dim=1)


class Discriminator(nn.Module):
    """x (B, 2) -> logit (B, 1); with minibatch discrimination before the last layer, or
    (pacgan) one logit per group of `pack` points: (B, 2) -> (B / pack, 1)."""

    def __init__(self, config: ToyGANConfig) -> None:
        super().__init__()
        h = config.hidden
        self.pack = config.pack if config.mode == "pacgan" else 1
        act = nn.LeakyReLU if self.pack > 1 else nn.ReLU
        self.features = nn.Sequential(nn.Linear(2 * self.pack, h), act(), nn.Linear(h, h),
                                      act(), nn.Linear(h, h), act())
        self.minibatch = (MinibatchDiscrimination(h, config.n_kernels, config.kernel_dim)
                          if config.mode == "minibatch" else None)
        self.head = nn.Linear(h + (config.n_kernels if self.minibatch else 0), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f = self.features(x.reshape(-1, 2 * self.pack))  # (B / pack, h)
        if self.minibatch is not None:
            f = self.minibatch(f)  # (B, h + K)
        return self.head(f)


def coverage(points: np.ndarray, config: ToyGANConfig) -> dict:
    """How well `points` (N, 2) cover the modes.

    A point counts for the nearest mode if it lies within 4 standard deviations of its centre
    (`quality`: the share of such points). A mode is covered when at least a quarter of its
    fair share (N / n_modes) of points land on it: one stray point does not make a mode
    covered, and a generator that collapsed onto one mode covers one.
    """
    centres = mode_centres(config)
    dist = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)  # (N, n_modes)
    nearest = dist.argmin(axis=1)
    close = dist[np.arange(len(points)), nearest] < 4 * config.std
    counts = np.bincount(nearest[close], minlength=config.n_modes)
    fair = len(points) / config.n_modes
    return {"modes_covered": int((counts >= fair / 4).sum()),
            "quality": round(float(close.mean()), 3) if len(points) else 0.0,
            "per_mode": counts.tolist()}


@dataclass
class Snapshot:
    step: int  # generator steps done
    steps: int
    d_loss: float  # the discriminator's (critic's) loss over the last report_every steps
    g_loss: float
    samples: np.ndarray  # (n_show, 2) generator output on a fixed noise batch
    modes_covered: int
    quality: float
    per_mode: list[int] = field(default_factory=list)
    seconds: float = 0.0  # since training started

    def as_dict(self, decimals: int = 3) -> dict:
        return {"step": self.step, "steps": self.steps, "d_loss": round(self.d_loss, 4),
                "g_loss": round(self.g_loss, 4), "modes_covered": self.modes_covered,
                "quality": self.quality, "per_mode": self.per_mode,
                "seconds": round(self.seconds, 2),
                "samples": np.round(self.samples, decimals).tolist()}


def train_iter(config: ToyGANConfig) -> Iterator[Snapshot]:
    """Train, yielding a Snapshot after every `report_every` generator steps and at the end.

    Deterministic for a seed on one thread (its own torch.Generator for data and noise; the
    networks are initialised under torch.manual_seed's fork).
    """
    rng = torch.Generator().manual_seed(config.seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        gen = _mlp(config.z_dim, config.hidden, 2)  # z (B, z_dim) -> x (B, 2)
        disc = Discriminator(config)
    # Adam with beta1 = 0.5, as DCGAN: the default 0.9 makes the two players' game oscillate.
    opt_g = torch.optim.Adam(gen.parameters(), lr=config.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=config.lr, betas=(0.5, 0.999))
    fixed_z = torch.randn(config.n_show, config.z_dim, generator=rng)
    started = time.perf_counter()
    d_sum = g_sum = 0.0
    count = 0
    for step in range(1, config.steps + 1):
        real = sample_data(config, config.batch_size, rng)  # (B, 2)
        with torch.no_grad():
            fake = gen(torch.randn(config.batch_size, config.z_dim, generator=rng))
        # Real and fake as separate batches: minibatch features compare a point with its own
        # batch, which must be all real or all fake for the comparison to mean anything.
        d_real, d_fake = disc(real), disc(fake)  # (B, 1) each
        d_loss = (F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real))
                  + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        score = disc(gen(torch.randn(config.batch_size, config.z_dim, generator=rng)))
        # Non-saturating generator loss, -log D(G(z)), as practice has it.
        g_loss = F.binary_cross_entropy_with_logits(score, torch.ones_like(score))
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        d_sum += float(d_loss.detach())
        g_sum += float(g_loss.detach())
        count += 1
        if step % config.report_every == 0 or step == config.steps:
            with torch.no_grad():
                samples = gen(fixed_z).numpy()
            found = coverage(samples, config)
            yield Snapshot(step=step, steps=config.steps, d_loss=d_sum / count,
                           g_loss=g_sum / count, samples=samples,
                           seconds=time.perf_counter() - started, **found)
            d_sum = g_sum = 0.0
            count = 0


def train(config: ToyGANConfig) -> list[Snapshot]:
    """Every snapshot of a whole run (tests, the command line)."""
    return list(train_iter(config))


def config_dict(config: ToyGANConfig) -> dict:
    return asdict(config)
