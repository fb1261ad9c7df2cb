"""Checking uploaded images before anything else touches them (web side; no torch).

Only JPEG, PNG and WebP, under a byte and a pixel limit, decoded fully (so a truncated or
polyglot file fails here), scaled down past STORED_MAX_PIXELS and re-encoded as a plain RGB PNG:
what reaches a model is always an image we wrote ourselves.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from config.errors import ApplicationError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# The most pixels an accepted image keeps: a larger one is scaled down (aspect kept) before it is
# written. Everything after reads 64 to 256 pixels a side (detector, captioner, pool, training),
# and writing a 12-megapixel phone photo as a PNG at full size took the request seconds of CPU
# and stored 10+ MB for it. A count, not a side: a long thin picture keeps its short side.
STORED_MAX_PIXELS = 1024 * 1024


def _fail(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_image", fields={"image": [message]})


def read_upload(data: bytes) -> tuple[bytes, str]:
    """Return (PNG bytes, sha256 of those bytes) or raise ApplicationError with the reason."""
    max_bytes = settings.DEMO_MAX_UPLOAD_BYTES
    max_pixels = settings.DEMO_MAX_PIXELS
    if not data:
        raise _fail(_("The file is empty. Choose a JPEG, PNG or WebP image."))
    if len(data) > max_bytes:
        raise _fail(_("The image is %(size)s MB; the limit is %(limit)s MB.") % {
            "size": f"{len(data) / 1e6:.1f}", "limit": f"{max_bytes / 1e6:.0f}"})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                fmt = probe.format
                width, height = probe.size
                if fmt not in ALLOWED_FORMATS:
                    raise _fail(_("%(fmt)s files are not accepted. Use a JPEG, PNG or WebP "
                                  "image.") % {"fmt": fmt or _("This kind of")})
                if width * height > max_pixels:
                    raise _fail(_("The image is %(w)s×%(h)s pixels; the limit is %(limit)s "
                                  "million pixels.") % {"w": width, "h": height,
                                                        "limit": f"{max_pixels / 1e6:.0f}"})
                probe.load()  # decode everything: truncated files fail here, not in a model
                image = probe.convert("RGB")
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow refuses an image past its own pixel limit (about 89 million, far above ours)
        # while reading the header, before our check sees the size: it is too large, not
        # unreadable.
        raise _fail(_("The image is larger than %(limit)s million pixels. Use a smaller "
                      "one.") % {"limit": f"{max_pixels / 1e6:.0f}"}) from None
    except UnidentifiedImageError:
        raise _fail(_("This file is not an image we can read. Use a JPEG, PNG or WebP "
                      "image.")) from None
    except (OSError, SyntaxError, ValueError):
        raise _fail(_("The image is damaged or incomplete. Save it again and retry.")) from None
    if width * height > STORED_MAX_PIXELS:
        scale = (STORED_MAX_PIXELS / (width * height)) ** 0.5
        image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))),
                             Image.Resampling.BICUBIC, reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, format="PNG")
    png = out.getvalue()
    return png, hashlib.sha256(png).hexdigest()


def tile_png(sheet: bytes, index: int, tile: int, columns: int) -> bytes:
    """Tile `index` (row-major) of a grid of `tile`-pixel images, as its own PNG."""
    row, col = divmod(index, columns)
    with Image.open(io.BytesIO(sheet)) as grid:
        cell = grid.crop((col * tile, row * tile, (col + 1) * tile, (row + 1) * tile))
        out = io.BytesIO()
        cell.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def sheet_png(sheet: bytes) -> bytes:
    """A whole sheet (stored as raw PPM by the worker) as a PNG a browser can show."""
    with Image.open(io.BytesIO(sheet)) as grid:
        out = io.BytesIO()
        grid.save(out, format="PNG", compress_level=1)
    return out.getvalue()
