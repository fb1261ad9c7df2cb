"""Import and export of question files (GIFT, Moodle XML) from the bank's pages."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from config.uploads import upload_limit
from courses.access import teacher_access_get

from .. import interchange
from ..forms import (
    ExportForm,
    ImportForm,
)
from .common import (
    category_list,
)


@upload_limit("QUESTION_IMPORT_MAX_BYTES", interchange.import_too_large)
@login_required
def import_page(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    categories = category_list(access.course)
    quizzes = list(access.course.quizzes.order_by("week", "slug"))
    form = ImportForm(categories=categories, quizzes=quizzes)
    error, report, status = None, None, 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, categories=categories, quizzes=quizzes)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            limit = interchange.max_import_bytes()
            try:
                if upload.size > limit:
                    raise ApplicationError(
                        _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                        % {"size": f"{upload.size:,}", "limit": f"{limit:,}"},
                        code="file_too_large", status_code=413)
                report = interchange.questions_import(
                    course=access.course, content=upload.read(limit + 1),
                    fmt=form.cleaned_data["format"] or None, filename=upload.name,
                    parent=form.cleaned_data["parent"], quiz=form.cleaned_data["quiz"],
                    user=request.user)
            except ApplicationError as exc:
                # The callout's title already says nothing was imported: show the reason.
                reasons = (exc.fields or {}).get("file") if exc.code == "invalid_file" else None
                error, status = (reasons[0] if reasons else exc.message), exc.status_code
        else:
            status = 400
    return render(request, "quizzes/bank/import.html", {
        "access": access, "course": access.course, "form": form, "error": error,
        "report": report, "max_mb": round(interchange.max_import_bytes() / 1024 / 1024, 1),
    }, status=status)


@login_required
def export_download(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    categories = category_list(access.course)
    quizzes = list(access.course.quizzes.all())
    form = ExportForm(request.GET, categories=categories, quizzes=quizzes)
    if not form.is_valid():
        messages.error(request, _("Choose an export format."))
        return redirect("bank:index", course_slug=course_slug)
    try:
        result = interchange.questions_export(
            course=access.course, fmt=form.cleaned_data["format"],
            category=form.cleaned_data["category"], quiz=form.cleaned_data["quiz"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("bank:index", course_slug=course_slug)
    response = FileResponse(io.BytesIO(result.content), as_attachment=True,
                            filename=result.filename, content_type=result.content_type)
    response["X-Exported-Questions"] = str(result.count)
    response["X-Skipped-Questions"] = str(len(result.skipped))
    return response
