"""Fake-image detector: P(image was made by our DCGAN face generator).

    model = load_fake_detector()
    predict(model, images)        # uint8 (B, H, W, 3) -> P(fake) (B,)
    evidence(model, image)        # prob, label, and the spectrum and saliency PNGs

Modules, read top-down:
    model       DetectorConfig, FakeDetector (a pixel CNN + a spectrum CNN), preprocess, predict
    data        the offline data (DCGAN fakes; LFW faces and sample photographs as reals) and
                the augmentation pipeline applied alike to both classes
    train       train_fake_detector: data -> fit -> held-out evaluation -> meta -> checkpoint
    explain     evidence and mean_spectrum_png: what a student sees of a prediction
    checkpoint  save_checkpoint, load_fake_detector (config travels with the weights)
"""

from .checkpoint import CheckpointSource, load_fake_detector, save_checkpoint
from .data import (
    HELDOUT_PHOTOS,
    HELDOUT_SEED_OFFSET,
    LFW_HELDOUT,
    LFW_TRAIN,
    TRAIN_PHOTOS,
    lfw_faces,
    photo_crops,
    real_photo_crops,
    split_photos,
)
from .explain import display_spectrum, evidence, mean_spectrum_png
from .model import LUMA, DetectorConfig, FakeDetector, log_spectrum, predict, preprocess
from .train import Progress, train_fake_detector

__all__ = [
    "CheckpointSource",
    "DetectorConfig",
    "FakeDetector",
    "HELDOUT_PHOTOS",
    "HELDOUT_SEED_OFFSET",
    "LFW_HELDOUT",
    "LFW_TRAIN",
    "LUMA",
    "Progress",
    "TRAIN_PHOTOS",
    "display_spectrum",
    "evidence",
    "lfw_faces",
    "load_fake_detector",
    "log_spectrum",
    "mean_spectrum_png",
    "photo_crops",
    "predict",
    "preprocess",
    "real_photo_crops",
    "save_checkpoint",
    "split_photos",
    "train_fake_detector",
]
