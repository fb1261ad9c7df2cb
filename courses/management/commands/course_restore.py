"""python manage.py course_restore FILE.zip: load a course backup into this database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ApplicationError
from courses.backup import course_restore


class Command(BaseCommand):
    help = "Restore a course backup made by course_backup (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            manifest = course_restore(archive=archive.read_bytes())
        except (ApplicationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"Restored {manifest['course']}: {manifest['objects']} rows, "
            f"{len(manifest['files'])} files"))
