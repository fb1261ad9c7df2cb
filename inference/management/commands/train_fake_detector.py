"""python manage.py train_fake_detector [options]: retrain the shipped fake_detector checkpoint.

A thin wrapper over `python -m inference.ml.train fake_detector` (pure PyTorch, no Django), so the
command line and the defaults are the same; `--help` lists the options.
"""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Retrain the fake_detector and write its checkpoint with held-out metrics."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*", help="options of python -m inference.ml.train "
                                                    "fake_detector (e.g. --epochs 4 --out FILE)")

    def run_from_argv(self, argv):
        # Pass every option straight to the trainer's own parser (manage.py train_x --epochs 4).
        from inference.ml.train import main

        raise SystemExit(main(["fake_detector", *argv[2:]]))

    def handle(self, *args, **options):
        from inference.ml.train import main  # imports torch: only when training

        code = main(["fake_detector", *args])
        if code:
            raise CommandError(f"training failed with exit code {code}")
