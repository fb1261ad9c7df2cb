"""Command line for (re)training the shipped checkpoints.

    python -m inference.ml.train fake_detector --out inference/checkpoints/fake_detector.pt
    python -m inference.ml.train captioner --out inference/checkpoints/captioner.pt

Defaults are the settings used for the shipped files (see inference/checkpoints/README.md).
Add your own real photos to the detector's real class (e.g. CelebA on a GPU node) with
`--real-photos DIR`; the web page /demos/training/ does the same from an uploaded ZIP.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from . import CHECKPOINT_DIR


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m inference.ml.train")
    sub = ap.add_subparsers(dest="model", required=True)
    d = sub.add_parser("fake_detector")
    d.add_argument("--out", default=str(CHECKPOINT_DIR / "fake_detector.pt"))
    d.add_argument("--n-fake", type=int, default=4000)
    d.add_argument("--n-real", type=int, default=4000)
    d.add_argument("--epochs", type=int, default=8)
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--real-photos", metavar="DIR",
                   help="a folder of your own real photos (JPEG/PNG/WebP, searched recursively) "
                   "added to the real class; 20%% of them are held out, whole photos")
    d.add_argument("--max-real-photos", type=int, default=5000,
                   help="use a random subset of at most this many (memory)")
    c = sub.add_parser("captioner")
    c.add_argument("--out", default=str(CHECKPOINT_DIR / "captioner.pt"))
    c.add_argument("--n-train", type=int, default=16000)
    c.add_argument("--epochs", type=int, default=3)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--lang", default="both", choices=["en", "ko", "both"])
    for p in (d, c):
        p.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)

    t0 = time.time()

    def progress(frac: float, msg: str) -> None:
        print(f"[{time.time() - t0:7.1f}s {frac:6.1%}] {msg}", file=sys.stderr, flush=True)

    if args.model == "fake_detector":
        from .fake_detector import train_fake_detector

        photos = None
        if args.real_photos:
            photos = load_photo_folder(args.real_photos, args.max_real_photos, args.seed)
            progress(0.0, f"{len(photos)} photos from {args.real_photos}")
        meta = train_fake_detector(
            args.out,
            n_fake=args.n_fake,
            n_real=args.n_real,
            epochs=args.epochs,
            seed=args.seed,
            threads=args.threads,
            progress=progress,
            extra_real=photos,
        )
        keys = ("metrics", "instructor_heldout", "robustness", "n_params", "train_seconds")
        shown = {k: meta[k] for k in keys if k in meta}
    else:
        from .captioner import train_captioner

        meta = train_captioner(
            args.out,
            n_train=args.n_train,
            epochs=args.epochs,
            seed=args.seed,
            lang=args.lang,
            threads=args.threads,
            progress=progress,
        )
        shown = {k: meta[k] for k in ("metrics", "n_params", "train_seconds")}
    print(json.dumps(shown, indent=2, ensure_ascii=False))
    return 0


def load_photo_folder(folder: str, limit: int, seed: int) -> list:
    """Grayscale photos (at most 256 px a side, as the web upload stores them) from a folder."""
    import numpy as np
    from PIL import Image

    paths = sorted(p for p in Path(folder).rglob("*")
                   if p.suffix.lower() in {".jpg", ".jpeg", ".png", ".webp"})
    if len(paths) < 2:
        raise SystemExit(f"{folder}: found {len(paths)} JPEG/PNG/WebP photos; need at least 2")
    if len(paths) > limit:
        keep = np.random.default_rng(seed).choice(len(paths), limit, replace=False)
        paths = [paths[i] for i in sorted(keep)]
    photos = []
    for path in paths:
        try:
            with Image.open(path) as image:
                gray = image.convert("L")
        except OSError as exc:
            raise SystemExit(f"{path}: not a photo we can read ({exc}); remove it") from None
        gray.thumbnail((256, 256), Image.Resampling.LANCZOS)
        photos.append(np.asarray(gray))
    return photos


if __name__ == "__main__":
    raise SystemExit(main())
