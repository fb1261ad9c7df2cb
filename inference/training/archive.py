"""An instructor's ZIP of real photos, checked before anything is stored (web side; no torch).

Every entry is looked at; the first problem refuses the whole upload with a message that names
the file, says what is wrong and how to fix it, and nothing is stored. Nothing is ever extracted
to disk: entries are read into memory with a byte cap, so a name like ../../etc/passwd cannot
write anywhere (such entries, links and OS metadata files are skipped). Each photo goes through
`read_upload` (JPEG/PNG/WebP only, size and pixel limits, decompression bombs, fully decoded),
and is then stored grayscale, at most 256 px a side (the detector sees luminance at 64x64), as a
PNG we wrote ourselves, in a new ZIP. Identical photos are kept once, so one photo cannot end up
on both sides of the train / held-out split.
"""

from __future__ import annotations

import hashlib
import io
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image

from config.errors import ApplicationError

from ..images import read_upload

STORED_SIDE = 256  # longest side of a stored photo, in pixels
# Files that operating systems add to archives and nobody means as a photo.
_METADATA_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
# Why an entry was skipped: stored in English with the run, translated when shown.
UNSAFE_PATH = gettext_noop("unsafe path, ignored")
A_LINK = gettext_noop("a link, ignored")


@dataclass
class PhotoArchive:
    """The checked photos as a new ZIP (photo-0001.png, …) in a temporary file."""

    file: tempfile.SpooledTemporaryFile
    count: int
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why), for the page
    duplicates: int = 0
    names: list[str] = field(default_factory=list)  # each stored photo's name in the upload


def refuse(message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_photos", fields={"photos": [message]})


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}".removesuffix(".0")


