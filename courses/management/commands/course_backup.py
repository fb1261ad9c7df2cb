"""python manage.py course_backup SLUG FILE.zip: everything of one course in one file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.backup import course_backup
from courses.models import Course


class Command(BaseCommand):
    help = "Back up a course: content, question bank, quizzes, attempts, grades, demo results."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("output", type=Path)

    def handle(self, *args, slug: str, output: Path, **options):
        course = Course.objects.filter(slug=slug).first()
        if course is None:
            raise CommandError(f"No course {slug!r}. Courses: "
                               f"{', '.join(Course.objects.values_list('slug', flat=True))}")
        output.write_bytes(course_backup(course=course))
        self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({output.stat().st_size} bytes)"))
