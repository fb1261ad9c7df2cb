"""A small world for the access tests: two courses, every role, and one real object of each kind
a URL can name (a lesson, a quiz, an attempt, a question, a dispute, a demo job, an image…)."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image


@dataclass
class World:
    course: object
    other_course: object
    users: dict  # role -> user (no "anon")
    lesson: object
    quiz: object
    essay_quiz: object
    attempt: object  # the student's open attempt at the week-1 quiz
    submitted_attempt: object  # the student's submitted attempt at the essay quiz
    response: object  # a response of `submitted_attempt` (disputes are about submitted answers)
    open_response: object  # a response of `attempt`
    question: object  # a week-1 quiz question of the course
    dispute: object
    category: object
    slot: object  # a slot of the week-1 quiz
    question_file: object  # a file embedded in a question version the student was given
    job: object  # the student's finished demo job in the course
    pool_image: object
    extra: dict = field(default_factory=dict)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def world(db, settings, tmp_path, mini_course, make_user, enrol) -> World:
    from courses.models import Course
    from inference.models import DemoJob, DetectorTraining, PoolImage
    from quizzes import services
    from quizzes.models import Category, Dispute, QuestionFile, Quiz, QuizOverride

    settings.MEDIA_ROOT = str(tmp_path / "media")
    other = Course.objects.create(slug="other", title="다른 강좌", title_en="Other course")
    users = {
        "outsider": make_user("outsider"),
        "student": make_user("student1"),
        "ta": make_user("ta1"),
        "other_instructor": make_user("other-instructor"),
        "instructor": make_user("instructor1"),
        "staff": make_user("staff1", is_staff=True),
    }
    enrol(users["student"], mini_course, "student")
    enrol(users["ta"], mini_course, "ta")
    enrol(users["instructor"], mini_course, "instructor")
    enrol(users["other_instructor"], other, "instructor")

    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    essay = Quiz.objects.get(course=mini_course, slug="essay-quiz")
    slot = quiz.slots.select_related("question").order_by("position").first()
    question = slot.question
    # A file in the version the student is about to be given.
    version = question.latest_version()
    question_file = QuestionFile.objects.create(version=version, name="diagram.png",
                                                content=_png(), content_type="image/png")
    # The stem shows it (a student may read a file only when what they see refers to it).
    version.stem += "\n\n![diagram](@@PLUGINFILE@@/diagram.png)"
    version.save(update_fields=["stem"])

    submitted = services.attempt_start(user=users["student"], quiz=essay)
    response = submitted.responses.filter(version__qtype="essay").first()
    # Answered, so that it awaits a grader (quizzes:grading).
    services.response_save(attempt=submitted, slot_id=response.slot_id,
                           answer={"text": "GAN은 생성자와 판별자가 경쟁합니다."}, base_sequence=0)
    services.attempt_submit(attempt=submitted)
    response.refresh_from_db()
    dispute = Dispute.objects.create(response=response, question=response.version.question,
                                     quiz=essay, student=users["student"], comment="채점 확인")
    attempt = services.attempt_start(user=users["student"], quiz=quiz)
    open_response = attempt.responses.get(slot=slot)
    assert open_response.version_id == version.pk

    result_name = default_storage.save(f"demos/{uuid.uuid4()}/face-0.png", ContentFile(_png()))
    now = timezone.now()
    job = DemoJob.objects.create(
        kind="face-generate", user=users["student"], course=mini_course, params={"seed": 1},
        cache_key="security-test", status=DemoJob.Status.SUCCEEDED, progress=1.0,
        result={"files": {"face-0.png": result_name}, "faces": [{"seed": 1}]},
        model_name="face_generator", model_version="test", started_at=now, finished_at=now,
        expires_at=now + timedelta(minutes=5))
    pool_name = default_storage.save("pool/real-1.png", ContentFile(_png()))
    pool_image = PoolImage.objects.create(kind=PoolImage.Kind.REAL, file=pool_name,
                                          source="test", course=mini_course)
    # A finished detector training run (the checkpoint file is never read by the pages).
    training_run = DetectorTraining.objects.create(
        started_by=users["instructor"], status=DetectorTraining.Status.SUCCEEDED, progress=1.0,
        params={"epochs": 1, "n_fake": 64, "n_real": 64}, photos_file="detector-training/x.zip",
        photo_count=20, result={"config": {}, "meta": {"metrics": {"accuracy": 0.9}}},
        checkpoint_file="detector-training/x.pt", version="securitytest", finished_at=now)
    category = Category.objects.filter(course=mini_course).order_by("pk").first()
    # A second student, whose enrolment the participants page changes and removes.
    extra_student = make_user("student2")
    enrollment = enrol(extra_student, mini_course, "student")
    quiz_override = QuizOverride.objects.create(quiz=essay, user=users["student"],
                                                attempts_allowed=3)
    return World(course=mini_course, other_course=other, users=users,
                 lesson=mini_course.lessons.get(slug="intro"), quiz=quiz, essay_quiz=essay,
                 attempt=attempt, submitted_attempt=submitted, response=response,
                 open_response=open_response, question=question, dispute=dispute,
                 category=category, slot=slot, question_file=question_file, job=job,
                 pool_image=pool_image, extra={"job_file": "face-0.png",
                                                       "training_run": training_run,
                                                       "quiz_override": quiz_override,
                                                       "enrollment": enrollment})
