"""Command line for (re)training the shipped checkpoints.

    python -m inference.ml.train fake_detector --out inference/checkpoints/fake_detector.pt
    python -m inference.ml.train captioner --out inference/checkpoints/captioner.pt

Defaults are the settings used for the shipped files (see inference/checkpoints/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

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

        meta = train_fake_detector(
            args.out,
            n_fake=args.n_fake,
            n_real=args.n_real,
            epochs=args.epochs,
            seed=args.seed,
            threads=args.threads,
            progress=progress,
        )
        shown = {k: meta[k] for k in ("metrics", "robustness", "n_params", "train_seconds")}
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


if __name__ == "__main__":
    raise SystemExit(main())
