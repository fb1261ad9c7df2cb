"""The detector's training data, all offline, and the pipeline that keeps it honest.

  fake  DCGAN faces from seeds (train seeds 0.., held-out seeds from 10_000_000..)
  real  scikit-image's lfw_subset() faces (100 grayscale 25x25 photos; 80 train / 20 held out)
        and random crops of skimage.data photographs (whole photographs are held out).

Shortcut guards (the detector must not learn "colour", "size" or "blur" instead of "GAN"):
  * colour: every training image, fake or real, is converted to grayscale (3 equal channels),
    and the model itself looks at luminance only, so at inference colour is ignored too.
  * size/blur: LFW faces are 25x25, so they must be upsampled to 64. The same low-resolution
    path (down to 20..32 px, bilinear back up to 64) is applied to fakes and photo crops with
    probabilities chosen so that exactly `low_res_fraction` of EACH class goes through it.
  * compression: random JPEG re-encoding (quality 50..95) with the same probability for both
    classes; random horizontal flips for both.
  * held-out split by source: held-out LFW indices, held-out photographs and held-out seeds never
    appear in training.

An instructor's own real photos (e.g. CelebA faces) join the real class: they are split by
photo (a held-out photo never gives a training crop), cropped like the sample photographs and
sent through the same grayscale / low-res / JPEG / flip pipeline as every other real image.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..dcgan import Generator, generate_from_seeds

# skimage.data photographs (all load offline; each one's docstring states public domain / CC0 /
# no known copyright restrictions; moon and stereo_motorcycle are left out because theirs state
# no licence). Whole photographs are held out: no crop of a held-out photo is seen in training.
TRAIN_PHOTOS = (
    "astronaut", "camera", "rocket", "coins", "brick", "grass", "retina",
    "hubble_deep_field", "immunohistochemistry",
)  # fmt: skip
HELDOUT_PHOTOS = ("chelsea", "coffee", "clock", "gravel")
LFW_TRAIN = range(0, 80)  # lfw_subset()[:100] are faces; 80 for training
LFW_HELDOUT = range(80, 100)  # and 20 held out
HELDOUT_SEED_OFFSET = 10_000_000  # fake seeds >= this are never used in training


def _gray3(img: np.ndarray) -> np.ndarray:
    """Any uint8 (H, W) / (H, W, 3|4) -> grayscale replicated to (H, W, 3) uint8."""
    im = Image.fromarray(img)
    g = np.asarray(im.convert("L"))
    return np.repeat(g[..., None], 3, axis=2)


def _load_photo(name: str) -> np.ndarray:
    import skimage.data

    img = getattr(skimage.data, name)()
    if isinstance(img, tuple):  # stereo_motorcycle -> (left, right, disparity)
        img = img[0]
    img = np.asarray(img)
    if img.dtype != np.uint8:
        img = (np.clip(img, 0, 1) * 255).round().astype(np.uint8)
    if img.ndim == 3 and img.shape[2] == 4:
        img = img[..., :3]
    return img


def real_photo_crops(names, n: int, rng: np.random.Generator, size: int = 64) -> np.ndarray:
    """n random square crops (side 64..256 px, resized to size) spread over the given
    skimage.data photographs -> (n, size, size, 3) uint8, grayscale replicated."""
    photos = [_load_photo(nm) for nm in names]
    out = np.zeros((n, size, size, 3), dtype=np.uint8)
    for i in range(n):
        p = photos[i % len(photos)]
        h, w = p.shape[:2]
        side = int(rng.integers(size, min(256, h, w) + 1))
        y, x = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
        crop = Image.fromarray(p[y : y + side, x : x + side]).convert("L")
        # Pillow antialiases when shrinking
        crop = crop.resize((size, size), Image.Resampling.BILINEAR)
        out[i] = np.repeat(np.asarray(crop)[..., None], 3, axis=2)
    return out


def split_photos(n: int, heldout_fraction: float, rng: np.random.Generator
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, held-out) of n photos: each photo lands on exactly one side, and at
    least one photo is on each side."""
    if n < 2:
        raise ValueError(f"need at least 2 photos to hold some out, got {n}")
    n_held = min(n - 1, max(1, int(round(n * heldout_fraction))))
    order = rng.permutation(n)
    return np.sort(order[n_held:]), np.sort(order[:n_held])


def photo_crops(photos: Sequence[np.ndarray], n: int, rng: np.random.Generator | None,
                size: int = 64, min_frac: float = 0.6) -> np.ndarray:
    """n square crops cycling over the photos (uint8 (H, W) or (H, W, 3), any size), grayscale,
    resized to size -> (n, size, size, 3) uint8. A crop's side is min_frac..1 of the photo's
    shorter side at a random place (a face photo stays mostly face); rng=None takes the
    centred full square instead (for a repeatable evaluation)."""
    out = np.zeros((n, size, size, 3), dtype=np.uint8)
    for i in range(n):
        gray = Image.fromarray(photos[i % len(photos)]).convert("L")
        w, h = gray.size
        short = min(w, h)
        if rng is None:
            side, x, y = short, (w - short) // 2, (h - short) // 2
        else:
            side = int(rng.integers(max(1, int(short * min_frac)), short + 1))
            x, y = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
        crop = gray.crop((x, y, x + side, y + side))
        crop = crop.resize((size, size), Image.Resampling.BILINEAR)
        out[i] = np.repeat(np.asarray(crop)[..., None], 3, axis=2)
    return out


