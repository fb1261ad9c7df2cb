"""How the GAN-face detector behaves on pictures unlike its training data.

The detector learnt "DCGAN face" against LFW faces and crops of nine scikit-image photographs
(inference/checkpoints/README.md). Here it meets:

- real photographs it never trained on (`OOD_PHOTOS`: other scikit-image sample photos, the
  whole frame and four half-size corner crops of each), at several sizes, JPEG qualities, in
  colour and in grey: every one of them is real, so any "fake" verdict is a false positive;
- faces from the same generator at sizes other than its native 64 px (upscaled or shrunk),
  which are all fakes: the share called fake is the detection rate.

Pure numpy/PyTorch, no Django: `python manage.py evaluate_detector_ood` prints the tables.
"""

from __future__ import annotations

import io
from itertools import product

import numpy as np
from PIL import Image

from .fake_detector import predict
from .fake_detector.data import _load_photo

# Real photographs outside the detector's training photos (astronaut, camera, rocket, coins,
# brick, grass, retina, hubble_deep_field, immunohistochemistry) and outside LFW. chelsea,
# coffee, clock and gravel were its held-out test photos; the rest it has never met.
OOD_PHOTOS = ["chelsea", "coffee", "clock", "gravel", "stereo_motorcycle", "moon", "page",
              "text", "cell", "horse", "colorwheel"]
NON_PHOTOS = {"horse", "colorwheel"}  # a silhouette and a colour chart: drawn, not photographed
SIZES = [32, 64, 128, 256]
QUALITIES = [None, 90, 50, 20]  # None: no JPEG
COLOURS = ["colour", "grey"]
FACE_SIZES = [24, 32, 48, 64, 96, 128, 256]
FACE_SEED = 20_000_000  # far from the detector's training (0-3999) and held-out (10M+) seeds
THRESHOLD = 0.5


def _rgb(img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.dtype == bool:
        img = np.where(img, 255, 0).astype(np.uint8)
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    return np.ascontiguousarray(img[..., :3])


def views(img: np.ndarray) -> list[np.ndarray]:
    """The whole frame and its four half-size corner crops."""
    h, w = img.shape[:2]
    return [img] + [img[y:y + h // 2, x:x + w // 2] for y in (0, h - h // 2)
                    for x in (0, w - w // 2)]


def variant(img: np.ndarray, size: int, quality: int | None, colour: str) -> np.ndarray:
    """Centre-cropped square at `size` px, optionally grey, optionally JPEG-compressed."""
    h, w = img.shape[:2]
    s = min(h, w)
    y, x = (h - s) // 2, (w - s) // 2
    im = Image.fromarray(img[y:y + s, x:x + s]).resize((size, size), Image.Resampling.BILINEAR)
    if colour == "grey":
        im = im.convert("L").convert("RGB")
    if quality is not None:
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=quality)
        im = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return np.asarray(im)


def _rate(probs: list[float]) -> dict:
    p = np.asarray(probs, dtype=np.float64)
    return {"n": int(p.size), "called_fake": round(float((p >= THRESHOLD).mean()), 4),
            "mean_p": round(float(p.mean()), 4)}


def evaluate_detector_ood(model, face_generator=None, n_faces: int = 48,
                          photos: list[str] | None = None) -> dict:
    """-> {"real": {"all", "by_size", "by_quality", "by_colour", "by_photo", "photos_only"},
    "faces": {"by_size"}, "worst": [the real images with the highest P(fake)]}. For real
    photos "called_fake" is the false-positive rate; for faces it is the detection rate."""
    photos = photos or OOD_PHOTOS
    rows = []  # (photo, view, size, quality, colour, p)
    for name in photos:
        for v, img in enumerate(views(_rgb(_load_photo(name)))):
            for size in SIZES:
                batch, keys = [], []
                for quality, colour in product(QUALITIES, COLOURS):
                    batch.append(variant(img, size, quality, colour))
                    keys.append((quality, colour))
                for (quality, colour), p in zip(keys, predict(model, np.stack(batch)),
                                                strict=True):
                    rows.append((name, v, size, quality, colour, float(p)))

    def group(index: int, values) -> dict:
        return {str(val): _rate([r[5] for r in rows if r[index] == val]) for val in values}

    real = {"all": _rate([r[5] for r in rows]),
            "photos_only": _rate([r[5] for r in rows if r[0] not in NON_PHOTOS] or [0.0]),
            "by_size": group(2, SIZES), "by_quality": group(3, QUALITIES),
            "by_colour": group(4, COLOURS), "by_photo": group(0, photos)}
    worst = sorted(rows, key=lambda r: -r[5])[:8]
    report = {"threshold": THRESHOLD, "real": real,
              "worst": [{"photo": r[0], "view": r[1], "size": r[2], "jpeg": r[3],
                         "colour": r[4], "p_fake": round(r[5], 4)} for r in worst]}
    if face_generator is not None:
        from .dcgan import generate_from_seeds

        faces = generate_from_seeds(face_generator, list(range(FACE_SEED, FACE_SEED + n_faces)))
        by_size = {}
        for size in FACE_SIZES:
            bilinear = Image.Resampling.BILINEAR
            imgs = np.stack([np.asarray(Image.fromarray(f).resize((size, size), bilinear))
                             for f in faces])
            by_size[str(size)] = _rate(predict(model, imgs).tolist())
        jpeg = np.stack([variant(f, 64, 50, "colour") for f in faces])
        report["faces"] = {"by_size": by_size, "jpeg50_64px": _rate(predict(model, jpeg).tolist())}
    return report
