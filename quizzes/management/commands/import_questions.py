"""python manage.py import_questions FILE --course SLUG [--format gift|moodle-xml]

Import a GIFT or Moodle XML file into a course's question bank, all or nothing, and print what
was created, updated, left unchanged and skipped (each skip with its reason).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.errors import ApplicationError
from courses.models import Course
from quizzes import interchange
from quizzes.models import Category


def category_by_path(course: Course, path: str) -> Category | None:
    parent = None
    for name in [p.strip() for p in (path or "").split("/") if p.strip()]:
        parent = Category.objects.filter(course=course, parent=parent, name=name).first()
        if parent is None:
            raise CommandError(f"The course {course.slug} has no category {path!r}.")
    return parent


class Command(BaseCommand):
    help = "Import GIFT or Moodle XML questions into a course's question bank. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .gift/.txt or .xml file")
        parser.add_argument("--course", required=True, help="the course slug")
        parser.add_argument("--format", choices=list(interchange.FORMATS), default=None,
                            help="default: from the file name, else from its content")
        parser.add_argument("--category", default="",
                            help="nest the file's categories inside this category path")
        parser.add_argument("--quiz", default="", help="also add the questions to this quiz")

    def handle(self, *args, file: Path, course: str, format: str | None, category: str,
               quiz: str, **options):
        file = Path(file)
        target = Course.objects.filter(slug=course).first()
        if target is None:
            raise CommandError(f"No course {course!r}.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        limit = interchange.max_import_bytes()
        if file.stat().st_size > limit:
            raise CommandError(f"{file} is {file.stat().st_size:,} bytes; the limit is "
                               f"{limit:,} bytes (QUESTION_IMPORT_MAX_BYTES).")
        quiz_obj = None
        if quiz:
            quiz_obj = target.quizzes.filter(slug=quiz).first()
            if quiz_obj is None:
                raise CommandError(f"The course {course} has no quiz {quiz!r}.")
        try:
            report = interchange.questions_import(
                course=target, content=file.read_bytes(), fmt=format, filename=file.name,
                parent=category_by_path(target, category), quiz=quiz_obj)
        except ApplicationError as exc:
            raise CommandError(f"{file}: {exc.message}") from None
        lines = report.lines()
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
