"""Quizzes in the bank: the list, the builder page, settings, copy and publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.access import teacher_access_get

from .. import authoring
from ..forms import (
    REVIEW_WINDOW_LABELS,
    QuizSettingsForm,
    review_grid,
)
from ..models import Attempt, Question, QuestionVersion, Quiz, Slot
from ..qtype_registry import qtype_label
from .common import (
    builder_url,
    category_list,
    parse_int,
    quiz_for,
)
from .slots import builder_action


@login_required
def quiz_list(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
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
            return redirect(builder_url(course_slug, quiz.slug))
    quizzes = access.course.quizzes.annotate(
        slot_count=Count("slots", distinct=True),
        # A join counts every row: leave out the prepared attempts no student started.
        attempt_count=Count("attempts", distinct=True,
                            filter=~Q(attempts__state=Attempt.State.PREPARED))
    ).order_by("week", "slug")
    return render(request, "quizzes/bank/quizzes.html", {
        "access": access, "course": access.course, "quizzes": quizzes, "errors": errors,
        "kinds": Quiz.Kind.choices, "post": request.POST,
    }, status=400 if errors else 200)


@login_required
def quiz_builder(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    quiz = quiz_for(access, quiz_slug)
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
            row["qtype_label"] = qtype_label(qtype)
        rows.append(row)
    random_per_category: dict[int, int] = {}
    for slot in slots:
        if slot.kind == Slot.Kind.RANDOM:
            random_per_category[slot.category_id] = random_per_category.get(
                slot.category_id, 0) + 1
    short_pools = [row for row in rows if "pool" in row
                   and row["pool"] < random_per_category[row["slot"].category_id]]
    filter_category = parse_int(request.GET.get("category"))
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
    moved = parse_int(request.GET.get("moved"))
    return render(request, "quizzes/bank/builder.html", {
        "access": access, "course": access.course, "quiz": quiz, "rows": rows,
        "has_attempts": quiz.attempts.exists(), "categories": categories,
        "candidates": candidates, "filter_category": filter_category,
        "total_mark": sum(s.mark for s in slots), "short_pools": short_pools,
        "moved": moved, "moved_dir": request.GET.get("dir", ""),
        "reorder_url": reverse("bank:slots-reorder", args=[course_slug, quiz_slug]),
    })


@login_required
def quiz_settings(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    quiz = quiz_for(access, quiz_slug)
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
                return redirect(builder_url(course_slug, quiz_slug))
    else:
        form = QuizSettingsForm(initial=QuizSettingsForm.initial_for(quiz))
    return render(request, "quizzes/bank/quiz_settings.html", {
        "access": access, "course": access.course, "quiz": quiz, "form": form,
        "grid": review_grid(policy), "windows": REVIEW_WINDOW_LABELS.items(),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def quiz_duplicate(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    copy = authoring.quiz_duplicate(quiz=quiz_for(access, quiz_slug))
    messages.success(request, _("Copied as %(t)s (not published).") % {"t": copy.title})
    return redirect(builder_url(course_slug, copy.slug))


@login_required
@require_POST
def quiz_publish(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    def action(access, quiz):
        published = request.POST.get("published") == "1"
        authoring.quiz_set_published(quiz=quiz, published=published)
        return _("The quiz is published: students can see it.") if published else \
            _("The quiz is hidden from students.")

    return builder_action(request, course_slug, quiz_slug, action)