def lfw_faces(indices) -> np.ndarray:
    """lfw_subset() faces (25x25 grayscale photos) -> (n, 25, 25) uint8."""
    import skimage.data

    faces = skimage.data.lfw_subset()[list(indices)]  # (n, 25, 25) float64 in [0, 1]
    return (faces * 255).round().astype(np.uint8)


def low_res(img: np.ndarray, side: int, size: int) -> np.ndarray:
    """Down to side x side (antialiased), bilinear back up to size x size."""
    im = Image.fromarray(img)
    if im.size != (side, side):
        im = im.resize((side, side), Image.Resampling.BILINEAR)
    return np.asarray(im.resize((size, size), Image.Resampling.BILINEAR))


def jpeg_reencode(img: np.ndarray, quality: int) -> np.ndarray:
    """The image after a JPEG round trip at `quality` (the compression a shared photo has)."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    return np.asarray(Image.open(buf).convert("RGB"))


def extra_crop_count(n_real: int, lfw_share: float, n_photos: int, extra_share: float) -> int:
    """How many of the n_real real images are crops of the extra photos: extra_share of the
    slots LFW does not fill, and at least one per photo (never more than those slots)."""
    if not n_photos:
        return 0
    slots = n_real - int(round(n_real * lfw_share))
    return min(slots, max(n_photos, int(round(slots * extra_share))))


@dataclass
class Pools:
    """Base images before the random pipeline: fakes and photo crops at 64, LFW at 25."""

    fakes: np.ndarray  # (Nf, 64, 64, 3) uint8 colour (converted to gray in the pipeline)
    photos: np.ndarray  # (Np, 64, 64, 3) uint8 gray x3
    lfw: np.ndarray  # (Nl, 25, 25) uint8


def pipeline(
    pools: Pools,
    rng: np.random.Generator,
    size: int,
    low_res_fraction: float,
    jpeg_prob: float,
    jpeg: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Apply the SAME random pipeline to both classes. Returns images (N, size, size, 3) uint8
    and labels (N,) float32 (1 = fake). Real rows: LFW first, then photo crops."""
    n_f, n_p, n_l = len(pools.fakes), len(pools.photos), len(pools.lfw)
    n_real = n_p + n_l
    # LFW faces are always low-res (25 px): give photo crops the probability that makes the
    # real class's low-res share equal low_res_fraction, like the fake class's.
    p_photo_low = min(1.0, max(0.0, (low_res_fraction * n_real - n_l) / max(n_p, 1)))
    imgs = np.zeros((n_f + n_real, size, size, 3), dtype=np.uint8)
    labels = np.concatenate([np.ones(n_f), np.zeros(n_real)]).astype(np.float32)

    def finish(img: np.ndarray) -> np.ndarray:
        img = _gray3(img)
        if jpeg and rng.random() < jpeg_prob:
            img = jpeg_reencode(img, int(rng.integers(50, 96)))
        if rng.random() < 0.5:
            img = img[:, ::-1]
        return img

    for i, f in enumerate(pools.fakes):
        if rng.random() < low_res_fraction:
            f = low_res(f, int(rng.integers(20, 33)), size)
        imgs[i] = finish(f)
    for j, face in enumerate(pools.lfw):
        # a random 21..25 px window of the 25 px face, then the shared upsampling path
        s = int(rng.integers(21, 26))
        y, x = int(rng.integers(0, 26 - s)), int(rng.integers(0, 26 - s))
        imgs[n_f + j] = finish(low_res(face[y : y + s, x : x + s], s, size))
    for k, p in enumerate(pools.photos):
        if rng.random() < p_photo_low:
            p = low_res(p, int(rng.integers(20, 33)), size)
        imgs[n_f + n_l + k] = finish(p)
    return imgs, labels


def build_pools(
    n_fake: int,
    n_real: int,
    heldout: bool,
    rng: np.random.Generator,
    gen: Generator,
    size: int,
    lfw_share: float,
    extra: Sequence[np.ndarray] = (),
    extra_share: float = 0.5,
    extra_rng: np.random.Generator | None = None,
) -> Pools:
    """extra: the instructor's photos for this side (train or held-out). Their crops take
    `extra_share` of the real slots that are not LFW faces (at least one crop per photo), in
    place of sample-photo crops, so the classes stay balanced."""
    offset = HELDOUT_SEED_OFFSET if heldout else 0
    fakes = generate_from_seeds(gen, [offset + i for i in range(n_fake)])
    lfw_idx = LFW_HELDOUT if heldout else LFW_TRAIN
    n_lfw = int(round(n_real * lfw_share))
    base = lfw_faces(lfw_idx)
    lfw = base[np.arange(n_lfw) % len(base)]  # each face repeated, re-augmented each time
    slots = n_real - n_lfw
    n_extra = extra_crop_count(n_real, lfw_share, len(extra), extra_share)
    photos = real_photo_crops(HELDOUT_PHOTOS if heldout else TRAIN_PHOTOS, slots - n_extra, rng,
                              size)
    if n_extra:
        photos = np.concatenate([photos, photo_crops(extra, n_extra, extra_rng, size)])
    return Pools(fakes=fakes, photos=photos, lfw=lfw)


