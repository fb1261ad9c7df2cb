"""Every write to courses: loading packs, enrolments, reading progress."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from config.errors import ApplicationError

from .models import Course, Enrollment, Lesson, LessonProgress, Module
from .pack import CoursePackSpec, PackError, read_course_pack
from .roster import RosterError, roster_parse

log = logging.getLogger(__name__)


@dataclass
class PackLoadReport:
    course: Course
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.course.slug}: {len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged, {len(self.deleted)} deleted")


def course_pack_load(*, path: Path, by: AbstractBaseUser | None = None) -> PackLoadReport:
    """Read, validate and apply a whole pack (lessons and quizzes) in one transaction.

    Raises `courses.pack.PackError` before any write when a file is wrong. Logs who loaded
    which pack, with the counts or the reason it was refused.
    """
    who = by.get_username() if by else "-"
    try:
        report = _course_pack_load(path=path)
    except (PackError, ApplicationError) as exc:
        log.warning("course pack refused: by=%s path=%s reason=%s", who, path, exc)
        raise
    log.info("course pack load: by=%s path=%s course=%s created=%d updated=%d unchanged=%d "
             "deleted=%d", who, path, report.course.slug, len(report.created),
             len(report.updated), len(report.unchanged), len(report.deleted))
    return report


def _course_pack_load(*, path: Path) -> PackLoadReport:
    spec = read_course_pack(path)
    quiz_specs = []
    if spec.quiz_files:
        from quizzes.pack import read_quiz_files  # the quiz app owns the quiz file format

        quiz_specs = read_quiz_files(spec)
    with transaction.atomic():
        report = course_pack_apply(spec=spec)
        if quiz_specs:
            from quizzes.services import quiz_pack_apply

            quiz_pack_apply(course=report.course, quizzes=quiz_specs, report=report)
    return report


def _upsert(model, lookup: dict, values: dict, report: PackLoadReport, label: str):
    """Create or update one row; record what happened (an unchanged row is not saved)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.created.append(label)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.updated.append(label)
    else:
        report.unchanged.append(label)
    return obj


def course_pack_apply(*, spec: CoursePackSpec) -> PackLoadReport:
    """Make the database match the pack: upsert course, weeks and lessons; drop removed ones."""
    from .rendering import render_markdown

    with transaction.atomic():
        course = Course.objects.filter(slug=spec.slug).first()
        report = PackLoadReport(course=course)  # type: ignore[arg-type]
        course = _upsert(Course, {"slug": spec.slug}, {
            "title": spec.title, "title_en": spec.title_en, "description": spec.description,
            "description_html": render_markdown(spec.description),
            "source_path": str(spec.root),
        }, report, f"course {spec.slug}")
        report.course = course
        keep_modules, keep_lessons = [], []
        # Sessions are unique per week. Lessons that move to another (week, session) are parked
        # out of the way first, so a pack that swaps two lessons does not trip the constraint.
        wanted = {ls.slug: (m.number, ls.session) for m in spec.modules for ls in m.lessons}
        movers = [
            lesson.pk
            for lesson in Lesson.objects.filter(course=course).select_related("module")
            if wanted.get(lesson.slug) != (lesson.module.number, lesson.session)
        ]
        for pk in movers:
            Lesson.objects.filter(pk=pk).update(session=10_000 + pk)
        position = 0
        for mspec in spec.modules:
            module = _upsert(Module, {"course": course, "number": mspec.number}, {
                "slug": mspec.dir, "title": mspec.title, "title_en": mspec.title_en,
                "summary": mspec.summary,
            }, report, f"week {mspec.number}")
            keep_modules.append(module.pk)
            for lspec in mspec.lessons:
                position += 1
                lesson = _upsert(Lesson, {"course": course, "slug": lspec.slug}, {
                    "module": module, "session": lspec.session, "title": lspec.title,
                    "title_en": lspec.title_en, "summary": lspec.summary,
                    "minutes": lspec.minutes, "body": lspec.body, "body_html": lspec.body_html,
                    "position": position, "source_file": lspec.source_file,
                }, report, f"lesson {lspec.slug}")
                keep_lessons.append(lesson.pk)
        for removed in Lesson.objects.filter(course=course).exclude(pk__in=keep_lessons):
            report.deleted.append(f"lesson {removed.slug}")
            removed.delete()
        for removed in Module.objects.filter(course=course).exclude(pk__in=keep_modules):
            report.deleted.append(f"week {removed.number}")
            removed.delete()
    return report


