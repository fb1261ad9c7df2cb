"""Retraining the fake detector, web side: the photo ZIP is checked before anything is stored;
only instructors and staff may train; cancel; a run whose worker died is failed, not left
running. (The training itself, through a real worker: test_detector_training_worker.py.)"""

from __future__ import annotations

import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from config.errors import ApplicationError
from inference.models import DetectorTraining
from inference.training.archive import read_photo_archive

from .training_helpers import huge_declared_png, photo, photos_zip

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "photos.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")




def refusal(data: bytes) -> str:
    with pytest.raises(ApplicationError) as caught:
        read_photo_archive(upload(data))
    assert caught.value.code == "invalid_photos"
    return caught.value.message


# --- the ZIP -------------------------------------------------------------------------------------


def test_a_good_zip_becomes_our_own_zip_of_grayscale_pngs():
    extras = {"__MACOSX/photos/._img-000.jpg": b"\x00\x05junk", "photos/.DS_Store": b"junk",
              "deeper/nested/folder/p.webp": photo(100, fmt="WEBP"),
              "copy-of-1.jpg": photo(1), "big.png": photo(101, size=(600, 400), fmt="PNG")}
    archive = read_photo_archive(upload(photos_zip(22, extra=extras)))
    assert archive.count == 24 and archive.duplicates == 1 and archive.skipped == []
    with zipfile.ZipFile(archive.file) as written:
        names = written.namelist()
        assert names == [f"photo-{i:04d}.png" for i in range(1, 25)]
        from PIL import Image

        sizes = []
        for name in names:
            with Image.open(written.open(name)) as image:
                assert image.format == "PNG" and image.mode == "L"
                sizes.append(max(image.size))
        assert max(sizes) == 256  # the 600 px photo was scaled down


def test_zip_slip_and_absolute_names_are_ignored_never_written():
    extras = {"../../evil.jpg": photo(200), "/etc/abs.jpg": photo(201),
              "C:/windows/x.jpg": photo(202)}
    archive = read_photo_archive(upload(photos_zip(20, extra=extras)))
    assert archive.count == 20
    assert sorted(name for name, _why in archive.skipped) == [
        "../../evil.jpg", "/etc/abs.jpg", "C:/windows/x.jpg"]
    assert {why for _name, why in archive.skipped} == {"unsafe path, ignored"}


@pytest.mark.parametrize("entries, expected", [
    ({"notes.txt": b"my photos"}, "notes.txt"),
    ({"fake.jpg": b'<svg xmlns="http://www.w3.org/2000/svg"/>'}, "fake.jpg"),
    ({"bomb.png": huge_declared_png(20000, 20000)}, "bomb.png"),
    ({"broken.jpg": photo(300)[:200]}, "broken.jpg"),
    ({"anim.gif": photo(301, fmt="GIF")}, "anim.gif"),
    ({"tiny.png": photo(302, size=(20, 20), fmt="PNG")}, "tiny.png"),
])
def test_a_bad_photo_refuses_the_upload_naming_the_file(entries, expected):
    message = refusal(photos_zip(24, extra=entries))
    assert expected in message


def test_a_photo_over_the_size_limit_is_named(settings):
    settings.DEMO_MAX_UPLOAD_BYTES = 20_000
    message = refusal(photos_zip(24, extra={"huge.png": photo(400, size=(300, 300), fmt="PNG")
                                            + b"\x00" * 30_000}))
    assert "huge.png" in message and "MB" in message


def test_too_few_too_many_and_too_large(settings):
    assert "19" in refusal(photos_zip(19)) and "20" in refusal(photos_zip(19))
    assert "19" in refusal(photos_zip(19, extra={"again.jpg": photo(0)}))  # 20 files, 19 photos
    settings.DETECTOR_TRAINING_MAX_PHOTOS = 25
    assert "26" in refusal(photos_zip(26))
    settings.DETECTOR_TRAINING_MAX_ZIP_BYTES = 10_000
    assert "MB" in refusal(photos_zip(24))


def test_a_zip_that_unpacks_to_too_much_is_refused_before_reading(settings):
    settings.DETECTOR_TRAINING_MAX_UNZIPPED_BYTES = 50_000
    assert "MB" in refusal(photos_zip(24, extra={"zeros.png": b"\x00" * 60_000}))


