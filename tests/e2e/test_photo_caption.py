"""A student uploads a photo to the caption demo and reads its caption with attention maps."""

import pytest
from PIL import Image
from skimage import data

from .conftest import shot

pytestmark = [pytest.mark.e2e, pytest.mark.worker]


def test_an_uploaded_photo_gets_a_caption_with_its_attention_maps(page_for, accounts,
                                                                  celery_worker_process,
                                                                  tmp_path):
    photo = tmp_path / "my-cat.jpg"
    Image.fromarray(data.chelsea()).save(photo, quality=90)
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    url = page.url
    page.set_input_files("#caption-image", str(photo))
    page.select_option("#caption-lang", "en")
    page.click("#caption-h ~ form button[type=submit]")
    caption = page.locator("#caption-result .caption-text")
    caption.wait_for(timeout=120_000)
    text = caption.inner_text().strip()
    assert "cat" in text, text
    maps = page.locator("#caption-result .image-strip figure")
    # the picture itself, then one map per word, each captioned with its word
    assert maps.count() == 1 + len(text.replace(",", " ,").split())
    assert page.locator("#caption-result img[alt*='cat']").count() >= 1
    assert page.locator("#caption-result .imagenet-labels").inner_text().strip()
    assert page.url == url  # no navigation
    shot(page, "demo-photo-caption")


def test_a_sample_photo_example_is_captioned_in_korean(page_for, accounts,
                                                       celery_worker_process):
    page = page_for("student", "student-pass")
    page.goto("/demos/")
    page.locator("#caption-h ~ .demo-examples button:has-text('sample=coffee')").click()
    caption = page.locator("#caption-result .caption-text")
    caption.wait_for(timeout=120_000)
    assert "커피잔" in caption.inner_text(), caption.inner_text()
