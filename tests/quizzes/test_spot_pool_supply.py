"""Real photos for graded spot-the-fake items: a course's uploaded photos are drawn for that
course only; a graded attempt short of real photos shows fewer real and more generated images
instead of losing the item; the item statistics say how long the course's pool lasts."""

import io
import logging
import random

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from courses.models import Course
from inference.models import PoolImage, PoolImageReveal
from quizzes.models import Quiz

from .test_spot_pool_reveals import spot_quiz

pytestmark = pytest.mark.django_db


def add_images(kind: str, n: int, *, course=None, tag: str = "") -> list[PoolImage]:
    rng = random.Random(f"{kind}{n}{tag}")
    made = []
    for i in range(n):
        out = io.BytesIO()
        Image.new("L", (64, 64), rng.randrange(256)).save(out, format="PNG")
        path = default_storage.save(f"pool/supply-{kind}-{tag}{i}.png",
                                    ContentFile(out.getvalue()))
        made.append(PoolImage.objects.create(kind=kind, file=path, course=course,
                                             source=f"test {kind} {tag}{i}"))
    return made


def start(course, quiz, student) -> dict:
    api = APIClient()
    api.force_login(student)
    started = api.post(reverse("api-attempt-start", args=[course.slug, quiz.slug]))
    assert started.status_code == 201
    return started.json()["questions"][0]


def test_a_courses_uploaded_photos_are_drawn_for_that_course_only(mini_course, make_user,
                                                                   enrol):
    other = Course.objects.create(slug="other", title="다른 강좌", title_en="Other")
    shipped = add_images("real", 1, tag="shipped")
    ours = add_images("real", 2, course=mini_course, tag="ours")
    theirs = add_images("real", 3, course=other, tag="theirs")
    add_images("generated", 8)
    quiz = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=6, fakes=3)
    their_quiz = spot_quiz(other, "graded", Quiz.Kind.WEEKLY, count=6, fakes=3)
    student = make_user("s1")
    enrol(student, mini_course, "student")
    enrol(student, other, "student")
    shown = {image["id"] for image in start(mini_course, quiz, student)["view"]["images"]}
    real_ids = {str(image.pk) for image in shipped + ours}
    assert real_ids <= shown  # the item wants 3 reals: the shipped one and the course's two
    assert not shown & {str(image.pk) for image in theirs}
    shown = {image["id"] for image in start(other, their_quiz, student)["view"]["images"]}
    assert not shown & {str(image.pk) for image in ours}


def test_a_graded_attempt_short_of_real_photos_draws_more_generated_ones(
        mini_course, make_user, enrol, caplog):
    add_images("real", 2)
    add_images("generated", 10)
    quiz = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=6, fakes=3)
    student = make_user("s1")
    enrol(student, mini_course, "student")
    with caplog.at_level(logging.WARNING, logger="inference.pool"):
        question = start(mini_course, quiz, student)
    assert not question["view"]["unavailable"] and len(question["view"]["images"]) == 6
    assert any("2 real" in record.getMessage() for record in caplog.records)  # still logged
    api = APIClient()
    api.force_login(student)
    attempt = quiz.attempts.get(user=student)
    # mark every image as generated: 4 of 6 right, graded image by image like any attempt
    marked = [image["value"] for image in question["view"]["images"]]
    saved = api.put(reverse("api-response", args=[attempt.pk, question["slot_id"]]),
                    {"answer": {"marked": marked}, "sequence": question["sequence"]},
                    format="json")
    assert saved.status_code == 200, saved.json()
    submitted = api.post(reverse("api-attempt-submit", args=[attempt.pk])).json()
    review = submitted["questions"][0]["review"]["images"]
    assert sum(not image["fake"] for image in review) == 2
    assert sum(image["fake"] for image in review) == 4
    attempt.refresh_from_db()
    assert attempt.max_score == 1 and float(attempt.score) == pytest.approx(4 / 6, abs=0.01)


def test_with_no_real_photo_left_the_item_still_waits(mini_course, make_user, enrol):
    """At least one real photo: a grid of only generated faces is not the item authored."""
    add_images("generated", 10)
    quiz = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=6, fakes=3)
    student = make_user("s1")
    enrol(student, mini_course, "student")
    assert start(mini_course, quiz, student)["view"]["unavailable"]


def test_the_item_statistics_say_how_long_the_pool_lasts(client, mini_course, make_user, enrol):
    reals = add_images("real", 7)
    add_images("real", 2, course=mini_course, tag="ours")
    generated = add_images("generated", 30)
    quiz = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=6, fakes=3)
    teacher = make_user("teacher")
    enrol(teacher, mini_course, "instructor")
    students = [make_user(f"s{i}") for i in range(2)]
    for student in students:
        enrol(student, mini_course, "student")
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=[mini_course.slug, quiz.slug]))
    text = page.content.decode()
    # 9 unrevealed reals at 3 per attempt: 3 attempts, more than the 2 students
    assert "실제 사진 9장과 생성 얼굴 30장" in text  # the site speaks Korean by default
    assert "앞으로 3번의 응시" in text and "⚠" not in text
    assert reverse("inference:pool-photos", args=[mini_course.slug]) in text
    for image in reals[:4] + generated[:1]:
        PoolImageReveal.objects.create(image=image, course=mini_course, user=students[0])
    for n in range(2, 5):
        enrol(make_user(f"s{n}"), mini_course, "student")
    text = client.get(reverse("quizzes:results", args=[mini_course.slug, quiz.slug])
                      ).content.decode()
    assert "실제 사진 5장과 생성 얼굴 29장" in text and "앞으로 1번의 응시" in text
    assert "⚠" in text and "학생 수(5명)" in text


def test_the_worker_tops_up_the_shared_real_photos_whatever_a_course_uploaded(
        settings, mini_course):
    """A course's uploads serve that course only: they must not stop the worker adding the
    shipped photos every other course draws from. It adds the detector's verdict to them."""
    from inference.worker.pool_refill import spot_pool_refill

    settings.SPOT_POOL_TARGET = 4
    ours = add_images("real", 4, course=mini_course, tag="ours")
    add_images("generated", 4)
    spot_pool_refill()
    assert PoolImage.objects.filter(kind="real", course=None).count() == 4
    for image in ours:
        image.refresh_from_db()
        assert image.detector_prob is not None and 0 <= image.detector_prob <= 1
