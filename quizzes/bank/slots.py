"""The quiz builder's actions on slots: add questions or random draws, move, reorder, remove,
set a mark. Each answers with a message and the builder (or JSON for the drag-and-drop)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from courses.access import teacher_access_get

from .. import authoring
from ..models import Category, Question, Slot
from .common import (
    builder_url,
    parse_ids,
    parse_int,
    quiz_for,
)


def builder_action(request: HttpRequest, course_slug: str, quiz_slug: str,
                   action) -> HttpResponse:
    """Run `action(access, quiz)` for a teacher of the course; a string it returns is the
    success message, a response is answered as is, an ApplicationError becomes a message (or
    the bare sentence with its status for a JSON caller)."""
    access = teacher_access_get(user=request.user, course_slug=course_slug)
    quiz = quiz_for(access, quiz_slug)
    try:
        result = action(access, quiz)
    except ApplicationError as exc:
        if request.headers.get("Accept", "").startswith("application/json"):
            return HttpResponse(exc.message, status=exc.status_code)
        messages.error(request, exc.message)
        return redirect(builder_url(course_slug, quiz_slug))
    if isinstance(result, HttpResponse):
        return result
    if isinstance(result, str):
        messages.success(request, result)
    return redirect(builder_url(course_slug, quiz_slug))


@login_required
@require_POST
def slots_add(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    def action(access, quiz):
        ids = parse_ids(request.POST.getlist("question"))
        questions = list(Question.objects.filter(course=access.course, pk__in=ids)
                         .order_by("name"))
        if not questions:
            raise ApplicationError(_("Tick the questions to add."), code="invalid")
        added = authoring.slots_add_questions(quiz=quiz, questions=questions)
        return _("%(n)s questions added.") % {"n": len(added)}

    return builder_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slots_add_random(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    def action(access, quiz):
        category = Category.objects.filter(course=access.course,
                                           pk=parse_int(request.POST.get("category"))).first()
        if category is None:
            raise ApplicationError(_("Choose the category to draw from."), code="invalid")
        count = parse_int(request.POST.get("count"), 1)
        mark = request.POST.get("mark") or "1"
        added = authoring.slot_add_random(
            quiz=quiz, category=category, count=count, mark=mark,
            include_subcategories=bool(request.POST.get("include_subcategories")))
        return _("%(n)s random questions added.") % {"n": len(added)}

    return builder_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slot_move(request: HttpRequest, course_slug: str, quiz_slug: str,
              slot_id: int) -> HttpResponse:
    def action(access, quiz):
        slot = get_object_or_404(Slot, pk=slot_id, quiz=quiz)
        direction = request.POST.get("direction")
        authoring.slot_move(quiz=quiz, slot=slot, offset=-1 if direction == "up" else 1)
        return redirect(builder_url(course_slug, quiz_slug)
                        + f"?moved={slot.pk}&dir={'up' if direction == 'up' else 'down'}"
                        + f"#slot-{slot.pk}")

    return builder_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slot_remove(request: HttpRequest, course_slug: str, quiz_slug: str,
                slot_id: int) -> HttpResponse:
    def action(access, quiz):
        authoring.slot_remove(quiz=quiz, slot=get_object_or_404(Slot, pk=slot_id, quiz=quiz))
        return _("Removed from the quiz.")

    return builder_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slot_mark(request: HttpRequest, course_slug: str, quiz_slug: str,
              slot_id: int) -> HttpResponse:
    def action(access, quiz):
        mark = request.POST.get("mark") or ""
        authoring.slot_set_mark(quiz=quiz, slot=get_object_or_404(Slot, pk=slot_id, quiz=quiz),
                                mark=mark)
        return _("Mark saved.")

    return builder_action(request, course_slug, quiz_slug, action)


@login_required
@require_POST
def slots_reorder(request: HttpRequest, course_slug: str, quiz_slug: str) -> HttpResponse:
    """The drag-and-drop order: `order` = slot ids, comma-separated, top to bottom."""
    def action(access, quiz):
        ids = [parse_int(x, -1) for x in request.POST.get("order", "").split(",") if x.strip()]
        authoring.slots_reorder(quiz=quiz, slot_ids=ids)
        if request.headers.get("Accept", "").startswith("application/json"):
            return HttpResponse(status=204)
        return _("New order saved.")

    return builder_action(request, course_slug, quiz_slug, action)
