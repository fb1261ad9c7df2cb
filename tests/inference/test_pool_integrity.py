"""The fake detector demo never judges a spot-the-fake pool image, however it is sent.

A student with an open attempt reads the item's images from /pool-images/ and sends them, or a
re-encoded, resized, cropped or mirrored copy, to every demo path that runs the detector; other
pictures keep getting their verdict.
"""

import io

import numpy as np
import pytest
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from inference.models import DemoJob, PoolImage
from quizzes import services
from quizzes.models import Quiz, Slot

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def generator():
    from inference.ml.dcgan import load_face_generator

    return load_face_generator(device="cpu")


@pytest.fixture
def real_pool(settings):
    """The pool as the worker fills it: faces of the course's GAN and real photographs."""
    from inference.worker.pool_refill import spot_pool_refill

    settings.SPOT_POOL_TARGET = 8
    assert spot_pool_refill() == 16
    return PoolImage.objects.all()


@pytest.fixture
def spot_quiz(mini_course):
    category = services.category_get_or_create_path(course=mini_course, path=("Spot",))
    spot = services.question_create(course=mini_course, category=category, name="spot",
                                    qtype="spot_the_fake", stem="GAN이 만든 얼굴을 모두 고르세요.",
                                    data={"count": 6, "fakes": 3})
    quiz = Quiz.objects.create(course=mini_course, slug="spot", title="Spot")
    Slot.objects.create(quiz=quiz, position=1, question=spot)
    return quiz


@pytest.fixture
def student(make_user, mini_course, enrol):
    user = make_user("stu")
    enrol(user, mini_course, "student")
    return user


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def attempt_images(client, quiz) -> list[bytes]:
    """Start an attempt over the API and download the item's images as the page would."""
    started = client.post(reverse("api-attempt-start", args=[quiz.course.slug, quiz.slug]))
    assert started.status_code == 201, started.content
    view = started.json()["questions"][0]["view"]
    assert len(view["images"]) == 6
    images = []
    for image in view["images"]:
        response = client.get(reverse("inference:pool-image", args=[image["id"]]))
        assert response.status_code == 200
        images.append(b"".join(response.streaming_content))
    return images


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format=fmt, **options)
    return out.getvalue()


def disguises(png: bytes) -> dict[str, bytes]:
    """What a student does to a picture so that a byte comparison no longer finds it."""
    image = Image.open(io.BytesIO(png))
    w, h = image.size

    def crop(left, top, right, bottom):
        return image.crop((round(left * w), round(top * h), w - round(right * w),
                           h - round(bottom * h)))

    return {
        "as is": png,
        "jpeg q90": encoded(image, "JPEG", quality=90),
        "resized 100 px": encoded(image.resize((100, 100), Image.BICUBIC)),
        "resized 48 px, jpeg": encoded(image.resize((48, 48), Image.BILINEAR), "JPEG",
                                       quality=90),
        "crop 4 % centred": encoded(crop(0.02, 0.02, 0.02, 0.02)),
        "crop 8 % top left": encoded(crop(0.08, 0.08, 0, 0)),
        "crop 6 % right, 4 % bottom, jpeg": encoded(crop(0, 0, 0.06, 0.04), "JPEG", quality=90),
        "crop 8 %, resized 200 px, jpeg": encoded(
            crop(0.03, 0.05, 0.05, 0.03).resize((200, 200), Image.BICUBIC), "JPEG", quality=90),
        "mirrored": encoded(image.transpose(Image.FLIP_LEFT_RIGHT)),
    }


def upload(data: bytes, name: str = "face.jpg"):
    file = io.BytesIO(data)
    file.name = name
    return file


def post_api(client, data: bytes):
    return client.post(reverse("api-demo-create"), {"kind": "fake-detect", "image": upload(data)},
                       format="multipart")


def post_page(client, data: bytes, **extra):
    return client.post(reverse("inference:create"),
                       {"kind": "fake-detect", "image": upload(data), **extra},
                       HTTP_HX_REQUEST="true")