def enrollment_create(*, user: AbstractBaseUser, course: Course,
                      role: str = Enrollment.Role.STUDENT) -> Enrollment:
    """Enrol `user` (idempotent: an existing enrolment gets the new role)."""
    enrollment, _ = Enrollment.objects.update_or_create(
        user=user, course=course, defaults={"role": role})
    return enrollment


@dataclass
class RosterImportReport:
    enrolled: list[str] = field(default_factory=list)  # new to the course
    role_changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Accounts created without a usable password: they cannot log in until one is set.
    accounts_created: list[str] = field(default_factory=list)
    # Existing accounts whose name or email in the list differ (left as they are).
    kept_details: list[str] = field(default_factory=list)


def enrollments_import(*, course: Course, text: str) -> RosterImportReport:
    """Enrol everyone listed in `text` (CSV: username, name, email, role) in `course`.

    Every line is checked first and nothing is written unless all are right (ApplicationError
    naming each wrong line). A username with no account gets a new account with that name and
    email and an unusable password (it cannot log in until a password is set); an existing
    account is enrolled as it is. A listed person already enrolled takes the listed role.
    """
    try:
        rows = roster_parse(text)
    except RosterError as exc:
        raise ApplicationError(_("Nothing was imported. Fix these lines and upload the list "
                                 "again:") + "\n" + "\n".join(exc.errors),
                               code="invalid_roster", fields={"file": exc.errors}) from None
    user_model = get_user_model()
    report = RosterImportReport()
    with transaction.atomic():
        users = {u.username: u for u in user_model.objects.filter(
            username__in=[r.username for r in rows])}
        for row in rows:
            user = users.get(row.username)
            if user is None:
                user = user_model(username=row.username, email=row.email, first_name=row.name)
                user.set_unusable_password()
                user.save()
                report.accounts_created.append(row.username)
            elif (row.name and row.name != user.get_full_name()) or (
                    row.email and row.email.lower() != (user.email or "").lower()):
                report.kept_details.append(row.username)
            existing = Enrollment.objects.filter(user=user, course=course).first()
            if existing is None:
                Enrollment.objects.create(user=user, course=course, role=row.role)
                report.enrolled.append(row.username)
            elif existing.role != row.role:
                existing.role = row.role
                existing.save(update_fields=["role"])
                report.role_changed.append(row.username)
            else:
                report.unchanged.append(row.username)
        _require_an_instructor(course)
    return report


def _require_an_instructor(course: Course) -> None:
    """Refuse a change that would leave the course without an instructor (nobody but staff
    could then manage it); called inside the change's transaction, so it is rolled back."""
    if not Enrollment.objects.filter(course=course, role=Enrollment.Role.INSTRUCTOR).exists():
        raise ApplicationError(_("A course needs at least one instructor. Make someone else "
                                 "an instructor first."), code="last_instructor",
                               status_code=409)


def enrollment_set_role(*, enrollment: Enrollment, role: str) -> Enrollment:
    """Change an enrolment's role (student, ta, instructor)."""
    if role not in Enrollment.Role.values:
        raise ApplicationError(_("Choose a role: student, ta or instructor."),
                               code="invalid_role", fields={"role": [_("Unknown role.")]})
    with transaction.atomic():
        enrollment.role = role
        enrollment.save(update_fields=["role"])
        _require_an_instructor(enrollment.course)
    return enrollment


def enrollment_delete(*, enrollment: Enrollment) -> None:
    """Remove someone from the course. Their account, attempts and grades are kept (enrolling
    them again brings them back); they no longer see the course."""
    with transaction.atomic():
        enrollment.delete()
        _require_an_instructor(enrollment.course)


def lesson_mark_read(*, user: AbstractBaseUser, lesson: Lesson) -> LessonProgress:
    progress, _ = LessonProgress.objects.get_or_create(user=user, lesson=lesson)
    return progress


def lesson_mark_unread(*, user: AbstractBaseUser, lesson: Lesson) -> None:
    LessonProgress.objects.filter(user=user, lesson=lesson).delete()