def test_not_a_zip_and_encrypted_entries():
    assert "ZIP" in refusal(photo(1))
    data = bytearray(photos_zip(24))
    # set the "encrypted" flag of the first entry in the central directory
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x1
    assert "password" in refusal(bytes(data)) or "암호" in refusal(bytes(data))


# --- the pages -----------------------------------------------------------------------------------


@pytest.fixture
def people(django_user_model, enrol, settings, tmp_path):
    """A course with a student, a TA and an instructor, and a staff member (no passwords:
    the tests log in with force_login, and hashing them would cost most of the test)."""
    from courses.models import Course

    settings.MEDIA_ROOT = str(tmp_path / "media")
    course = Course.objects.create(slug="c1", title="강좌", title_en="Course")
    users = {name: django_user_model.objects.create(username=name, is_staff=name == "staff")
             for name in ("student", "ta", "instructor", "staff")}
    for role in ("student", "ta", "instructor"):
        enrol(users[role], course, role)
    return users


def stored_files() -> list[str]:
    if not default_storage.exists("detector-training"):
        return []
    folders, _ = default_storage.listdir("detector-training")
    return [f"{d}/{f}" for d in folders for f in default_storage.listdir(f"detector-training/{d}")[1]]


def test_students_and_tas_may_not_train(client, people):
    for role in ("student", "ta"):
        client.force_login(people[role])
        assert client.get(reverse("inference:training")).status_code == 403
        response = client.post(reverse("inference:training"), {"photos": upload(photos_zip(20))})
        assert response.status_code == 403
    assert not DetectorTraining.objects.exists() and stored_files() == []


def test_an_instructor_starts_a_run(client, people):
    client.force_login(people["instructor"])
    page = client.get(reverse("inference:training"))
    assert page.status_code == 200 and 'name="photos"' in page.content.decode()
    response = client.post(reverse("inference:training"),
                           {"photos": upload(photos_zip(21, extra={"../x.jpg": photo(99)})),
                            "epochs": "3"})
    run = DetectorTraining.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inference:training-run", args=[run.pk])
    assert run.status == "queued" and run.photo_count == 21 and run.started_by == people["instructor"]
    assert run.params["epochs"] == 3 and run.params["upload"]["skipped_total"] == 1
    with default_storage.open(run.photos_file) as handle:
        assert len(zipfile.ZipFile(handle).namelist()) == 21
    page = client.get(reverse("inference:training-run", args=[run.pk])).content.decode()
    assert "hx-get" in page and "<progress" in page and "../x.jpg" in page
    assert reverse("inference:training-cancel", args=[run.pk]) in page
    # one run at a time
    again = client.post(reverse("inference:training"), {"photos": upload(photos_zip(20))})
    assert again.status_code == 409 and DetectorTraining.objects.count() == 1


@pytest.mark.parametrize("data, epochs, expected", [
    (photos_zip(24, extra={"notes.txt": b"hi"}), "3", "notes.txt"),
    (photos_zip(5), "3", "5"),
    (b"not a zip", "3", "ZIP"),
    (photos_zip(24), "99", "20"),
])
def test_a_refused_upload_says_why_and_stores_nothing(client, people, data, epochs, expected):
    client.force_login(people["staff"])
    response = client.post(reverse("inference:training"), {"photos": upload(data),
                                                           "epochs": epochs})
    assert response.status_code == 400
    assert expected in response.content.decode() and 'role="alert"' in response.content.decode()
    assert not DetectorTraining.objects.exists() and stored_files() == []


def queued_run(user, **fields) -> DetectorTraining:
    defaults = {"params": {"epochs": 1, "n_fake": 64, "n_real": 64, "seed": 0},
                "photos_file": "detector-training/none/photos.zip", "photo_count": 20}
    return DetectorTraining.objects.create(started_by=user, **{**defaults, **fields})


