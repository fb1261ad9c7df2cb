"""python manage.py train_photo_captioner [--n N] [--epochs E] [--out FILE]: train the photo
captioner's decoder (the MobileNetV2 encoder stays frozen) and write its checkpoint, with the
held-out report in its meta and sidecar."""

from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Train the photo captioner's decoder on composed pictures; measure it on held-out ones."

    def add_arguments(self, parser):
        parser.add_argument("--n", type=int, default=480, help="training pictures to compose")
        parser.add_argument("--epochs", type=int, default=30)
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--batch-size", type=int, default=256)
        parser.add_argument("--threads", type=int, default=0,
                            help="torch threads (0: torch's default). On a busy machine 1 is "
                                 "faster: threads that wait for each other stall every step")
        parser.add_argument("--out", default=None,
                            help="checkpoint path (default: the shipped "
                                 "inference/checkpoints/photo_captioner.pt)")

    def handle(self, *args, n, epochs, seed, out, batch_size, threads, **options):
        import torch  # the trainer imports torch: only when training

        from inference.ml import CHECKPOINT_DIR
        from inference.ml.photo_captioner import CHECKPOINT_NAME
        from inference.ml.photo_captioner.model import save_checkpoint
        from inference.ml.photo_captioner.train import train_photo_captioner

        if threads:
            torch.set_num_threads(threads)
        path = Path(out) if out else CHECKPOINT_DIR / CHECKPOINT_NAME
        model, meta = train_photo_captioner(
            n_train=n, epochs=epochs, seed=seed, batch_size=batch_size,
            progress=lambda f, m: self.stdout.write(f"[{f:4.0%}] {m}"))
        save_checkpoint(model, meta, path)
        m = meta["metrics"]
        for lang in ("en", "ko"):
            self.stdout.write(f"{lang}: main object {m[lang]['main_object']:.3f}  "
                              f"BLEU-4 {m[lang]['bleu4']:.3f}  ROUGE-L {m[lang]['rouge_l']:.3f}")
        self.stdout.write(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB) in "
                          f"{meta['train_seconds']} s")
