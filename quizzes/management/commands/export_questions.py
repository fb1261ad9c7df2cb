"""python manage.py export_questions --course SLUG --format gift|moodle-xml
[--category PATH] [--quiz SLUG] [--output FILE]

Write a course's questions (the whole bank, a category with its subcategories, or a quiz's
questions) as GIFT or Moodle XML, to FILE or to standard output.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ApplicationError
from courses.models import Course
from quizzes import interchange

from .import_questions import category_by_path


class Command(BaseCommand):
    help = "Export a course's questions as GIFT or Moodle XML."

    def add_arguments(self, parser):
        parser.add_argument("--course", required=True, help="the course slug")
        parser.add_argument("--format", required=True, choices=list(interchange.FORMATS))
        parser.add_argument("--category", default="",
                            help="a category path, e.g. 'Course pack/week01-quiz' "
                                 "(with its subcategories)")
        parser.add_argument("--quiz", default="", help="a quiz slug: its questions, in order")
        parser.add_argument("--output", type=Path, default=None,
                            help="the file to write (default: standard output)")

    def handle(self, *args, course: str, format: str, category: str, quiz: str,
               output: Path | None, **options):
        output = Path(output) if output else None  # call_command(output="…") gives a str
        target = Course.objects.filter(slug=course).first()
        if target is None:
            raise CommandError(f"No course {course!r}.")
        quiz_obj = None
        if quiz:
            quiz_obj = target.quizzes.filter(slug=quiz).first()
            if quiz_obj is None:
                raise CommandError(f"The course {course} has no quiz {quiz!r}.")
        try:
            result = interchange.questions_export(
                course=target, fmt=format, quiz=quiz_obj,
                category=category_by_path(target, category))
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        if output is None:
            self.stdout.write(result.content.decode("utf-8"), ending="")
        else:
            output.write_bytes(result.content)
        for line in result.skipped:
            self.stderr.write(f"not exported: {line}")
        for line in result.warnings:
            self.stderr.write(f"note: {line}")
        if output is not None:
            self.stderr.write(f"{result.count} questions written to {output}")
