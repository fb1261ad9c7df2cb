"""Pages for reading a course: the course list, a course with its weeks, a lesson."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError

from . import selectors, services
from .models import Enrollment
from .roster import ROSTER_BYTES_MAX


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


# ---------------------------------------------------------------------------------------------
# Participants (instructors)
# ---------------------------------------------------------------------------------------------


@login_required
def participants(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = selectors.course_access_for_manager(user=request.user, course_slug=course_slug)
    return _participants_page(request, access)


def _participants_page(request: HttpRequest, access, *, errors: list[str] | None = None,
                       roster: str = "", status: int = 200) -> HttpResponse:
    return render(request, "courses/participants.html", {
        "access": access, "course": access.course,
        "participants": selectors.course_participants(course=access.course),
        "roles": Enrollment.Role.choices, "errors": errors or [], "roster": roster,
    }, status=status)


def _roster_text(request: HttpRequest) -> str:
    """The uploaded CSV file's text, else the pasted text. Raises ApplicationError when the file
    is too large or not UTF-8."""
    upload = request.FILES.get("file")
    if upload is None:
        return request.POST.get("roster", "")
    if upload.size > ROSTER_BYTES_MAX:
        raise ApplicationError(_("The file is larger than %(n)s MB; split it into several "
                                 "files.") % {"n": ROSTER_BYTES_MAX // 1_000_000})
    data = upload.read()
    for encoding in ("utf-8-sig", "cp949"):  # Excel in Korea saves CSV as CP949
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("The file is not text in UTF-8 or CP949. Save it from your "
                             "spreadsheet as \"CSV UTF-8\" and upload it again."))


@login_required
@require_POST
def participants_import(request: HttpRequest, course_slug: str) -> HttpResponse:
    access = selectors.course_access_for_manager(user=request.user, course_slug=course_slug)
    target = redirect("courses:participants", course_slug=course_slug)
    try:
        text = _roster_text(request)
        report = services.enrollments_import(course=access.course, text=text)
    except ApplicationError as exc:
        # The page again, with every wrong line listed and the pasted text kept to correct.
        lines = exc.message.split("\n")
        return _participants_page(request, access, errors=lines,
                                  roster=request.POST.get("roster", ""), status=400)
    messages.success(request, _("Imported: %(n)s enrolled, %(r)s with a new role, %(u)s "
                                "already enrolled as listed.") % {
        "n": len(report.enrolled), "r": len(report.role_changed), "u": len(report.unchanged)})
    if report.accounts_created:
        messages.warning(request, _("New accounts without a password (they cannot log in until "
                                    "an administrator sets one): %(names)s") % {
            "names": ", ".join(report.accounts_created)})
    if report.kept_details:
        messages.info(request, _("Existing accounts were enrolled as they are; the name or email "
                                 "in the list was not applied to: %(names)s") % {
            "names": ", ".join(report.kept_details)})
    return target


def _enrollment(request: HttpRequest, course_slug: str, enrollment_id: int) -> Enrollment:
    access = selectors.course_access_for_manager(user=request.user, course_slug=course_slug)
    return get_object_or_404(Enrollment.objects.select_related("user", "course"),
                             pk=enrollment_id, course=access.course)


@login_required
@require_POST
def participant_role(request: HttpRequest, course_slug: str, enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment(request, course_slug, enrollment_id)
    try:
        services.enrollment_set_role(enrollment=enrollment, role=request.POST.get("role", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(u)s is now: %(r)s.") % {
            "u": enrollment.user.username, "r": enrollment.get_role_display()})
    return redirect("courses:participants", course_slug=course_slug)


@login_required
@require_POST
def participant_remove(request: HttpRequest, course_slug: str,
                       enrollment_id: int) -> HttpResponse:
    enrollment = _enrollment(request, course_slug, enrollment_id)
    try:
        services.enrollment_delete(enrollment=enrollment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Removed %(u)s from the course. Their attempts and grades "
                                    "are kept and come back if they are enrolled again.") % {
            "u": enrollment.user.username})
    return redirect("courses:participants", course_slug=course_slug)
