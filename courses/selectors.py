"""Every read that checks access. Views and APIs call these; none of them queries on its own.

Who may see or do what is decided in `courses.access`; the names it exports are re-exported
here for the callers that read them with the other course selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .access import (  # noqa: F401  (re-exported)
    CourseAccess,
    can_manage_site_models,
    course_access_get,
    require_instructor,
    require_teacher,
)
from .models import Course, Enrollment, Lesson, LessonProgress, Module


def course_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Course]:
    courses = Course.objects.annotate(lesson_count=Count("lessons", distinct=True))
    if user.is_staff:
        return courses
    return courses.filter(enrollments__user=user)


def course_modules_with_lessons(*, course: Course) -> list[Module]:
    lessons = Lesson.objects.only(
        "id", "slug", "session", "title", "title_en", "summary", "minutes", "module_id",
        "position",
    ).order_by("session")
    return list(course.modules.prefetch_related(Prefetch("lessons", queryset=lessons)))


def lesson_ids_read(*, user: AbstractBaseUser, course: Course) -> set[int]:
    return set(LessonProgress.objects.filter(user=user, lesson__course=course)
               .values_list("lesson_id", flat=True))


def lesson_get_for_user(*, user: AbstractBaseUser, course_slug: str,
                        lesson_slug: str) -> tuple[CourseAccess, Lesson]:
    access = course_access_get(user=user, course_slug=course_slug)
    lesson = (Lesson.objects.select_related("module")
              .filter(course=access.course, slug=lesson_slug).first())
    if lesson is None:
        raise Http404(_("No such lesson."))
    return access, lesson


def lesson_neighbours(*, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    siblings = Lesson.objects.filter(course_id=lesson.course_id).only(
        "slug", "title", "position", "session", "module_id")
    previous = siblings.filter(position__lt=lesson.position).order_by("-position").first()
    following = siblings.filter(position__gt=lesson.position).order_by("position").first()
    return previous, following


@dataclass(frozen=True)
class StudentReading:
    username: str
    full_name: str
    read: int
    total: int
    lesson_ids: frozenset[int]


def course_reading_report(*, access: CourseAccess) -> list[StudentReading]:
    """Who has read what: one row per enrolled student. Only for those who teach the course."""
    require_teacher(access, _("Only the course's teachers see everyone's progress."))
    course = access.course
    total = course.lessons.count()
    read_by_user: dict[int, set[int]] = {}
    for user_id, lesson_id in LessonProgress.objects.filter(lesson__course=course).values_list(
            "user_id", "lesson_id"):
        read_by_user.setdefault(user_id, set()).add(lesson_id)
    rows = []
    for enrollment in (Enrollment.objects.filter(course=course, role=Enrollment.Role.STUDENT)
                       .select_related("user").order_by("user__username")):
        user = enrollment.user
        ids = read_by_user.get(user.pk, set())
        rows.append(StudentReading(username=user.get_username(), full_name=user.get_full_name(),
                                   read=len(ids), total=total, lesson_ids=frozenset(ids)))
    return rows


def course_access_for_manager(*, user: AbstractBaseUser, course_slug: str) -> CourseAccess:
    """`course_access_get`, for who may manage the course's enrolments: its instructors and
    staff (not its TAs)."""
    return require_instructor(course_access_get(user=user, course_slug=course_slug),
                              _("Only the course's instructors can manage its participants."))


def course_participants(*, course: Course) -> list[Enrollment]:
    """The course's enrolments with their users, by role (instructors first), then username."""
    order = {Enrollment.Role.INSTRUCTOR: 0, Enrollment.Role.TA: 1, Enrollment.Role.STUDENT: 2}
    rows = list(Enrollment.objects.filter(course=course).select_related("user"))
    return sorted(rows, key=lambda e: (order.get(e.role, 3), e.user.username))


def next_unread_lesson(*, user: AbstractBaseUser, courses: list[Course]) -> Lesson | None:
    """Where to continue reading: the first unread lesson (course order) of the course the user
    read in most recently, else of the first of `courses` with one unread."""
    if not user.is_authenticated or not courses:
        return None
    ids = [course.pk for course in courses]
    latest = (LessonProgress.objects.filter(user=user, lesson__course_id__in=ids)
              .order_by("-read_at").values_list("lesson__course_id", flat=True).first())
    order = ([latest] if latest else []) + [pk for pk in ids if pk != latest]
    unread = (Lesson.objects.filter(course_id__in=ids).exclude(progress__user=user)
              .select_related("course", "module").order_by("position"))
    first_by_course: dict[int, Lesson] = {}
    for lesson in unread:
        first_by_course.setdefault(lesson.course_id, lesson)
    return next((first_by_course[pk] for pk in order if pk in first_by_course), None)
