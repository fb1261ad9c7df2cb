"""python manage.py load_course_pack content/<course>: load or update a course pack atomically."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.pack import PackError
from courses.services import course_pack_load


class Command(BaseCommand):
    help = "Load or update a course pack (course.yaml, lessons, quizzes). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the pack folder, e.g. content/genai-intro")
        parser.add_argument("-v2", "--details", action="store_true",
                            help="list every created / updated / deleted item")

    def handle(self, *args, path: Path, details: bool = False, **options):
        try:
            report = course_pack_load(path=path)
        except PackError as exc:
            lines = [f"  {problem}" for problem in exc.problems]
            raise CommandError(
                f"The course pack at {path} has {len(exc.problems)} problem(s); nothing was "
                "changed:\n" + "\n".join(lines)
            ) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
        if details:
            for kind in ("created", "updated", "deleted"):
                for item in getattr(report, kind):
                    self.stdout.write(f"  {kind}: {item}")