def test_attempt_images_get_no_verdict_from_the_detector(real_pool, spot_quiz, student,
                                                        make_user, client):
    images = attempt_images(api_client(student), spot_quiz)
    stranger = make_user("someone-else")  # another account, not even in the course
    page_client = client
    page_client.force_login(student)
    for index, png in enumerate(images):
        for how, data in disguises(png).items():
            for who in (student, stranger):
                refused = post_api(api_client(who), data)
                assert refused.status_code == 403, (index, how, refused.content)
                assert refused.json()["error"]["code"] == "quiz_image"
        # The demo page and the lesson widgets post here (a widget adds its course and lesson).
        for data in (png, disguises(png)["crop 8 % top left"]):
            refused = post_page(page_client, data, course=spot_quiz.course.slug)
            assert refused.status_code == 403
            text = refused.content.decode()
            assert "spot the fake" in text or "가짜 찾기" in text
    assert not DemoJob.objects.exists()


def test_the_face_a_pool_image_was_made_from_is_refused_by_seed(real_pool, student):
    seed = int(real_pool.filter(kind="generated").first().source.removeprefix("seed:"))
    refused = api_client(student).post(reverse("api-demo-create"), {
        "kind": "fake-detect", "params": {"face_seed": seed}}, format="json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "quiz_image"


def test_a_stored_verdict_on_a_picture_that_joined_the_pool_is_not_handed_out(
        real_pool, student, generator):
    """A verdict given before the picture became a quiz image is not served from the cache."""
    from inference.ml.dcgan import generate_from_seeds

    face = Image.fromarray(generate_from_seeds(generator, [424242])[0]).convert("L")
    png = encoded(face)
    client = api_client(student)
    first = post_api(client, png)
    assert first.status_code == 202
    DemoJob.objects.filter(pk=first.json()["id"]).update(
        status=DemoJob.Status.SUCCEEDED, result={"probability": 0.99, "label": "fake"})
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    PoolImage.objects.create(kind="generated", source="seed:424242", file=default_storage.save(
        "pool/late.png", ContentFile(png)))
    again = post_api(client, png)
    assert again.status_code == 403 and again.json()["error"]["code"] == "quiz_image"
    assert DemoJob.objects.count() == 1


def test_the_detector_still_judges_other_pictures(real_pool, student, generator, client):
    from inference.ml.dcgan import generate_from_seeds

    pool_seeds = {int(s.removeprefix("seed:")) for s in
                  real_pool.filter(kind="generated").values_list("source", flat=True)}
    seeds = [s for s in range(5000, 5020) if s not in pool_seeds][:12]
    accepted = 0
    api = api_client(student)
    for face in generate_from_seeds(generator, seeds):
        grey = Image.fromarray(face).convert("L")  # shown as the pool shows its faces
        for data in (encoded(Image.fromarray(face)), encoded(grey, "JPEG", quality=90)):
            DemoJob.objects.all().delete()  # (the in-flight limit)
            response = post_api(api, data)
            assert response.status_code == 202, response.content
            accepted += 1
    assert accepted == 24
    for params in ({"sample": "astronaut"}, {"face_seed": seeds[0]}):
        DemoJob.objects.all().delete()
        response = api.post(reverse("api-demo-create"), {"kind": "fake-detect", "params": params},
                            format="json")
        assert response.status_code == 202, (params, response.content)
    client.force_login(student)
    DemoJob.objects.all().delete()
    photo = np.random.default_rng(3).integers(0, 255, (80, 100, 3), dtype=np.uint8)
    assert post_page(client, encoded(Image.fromarray(photo), "JPEG")).status_code == 200


def test_a_retired_image_is_refused_while_an_open_attempt_shows_it(real_pool, spot_quiz,
                                                                   student):
    api = api_client(student)
    images = attempt_images(api, spot_quiz)
    attempt = spot_quiz.attempts.get(user=student)
    shown = [image["id"] for image in attempt.responses.get().instance["images"]]
    PoolImage.objects.filter(pk__in=shown).update(active=False)  # retired from new draws
    crop = disguises(images[0])["crop 6 % right, 4 % bottom, jpeg"]
    refused = post_api(api, crop)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "quiz_image"
    assert api.post(reverse("api-attempt-submit", args=[attempt.pk])).status_code == 200
    judged = post_api(api, crop)  # no open attempt shows it, and no attempt can draw it
    assert judged.status_code == 202, judged.content
