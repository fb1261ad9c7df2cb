"""Who may do what, for the whole site. Every view, API and service asks here; none re-derives a
role from `Enrollment` or `is_staff` on its own.

The rules, each stated once below:

- **See a course** (its lessons, published quizzes, own attempts): anyone enrolled in it, in any
  role, and site staff. Anonymous users and users of other courses are refused (403); a course
  that does not exist is 404.
- **Teach a course** (everyone's progress and grades, the question bank, quiz authoring,
  statistics, disputes, hiding gallery items): its instructors and TAs, and site staff.
- **Instruct a course** (manage participants, add photos to its spot-the-fake pool): its
  instructors and site staff, not its TAs.
- **Change an attempt** (answer, save, submit, dispute): only the student who owns it; a
  teacher may look at it but not change it.
- **See an attempt**: its owner and the course's teachers.
- **Act on a demo result** (cancel, share): only the user who made it. **See** one: its maker,
  staff, the teachers of its course, and the course's members once it is shared and not hidden.
- **Manage site models** (the demo status board, retraining the fake detector): site staff
  and anyone who instructs some course.

A refusal is `config.errors.ApplicationError` with status 403 and code `forbidden`, carrying a
translated sentence the edges show as is (a page through `config.page_errors`, the API's JSON
error shape through `config.api_errors`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404
from django.utils.translation import gettext as _

from config.errors import ApplicationError

from .models import Course, Enrollment

TEACHING_ROLES = (Enrollment.Role.INSTRUCTOR, Enrollment.Role.TA)


def forbidden(message) -> ApplicationError:
    """The one shape of a refusal: 403, code `forbidden`, the sentence given."""
    return ApplicationError(message, status=403, code="forbidden")


@dataclass(frozen=True)
class CourseAccess:
    """What a user may do in one course."""

    course: Course
    role: str | None  # Enrollment.Role value, or None for staff who are not enrolled
    is_staff: bool

    @property
    def can_teach(self) -> bool:
        """Instructors, TAs and site staff: see all progress, statistics, authoring."""
        return self.is_staff or self.role in TEACHING_ROLES

    @property
    def is_instructor(self) -> bool:
        """Instructors and site staff (not TAs): manage participants and the photo pool."""
        return self.is_staff or self.role == Enrollment.Role.INSTRUCTOR

    @property
    def is_student(self) -> bool:
        return self.role == Enrollment.Role.STUDENT


def course_access_from_role(*, user: AbstractBaseUser, course: Course,
                            role: str | None) -> CourseAccess:
    """The "see a course" rule for a course already read together with the viewer's role (a
    selector that annotates the role saves a query); 403 for anonymous users and outsiders."""
    if not user.is_authenticated:
        raise forbidden(_("Log in to see this course."))
    if role is None and not user.is_staff:
        raise forbidden(_("You are not enrolled in this course."))
    return CourseAccess(course=course, role=role, is_staff=user.is_staff)


def course_access_get(*, user: AbstractBaseUser, course_slug: str) -> CourseAccess:
    """The user's access to the course: 404 if there is no such course, 403 unless enrolled in it
    (any role) or staff."""
    course = Course.objects.filter(slug=course_slug).first()
    if course is None:
        raise Http404(_("No such course."))
    role = None
    if user.is_authenticated:
        role = (Enrollment.objects.filter(user=user, course=course)
                .values_list("role", flat=True).first())
    return course_access_from_role(user=user, course=course, role=role)


def require_teacher(access: CourseAccess, message=None) -> CourseAccess:
    """`access` unchanged if the user teaches the course (instructor, TA, staff); 403 otherwise.
    `message` says what was refused when a more specific sentence helps."""
    if not access.can_teach:
        raise forbidden(message or _("Only the course's teachers can do this."))
    return access


def require_instructor(access: CourseAccess, message=None) -> CourseAccess:
    """`access` unchanged if the user instructs the course (instructor, staff; not a TA)."""
    if not access.is_instructor:
        raise forbidden(message or _("Only the course's instructors can do this."))
    return access


def teacher_access_get(*, user: AbstractBaseUser, course_slug: str, message=None) -> CourseAccess:
    """`course_access_get` then `require_teacher`: the first line of every authoring page."""
    return require_teacher(course_access_get(user=user, course_slug=course_slug), message)


def user_teaches_course(*, user: AbstractBaseUser, course_id: int | None) -> bool:
    """Whether `user` teaches the course with this id (instructor, TA) or is staff, for code that
    holds a row (a demo job) rather than a `CourseAccess`."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return course_id is not None and Enrollment.objects.filter(
        user_id=user.pk, course_id=course_id, role__in=TEACHING_ROLES).exists()


def require_attempt_viewer(*, user: AbstractBaseUser, access: CourseAccess,
                           attempt_user_id: int) -> CourseAccess:
    """An attempt is seen by its owner and by the course's teachers; 403 for anyone else."""
    if attempt_user_id != user.pk and not access.can_teach:
        raise forbidden(_("This is not your attempt."))
    return access


def require_attempt_owner(*, user: AbstractBaseUser, attempt_user_id: int) -> None:
    """Only the student who owns an attempt changes it (answers, submits, disputes); a teacher
    who may see it is still refused (403)."""
    if attempt_user_id != user.pk:
        raise forbidden(_("Only the student who owns this attempt can change it."))


def require_job_owner(*, user: AbstractBaseUser, job_user_id: int | None, message=None) -> None:
    """Only the user who made a demo result cancels or shares it (403 otherwise)."""
    if job_user_id is None or job_user_id != user.pk:
        raise forbidden(message or _("This demo result is not yours."))


def can_see_demo_job(*, user: AbstractBaseUser, job_user_id: int | None,
                     course_id: int | None, shared: bool) -> bool:
    """A demo result is seen by its maker, staff, the teachers of its course, and — once shared
    to the course gallery and not hidden (`shared`) — by the course's members."""
    if not user.is_authenticated:
        return False
    if job_user_id == user.pk or user.is_staff:
        return True
    if course_id is None:
        return False
    role = (Enrollment.objects.filter(user_id=user.pk, course_id=course_id)
            .values_list("role", flat=True).first())
    return role in TEACHING_ROLES or (role is not None and shared)


def can_manage_site_models(*, user: AbstractBaseUser) -> bool:
    """Staff, or an instructor of some course: sees the demo status board and may retrain the
    fake detector. (Site-wide tools have no course, so no course role decides.)"""
    return user.is_authenticated and (user.is_staff or Enrollment.objects.filter(
        user_id=user.pk, role=Enrollment.Role.INSTRUCTOR).exists())


def require_site_model_manager(*, user: AbstractBaseUser, message=None) -> None:
    """403 unless `can_manage_site_models`."""
    if not can_manage_site_models(user=user):
        raise forbidden(message or _("Only instructors can manage the demo models."))


def instructed_course_ids(*, user: AbstractBaseUser) -> set[int] | None:
    """The ids of the courses `user` instructs; None for staff (every course)."""
    if user.is_staff:
        return None
    return set(Enrollment.objects.filter(user_id=user.pk, role=Enrollment.Role.INSTRUCTOR)
               .values_list("course_id", flat=True))
