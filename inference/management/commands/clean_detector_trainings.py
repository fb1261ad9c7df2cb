"""Delete old detector training runs' files: `python manage.py clean_detector_trainings`.

Beat runs the same clean-up daily; this is for doing it now, or with another age.
"""

from django.core.management.base import BaseCommand, CommandError

from inference.training.services import detector_trainings_clean


class Command(BaseCommand):
    help = ("Delete the photo ZIPs, and the checkpoints of inactive runs, of detector trainings "
            "that ended more than --days ago (default DETECTOR_TRAINING_KEEP_DAYS). The runs' "
            "metrics stay.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true",
                            help="only say how many files would be deleted")

    def handle(self, *args, days, dry_run, **options):
        if days is not None and days < 0:
            raise CommandError("--days: a number of days, 0 or more.")
        counts = detector_trainings_clean(older_than_days=days, dry_run=dry_run)
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {counts['photos']} photo archive(s) and "
                          f"{counts['checkpoints']} checkpoint(s)")