def test_cancel_a_queued_run_and_the_worker_then_does_nothing(client, people):
    from inference.training.worker import detector_training_execute

    run = queued_run(people["instructor"])
    client.force_login(people["instructor"])
    response = client.post(reverse("inference:training-cancel", args=[run.pk]),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "hx-get" not in response.content.decode()
    run.refresh_from_db()
    assert run.status == "cancelled" and run.finished_at
    assert detector_training_execute(run_id=run.pk) == "nothing to do"
    run.refresh_from_db()
    assert run.status == "cancelled"


def test_progress_writes_are_throttled_and_stop_a_cancelled_or_overdue_run(people, settings):
    import time

    from inference.training.worker import ProgressWriter, TrainingCancelled, TrainingTimeout

    run = queued_run(people["instructor"], status="running", heartbeat_at=timezone.now())
    report = ProgressWriter(run.pk, time.monotonic() + 60, interval=30)
    report(0.25, "epoch 1/4 loss 0.5")
    report(0.5, "epoch 2/4 loss 0.4")  # within the interval: not written
    run.refresh_from_db()
    assert (run.progress, run.message) == (0.25, "epoch 1/4 loss 0.5")
    DetectorTraining.objects.filter(pk=run.pk).update(status="cancelled")
    report(0.5, "epoch 2/4 loss 0.4")  # still throttled: nothing asked, nothing raised
    with pytest.raises(TrainingCancelled):
        report(0.5, "saving", force=True)
    with pytest.raises(TrainingTimeout):
        ProgressWriter(run.pk, time.monotonic() - 1, interval=0)(0.1, "x")


def test_a_run_over_its_time_limit_or_with_an_error_fails_with_a_message(people, settings):
    from inference.training import stages
    from inference.training.worker import detector_training_execute

    settings.DETECTOR_TRAINING_TIME_LIMIT_SECONDS = 0
    slow = queued_run(people["instructor"])
    assert detector_training_execute(run_id=slow.pk) == "timed out"
    slow.refresh_from_db()
    assert slow.status == "failed" and slow.message == stages.TIMED_OUT and slow.finished_at
    settings.DETECTOR_TRAINING_TIME_LIMIT_SECONDS = 60
    broken = queued_run(people["instructor"])  # its photos file does not exist
    assert detector_training_execute(run_id=broken.pk) == "failed"
    broken.refresh_from_db()
    assert broken.status == "failed" and broken.message.startswith("Training failed: ")
    assert broken.error


def test_a_run_whose_worker_died_is_failed_by_recovery(client, people, settings):
    from inference.recovery import detector_trainings_recover

    old = timezone.now() - timedelta(seconds=settings.DETECTOR_TRAINING_STALE_SECONDS + 60)
    dead = queued_run(people["instructor"], status="running", heartbeat_at=old, started_at=old)
    alive = queued_run(people["instructor"], status="running", heartbeat_at=timezone.now())
    assert detector_trainings_recover() == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == "failed" and dead.finished_at and "worker" in dead.error
    assert alive.status == "running"
    client.force_login(people["instructor"])
    page = client.get(reverse("inference:training-run", args=[dead.pk]), HTTP_HX_REQUEST="true")
    assert 'role="alert"' in page.content.decode() and "hx-get" not in page.content.decode()


def test_a_stale_run_is_failed_when_its_page_is_polled(client, people, settings):
    old = timezone.now() - timedelta(seconds=settings.DETECTOR_TRAINING_STALE_SECONDS + 60)
    run = queued_run(people["instructor"], status="running", heartbeat_at=old)
    client.force_login(people["instructor"])
    client.get(reverse("inference:training-run", args=[run.pk]), HTTP_HX_REQUEST="true")
    run.refresh_from_db()
    assert run.status == "failed"


def test_activation_switches_version_card_and_cache_key(client, people):
    from django.core.files.base import ContentFile

    from inference.catalog import model_card, model_version
    from inference.ml import CHECKPOINT_DIR
    from inference.services import _cache_key

    shipped = model_version("fake_detector")
    info = {"config": {}, "meta": {"metrics": {"accuracy": 0.5}, "data": {
        "instructor_photos": {"total": 20, "train": 16, "heldout": 4}}}}
    name = default_storage.save("detector-training/1/fake_detector-abc.pt",
                                ContentFile((CHECKPOINT_DIR / "fake_detector.pt").read_bytes()))
    run = queued_run(people["instructor"], status="succeeded", checkpoint_file=name,
                     version="abc123abc123", result=info, finished_at=timezone.now())
    client.force_login(people["instructor"])
    unfinished = queued_run(people["instructor"])
    response = client.post(reverse("inference:training-activate", args=[unfinished.pk]))
    assert response.status_code == 302 and model_version("fake_detector") == shipped
    client.post(reverse("inference:training-activate", args=[run.pk]))
    assert model_version("fake_detector") == "abc123abc123"
    card = model_card("fake_detector")
    assert card["version"] == "abc123abc123" and card["metrics"]["metrics"]["accuracy"] == 0.5
    assert "20" in card["trained_on"]
    assert _cache_key("fake-detect", {"face_seed": 1}, "", model_version("fake_detector")) != \
        _cache_key("fake-detect", {"face_seed": 1}, "", shipped)
    page = client.get(reverse("inference:training-run", args=[run.pk])).content.decode()
    assert reverse("inference:training-shipped") in page
    client.post(reverse("inference:training-shipped"))
    assert model_version("fake_detector") == shipped
    assert model_card("fake_detector")["version"] == shipped


def stored_run(user, pk_hint: str, *, days_ago: float, **fields) -> DetectorTraining:
    """A run with a real photo ZIP and checkpoint in storage, ended `days_ago` days ago."""
    from django.core.files.base import ContentFile

    photos = default_storage.save(f"detector-training/{pk_hint}/photos.zip", ContentFile(b"z"))
    checkpoint = default_storage.save(f"detector-training/{pk_hint}/fake_detector-x.pt",
                                      ContentFile(b"c"))
    fields = {"status": "succeeded", "photos_file": photos, "checkpoint_file": checkpoint,
              "version": f"v{pk_hint}", "finished_at": timezone.now() - timedelta(days=days_ago),
              **fields}
    return queued_run(user, **fields)


def test_old_runs_lose_their_files_but_keep_their_figures(client, people, settings):
    from django.core.management import call_command

    from inference.training.services import detector_trainings_clean

    settings.DETECTOR_TRAINING_KEEP_DAYS = 30
    me = people["instructor"]
    old = stored_run(me, "old", days_ago=40, result={"meta": {"metrics": {"accuracy": 0.9}}})
    old_active = stored_run(me, "active", days_ago=40, active=True)
    old_failed = stored_run(me, "failed", days_ago=40, status="failed", checkpoint_file="")
    recent = stored_run(me, "recent", days_ago=5)
    running = stored_run(me, "running", days_ago=40, status="running", finished_at=None)
    before = set(stored_files())

    assert detector_trainings_clean(dry_run=True) == {"photos": 3, "checkpoints": 1}
    assert set(stored_files()) == before  # a dry run deletes nothing
    call_command("clean_detector_trainings")

    gone = {name.removeprefix("detector-training/") for name in (
        old.photos_file, old.checkpoint_file, old_active.photos_file, old_failed.photos_file)}
    assert set(stored_files()) == before - gone
    for run in (old, old_active, old_failed, recent, running):
        run.refresh_from_db()
    assert (old.photos_file, old.checkpoint_file) == ("", "")
    assert old.result["meta"]["metrics"]["accuracy"] == 0.9  # the figures stay
    assert old_active.checkpoint_file and not old_active.photos_file  # still serving the demos
    assert recent.photos_file and recent.checkpoint_file
    assert running.photos_file and running.checkpoint_file
    # A run without its checkpoint says so and cannot be switched to.
    client.force_login(me)
    page = client.get(reverse("inference:training-run", args=[old.pk])).content.decode()
    assert "사진과 함께 삭제되었습니다" in page  # "… was deleted with its photos …" (ko default)
    assert reverse("inference:training-activate", args=[old.pk]) not in page
    client.post(reverse("inference:training-activate", args=[old.pk]))
    old.refresh_from_db()
    assert not old.active
    assert detector_trainings_clean() == {"photos": 0, "checkpoints": 0}  # nothing left to do


def test_the_clean_up_refuses_a_negative_age():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="--days"):
        call_command("clean_detector_trainings", "--days", "-1")
