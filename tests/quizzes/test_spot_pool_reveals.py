"""Spot-the-fake images whose key a student saw in a review never come back in graded attempts
of the course; the worker keeps enough unseen ones; the statistics count each image's use."""

import io
import random

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from inference.models import PoolImage
from quizzes import services
from quizzes.models import Quiz, Slot

pytestmark = pytest.mark.django_db


def fill_pool(generated: int, real: int) -> None:
    rng = random.Random(7)
    for kind, n in ((PoolImage.Kind.GENERATED, generated), (PoolImage.Kind.REAL, real)):
        for i in range(n):
            out = io.BytesIO()
            Image.new("L", (64, 64), rng.randrange(256)).save(out, format="PNG")
            path = default_storage.save(f"pool/reveal-{kind}-{i}.png", ContentFile(out.getvalue()))
            PoolImage.objects.create(kind=kind, file=path, source=f"test {kind} {i}",
                                     detector_prob=0.9 if kind == "generated" else 0.1)


def spot_quiz(course, slug: str, kind: str, count: int, fakes: int) -> Quiz:
    category = services.category_get_or_create_path(course=course, path=("Spot", slug))
    question = services.question_create(course=course, category=category, name=f"spot-{slug}",
                                        qtype="spot_the_fake", stem="GAN이 만든 얼굴은?",
                                        data={"count": count, "fakes": fakes})
    quiz = Quiz.objects.create(course=course, slug=slug, title=slug, kind=kind)
    Slot.objects.create(quiz=quiz, position=1, question=question)
    return quiz


@pytest.fixture
def quizzes(mini_course):
    return (spot_quiz(mini_course, "practice", Quiz.Kind.PRACTICE, count=2, fakes=1),
            spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=4, fakes=2))


def shown_ids(attempt) -> set[str]:
    return {image["id"] for r in attempt.responses.all() for image in r.instance["images"]}


def practise_and_review(client, api, quiz, student) -> set[str]:
    """Two practice attempts, reviewed on the page and through the API; the ids whose keys
    (generated or real) the student was shown."""
    seen = set()
    client.force_login(student)
    client.post(reverse("quizzes:start", args=[quiz.course.slug, quiz.slug]))
    attempt = quiz.attempts.get(user=student, number=1)
    review = client.post(reverse("quizzes:submit", args=[attempt.pk]), follow=True)
    page = review.content.decode()
    for image_id in shown_ids(attempt):
        assert f"/pool-images/{image_id}.png" in page
    assert "Generated" in page or "생성" in page
    seen |= shown_ids(attempt)
    api.force_login(student)
    started = api.post(reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug])).json()
    submitted = api.post(reverse("api-attempt-submit", args=[started["id"]])).json()
    assert all("fake" in image for image in submitted["questions"][0]["review"]["images"])
    seen |= {image["id"] for image in submitted["questions"][0]["review"]["images"]}
    return seen


def test_images_whose_key_was_reviewed_are_not_drawn_for_graded_attempts(
        client, quizzes, mini_course, make_user, enrol):
    practice, graded = quizzes
    fill_pool(6, 6)
    learner = make_user("learner")
    enrol(learner, mini_course, "student")
    seen = practise_and_review(client, APIClient(), practice, learner)
    assert 2 <= len(seen) <= 4
    for n in range(3):  # other students (and the learner) start the graded quiz
        student = make_user(f"other{n}")
        enrol(student, mini_course, "student")
        api = APIClient()
        api.force_login(student)
        started = api.post(reverse("api-attempt-start", args=[mini_course.slug, graded.slug]))
        assert started.status_code == 201
        images = {image["id"] for image in started.json()["questions"][0]["view"]["images"]}
        assert len(images) == 4 and not images & seen, (images, seen)
    from inference.models import PoolImageReveal

    assert PoolImageReveal.objects.filter(user=learner).count() == len(seen)


