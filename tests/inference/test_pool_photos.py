"""A course's instructors add real photos to its spot-the-fake pool over HTTP: stored as pool
images of that course (64×64 greyscale, hashed), duplicates skipped and named, a bad upload
refused with its reason and nothing stored; students and TAs get 403; only the course's own
quizzes draw them."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from inference import phash
from inference.models import PoolImage

from .training_helpers import make_zip, photo, photos_zip

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "photos.zip") -> SimpleUploadedFile:
    kind = "application/zip" if name.endswith(".zip") else "image/jpeg"
    return SimpleUploadedFile(name, data, content_type=kind)


@pytest.fixture
def people(django_user_model, enrol, settings, tmp_path):
    from courses.models import Course

    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = Course.objects.create(slug="c1", title="강좌", title_en="Course")
    other = Course.objects.create(slug="c2", title="다른 강좌", title_en="Other")
    users = {name: django_user_model.objects.create(username=name, is_staff=name == "staff")
             for name in ("student", "ta", "instructor", "staff", "other-instructor")}
    for role in ("student", "ta", "instructor"):
        enrol(users[role], course, role)
    enrol(users["other-instructor"], other, "instructor")
    return {"course": course, "other": other, **users}


def pool_files() -> list[str]:
    if not default_storage.exists("pool"):
        return []
    return default_storage.listdir("pool")[1]


def url(course) -> str:
    return reverse("inference:pool-photos", args=[course.slug])


def test_an_instructor_adds_a_zip_of_real_photos_to_the_course_pool(client, people):
    client.force_login(people["instructor"])
    page = client.get(url(people["course"]))
    assert page.status_code == 200 and 'name="photos"' in page.content.decode()
    response = client.post(url(people["course"]), {"photos": upload(photos_zip(5))},
                           follow=True)
    assert response.status_code == 200
    assert "5" in response.content.decode()
    images = PoolImage.objects.filter(course=people["course"])
    assert images.count() == 5 and len(pool_files()) == 5
    for image in images:
        assert image.kind == PoolImage.Kind.REAL and image.active
        assert bytes(image.phash) and len(bytes(image.phash)) == phash.HASH_BYTES
        with default_storage.open(image.file) as handle, Image.open(handle) as stored:
            # like the worker's pool images: nothing in the file tells an upload apart
            assert stored.size == (64, 64) and stored.mode == "RGB"
            red, green, blue = stored.split()
            assert red.tobytes() == green.tobytes() == blue.tobytes()


def test_several_image_files_are_accepted_too(client, people):
    client.force_login(people["staff"])
    files = [upload(photo(40 + i), f"face-{i}.jpg") for i in range(3)]
    response = client.post(url(people["course"]), {"photos": files})
    assert response.status_code == 302
    assert PoolImage.objects.filter(course=people["course"], kind="real").count() == 3


def test_duplicates_of_pool_images_are_skipped_and_named(client, people):
    client.force_login(people["instructor"])
    client.post(url(people["course"]), {"photos": upload(photos_zip(3))})
    # the same photos again, one resized and re-encoded, plus one new photo
    with Image.open(io.BytesIO(photo(1))) as first:
        bigger = io.BytesIO()
        first.resize((144, 176)).save(bigger, format="PNG")
    again = make_zip({"again/img-000.jpg": photo(0), "again/bigger.png": bigger.getvalue(),
                      "again/new.jpg": photo(77)})
    response = client.post(url(people["course"]), {"photos": upload(again)}, follow=True)
    text = response.content.decode()
    assert "again/img-000.jpg" in text and "again/bigger.png" in text
    assert "again/new.jpg" not in text
    assert PoolImage.objects.filter(course=people["course"]).count() == 4
    assert len(pool_files()) == 4


def test_a_photo_whose_key_was_revealed_cannot_come_back_as_a_new_image(client, people):
    """Re-adding a photo students have seen the key of would put that key back into graded
    draws: it matches the retired or revealed row and is skipped."""
    client.force_login(people["instructor"])
    client.post(url(people["course"]), {"photos": upload(photos_zip(1))})
    PoolImage.objects.update(active=False)
    client.post(url(people["course"]), {"photos": upload(photos_zip(1))})
    assert PoolImage.objects.count() == 1


@pytest.mark.parametrize("data, name, expected", [
    (b"not a zip at all", "photos.zip", "ZIP"),
    (photos_zip(3, extra={"notes.txt": b"hi"}), "photos.zip", "notes.txt"),
    (make_zip({"empty/": b""}), "photos.zip", "photos"),
    (b"GIF89a not really", "face.gif", "face.gif"),
])
def test_a_bad_upload_says_why_and_stores_nothing(client, people, data, name, expected):
    client.force_login(people["instructor"])
    response = client.post(url(people["course"]), {"photos": upload(data, name)})
    text = response.content.decode()
    assert response.status_code == 400 and 'role="alert"' in text and expected in text
    assert not PoolImage.objects.exists() and pool_files() == []


def test_students_tas_and_other_instructors_get_403(client, people):
    for who in ("student", "ta", "other-instructor"):
        client.force_login(people[who])
        assert client.get(url(people["course"])).status_code == 403
        response = client.post(url(people["course"]), {"photos": upload(photos_zip(2))})
        assert response.status_code == 403
    assert not PoolImage.objects.exists() and pool_files() == []
    client.logout()
    assert client.get(url(people["course"])).status_code == 302  # to the login page


def test_the_training_page_links_to_the_pool_page_of_each_course_taught(client, people):
    client.force_login(people["instructor"])
    page = client.get(reverse("inference:training")).content.decode()
    assert url(people["course"]) in page and url(people["other"]) not in page


@pytest.mark.django_db(transaction=True)
def test_the_same_photos_uploaded_twice_at_once_are_stored_once(people):
    import threading

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    # Committed uploads ask the worker for the detector's verdicts: no real broker message
    # from this test may wait in the queue for the next test's worker.
    cache.set("spot-pool-refill-requested", 1, timeout=60)
    data = photos_zip(4)
    barrier, codes = threading.Barrier(2), []

    def send(who):
        try:
            client = Client()
            client.force_login(people[who])
            barrier.wait()
            codes.append(client.post(url(people["course"]),
                                     {"photos": upload(data)}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(who,)) for who in ("instructor", "staff")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [302, 302]
    assert PoolImage.objects.filter(course=people["course"]).count() == 4
    assert len(pool_files()) == 4


def test_a_photo_over_the_size_limit_is_named_and_nothing_is_stored(client, people, settings):
    settings.DEMO_MAX_UPLOAD_BYTES = 2000
    client.force_login(people["instructor"])
    big = photo(5, size=(400, 400), fmt="PNG")
    response = client.post(url(people["course"]),
                           {"photos": [upload(photo(6), "small.jpg"), upload(big, "big.png")]})
    assert response.status_code == 400 and "big.png" in response.content.decode()
    assert not PoolImage.objects.exists() and pool_files() == []
