"""'Spot the fake' items: images fixed at start, empty pool handled, graded per image."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from inference.models import PoolImage
from quizzes import qtypes, services
from quizzes.models import Quiz, Slot

pytestmark = pytest.mark.django_db

QT = qtypes.get("spot_the_fake")


def test_recipe_validation():
    with pytest.raises(qtypes.QuestionDataError) as caught:
        QT.validate({"count": 4, "fakes": 4})
    assert caught.value.path == "fakes"
    assert QT.validate({"count": 6, "fakes": 2})["images"] == []


def test_student_view_never_says_which_image_is_fake():
    data = QT.validate({"count": 4, "fakes": 2, "images": [
        {"id": f"img{i}", "fake": i % 2 == 0, "prob": 0.9 if i % 2 == 0 else 0.1}
        for i in range(4)]})
    view = QT.student_view(data, QT.make_layout(data, 3))
    assert "fake" not in str(view) and "prob" not in str(view)
    assert sorted(image["id"] for image in view["images"]) == ["img0", "img1", "img2", "img3"]


def test_partial_credit_per_image():
    data = QT.validate({"count": 4, "fakes": 2, "images": [
        {"id": "a", "fake": True}, {"id": "b", "fake": False}, {"id": "c", "fake": True},
        {"id": "d", "fake": False}]})
    assert QT.grade(data, {"marked": [0, 2]}).fraction == 1.0
    assert QT.grade(data, {"marked": [0]}).fraction == 0.75
    assert QT.grade(data, {"marked": [1, 3]}).fraction == 0.0


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 120, 120)).save(out, format="PNG")
    return out.getvalue()


def fill_pool(generated: int, real: int):
    for kind, n in ((PoolImage.Kind.GENERATED, generated), (PoolImage.Kind.REAL, real)):
        for i in range(n):
            path = default_storage.save(f"pool/test-{kind}-{i}.png", ContentFile(png()))
            PoolImage.objects.create(kind=kind, file=path, source=f"test {i}",
                                     detector_prob=0.8 if kind == "generated" else 0.2)


@pytest.fixture
def spot_quiz(mini_course):
    category = services.category_get_or_create_path(course=mini_course, path=("Spot",))
    spot = services.question_create(course=mini_course, category=category, name="spot",
                                    qtype="spot_the_fake", stem="GAN이 만든 얼굴을 모두 고르세요.",
                                    data={"count": 4, "fakes": 2})
    other = services.question_create(course=mini_course, category=category, name="tf",
                                     qtype="true_false", stem="GAN은 생성 모델이다.",
                                     data={"correct": True})
    quiz = Quiz.objects.create(course=mini_course, slug="spot", title="Spot")
    Slot.objects.create(quiz=quiz, position=1, question=spot)
    Slot.objects.create(quiz=quiz, position=2, question=other)
    return quiz


def test_empty_pool_and_no_worker_the_item_says_so_and_the_quiz_still_grades(
        client, spot_quiz, student):
    # No pool images and no worker process in this test.
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    spot = attempt.responses.get(version__qtype="spot_the_fake")
    assert spot.instance["images"] == [] and float(spot.max_mark) == 0
    client.force_login(student)
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert "will not count" in page or "반영되지" in page or "not ready" in page
    tf = attempt.responses.get(version__qtype="true_false")
    services.response_save(attempt=attempt, slot_id=tf.slot_id, answer={"value": True},
                           base_sequence=0)
    done = services.attempt_submit(attempt=attempt)
    assert float(done.score) == 1.0 and float(done.max_score) == 1.0 and done.percent == 100


def test_images_are_fixed_at_start_and_stay_on_reload(client, spot_quiz, student):
    fill_pool(6, 6)
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    spot = attempt.responses.get(version__qtype="spot_the_fake")
    ids = [image["id"] for image in spot.instance["images"]]
    assert len(ids) == 4 and sum(image["fake"] for image in spot.instance["images"]) == 2
    client.force_login(student)
    first = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    again = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    shown = [i for i in ids if i in first]
    assert len(shown) == 4 and all(i in again for i in ids)
    assert first.index(ids[0]) and [first.index(i) for i in ids] == [again.index(i) for i in ids]
    assert '"fake"' not in first and "detector" not in first
    image_url = reverse("inference:pool-image", args=[ids[0]])
    assert client.get(image_url).status_code == 200


def test_review_shows_truth_and_detector_probability(client, spot_quiz, student):
    fill_pool(6, 6)
    attempt = services.attempt_start(user=student, quiz=spot_quiz)
    spot = attempt.responses.get(version__qtype="spot_the_fake")
    fakes = [i for i, image in enumerate(spot.instance["images"]) if image["fake"]]
    services.response_save(attempt=attempt, slot_id=spot.slot_id, answer={"marked": fakes[:1]},
                           base_sequence=0)
    done = services.attempt_submit(attempt=attempt)
    assert float(done.score) == pytest.approx(0.75)
    client.force_login(student)
    review = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "0.80" in review and "0.20" in review


def test_refill_request_with_the_broker_down_does_not_break_the_start(
        monkeypatch, spot_quiz, student, django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from kombu.exceptions import OperationalError

    from config.celery import app
    from quizzes.models import Attempt

    refused = []

    def refuse(*args, **kwargs):
        refused.append(args)
        raise OperationalError("connection refused")

    monkeypatch.setattr(app, "send_task", refuse)  # the refill is sent by task name
    cache.delete("spot-pool-refill-requested")  # no earlier request holds the next one back
    # The pool is empty, so the start asks for a refill once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_start(user=student, quiz=spot_quiz)
    assert refused, "the start never asked for a refill"
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    spot = attempt.responses.get(version__qtype="spot_the_fake")
    assert spot.instance["images"] == [] and float(spot.max_mark) == 0
    # Nothing was sent, so the next page's start or redraw asks again.
    assert cache.get("spot-pool-refill-requested") is None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_first_attempt_of_a_fresh_install_gets_its_images_once_the_pool_fills(
        celery_worker_process, client, spot_quiz, student):
    """The pool is empty; starting the attempt asks the real worker to fill it. The attempt the
    student already has shows the images as soon as they exist, and the item counts."""
    import time

    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()  # no refill request of an earlier test holds this one back
    assert not PoolImage.objects.exists()
    client.force_login(student)
    started = client.post(reverse("quizzes:start", args=[spot_quiz.course.slug, spot_quiz.slug]))
    assert started.status_code == 302
    attempt = spot_quiz.attempts.get(user=student)
    page_url = reverse("quizzes:attempt", args=[attempt.pk])
    first = client.get(page_url).content.decode()
    assert "not ready" in first or "준비" in first
    deadline = time.monotonic() + 120
    while True:
        page = client.get(page_url).content.decode()  # what the page's own refresh asks for
        if "/pool-images/" in page:
            break
        assert time.monotonic() < deadline, "the attempt never got its images"
        time.sleep(0.5)
    spot = attempt.responses.get(version__qtype="spot_the_fake")
    assert len(spot.instance["images"]) == 4 and float(spot.max_mark) == 1.0
    assert all(image["id"] in page for image in spot.instance["images"])
    api = APIClient()
    api.force_login(student)
    view = next(q for q in api.get(reverse("api-attempt", args=[attempt.pk])).json()["questions"]
                if q["qtype"] == "spot_the_fake")
    assert view["max_mark"] == 1.0 and not view["view"]["unavailable"]
    fakes = {image["id"] for image in spot.instance["images"] if image["fake"]}
    marked = [image["value"] for image in view["view"]["images"] if image["id"] in fakes]
    saved = api.put(reverse("api-response", args=[attempt.pk, spot.slot_id]),
                    {"answer": {"marked": marked}, "sequence": 0}, format="json")
    assert saved.status_code == 200, saved.content
    done = api.post(reverse("api-attempt-submit", args=[attempt.pk])).json()
    attempt.refresh_from_db()
    assert float(attempt.max_score) == 2.0 and float(attempt.score) == 1.0, done


@pytest.mark.django_db(transaction=True)
def test_two_tabs_drawing_the_missing_images_at_once_draw_them_once(spot_quiz, make_user, enrol):
    import threading

    from django.db import connection
    from django.test import Client

    attempts = []
    for n in range(4):  # started on an empty pool
        user = make_user(f"tabs{n}")
        enrol(user, spot_quiz.course, "student")
        attempts.append(services.attempt_start(user=user, quiz=spot_quiz))
    assert all(float(a.max_score) == 1.0 for a in attempts)
    fill_pool(6, 6)
    for attempt in attempts:
        tab_count = 6
        barrier, pages = threading.Barrier(tab_count), []

        def open_tab(attempt=attempt, barrier=barrier, pages=pages):
            tab = Client()
            tab.force_login(attempt.user)
            url = reverse("api-attempt", args=[attempt.pk])
            barrier.wait()
            try:
                pages.append(tab.get(url).status_code)
            finally:
                connection.close()

        tabs = [threading.Thread(target=open_tab) for _ in range(tab_count)]
        for tab in tabs:
            tab.start()
        for tab in tabs:
            tab.join()
        assert pages == [200] * tab_count
        attempt.refresh_from_db()
        spot = attempt.responses.get(version__qtype="spot_the_fake")
        assert len(spot.instance["images"]) == 4 and float(spot.max_mark) == 1.0
        assert float(attempt.max_score) == 2.0, attempt.max_score