def test_a_teacher_looking_at_an_attempt_reveals_nothing(client, quizzes, mini_course,
                                                         make_user, enrol):
    practice, _ = quizzes
    fill_pool(4, 4)
    student, teacher = make_user("s1"), make_user("t1")
    enrol(student, mini_course, "student")
    enrol(teacher, mini_course, "instructor")
    from inference.models import PoolImageReveal

    attempt = services.attempt_start(user=student, quiz=practice)  # still open
    client.force_login(teacher)
    assert client.get(reverse("quizzes:review", args=[attempt.pk])).status_code == 200
    assert not PoolImageReveal.objects.exists()


def test_statistics_count_each_images_use(client, quizzes, mini_course, make_user, enrol):
    practice, _ = quizzes
    fill_pool(6, 6)
    learner, teacher = make_user("learner"), make_user("teacher")
    enrol(learner, mini_course, "student")
    enrol(teacher, mini_course, "instructor")
    practise_and_review(client, APIClient(), practice, learner)
    uses: dict[str, int] = {}
    for attempt in practice.attempts.all():
        for image_id in shown_ids(attempt):
            uses[image_id] = uses.get(image_id, 0) + 1
    api = APIClient()
    api.force_login(teacher)
    stats = api.get(reverse("api-statistics", args=[mini_course.slug, practice.slug])).json()
    rows = {row["key"]: row for row in stats["items"][0]["choices"] if row["key"] != "-"}
    assert {key: row["shown"] for key, row in rows.items()} == uses
    assert all(row["revealed"] == 1 for row in rows.values())
    client.force_login(teacher)
    page = client.get(reverse("quizzes:results", args=[mini_course.slug, practice.slug]))
    text = page.content.decode()
    assert "Shown in attempts" in text or "출제된 횟수" in text


def test_the_worker_keeps_enough_unrevealed_images(settings, quizzes, mini_course, make_user,
                                                   enrol, client):
    from inference.worker.pool_refill import spot_pool_refill

    practice, graded = quizzes
    settings.SPOT_POOL_TARGET = 6
    fill_pool(6, 6)
    learner = make_user("learner")
    enrol(learner, mini_course, "student")
    seen = practise_and_review(client, APIClient(), practice, learner)
    revealed = PoolImage.objects.filter(pk__in=seen)
    added = spot_pool_refill()
    assert added == len(seen)
    unrevealed = PoolImage.objects.filter(reveals__isnull=True)
    assert unrevealed.filter(kind="generated").count() == 6
    assert unrevealed.filter(kind="real").count() == 6
    assert revealed.count() == len(seen)  # kept for practice quizzes


def test_practice_reviews_never_give_the_keys_of_an_open_graded_attempt(mini_course, make_user,
                                                                       enrol):
    """A student's practice and graded attempts never share an image while both are open, in
    either order: practice as often as they like, no review shows a key the graded attempt
    still asks for."""
    fill_pool(3, 3)
    practice = spot_quiz(mini_course, "practice", Quiz.Kind.PRACTICE, count=2, fakes=1)
    graded = spot_quiz(mini_course, "graded", Quiz.Kind.WEEKLY, count=4, fakes=2)
    student = make_user("farmer")
    enrol(student, mini_course, "student")
    client = Client()
    client.force_login(student)

    def start(quiz):
        started = client.post(reverse("api-attempt-start", args=[mini_course.slug, quiz.slug]))
        assert started.status_code in (200, 201), started.content[:300]
        return started.json()

    def shown(body):
        return {image["id"] for image in body["questions"][0]["view"]["images"]}

    # A practice attempt left open, then the graded one: it draws around the practice's images.
    open_practice = start(practice)
    graded_body = start(graded)
    assert len(shown(graded_body)) == 4 and not shown(graded_body) & shown(open_practice)
    keys = {}
    reply = client.post(reverse("api-attempt-submit", args=[open_practice["id"]])).json()
    keys.update({i["id"]: i["fake"] for i in reply["questions"][0]["review"]["images"]})
    # Then practice again and again while the graded attempt is open.
    for _round in range(10):
        body = start(practice)
        assert len(shown(body)) == 2 and not shown(body) & shown(graded_body)
        reply = client.post(reverse("api-attempt-submit", args=[body["id"]])).json()
        keys.update({i["id"]: i["fake"] for i in reply["questions"][0]["review"]["images"]})
    assert keys and not set(keys) & shown(graded_body)
