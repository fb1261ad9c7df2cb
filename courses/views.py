"""Pages for reading a course: the course list, a course with its weeks, a lesson."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services


@login_required
def course_list(request: HttpRequest) -> HttpResponse:
    """The home page: my courses, what is due, and where to continue."""
    from quizzes.models import Quiz
    from quizzes.selectors import quizzes_due_for_user

    courses = list(selectors.course_list_for_user(user=request.user))
    due = quizzes_due_for_user(user=request.user)
    open_attempts = sorted((row.open_attempt for row in due if row.open_attempt),
                           key=lambda attempt: attempt.started_at, reverse=True)
    next_lesson = None if open_attempts else selectors.next_unread_lesson(
        user=request.user, courses=courses)
    return render(request, "courses/course_list.html", {
        "courses": courses,
        "due": [row for row in due if row.quiz.kind != Quiz.Kind.PRACTICE],
        "practice_due": [row for row in due if row.quiz.kind == Quiz.Kind.PRACTICE],
        "continue_attempt": open_attempts[0] if open_attempts else None,
        "next_lesson": next_lesson,
    })


@login_required
def course_detail(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = selectors.course_access_get(user=request.user, course_slug=course_slug)
    modules = selectors.course_modules_with_lessons(course=access.course)
    read_ids = selectors.lesson_ids_read(user=request.user, course=access.course)
    total = sum(len(m.lessons.all()) for m in modules)
    context = {
        "access": access,
        "course": access.course,
        "modules": modules,
        "read_ids": read_ids,
        "read_count": len(read_ids),
        "lesson_total": total,
        "percent": round(100 * len(read_ids) / total) if total else 0,
        "reading_report": (
            selectors.course_reading_report(access=access) if access.can_teach else None
        ),
        "extra_sections": _course_page_sections(request, access),
    }
    return render(request, "courses/course_detail.html", context)


def _course_page_sections(request: HttpRequest, access: selectors.CourseAccess) -> list[str]:
    """HTML blocks other apps add to the course page (the quizzes list, the demos)."""
    from quizzes.views import course_quiz_section

    return [course_quiz_section(request, access)]


@login_required
def lesson_detail(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    access, lesson = selectors.lesson_get_for_user(
        user=request.user, course_slug=course_slug, lesson_slug=lesson_slug)
    previous, following = selectors.lesson_neighbours(lesson=lesson)
    is_read = lesson.pk in selectors.lesson_ids_read(user=request.user, course=access.course)
    from inference.widgets import expand_demo_widgets  # demos are optional in a lesson

    body = expand_demo_widgets(request, lesson.body_html, access=access, lesson=lesson)
    return render(request, "courses/lesson_detail.html", {
        "access": access, "course": access.course, "lesson": lesson, "module": lesson.module,
        "previous": previous, "next": following, "is_read": is_read, "body": body,
    })


@login_required
@require_POST
def lesson_toggle_read(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    access, lesson = selectors.lesson_get_for_user(
        user=request.user, course_slug=course_slug, lesson_slug=lesson_slug)
    if request.POST.get("read") == "0":
        services.lesson_mark_unread(user=request.user, lesson=lesson)
        is_read = False
    else:
        services.lesson_mark_read(user=request.user, lesson=lesson)
        is_read = True
    if request.htmx:
        return render(request, "courses/_read_toggle.html",
                      {"course": access.course, "lesson": lesson, "is_read": is_read})
    return redirect("courses:lesson", course_slug=course_slug, lesson_slug=lesson_slug)
