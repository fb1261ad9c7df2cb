"""DCGAN face generator (the PyTorch DCGAN-tutorial architecture).

Pretrained weights ship in the `gan-face-generate` package (MIT, trained on DigiFace1M 64x64
faces). We read only its weights file and rebuild the network here, because the package's own
modules import torchvision/wandb. Layer names (`main.0`, `main.1`, ...) match its state dict so
the load is strict.

    z = latent([1, 2, 3])              # (3, 100, 1, 1), each row depends only on its seed
    imgs = generate(load_face_generator(), z)   # (3, 64, 64, 3) uint8
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from .device import DeviceMixin, pick_device, pick_dtype, torch_rng
from .imaging import to_png_bytes  # re-exported: dcgan.to_png_bytes(img)

__all__ = [
    "GeneratorConfig",
    "Generator",
    "package_weights_path",
    "load_face_generator",
    "latent",
    "slerp",
    "interpolate",
    "interpolate_images",
    "generate",
    "generate_from_seeds",
    "to_png_bytes",
]


@dataclass
class GeneratorConfig:
    nz: int = 100  # latent size
    ngf: int = 64  # generator feature maps
    nc: int = 3  # output channels
    image_size: int = 64  # fixed by the architecture (4 -> 8 -> 16 -> 32 -> 64)


class Generator(DeviceMixin):
    """z (B, nz, 1, 1) -> image (B, nc, 64, 64) in [-1, 1]."""

    def __init__(self, cfg: GeneratorConfig):
        super().__init__()
        self.cfg = cfg
        nz, ngf, nc = cfg.nz, cfg.ngf, cfg.nc
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),  # (B, 8ngf, 4, 4)
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),  # (B, 4ngf, 8, 8)
            nn.BatchNorm2d(ngf * 4),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),  # (B, 2ngf, 16, 16)
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),  # (B, ngf, 32, 32)
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),  # (B, nc, 64, 64)
            nn.Tanh(),
        )

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.main(z)


def package_weights_path() -> Path:
    """Path of the pretrained weights inside the installed gan-face-generate package."""
    return Path(str(importlib.resources.files("gan_face_generate") / "weights.tar"))


def load_face_generator(
    path: str | Path | None = None, device: str | torch.device = "auto", half: bool | None = None
) -> Generator:
    """Load the generator in eval mode (BatchNorm uses running stats -> per-sample independent).

    path: None -> the package weights; or a file holding either the package's
    {"netG_state_dict": ...} or our {"config", "state_dict", "meta"} format.
    fp16 on CUDA (unless half=False), fp32 on CPU.
    """
    dev = pick_device(device)
    ckpt = torch.load(path or package_weights_path(), map_location="cpu", weights_only=True)
    if "netG_state_dict" in ckpt:
        cfg, sd = GeneratorConfig(), ckpt["netG_state_dict"]
    else:
        cfg, sd = GeneratorConfig(**ckpt["config"]), ckpt["state_dict"]
    gen = Generator(cfg)
    gen.load_state_dict(sd, strict=True)
    gen.eval().requires_grad_(False)
    return gen.to(device=dev, dtype=pick_dtype(dev, half))


def latent(seeds: list[int], nz: int = 100) -> torch.Tensor:
    """(B, nz, 1, 1) float32 on CPU; row i is N(0, I) drawn from its own generator seeded with
    seeds[i], so a face depends only on its seed, never on the rest of the batch."""
    rows = [torch.randn(nz, generator=torch_rng(s)) for s in seeds]  # B x (nz,)
    if not rows:
        return torch.empty(0, nz, 1, 1)
    return torch.stack(rows).view(len(seeds), nz, 1, 1)


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
    """Spherical interpolation between latent vectors a and b (same shape), t in [0, 1].

    Gaussian latents live near a sphere of radius ~sqrt(nz); slerp keeps intermediate points
    there, while the linear midpoint would have a too-small norm (a washed-out "average" face).
    Returns a at t=0 and b at t=1 exactly.
    """
    af, bf = a.flatten().double(), b.flatten().double()
    t = torch.as_tensor(t, dtype=torch.float64).reshape(-1, 1)  # (S, 1)
    cos = torch.dot(af, bf) / (af.norm() * bf.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if omega.abs() < 1e-6:  # nearly parallel: fall back to lerp
        out = (1 - t) * af + t * bf
    else:
        so = torch.sin(omega)
        out = (torch.sin((1 - t) * omega) / so) * af + (torch.sin(t * omega) / so) * bf  # (S, n)
    out[t.flatten() == 0] = af
    out[t.flatten() == 1] = bf
    return out.to(a.dtype).view(-1, *a.shape)


def interpolate(seed_a: int, seed_b: int, steps: int, nz: int = 100) -> torch.Tensor:
    """Latents (steps, nz, 1, 1) on the great circle from seed_a's z to seed_b's z (inclusive)."""
    if steps < 2:
        raise ValueError("steps must be >= 2")
    z = latent([seed_a, seed_b], nz)  # (2, nz, 1, 1)
    t = torch.linspace(0.0, 1.0, steps)
    return slerp(z[0], z[1], t)  # (steps, nz, 1, 1)


@torch.inference_mode()
def generate(gen: Generator, z: torch.Tensor, batch_size: int = 256) -> np.ndarray:
    """Latents (B, nz, 1, 1) -> uint8 images (B, 64, 64, 3). One forward pass per `batch_size`
    chunk (so a batched worker call can serve many requests at once)."""
    out = []
    for i in range(0, z.shape[0], batch_size):
        zc = z[i : i + batch_size].to(device=gen.device, dtype=gen.dtype)
        x = gen(zc).float()  # (b, 3, 64, 64) in [-1, 1]
        x = ((x + 1.0) * 127.5).round().clamp(0, 255).to(torch.uint8)
        out.append(x.permute(0, 2, 3, 1).cpu())  # (b, 64, 64, 3)
    if not out:
        s = gen.cfg.image_size
        return np.zeros((0, s, s, gen.cfg.nc), dtype=np.uint8)
    return torch.cat(out).numpy()


def interpolate_images(gen: Generator, seed_a: int, seed_b: int, steps: int) -> np.ndarray:
    """uint8 frames (steps, 64, 64, 3) morphing seed_a's face into seed_b's (slerp, one pass)."""
    return generate(gen, interpolate(seed_a, seed_b, steps, gen.cfg.nz))


def generate_from_seeds(gen: Generator, seeds: list[int]) -> np.ndarray:
    """Convenience: seeds -> uint8 images (B, 64, 64, 3)."""
    return generate(gen, latent(seeds, gen.cfg.nz))


def n_params(cfg: GeneratorConfig | None = None) -> int:
    """Parameter count of the architecture (3,576,704 for the default config)."""
    return sum(p.numel() for p in Generator(cfg or GeneratorConfig()).parameters())
