"""The question bank's list: browse and filter questions, move, delete, rename a tag."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.access import teacher_access_get

from .. import authoring, interchange
from ..forms import (
    ExportForm,
    ImportForm,
)
from ..models import Question, QuestionVersion
from ..qtype_registry import qtype_label
from .common import (
    back_url,
    bank_url,
    category_list,
    category_tree,
    parse_ids,
    parse_int,
    qtype_choices,
)


@login_required
def bank_index(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    course = access.course
    categories = category_list(course)
    counts = dict(Question.objects.filter(course=course).values("category_id")
                  .annotate(n=Count("id")).values_list("category_id", "n"))
    questions = Question.objects.filter(course=course)
    selected = None
    category_id = parse_int(request.GET.get("category"))
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
                     "qtype_label": qtype_label(latest.qtype)})
    all_tags = sorted({t for tags in Question.objects.filter(course=course)
                       .values_list("tags", flat=True) for t in (tags or [])}, key=str.casefold)
    quizzes = list(course.quizzes.order_by("week", "slug"))
    return render(request, "quizzes/bank/index.html", {
        "access": access, "course": course, "tree": category_tree(categories, counts),
        "categories": categories, "selected": selected, "tag": tag, "search": search,
        "page": page, "rows": rows, "all_tags": all_tags, "qtypes": qtype_choices(),
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
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    categories = {str(c.pk): c for c in category_list(access.course)}
    target = categories.get(request.POST.get("category", ""))
    ids = parse_ids(request.POST.getlist("question"))
    if target is None or not ids:
        messages.error(request, _("Tick the questions to move and choose a category."))
    else:
        moved = authoring.questions_move(
            course=access.course, category=target,
            questions=Question.objects.filter(course=access.course, pk__in=ids))
        messages.success(request, _("%(n)s questions moved to %(c)s.") % {
            "n": moved, "c": target.path})
    return redirect(back_url(request, bank_url(course_slug)))


@login_required
@require_POST
def question_delete(request: HttpRequest, course_slug: str, question_id: int) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    question = get_object_or_404(Question, pk=question_id, course=access.course)
    try:
        authoring.question_delete(question=question)
        messages.success(request, _("Question deleted."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(back_url(request, bank_url(course_slug)))


@login_required
@require_POST
def tag_rename(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    old = request.POST.get("old", "").strip()
    new = request.POST.get("new", "").strip()
    if not old:
        messages.error(request, _("Choose the tag to rename."))
    else:
        n = authoring.tag_rename(course=access.course, old=old, new=new)
        messages.success(request, _("Tag changed on %(n)s questions.") % {"n": n})
    return redirect(bank_url(course_slug, tag=new))
