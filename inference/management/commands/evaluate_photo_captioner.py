"""python manage.py evaluate_photo_captioner [--checkpoint FILE] [--json FILE]: measure the
photo captioner on its held-out pictures (inference.ml.photo_captioner.data.heldout_set):
main object named, BLEU-4 and ROUGE-L per language, per group, and every failure."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Measure the photo captioner on held-out pictures; list its failures."

    def add_arguments(self, parser):
        parser.add_argument("--checkpoint", default=None)
        parser.add_argument("--json", dest="json_path", default=None,
                            help="also write the report here")

    def handle(self, *args, checkpoint=None, json_path=None, **options):
        from inference.ml.photo_captioner import data
        from inference.ml.photo_captioner.encoder import encode
        from inference.ml.photo_captioner.evidence import load_photo_captioner
        from inference.ml.photo_captioner.train import evaluate

        model = load_photo_captioner(checkpoint)
        examples = data.heldout_set()
        feats, _ = encode(model.encoder, [ex.image for ex in examples])
        report = evaluate(model.decoder, examples, feats)
        out = self.stdout.write
        out(f"{report['n']} held-out pictures")
        for lang in ("en", "ko"):
            m = report[lang]
            out(f"  {lang}: main object {m['main_object']:.3f}  exact {m['exact']:.3f}  "
                f"BLEU-4 {m['bleu4']:.3f}  ROUGE-L {m['rouge_l']:.3f}")
        for group, g in report["groups"].items():
            out(f"  {group:10s} n={g['n']:3d}  main object en {g['main_object_en']:.3f}  "
                f"ko {g['main_object_ko']:.3f}")
        # A failure: the main object missed, or (weaker) a caption unlike its reference.
        missed = [c for c in report["captions"] if not (c["ok_en"] and c["ok_ko"])]
        inexact = [c for c in report["captions"] if c not in missed and
                   (c["en"] != c["reference_en"] or c["ko"] != c["reference_ko"])]
        for title, rows in (("main object missed", missed), ("caption not exact", inexact)):
            out(f"{len(rows)} {title}:")
            for c in rows:
                out(f"  [{c['group']}] {c['reference_en']!r} -> {c['en']!r} / {c['ko']!r}")
        if json_path:
            with open(json_path, "w", encoding="utf-8") as handle:
                json.dump(report, handle, ensure_ascii=False, indent=2)
            out(f"wrote {json_path}")
