"""Files embedded in questions (images, audio…), served to those who may see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from courses.access import course_access_get, forbidden

from .. import selectors
from ..models import QuestionFile

INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "audio/mpeg", "audio/ogg",
                "audio/wav", "audio/x-wav", "video/mp4", "video/webm", "application/pdf"}


@login_required
def question_file(request: HttpRequest, version_id: int, name: str) -> HttpResponse:
    """A file embedded in a question. Teachers of the course see every file; a student only
    a file that what they may see now of a question they were given refers to
    (`selectors.question_file_visible`)."""
    stored = (QuestionFile.objects.select_related("version__question__course")
              .filter(version_id=version_id, name=name).first())
    if stored is None:
        raise Http404(_("No such file."))
    access = course_access_get(user=request.user,
                               course_slug=stored.version.question.course.slug)
    if not access.can_teach and not selectors.question_file_visible(
            user=request.user, version_id=version_id, name=name):
        raise forbidden(_("This file belongs to a question or an explanation you cannot "
                          "see now."))
    content_type = stored.content_type if stored.content_type in INLINE_TYPES \
        else "application/octet-stream"
    response = HttpResponse(bytes(stored.content), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        content_type not in INLINE_TYPES, name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
