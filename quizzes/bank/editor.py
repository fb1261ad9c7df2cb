"""The question editor with its live preview (the student's view of the question being
written)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.access import teacher_access_get

from .. import authoring, interchange, limits, qtypes
from ..forms import (
    TEXT_FORMAT_LABELS,
    QuestionEditor,
)
from ..models import Question, QuestionVersion
from ..qtype_registry import qtype_label
from .common import (
    back_url,
    bank_url,
    category_list,
    parse_int,
    qtype_choices,
)


@dataclass
class PreviewQuestion:
    """What the qtype templates and _question_head.html read as `q`."""

    qtype: str
    stem: str
    text_format: str
    view: dict
    max_mark: float = 1.0
    number: int = 1
    prefix: str = "preview-"
    mark: float | None = None
    review: dict | None = None
    response: Any = None
    disabled: bool = False
    feedback: list = field(default_factory=list)


PREVIEW_SEED = 20240601


def preview_question(*, qtype: str, stem: str, text_format: str, data: dict,
                     default_mark: float = 1.0, version_id: int | None = None) -> PreviewQuestion:
    """The question as a student sees it (the type's student view with a fixed shuffle);
    never fractions, feedback or keys. `data` must be validated."""
    qtype_obj = qtypes.get(qtype)
    layout = qtype_obj.make_layout(data, seed=PREVIEW_SEED)
    view = qtype_obj.student_view(data, layout)
    return PreviewQuestion(
        qtype=qtype, stem=interchange.pluginfile_urls(stem, version_id),
        text_format=text_format, view=interchange.pluginfile_urls(view, version_id),
        max_mark=default_mark)


def _editor_context(access, editor: QuestionEditor, question: Question | None,
                    latest: QuestionVersion | None) -> dict:
    course = access.course
    return {
        "access": access, "course": course, "editor": editor, "question": question,
        "latest": latest, "qtype": editor.qtype,
        "qtype_label": qtype_label(editor.qtype),
        "text_formats": TEXT_FORMAT_LABELS.items(),
        "category_options": [(str(c.pk), c.path.replace("/", " / "))
                             for c in editor.categories],
        "lists": editor.list_blocks(), "scalars": editor.scalar_fields(),
        "meta_errors": {k: v for k, v in editor.errors.items() if not k.startswith("d-")},
        "form_errors": editor.errors.get("__all__", []),
        "preview_url": reverse("bank:question-preview", args=[course.slug])
        + (f"?question={question.pk}" if question else ""),
        "quiz_count": question.slots.values("quiz").distinct().count() if question else 0,
    }


def _editor(request: HttpRequest, access, question: Question | None, qtype: str) -> HttpResponse:
    categories = category_list(access.course)
    latest = question.latest_version() if question else None
    status = 200
    if request.method == "POST":
        editor = QuestionEditor(qtype=qtype, categories=categories, post=request.POST,
                                add_row=request.POST.get("add_row", ""))
        if not request.POST.get("add_row"):
            values = editor.cleaned()
            if values is not None:
                try:
                    saved, new_version = authoring.question_save(
                        course=access.course, question=question, user=request.user, **values)
                except ApplicationError as exc:
                    editor.apply_error(exc)
                else:
                    if question is None and not values.get("name", "").strip():
                        # The name was cut from the question text (raw Markdown or LaTeX):
                        # not worth echoing.
                        messages.success(request, _("Question created."))
                    elif question is None:
                        messages.success(request, _("Question %(name)s created.") % {
                            "name": saved.name})
                    elif new_version:
                        messages.success(request, _(
                            "Saved as version %(n)s. Attempts already started keep their "
                            "version.") % {"n": saved.latest_version().number})
                    else:
                        messages.success(request, _("Saved; the content did not change, so "
                                                    "no new version was made."))
                    if request.POST.get("continue"):
                        return redirect("bank:question-edit", course_slug=access.course.slug,
                                        question_id=saved.pk)
                    return redirect(back_url(request, bank_url(access.course.slug,
                                                             category=saved.category_id)))
            status = 400
    else:
        initial_category = None
        category_id = parse_int(request.GET.get("category"))
        if category_id:
            initial_category = next((c for c in categories if c.pk == category_id), None)
        if initial_category is None and categories and question is None:
            initial_category = categories[0]
        editor = QuestionEditor(qtype=qtype, categories=categories, version=latest,
                                question=question, initial_category=initial_category)
    context = _editor_context(access, editor, question, latest)
    if editor.data() is not None and not editor.errors:
        context["preview"] = _safe_preview(editor, latest)
    context["next"] = back_url(request, "")
    return render(request, "quizzes/bank/question_form.html", context, status=status)


def _preview_mark(editor: QuestionEditor, *, report: bool = False) -> float:
    """The mark the preview shows: the typed one when it is within bounds, else 1 (with the
    input's error when `report`)."""
    raw = editor.meta["default_mark"] or "0"
    if limits.in_range(raw, 0, limits.MARK_MAX):
        return float(limits.decimal_or_none(raw))
    if report:
        editor.add_error("default_mark", _("Enter a number from 0 to %(max)s.") % {
            "max": limits.MARK_MAX})
    return 1.0


def _safe_preview(editor: QuestionEditor, latest: QuestionVersion | None):
    try:
        data = authoring.question_validate(qtype=editor.qtype, stem=editor.meta["stem"] or "-",
                                           data=editor.data())
    except ApplicationError:
        return None
    mark = _preview_mark(editor)
    return preview_question(qtype=editor.qtype, stem=editor.meta["stem"],
                            text_format=editor.meta["text_format"] or "markdown", data=data,
                            default_mark=mark, version_id=latest.pk if latest else None)


@login_required
def question_new(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    qtype = request.POST.get("qtype") or request.GET.get("qtype", "")
    if qtype not in qtypes.TYPES:
        return render(request, "quizzes/bank/question_type.html", {
            "access": access, "course": access.course, "qtypes": qtype_choices(),
            "category": request.GET.get("category", "")})
    return _editor(request, access, None, qtype)


@login_required
def question_edit(request: HttpRequest, course_slug: str, question_id: int) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    question = get_object_or_404(Question, pk=question_id, course=access.course)
    qtype = question.latest_version().qtype
    return _editor(request, access, question, qtype)


@login_required
@require_POST
def question_preview(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The live preview (htmx, on every input): the student's view of the question being
    written, plus out-of-band updates of the error next to each field."""
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    qtype = request.POST.get("qtype", "")
    if qtype not in qtypes.TYPES:
        return HttpResponse(_("Unknown question type."), status=400)
    version_id = None
    question_id = parse_int(request.GET.get("question"))
    if question_id:
        question = get_object_or_404(Question, pk=question_id, course=access.course)
        version_id = question.latest_version().pk
    editor = QuestionEditor(qtype=qtype, categories=category_list(access.course),
                            post=request.POST)
    preview = None
    data = editor.data()
    if data is not None:
        try:
            data = authoring.question_validate(qtype=qtype, stem=editor.meta["stem"], data=data)
        except ApplicationError as exc:
            editor.apply_error(exc)
        else:
            mark = _preview_mark(editor, report=True)
            preview = preview_question(qtype=qtype, stem=editor.meta["stem"],
                                       text_format=editor.meta["text_format"] or "markdown",
                                       data=data, default_mark=mark, version_id=version_id)
    slots = [(name, editor.errors.get(name, [])) for name in editor.field_names()]
    return render(request, "quizzes/bank/_preview.html", {
        "q": preview, "error_slots": slots, "errors": editor.errors, "oob": True})
