"""Instructor pages: the question bank, the question editor with live preview, categories and
tags, import/export, and the quiz builder. Every write goes through `quizzes.authoring` or
`quizzes.interchange`; every page checks that the user teaches the course (403 otherwise).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.selectors import CourseAccess, course_access_get

from . import authoring, interchange, limits, qtypes, selectors
from .forms import (
    QTYPE_LABELS,
    REVIEW_WINDOW_LABELS,
    TEXT_FORMAT_LABELS,
    CategoryForm,
    ExportForm,
    ImportForm,
    QuestionEditor,
    QuizSettingsForm,
    review_grid,
)
from .models import Category, Question, QuestionFile, QuestionVersion, Quiz, Slot

# ----------------------------------------------------------------------------------------------
# Shared helpers
# ----------------------------------------------------------------------------------------------


def teacher_access(user, course_slug: str) -> CourseAccess:
    """The user's access if they teach the course; 404 / 403 otherwise."""
    access = course_access_get(user=user, course_slug=course_slug)
    if not access.can_teach:
        raise PermissionDenied(_("Only the course's teachers can do this."))
    return access


def category_list(course) -> list[Category]:
    """Every category of the course, parents linked in memory (no query per path)."""
    categories = list(Category.objects.filter(course=course))
    by_id = {c.pk: c for c in categories}
    for category in categories:
        if category.parent_id:
            category.parent = by_id[category.parent_id]
    return sorted(categories, key=lambda c: c.path.casefold())


def category_tree(categories: list[Category], counts: dict[int, int]) -> list[dict]:
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[dict] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in sorted(children.get(parent_id, []), key=lambda c: c.name.casefold()):
            rows.append({"category": category, "depth": depth, "indent": depth * 1.25,
                         "count": counts.get(category.pk, 0)})
            walk(category.pk, depth + 1)

    walk(None, 0)
    return rows


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


def _bank_url(course_slug: str, **params: Any) -> str:
    url = reverse("bank:index", args=[course_slug])
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return f"{url}?{query}" if query else url


def _get_int(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET.get(name, ""))
    except ValueError:
        return None


def _qtype_choices() -> list[tuple[str, str]]:
    """Every registered question type, in the registry's order, with its label."""
    return [(name, QTYPE_LABELS.get(name, name)) for name in qtypes.TYPES]


# ----------------------------------------------------------------------------------------------
# The question bank
# ----------------------------------------------------------------------------------------------


