"""Files embedded in a question version (images, audio…): the one place that stores them."""

from __future__ import annotations

import mimetypes

from django.utils.translation import gettext as _

from config.errors import ApplicationError

from . import limits
from .models import QuestionFile, QuestionVersion


def question_files_store(*, version: QuestionVersion, files: dict[str, bytes] | None) -> int:
    """Store `files` (name → bytes) with `version`, typed by their names; the number stored."""
    files = files or {}
    # Names come from imported files (Moodle XML `<file path="…" name="…">`): one longer than
    # the column is refused by name rather than failing in the database.
    for name in files:
        if len(name) > limits.FILE_NAME_MAX:
            raise ApplicationError(
                _("The file name %(name)s is %(length)s characters long; the limit is %(max)s. "
                  "Rename the file (and the texts that refer to it) and try again.") % {
                    "name": repr(name[:60] + "…"), "length": len(name),
                    "max": limits.FILE_NAME_MAX},
                code="invalid_file_name")
    QuestionFile.objects.bulk_create([
        QuestionFile(version=version, name=name, content=bytes(content),
                     content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        for name, content in files.items()
    ])
    return len(files)


def version_files(version: QuestionVersion) -> dict[str, bytes]:
    """The files of `version`, name → bytes (to carry them to a new version or an export)."""
    return {f.name: bytes(f.content) for f in version.files.all()}
