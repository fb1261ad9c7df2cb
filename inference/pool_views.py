"""The page where a course's instructors add real photos to its spot-the-fake pool."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from config.errors import ApplicationError

from .pool_photos import pool_photos_add, pool_supply, require_pool_manager

# The supply shown on this page is for the usual item (content/genai-intro week 9: 6 images,
# 3 generated); the item statistics show it for each item's own size.
DEFAULT_COUNT, DEFAULT_FAKES = 6, 3


@login_required
@require_http_methods(["GET", "POST"])
def pool_photos(request: HttpRequest, course_slug: str) -> HttpResponse:
    """GET: the course's pool supply and the upload form. POST: add the uploaded photos."""
    access = require_pool_manager(user=request.user, course_slug=course_slug)
    error, status = "", 200
    if request.method == "POST":
        try:
            added = pool_photos_add(course=access.course, user=request.user,
                                    files=request.FILES.getlist("photos"))
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, ngettext(
                "%(n)s real photo was added to the pool.",
                "%(n)s real photos were added to the pool.", added.added) % {"n": added.added})
            if added.duplicates:
                messages.warning(request, _("Skipped, already in the pool: %(names)s") % {
                    "names": ", ".join(added.duplicates)})
            if added.flat:
                messages.warning(request, _("Skipped, a plain picture with no detail: "
                                            "%(names)s") % {"names": ", ".join(added.flat)})
            return redirect("inference:pool-photos", course_slug=course_slug)
    return render(request, "inference/pool_photos.html", {
        "course": access.course, "error": error,
        "supply": pool_supply(course=access.course, count=DEFAULT_COUNT, fakes=DEFAULT_FAKES),
        "max_photos": settings.DETECTOR_TRAINING_MAX_PHOTOS,
        "max_zip_mb": settings.DETECTOR_TRAINING_MAX_ZIP_BYTES // 1_000_000,
    }, status=status)
