"""Hostile and broken uploads are refused with a message before anything reaches a model."""

import io

import pytest
from django.utils import translation
from PIL import Image

from config.errors import ApplicationError
from inference.images import read_upload

from .training_helpers import huge_declared_png


def encoded(fmt: str, size=(32, 32), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 10, 10) if mode == "RGB" else 128).save(out, format=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_allowed_formats_are_reencoded_as_png(fmt):
    png, digest = read_upload(encoded(fmt))
    assert png.startswith(b"\x89PNG") and len(digest) == 64
    assert Image.open(io.BytesIO(png)).mode == "RGB"




@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (huge_declared_png(20000, 20000), "pixels"),
    (encoded("PNG")[:60], "damaged"),
    (b"GIF89a" + encoded("GIF")[6:], "GIF"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "read"),
    (b"%PDF-1.4\n" + encoded("PNG"), "read"),  # a polyglot: PDF header, PNG body
    (encoded("BMP"), "BMP"),
    (b"\x00" * 100, "read"),
])
def test_hostile_images_are_refused_with_a_reason(data, reason, settings):
    with pytest.raises(ApplicationError) as caught:
        read_upload(data)
    assert caught.value.code == "invalid_image"
    message = caught.value.message
    assert message and ("JPEG" in message or "MB" in message or "pixel" in message
                        or "damaged" in message or "손상" in message or "픽셀" in message
                        or "비어" in message)


def test_file_over_the_byte_limit_is_refused(settings):
    settings.DEMO_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ApplicationError) as caught:
        read_upload(encoded("PNG", size=(200, 200)) + b"\x00" * 2000)
    assert "MB" in caught.value.message


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (10000, 10000)])
def test_an_image_past_pillows_own_pixel_limit_is_refused_as_too_large(width, height):
    """Pillow refuses these at open (an error past 179 million pixels, a warning past 89
    million, which we raise): the student is told the picture is too large, not unreadable."""
    for language, too_large, unreadable in (("en", "million pixels", "not an image"),
                                            ("ko", "백만 픽셀보다 큽니다", "읽을 수 있는")):
        with translation.override(language), pytest.raises(ApplicationError) as caught:
            read_upload(huge_declared_png(width, height))
        assert caught.value.code == "invalid_image"
        assert too_large in caught.value.message, caught.value.message
        assert unreadable not in caught.value.message


@pytest.mark.parametrize(("size", "kept"), [((4000, 3000), (1182, 886)), ((1024, 1024), None),
                                            ((8000, 40), None), ((640, 480), None)])
def test_a_large_photo_is_stored_scaled_down_with_its_aspect(size, kept):
    """A 12-megapixel phone photo was re-encoded as a PNG at full size: seconds of the request's
    CPU and some 12 MB stored for each upload, when every model reads at most 256 pixels a
    side. Past STORED_MAX_PIXELS it is scaled down; a long thin picture keeps its short side."""
    png, _ = read_upload(encoded("JPEG", size=size))
    with Image.open(io.BytesIO(png)) as stored:
        assert stored.size == (kept or size)
        assert stored.mode == "RGB"