def _display_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as the instructor saw it. Without the UTF-8 flag, zipfile decodes names
    as CP437; Korean Windows writes CP949, so try that (then UTF-8) before giving up."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437", errors="replace")
        for encoding in ("utf-8", "cp949"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    name = "".join(ch for ch in name if ch.isprintable())
    return name if len(name) <= 120 else "…" + name[-119:]


def _skip_reason(info: zipfile.ZipInfo) -> str | None:
    """Why an entry is not a photo candidate: "" to skip it silently, a reason to list it."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    if info.is_dir():
        return ""
    if path.parts and path.parts[0] == "__MACOSX" or path.name.startswith("._") \
            or path.name.lower() in _METADATA_NAMES:
        return ""
    if info.filename.startswith(("/", "\\")) or ".." in path.parts or ":" in path.parts[0]:
        return UNSAFE_PATH
    if stat.S_ISLNK(info.external_attr >> 16):
        return A_LINK
    return None


def _candidates(archive: zipfile.ZipFile
                ) -> tuple[list[zipfile.ZipInfo], list[tuple[str, str]]]:
    max_photos = settings.DETECTOR_TRAINING_MAX_PHOTOS
    infos = archive.infolist()
    if len(infos) > 2 * max_photos + 100:  # millions of tiny entries: refuse before looking
        raise refuse(_("The ZIP holds %(n)s files; the limit is %(limit)s photos. Upload fewer "
                        "photos.") % {"n": len(infos), "limit": max_photos})
    chosen, skipped = [], []
    for info in infos:
        reason = _skip_reason(info)
        if reason is None:
            if info.flag_bits & 0x1:
                raise refuse(_("“%(name)s” is password-protected. Make the ZIP without a "
                                "password.") % {"name": _display_name(info)})
            chosen.append(info)
        elif reason:
            skipped.append((_display_name(info), reason))
    return chosen, skipped


def _check_counts(n: int, *, after_duplicates: bool = False, low: int | None = None) -> None:
    training = low is None
    if training:
        low = settings.DETECTOR_TRAINING_MIN_PHOTOS
    high = settings.DETECTOR_TRAINING_MAX_PHOTOS
    if n > high:
        raise refuse(_("The ZIP has %(n)s photos; the limit is %(limit)s. Upload fewer "
                        "photos.") % {"n": n, "limit": high})
    if n < low and not training:
        raise refuse(_("The ZIP has no photos we can use. Put JPEG, PNG or WebP photos in it "
                        "and upload it again."))
    if n < low and after_duplicates:
        raise refuse(_("The ZIP has only %(n)s different photos (the others are copies); at "
                        "least %(min)s are needed.") % {"n": n, "min": low})
    if n < low:
        raise refuse(_("The ZIP has %(n)s photos; at least %(min)s are needed (some are held "
                        "out to measure the new model).") % {"n": n, "min": low})


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, cap: int) -> bytes:
    """The entry's bytes, refused over `cap`: checked on the declared size first, and again on
    what is actually read (at most cap + 1 bytes: a declared size may lie)."""
    if info.file_size > cap:
        raise too_big(name, info.file_size, cap)
    try:
        with archive.open(info) as handle:
            return handle.read(cap + 1)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, OSError,
            EOFError, ValueError):
        raise refuse(_("“%(name)s” could not be unpacked: the ZIP is damaged or uses an "
                        "unusual compression. Make the ZIP again with your system's "
                        "“compress” command.") % {"name": name}) from None


def too_big(name: str, size: int, cap: int) -> ApplicationError:
    return refuse(_("“%(name)s” is %(size)s MB; the limit for one photo is %(limit)s MB. "
                     "Save it smaller or leave it out.") % {
        "name": name, "size": _mb(size), "limit": _mb(cap)})


def normalised_png(png: bytes, name: str) -> bytes:
    """Grayscale, at most STORED_SIDE a side, PNG: what the detector needs, and small."""
    min_side = settings.DETECTOR_TRAINING_MIN_PHOTO_SIDE
    with Image.open(io.BytesIO(png)) as image:
        if min(image.size) < min_side:
            raise refuse(_("“%(name)s” is only %(w)s×%(h)s pixels; photos must be at least "
                            "%(min)s pixels on each side.") % {
                "name": name, "w": image.size[0], "h": image.size[1], "min": min_side})
        gray = image.convert("L")
    gray.thumbnail((STORED_SIDE, STORED_SIDE), Image.LANCZOS)
    out = io.BytesIO()
    gray.save(out, format="PNG", compress_level=1)  # fast: a large ZIP is read in the request
    return out.getvalue()


def read_photo_archive(upload, *, min_photos: int | None = None) -> PhotoArchive:
    """Check an uploaded ZIP (a Django UploadedFile or any binary file with .size) and return
    its photos as a new ZIP; raise ApplicationError naming the first problem. `min_photos`:
    the fewest photos accepted (default: what a training run needs)."""
    max_zip = settings.DETECTOR_TRAINING_MAX_ZIP_BYTES
    size = getattr(upload, "size", None)
    if not size:
        raise refuse(_("Choose a ZIP file of your real photos (JPEG, PNG or WebP)."))
    if size > max_zip:
        raise refuse(_("The ZIP file is %(size)s MB; the limit is %(limit)s MB. Upload fewer or "
                        "smaller photos.") % {"size": _mb(size), "limit": _mb(max_zip)})
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise refuse(_("This file is not a ZIP archive we can read. Put the photos in a folder, "
                        "compress it to a .zip file and upload that.")) from None
    with archive:
        infos, skipped = _candidates(archive)
        _check_counts(len(infos), low=min_photos)
        declared = sum(info.file_size for info in infos)
        if declared > settings.DETECTOR_TRAINING_MAX_UNZIPPED_BYTES:
            raise refuse(_("The ZIP unpacks to %(size)s MB; the limit is %(limit)s MB. Upload "
                            "fewer or smaller photos.") % {
                "size": _mb(declared),
                "limit": _mb(settings.DETECTOR_TRAINING_MAX_UNZIPPED_BYTES)})
        out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
        try:
            names: list[str] = []
            count, duplicates = _rewrite(archive, infos, out, min_photos, names)
        except BaseException:
            out.close()
            raise
    out.seek(0)
    return PhotoArchive(file=out, count=count, skipped=skipped, duplicates=duplicates,
                        names=names)


def _rewrite(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], out,
             min_photos: int | None = None, names: list | None = None) -> tuple[int, int]:
    """Check each photo and write it, normalised, to the ZIP `out`; (photos, duplicates)."""
    cap, budget = settings.DEMO_MAX_UPLOAD_BYTES, settings.DETECTOR_TRAINING_MAX_UNZIPPED_BYTES
    seen: set[str] = set()
    duplicates = read = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as written:
        for info in infos:
            name = _display_name(info)
            data = _read_entry(archive, info, name, cap)
            if len(data) > cap:
                raise too_big(name, len(data), cap)
            read += len(data)
            if read > budget:  # declared sizes lied: stop before unpacking more
                raise refuse(_("The ZIP unpacks to more than %(limit)s MB. Upload fewer or "
                                "smaller photos.") % {"limit": _mb(budget)})
            try:
                png, _sha = read_upload(data)
            except ApplicationError as exc:
                raise refuse(f"“{name}”: {exc.message}") from None
            photo = normalised_png(png, name)
            digest = hashlib.sha256(photo).hexdigest()
            if digest in seen:
                duplicates += 1
                continue
            seen.add(digest)
            written.writestr(f"photo-{len(seen):04d}.png", photo)
            if names is not None:
                names.append(name)
    _check_counts(len(seen), after_duplicates=True, low=min_photos)
    return len(seen), duplicates
