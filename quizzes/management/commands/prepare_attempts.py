"""python manage.py prepare_attempts COURSE QUIZ [--rebuild]

Build now, in this process, the prepared attempt of every student of COURSE who may still start
QUIZ (the worker does the same on publish, after an edit and every five minutes): run it before
a large opening to know the starts will only stamp the time. `--rebuild` discards the prepared
attempts first and draws them all again.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from quizzes.attempt_build import attempts_prepared_discard, quiz_attempts_prepare
from quizzes.models import Attempt


class Command(BaseCommand):
    help = "Build the prepared attempts of a quiz's students now."

    def add_arguments(self, parser):
        parser.add_argument("course", help="the course slug")
        parser.add_argument("quiz", help="the quiz slug")
        parser.add_argument("--rebuild", action="store_true",
                            help="discard the prepared attempts first and draw them again")

    def handle(self, *args, course: str, quiz: str, rebuild: bool, **options):
        target = Course.objects.filter(slug=course).first()
        if target is None:
            raise CommandError(f"No course {course!r}.")
        quiz_obj = target.quizzes.filter(slug=quiz).first()
        if quiz_obj is None:
            raise CommandError(f"No quiz {quiz!r} in course {course!r}.")
        if not quiz_obj.published:
            raise CommandError(f"Quiz {quiz!r} is not published; publish it first "
                               "(its attempts are prepared then).")
        if rebuild:
            attempts_prepared_discard(quiz_ids=[quiz_obj.pk], rebuild=False)
        began = time.perf_counter()
        built = quiz_attempts_prepare(quiz_id=quiz_obj.pk)
        seconds = time.perf_counter() - began
        waiting = Attempt.prepared.filter(quiz=quiz_obj).count()
        self.stdout.write(f"{built} attempts prepared in {seconds:.1f} s; {waiting} students "
                          f"of {course}/{quiz} have one waiting.")
