"""An instructor adds real photos to the course's spot-the-fake pool in a real browser: from the
training page to the course's pool page, a bad file refused with its name, a ZIP added, and the
page has no serious accessibility problem."""

import pytest

from tests.inference.training_helpers import make_zip, photo, photos_zip

from .conftest import shot
from .test_accessibility import axe_violations

pytestmark = pytest.mark.e2e


def test_instructor_adds_real_photos_to_the_pool(page_for, accounts, course, settings,
                                                 tmp_path):
    from django.core.cache import cache

    from inference.models import PoolImage

    settings.MEDIA_ROOT = str(tmp_path / "media")
    # The committed upload asks the worker for the detector's verdicts: no broker message from
    # this test may wait in the queue for the next test's worker.
    cache.set("spot-pool-refill-requested", 1, timeout=120)
    page = page_for("instructor", "instructor-pass", bypass_csp=True)
    page.goto("/demos/training/")
    page.click(f"a[href='/courses/{course.slug}/pool-photos/']")
    page.wait_for_url(f"**/courses/{course.slug}/pool-photos/")
    assert axe_violations(page) == []

    bad = tmp_path / "bad.zip"
    bad.write_bytes(make_zip({"notes.txt": b"not a photo", "p.jpg": photo(1)}))
    page.set_input_files("#pool-photos", str(bad))
    page.click("button.primary")
    error = page.locator("#pool-error")
    error.wait_for()
    assert "notes.txt" in error.inner_text()
    assert not PoolImage.objects.exists()

    good = tmp_path / "photos.zip"
    good.write_bytes(photos_zip(6))
    page.set_input_files("#pool-photos", str(good))
    page.click("button.primary")
    page.locator(".message-success").wait_for()
    assert PoolImage.objects.filter(course=course, kind="real").count() == 6
    shot(page, "pool-photos")
    assert axe_violations(page) == []
