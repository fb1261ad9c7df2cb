"""python manage.py evaluate_detector_ood [--json FILE]: the GAN-face detector's false-positive
rate on real photographs outside its training sources (sizes, JPEG qualities, colour and grey)
and its detection rate on generator faces at other sizes (inference/ml/detector_ood.py)."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure the fake detector on pictures unlike its training data."

    def add_arguments(self, parser):
        parser.add_argument("--json", dest="json_path", default=None,
                            help="also write the report here")
        parser.add_argument("--checkpoint", default=None,
                            help="detector checkpoint (default: the shipped one)")

    def handle(self, *args, json_path: str | None = None, checkpoint=None, **options):
        from inference.ml.dcgan import load_face_generator
        from inference.ml.detector_ood import evaluate_detector_ood
        from inference.ml.fake_detector import load_fake_detector

        report = evaluate_detector_ood(load_fake_detector(checkpoint, device="cpu"),
                                       load_face_generator(device="cpu"))
        out = self.stdout.write
        real = report["real"]
        out(f"Real photos outside training, P(fake) >= {report['threshold']}: false positives")
        out(f"  all {real['all']['called_fake']:.3f} of {real['all']['n']}; photographs only "
            f"{real['photos_only']['called_fake']:.3f} of {real['photos_only']['n']}")
        for key in ("by_size", "by_quality", "by_colour", "by_photo"):
            out(f"  {key}: " + ", ".join(f"{k} {v['called_fake']:.3f}" for k, v in
                                         real[key].items()))
        if "faces" in report:
            out("Generator faces called fake (detection rate) by size: " + ", ".join(
                f"{k}px {v['called_fake']:.3f}" for k, v in report["faces"]["by_size"].items()))
            out(f"  64 px, JPEG 50: {report['faces']['jpeg50_64px']['called_fake']:.3f}")
        out("Highest P(fake) on real photos: " + "; ".join(
            f"{w['photo']} view {w['view']} {w['size']}px jpeg={w['jpeg']} {w['colour']} "
            f"{w['p_fake']:.2f}" for w in report["worst"][:5]))
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(report, handle, indent=2)
            out(f"wrote {json_path}")
