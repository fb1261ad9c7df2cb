"""Prepare a local installation: load every pack under content/ and create demo accounts.

Idempotent: running it again updates the packs and leaves the accounts as they are. For a real
deployment, load packs with load_course_pack and create accounts with createsuperuser instead.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from courses.models import Course, Enrollment
from courses.services import enrollment_create

DEMO_ACCOUNTS = [
    # (username, password, role, is_staff)
    ("instructor", "instructor-pass", Enrollment.Role.INSTRUCTOR, True),
    ("student", "student-pass", Enrollment.Role.STUDENT, False),
]


class Command(BaseCommand):
    help = "Load the course packs in content/ and create the demo instructor and student."

    def add_arguments(self, parser):
        parser.add_argument("--content", type=Path, default=settings.BASE_DIR / "content")

    def handle(self, *args, content: Path, **options):
        for pack in sorted(p.parent for p in content.glob("*/course.yaml")):
            call_command("load_course_pack", str(pack), stdout=self.stdout)
        from inference.pool import request_refill
        from quizzes.models import QuestionVersion

        if QuestionVersion.objects.filter(qtype="spot_the_fake").exists():
            # The worker `make run` starts next fills the pool before anyone starts a quiz (an
            # attempt that still finds it short draws its images later: attempt_images_redraw).
            request_refill()
        User = get_user_model()
        for username, password, role, is_staff in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username,
                                                       defaults={"is_staff": is_staff})
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
            for course in Course.objects.all():
                enrollment_create(user=user, course=course, role=role)
        self.stdout.write(self.style.SUCCESS(
            "Accounts: instructor / instructor-pass (instructor, staff), "
            "student / student-pass (student)"))
