"""Photos and ZIPs for the retraining tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
from PIL import Image


def photo(seed: int, size=(72, 88), fmt: str = "JPEG") -> bytes:
    """A small, distinct "photo": smooth random colour fields (not noise, so JPEG keeps it)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
    image = Image.fromarray(small).resize(size, Image.BICUBIC)
    out = io.BytesIO()
    image.save(out, format=fmt)
    return out.getvalue()


def make_zip(entries: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    items = entries.items() if isinstance(entries, dict) else entries
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            archive.writestr(name, data)
    return out.getvalue()


def photos_zip(n: int = 24, *, first_seed: int = 0, extra: dict[str, bytes] | None = None
               ) -> bytes:
    entries = {f"photos/img-{i:03d}.jpg": photo(first_seed + i) for i in range(n)}
    return make_zip({**entries, **(extra or {})})


def huge_declared_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares an enormous image (a decompression bomb)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(
            ">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(
        b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
