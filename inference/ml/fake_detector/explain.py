"""Why the detector said what it said: the spectrum and saliency a student looks at.

(Named ``explain`` rather than ``evidence`` so that the module never shadows the ``evidence``
function the package exports.)
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..imaging import colormap, heat_overlay, normalize01, to_png_bytes
from .model import LUMA, FakeDetector, preprocess


def display_spectrum(gray: torch.Tensor, whiten: bool = False) -> torch.Tensor:
    """Spectrum for people to look at: (B, 1, H, W) in [-1, 1] -> (B, H, W) centred log-magnitude.

    Unlike the model's input spectrum it applies a Hann window first (so the image borders do
    not paint a bright "+" through the centre). whiten=True subtracts the mean over each ring
    of equal frequency radius, removing the natural 1/f fall-off so that periodic artefacts
    (the DCGAN's transposed-convolution upsampling: dots at multiples of N/4) stand out."""
    B, _, H, W = gray.shape
    g = gray.float()[:, 0] - gray.float().mean(dim=(-3, -2, -1)).view(B, 1, 1)  # (B, H, W)
    win = torch.outer(torch.hann_window(H, periodic=False), torch.hann_window(W, periodic=False))
    spec = torch.log(torch.fft.fft2(g * win.to(g.device), norm="ortho").abs() + 1e-4)
    spec = torch.fft.fftshift(spec, dim=(-2, -1))  # (B, H, W), low frequencies in the middle
    if whiten:
        yy, xx = torch.meshgrid(torch.arange(H) - H // 2, torch.arange(W) - W // 2, indexing="ij")
        ring = (
            torch.sqrt((yy**2 + xx**2).float()).round().long().flatten().to(spec.device)
        )  # (H*W,)
        n = torch.bincount(ring).clamp_min(1).float()
        flat = spec.flatten(1)  # (B, H*W)
        prof = torch.stack([torch.bincount(ring, weights=f) for f in flat]) / n  # (B, R)
        spec = (flat - prof[:, ring]).view(B, H, W)
    return spec


def _gray_batch(x: torch.Tensor) -> torch.Tensor:
    """(B, 3, H, W) in [0, 1] -> (B, 1, H, W) luminance in [-1, 1]."""
    return (x * torch.tensor(LUMA).view(1, 3, 1, 1)).sum(1, keepdim=True) * 2 - 1


def evidence(model: FakeDetector, image: np.ndarray, scale: int = 4) -> dict:
    """Explain one prediction. image: uint8 (H, W, 3).

    Returns {"prob": P(fake), "label": "fake"|"real", "input_png": the 64x64 grayscale image the
    model saw, "spectrum_png": its centred FFT log-magnitude (Hann-windowed; low frequencies in
    the middle; periodic upsampling artefacts would be off-centre dots; on one image they are
    faint, mean_spectrum_png over many images shows them clearly), "saliency_png":
    |d logit / d pixel| over the image (input-gradient saliency), all PNGs upscaled by `scale`}.
    """
    x = preprocess(image, model.cfg.image_size)[:1]  # (1, 3, S, S)
    with torch.inference_mode(False), torch.enable_grad():
        xg = x.clone().to(model.device, model.dtype).requires_grad_(True)
        logit = model(xg)  # (1,)
        (grad,) = torch.autograd.grad(logit.sum(), xg)
    prob = float(torch.sigmoid(logit.detach().float())[0])
    sal = grad.float().abs().amax(dim=1, keepdim=True)  # (1, 1, S, S)
    smooth = F.avg_pool2d(sal, 3, 1, 1)[0, 0].cpu().numpy()  # light smoothing
    sal01 = normalize01(smooth, 0, 99.5)
    gray = x[0].permute(1, 2, 0).numpy() @ np.array(LUMA, np.float32)  # (S, S) in [0, 1]
    gray_u8 = (gray * 255).round().clip(0, 255).astype(np.uint8)
    spec = colormap(normalize01(display_spectrum(_gray_batch(x))[0].numpy(), 1, 99.5))

    def big(a: np.ndarray) -> np.ndarray:  # nearest-neighbour upscaling for display
        size = (a.shape[1] * scale, a.shape[0] * scale)
        return np.asarray(Image.fromarray(a).resize(size, Image.Resampling.NEAREST))

    rgb = (x[0].permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
    return {
        "prob": prob,
        "label": "fake" if prob >= 0.5 else "real",
        "input_png": to_png_bytes(big(gray_u8)),
        "spectrum_png": to_png_bytes(big(spec)),
        "saliency_png": to_png_bytes(heat_overlay(rgb, sal01, alpha=0.65, scale=scale)),
    }


def mean_spectrum_png(images: np.ndarray, scale: int = 4, whiten: bool = True) -> bytes:
    """Average spectrum of many images (B, H, W, 3) as a PNG. Averaging removes the content and
    keeps what all images share; with whiten=True (ring-mean removed) the DCGAN's upsampling
    artefacts show as a grid of bright dots (multiples of N/4) that real photos do not have."""
    spec = display_spectrum(_gray_batch(preprocess(images)), whiten=whiten).mean(0).numpy()
    img = colormap(normalize01(spec, 1, 99.5))
    size = (img.shape[1] * scale, img.shape[0] * scale)
    return to_png_bytes(Image.fromarray(img).resize(size, Image.Resampling.NEAREST))

