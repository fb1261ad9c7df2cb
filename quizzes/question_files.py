"""Files embedded in a question version (images, audio…): the one place that stores them."""

from __future__ import annotations

import mimetypes

from .models import QuestionFile, QuestionVersion


def question_files_store(*, version: QuestionVersion, files: dict[str, bytes] | None) -> int:
    """Store `files` (name → bytes) with `version`, typed by their names; the number stored."""
    files = files or {}
    QuestionFile.objects.bulk_create([
        QuestionFile(version=version, name=name, content=bytes(content),
                     content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        for name, content in files.items()
    ])
    return len(files)


def version_files(version: QuestionVersion) -> dict[str, bytes]:
    """The files of `version`, name → bytes (to carry them to a new version or an export)."""
    return {f.name: bytes(f.content) for f in version.files.all()}