@login_required
def bank_index(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    course = access.course
    categories = category_list(course)
    counts = dict(Question.objects.filter(course=course).values("category_id")
                  .annotate(n=Count("id")).values_list("category_id", "n"))
    questions = Question.objects.filter(course=course)
    selected = None
    category_id = _get_int(request, "category")
    if category_id:
        selected = next((c for c in categories if c.pk == category_id), None)
        if selected is not None:
            ids = [selected.pk]
            if request.GET.get("sub"):
                from .services import _descendants

                ids += _descendants(selected.pk)
            questions = questions.filter(category_id__in=ids)
    tag = request.GET.get("tag", "").strip()
    if tag:
        questions = [q for q in questions if tag in (q.tags or [])]
        questions = Question.objects.filter(pk__in=[q.pk for q in questions])
    search = request.GET.get("q", "").strip()
    if search:
        questions = questions.filter(Q(name__icontains=search) | Q(key__icontains=search))
    questions = (questions.select_related("category")
                 .prefetch_related(Prefetch("versions", queryset=QuestionVersion.objects.only(
                     "id", "question_id", "number", "qtype", "stem", "data")
                     .order_by("-number")))
                 .annotate(quiz_count=Count("slots__quiz", distinct=True))
                 .order_by("category__name", "name", "pk"))
    page = Paginator(questions, 50).get_page(request.GET.get("page"))
    by_id = {c.pk: c for c in categories}
    rows = []
    for question in page:
        latest = question.versions.all()[0]
        question.category = by_id.get(question.category_id, question.category)
        rows.append({"question": question, "latest": latest,
                     "excerpt": latest.stem or latest.data.get("text", ""),
                     "qtype_label": QTYPE_LABELS.get(latest.qtype, latest.qtype)})
    all_tags = sorted({t for tags in Question.objects.filter(course=course)
                       .values_list("tags", flat=True) for t in (tags or [])}, key=str.casefold)
    quizzes = list(course.quizzes.order_by("week", "slug"))
    return render(request, "quizzes/bank/index.html", {
        "access": access, "course": course, "tree": category_tree(categories, counts),
        "categories": categories, "selected": selected, "tag": tag, "search": search,
        "page": page, "rows": rows, "all_tags": all_tags, "qtypes": _qtype_choices(),
        "sub": bool(request.GET.get("sub")),
        # Two forms on one page with fields of the same names: distinct ids, so each label
        # names its own control (the field names, and so the URLs, stay the same).
        "import_form": ImportForm(categories=categories, quizzes=quizzes, auto_id="import-%s",
                                  initial={"parent": selected.pk if selected else ""}),
        "export_form": ExportForm(categories=categories, quizzes=quizzes, auto_id="export-%s",
                                  initial={"category": selected.pk if selected else ""}),
        "max_mb": round(interchange.max_import_bytes() / 1024 / 1024, 1),
    })


@login_required
@require_POST
def questions_move(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    categories = {str(c.pk): c for c in category_list(access.course)}
    target = categories.get(request.POST.get("category", ""))
    ids = [int(x) for x in request.POST.getlist("question") if x.isdigit()]
    if target is None or not ids:
        messages.error(request, _("Tick the questions to move and choose a category."))
    else:
        moved = authoring.questions_move(
            course=access.course, category=target,
            questions=Question.objects.filter(course=access.course, pk__in=ids))
        messages.success(request, _("%(n)s questions moved to %(c)s.") % {
            "n": moved, "c": target.path})
    return redirect(_back(request, _bank_url(course_slug)))


@login_required
@require_POST
def question_delete(request: HttpRequest, course_slug: str, question_id: int) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    question = get_object_or_404(Question, pk=question_id, course=access.course)
    try:
        authoring.question_delete(question=question)
        messages.success(request, _("Question deleted."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(_back(request, _bank_url(course_slug)))


@login_required
@require_POST
def tag_rename(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    old = request.POST.get("old", "").strip()
    new = request.POST.get("new", "").strip()
    if not old:
        messages.error(request, _("Choose the tag to rename."))
    else:
        n = authoring.tag_rename(course=access.course, old=old, new=new)
        messages.success(request, _("Tag changed on %(n)s questions.") % {"n": n})
    return redirect(_bank_url(course_slug, tag=new))


# ----------------------------------------------------------------------------------------------
# Categories
# ----------------------------------------------------------------------------------------------


@login_required
def categories_page(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    categories = category_list(access.course)
    form = CategoryForm(categories=categories)
    if request.method == "POST":
        form = CategoryForm(request.POST, categories=categories)
        if form.is_valid():
            try:
                category = authoring.category_create(
                    course=access.course, name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"], info=form.cleaned_data["info"])
            except ApplicationError as exc:
                for name, errors in exc.fields.items() or {"__all__": [exc.message]}.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            else:
                messages.success(request, _("Category %(c)s created.") % {"c": category.path})
                return redirect("bank:categories", course_slug=course_slug)
    counts = dict(Question.objects.filter(course=access.course).values("category_id")
                  .annotate(n=Count("id")).values_list("category_id", "n"))
    tree = category_tree(categories, counts)
    for row in tree:
        row["form"] = CategoryForm(categories=[c for c in categories
                                               if c.pk != row["category"].pk],
                                   prefix=f"c{row['category'].pk}",
                                   initial={"name": row["category"].name,
                                            "parent": row["category"].parent_id or "",
                                            "info": row["category"].info})
    return render(request, "quizzes/bank/categories.html", {
        "access": access, "course": access.course, "tree": tree, "form": form,
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def category_update(request: HttpRequest, course_slug: str, category_id: int) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    categories = category_list(access.course)
    category = next((c for c in categories if c.pk == category_id), None)
    if category is None:
        raise Http404(_("No such category."))
    if request.POST.get("delete"):
        try:
            authoring.category_delete(category=category)
            messages.success(request, _("Category %(c)s deleted.") % {"c": category.path})
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("bank:categories", course_slug=course_slug)
    form = CategoryForm(request.POST, categories=categories, prefix=f"c{category.pk}")
    if not form.is_valid():
        messages.error(request, _("Give the category a name."))
        return redirect("bank:categories", course_slug=course_slug)
    try:
        authoring.category_update(category=category, name=form.cleaned_data["name"],
                                  parent=form.cleaned_data["parent"],
                                  info=form.cleaned_data["info"])
        messages.success(request, _("Category saved."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("bank:categories", course_slug=course_slug)


# ----------------------------------------------------------------------------------------------
# The question editor
# ----------------------------------------------------------------------------------------------


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
        "qtype_label": QTYPE_LABELS.get(editor.qtype, editor.qtype),
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
                    return redirect(_back(request, _bank_url(access.course.slug,
                                                             category=saved.category_id)))
            status = 400
    else:
        initial_category = None
        category_id = _get_int(request, "category")
        if category_id:
            initial_category = next((c for c in categories if c.pk == category_id), None)
        if initial_category is None and categories and question is None:
            initial_category = categories[0]
        editor = QuestionEditor(qtype=qtype, categories=categories, version=latest,
                                question=question, initial_category=initial_category)
    context = _editor_context(access, editor, question, latest)
    if editor.data() is not None and not editor.errors:
        context["preview"] = _safe_preview(editor, latest)
    context["next"] = _back(request, "")
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
    access = teacher_access(request.user, course_slug)
    qtype = request.POST.get("qtype") or request.GET.get("qtype", "")
    if qtype not in qtypes.TYPES:
        return render(request, "quizzes/bank/question_type.html", {
            "access": access, "course": access.course, "qtypes": _qtype_choices(),
            "category": request.GET.get("category", "")})
    return _editor(request, access, None, qtype)


@login_required
def question_edit(request: HttpRequest, course_slug: str, question_id: int) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    question = get_object_or_404(Question, pk=question_id, course=access.course)
    qtype = question.latest_version().qtype
    return _editor(request, access, question, qtype)


@login_required
@require_POST
def question_preview(request: HttpRequest, course_slug: str) -> HttpResponse:
    """The live preview (htmx, on every input): the student's view of the question being
    written, plus out-of-band updates of the error next to each field."""
    access = teacher_access(request.user, course_slug)
    qtype = request.POST.get("qtype", "")
    if qtype not in qtypes.TYPES:
        return HttpResponse(_("Unknown question type."), status=400)
    version_id = None
    question_id = _get_int(request, "question")
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


# ----------------------------------------------------------------------------------------------
# Import and export
# ----------------------------------------------------------------------------------------------


@login_required
def import_page(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
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
    access = teacher_access(request.user, course_slug)
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


# ----------------------------------------------------------------------------------------------
# Embedded files
# ----------------------------------------------------------------------------------------------

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
        raise PermissionDenied(_("This file belongs to a question or an explanation you cannot "
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


# ----------------------------------------------------------------------------------------------
# Quizzes
# ----------------------------------------------------------------------------------------------


def _quiz(access, quiz_slug: str) -> Quiz:
    return get_object_or_404(Quiz, course=access.course, slug=quiz_slug)


def _builder_url(course_slug: str, quiz_slug: str, anchor: str = "") -> str:
    return reverse("bank:quiz-builder", args=[course_slug, quiz_slug]) + anchor


@login_required
def quiz_list(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    errors: dict = {}
    if request.method == "POST":
        try:
            week = int(request.POST.get("week") or 0)
        except ValueError:
            week = -1
        try:
            if week < 0:
                raise ApplicationError(_("Enter a week number."), code="invalid",
                                       fields={"week": [_("Enter 0 or more.")]})
            quiz = authoring.quiz_create(course=access.course, title=request.POST.get("title", ""),
                                         slug=request.POST.get("slug", "").strip(), week=week,
                                         kind=request.POST.get("kind") or Quiz.Kind.WEEKLY)
        except ApplicationError as exc:
            errors = exc.fields or {"__all__": [exc.message]}
        else:
            messages.success(request, _("Quiz created. Add its questions."))
            return redirect(_builder_url(course_slug, quiz.slug))
    quizzes = access.course.quizzes.annotate(
        slot_count=Count("slots", distinct=True),
        attempt_count=Count("attempts", distinct=True)).order_by("week", "slug")
    return render(request, "quizzes/bank/quizzes.html", {
        "access": access, "course": access.course, "quizzes": quizzes, "errors": errors,
        "kinds": Quiz.Kind.choices, "post": request.POST,
    }, status=400 if errors else 200)


@login_required
def quiz_builder(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    quiz = _quiz(access, quiz_slug)
    categories = category_list(access.course)
    by_id = {c.pk: c for c in categories}
    slots = list(quiz.slots.select_related("question", "version").order_by("position"))
    latest_types = dict(QuestionVersion.objects.filter(
        question_id__in=[s.question_id for s in slots if s.question_id])
        .order_by("question_id", "number").values_list("question_id", "qtype"))
    rows = []
    for slot in slots:
        row = {"slot": slot}
        if slot.kind == Slot.Kind.RANDOM:
            row["category"] = by_id.get(slot.category_id)
            row["pool"] = authoring.random_pool_size(slot=slot)
        else:
            qtype = slot.version.qtype if slot.version else latest_types.get(slot.question_id)
            row["qtype_label"] = QTYPE_LABELS.get(qtype, qtype)
        rows.append(row)
    random_per_category: dict[int, int] = {}
    for slot in slots:
        if slot.kind == Slot.Kind.RANDOM:
            random_per_category[slot.category_id] = random_per_category.get(
                slot.category_id, 0) + 1
    short_pools = [row for row in rows if "pool" in row
                   and row["pool"] < random_per_category[row["slot"].category_id]]
    filter_category = _get_int(request, "category")
    candidates = Question.objects.filter(course=access.course).exclude(
        pk__in=[s.question_id for s in slots if s.question_id])
    if filter_category:
        candidates = candidates.filter(category_id=filter_category)
    candidates = list(candidates.order_by("name")[:200])
    stems = {}
    for question_id, stem, data in (QuestionVersion.objects.filter(
            question_id__in=[q.pk for q in candidates]).order_by("question_id", "number")
            .values_list("question_id", "stem", "data")):
        stems[question_id] = stem or (data or {}).get("text", "")  # the last one wins
    for question in candidates:
        question.category = by_id.get(question.category_id, question.category)
        question.excerpt = stems.get(question.pk, "")
    moved = _get_int(request, "moved")
    return render(request, "quizzes/bank/builder.html", {
        "access": access, "course": access.course, "quiz": quiz, "rows": rows,
        "has_attempts": quiz.attempts.exists(), "categories": categories,
        "candidates": candidates, "filter_category": filter_category,
        "total_mark": sum(s.mark for s in slots), "short_pools": short_pools,
        "moved": moved, "moved_dir": request.GET.get("dir", ""),
        "reorder_url": reverse("bank:slots-reorder", args=[course_slug, quiz_slug]),
    })


def _slot_action(request: HttpRequest, course_slug: str, quiz_slug: str, action) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    quiz = _quiz(access, quiz_slug)
    try:
        result = action(access, quiz)
    except ApplicationError as exc:
        if request.headers.get("Accept", "").startswith("application/json"):
            return HttpResponse(exc.message, status=exc.status_code)
        messages.error(request, exc.message)
        return redirect(_builder_url(course_slug, quiz_slug))
    if isinstance(result, HttpResponse):
        return result
    if isinstance(result, str):
        messages.success(request, result)
    return redirect(_builder_url(course_slug, quiz_slug))


@login_required
@require_POST
def slots_add(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    def action(access, quiz):
        ids = [int(x) for x in request.POST.getlist("question") if x.isdigit()]
        questions = list(Question.objects.filter(course=access.course, pk__in=ids)
                         .order_by("name"))
        if not questions:
            raise ApplicationError(_("Tick the questions to add."), code="invalid")
        added = authoring.slots_add_questions(quiz=quiz, questions=questions)
        return _("%(n)s questions added.") % {"n": len(added)}

    return _slot_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slots_add_random(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    def action(access, quiz):
        category = Category.objects.filter(course=access.course,
                                           pk=_int(request.POST.get("category"))).first()
        if category is None:
            raise ApplicationError(_("Choose the category to draw from."), code="invalid")
        count = _int(request.POST.get("count"), 1)
        mark = request.POST.get("mark") or "1"
        added = authoring.slot_add_random(
            quiz=quiz, category=category, count=count, mark=mark,
            include_subcategories=bool(request.POST.get("include_subcategories")))
        return _("%(n)s random questions added.") % {"n": len(added)}

    return _slot_action(request, course_slug, quiz_slug, action)


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_POST
def slot_move(request: HttpRequest, course_slug: str, quiz_slug: str,
              slot_id: int) -> HttpResponse:
    def action(access, quiz):
        slot = get_object_or_404(Slot, pk=slot_id, quiz=quiz)
        direction = request.POST.get("direction")
        authoring.slot_move(quiz=quiz, slot=slot, offset=-1 if direction == "up" else 1)
        return redirect(_builder_url(course_slug, quiz_slug)
                        + f"?moved={slot.pk}&dir={'up' if direction == 'up' else 'down'}"
                        + f"#slot-{slot.pk}")

    return _slot_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slot_remove(request: HttpRequest, course_slug: str, quiz_slug: str,
                slot_id: int) -> HttpResponse:
    def action(access, quiz):
        authoring.slot_remove(quiz=quiz, slot=get_object_or_404(Slot, pk=slot_id, quiz=quiz))
        return _("Removed from the quiz.")

    return _slot_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slot_mark(request: HttpRequest, course_slug: str, quiz_slug: str,
              slot_id: int) -> HttpResponse:
    def action(access, quiz):
        mark = request.POST.get("mark") or ""
        authoring.slot_set_mark(quiz=quiz, slot=get_object_or_404(Slot, pk=slot_id, quiz=quiz),
                                mark=mark)
        return _("Mark saved.")

    return _slot_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slots_reorder(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    """The drag-and-drop order: `order` = slot ids, comma-separated, top to bottom."""
    def action(access, quiz):
        ids = [_int(x, -1) for x in request.POST.get("order", "").split(",") if x.strip()]
        authoring.slots_reorder(quiz=quiz, slot_ids=ids)
        if request.headers.get("Accept", "").startswith("application/json"):
            return HttpResponse(status=204)
        return _("New order saved.")

    return _slot_action(request, course_slug, quiz_slug, action)


@login_required
def quiz_settings(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    quiz = _quiz(access, quiz_slug)
    policy = quiz.review_policy
    if request.method == "POST":
        form = QuizSettingsForm(request.POST)
        policy = form.review_policy()
        if form.is_valid():
            try:
                authoring.quiz_update_settings(quiz=quiz, **form.service_kwargs())
            except ApplicationError as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        target = "time_limit_minutes" if name == "time_limit" else name
                        form.add_error(target if target in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _("Settings saved."))
                return redirect(_builder_url(course_slug, quiz_slug))
    else:
        form = QuizSettingsForm(initial=QuizSettingsForm.initial_for(quiz))
    return render(request, "quizzes/bank/quiz_settings.html", {
        "access": access, "course": access.course, "quiz": quiz, "form": form,
        "grid": review_grid(policy), "windows": REVIEW_WINDOW_LABELS.items(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def quiz_duplicate(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access = teacher_access(request.user, course_slug)
    copy = authoring.quiz_duplicate(quiz=_quiz(access, quiz_slug))
    messages.success(request, _("Copied as %(t)s (not published).") % {"t": copy.title})
    return redirect(_builder_url(course_slug, copy.slug))


@login_required
@require_POST
def quiz_publish(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    def action(access, quiz):
        published = request.POST.get("published") == "1"
        authoring.quiz_set_published(quiz=quiz, published=published)
        return _("The quiz is published: students can see it.") if published else \
            _("The quiz is hidden from students.")

    return _slot_action(request, course_slug, quiz_slug, action)
