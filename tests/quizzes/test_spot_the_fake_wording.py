"""Spot the fake in Korean: neutral per-image labels; the review counts the judgements."""

import html
import re

import pytest
from django.urls import reverse

from quizzes import services
from quizzes.models import Quiz, Slot

from .test_spot_the_fake import fill_pool

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_image_quiz(mini_course):
    category = services.category_get_or_create_path(course=mini_course, path=("Spot",))
    spot = services.question_create(course=mini_course, category=category, name="spot",
                                    qtype="spot_the_fake", stem="GAN이 만든 얼굴을 모두 고르세요.",
                                    data={"count": 6, "fakes": 3})
    quiz = Quiz.objects.create(course=mini_course, slug="spot6", title="Spot")
    Slot.objects.create(quiz=quiz, position=1, question=spot)
    fill_pool(6, 6)
    return quiz


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ",
                                                    response.content.decode())))


def test_each_checkbox_asks_instead_of_asserting(client, six_image_quiz, student):
    attempt = services.attempt_start(user=student, quiz=six_image_quiz)
    client.force_login(student)
    page = text_of(client.get(reverse("quizzes:attempt", args=[attempt.pk]),
                              HTTP_ACCEPT_LANGUAGE="ko"))
    assert "생성됨" not in page
    for n in range(1, 7):
        assert f"이미지 {n}: 생성된 이미지로 표시" in page


def test_review_says_how_many_images_the_student_judged_right(client, six_image_quiz, student):
    attempt = services.attempt_start(user=student, quiz=six_image_quiz)
    spot = attempt.responses.get()
    images = spot.instance["images"]
    fakes = [i for i, image in enumerate(images) if image["fake"]]
    reals = [i for i, image in enumerate(images) if not image["fake"]]
    # Two fakes found, one real photo taken for a fake: 2 + 2 of the 6 judged right.
    services.response_save(attempt=attempt, slot_id=spot.slot_id,
                           answer={"marked": fakes[:2] + reals[:1]}, base_sequence=0)
    done = services.attempt_submit(attempt=attempt)
    assert float(done.score) == pytest.approx(4 / 6)
    client.force_login(student)
    review = text_of(client.get(reverse("quizzes:review", args=[attempt.pk]),
                                HTTP_ACCEPT_LANGUAGE="ko"))
    assert "이미지 6장 중 4장을 바르게 판정했습니다" in review
    assert "3 / 6" not in review
