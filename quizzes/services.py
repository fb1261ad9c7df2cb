"""Every write in the quiz engine: loading quizzes, attempts, saves, submits, regrades, disputes.

Grading is synchronous and pure (quizzes.qtypes); these functions only decide when it runs and
store its result. Each public function is keyword-only and atomic.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.errors import ApplicationError
from courses.models import Course, Lesson

from . import bounds, limits, qtype_registry, qtypes
from .attempt_runtime import (  # noqa: F401 - the save and submit services, re-exported
    SaveResult,
    _grade_into,
    _score,
    attempt_close_if_overdue,
    attempt_finish_if_overdue,
    attempt_submit,
    attempt_submit_own,
    response_flag_set,
    response_save,
    response_save_for_user,
)
from .bounds import has_unstorable_text
from .models import (
    Attempt,
    Category,
    Dispute,
    GradeOverride,
    Question,
    QuestionVersion,
    Quiz,
    QuizOverride,
    RegradeLog,
    Response,
    Slot,
    default_review_policy,
)
from .qtypes.base import NEEDS_GRADING
from .question_files import question_files_store
from .terms import (
    quiz_terms_for,  # noqa: F401 - a read, re-exported for callers
    quiz_terms_lock,
)
from .timing import quiz_terms

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------
# Question bank
# ----------------------------------------------------------------------------------------------


def category_name_clean(name: str) -> str:
    """A category name as stored: its whitespace runs (line breaks included) made one space, as
    the category form writes it. A line break cannot be written back into a GIFT or Moodle XML
    category path, so a name with one would make its questions unexportable."""
    return " ".join(name.split())


def category_get_or_create_path(*, course: Course, path: tuple[str, ...] | list[str]) -> Category:
    """Return the category at `path` (e.g. ("Quizzes", "Week 6")), creating missing levels.

    Every path that comes from outside (an imported file's categories, the API's `category`)
    arrives here, so the names are checked here: a name the column cannot hold (too long, or
    with a NUL) is refused with its name instead of failing in the database."""
    path = [name for name in map(category_name_clean, path) if name]
    for name in path:
        if len(name) > limits.CATEGORY_NAME_MAX or has_unstorable_text(name):
            message = _("The category name %(name)s cannot be stored: a name has at most "
                        "%(max)s characters and no NUL characters. Shorten or rename it.") % {
                "name": repr(name[:60] + ("…" if len(name) > 60 else "")),
                "max": limits.CATEGORY_NAME_MAX}
            raise ApplicationError(message, code="invalid_category",
                                   fields={"category": [message]})
    parent = None
    for name in path:
        parent, _created = Category.objects.get_or_create(course=course, parent=parent, name=name)
    if parent is None:
        parent, _created = Category.objects.get_or_create(course=course, parent=None,
                                                         name="Default")
    return parent


def question_data_validate(*, qtype: str, data: dict) -> dict:
    """The type's normalised data, or ApplicationError whose `fields` has the data path
    ("choices[2].fraction") of the fault, as `QuestionDataError` says it. The one check of a
    question's data: the editor (`authoring.question_validate`) adds its own rules on top."""
    try:
        data = qtypes.get(qtype).validate(data)
    except qtypes.QuestionDataError as exc:
        raise ApplicationError(str(exc), code="invalid_question",
                               fields={exc.path or "data": [exc.message]}) from exc
    if has_unstorable_text(data):
        message = _("The question contains characters that cannot be stored (NUL, or a lone "
                    "surrogate).")
        raise ApplicationError(message, code="invalid_question", fields={"data": [message]})
    return data


def question_mark_clean(*, qtype: str, default_mark: object) -> Decimal:
    """The default mark to store: 0 for a type that takes no answer (a description), else the
    given mark when it is within `limits` (ApplicationError otherwise), to 3 decimals."""
    if not qtype_registry.get(qtype).scored:
        return Decimal(0)
    mark = bounds.check_number(default_mark, field="default_mark", what=_("The default mark"),
                               low=0, high=limits.MARK_MAX)
    return mark.quantize(Decimal("0.001"))


def question_create(*, course: Course, category: Category, name: str, qtype: str, stem: str,
                    data: dict, text_format: str = "markdown", general_feedback: str = "",
                    default_mark: float = 1.0, key: str = "", tags: list[str] | None = None,
                    lesson: Lesson | None = None, user: AbstractBaseUser | None = None,
                    files: dict[str, bytes] | None = None,
                    extras: dict | None = None) -> Question:
    """Create a question with its first version."""
    data = question_data_validate(qtype=qtype, data=data)
    default_mark = question_mark_clean(qtype=qtype, default_mark=default_mark)
    with transaction.atomic():
        question = Question.objects.create(course=course, category=category, name=name, key=key,
                                           tags=tags or [], lesson=lesson)
        version = QuestionVersion.objects.create(
            question=question, number=1, qtype=qtype, stem=stem, text_format=text_format,
            data=data, general_feedback=general_feedback, default_mark=default_mark,
            extras=extras or {}, created_by=user)
        question_files_store(version=version, files=files)
    return question


def question_version_create(*, question: Question, stem: str, data: dict,
                            qtype: str | None = None, text_format: str | None = None,
                            general_feedback: str | None = None,
                            default_mark: float | None = None, user: AbstractBaseUser | None = None,
                            change_note: str = "", extras: dict | None = None,
                            always: bool = False) -> QuestionVersion:
    """Save an edit as a new immutable version; attempts keep the version they were given.
    `extras` (kept Moodle settings) default to the latest version's. An edit that changes
    nothing returns the latest version: a version number tells the instructor the question
    changed, and a regrade onto an identical copy would only confuse the log. `always` makes
    one anyway, for a caller that changes what the content does not hold (its files)."""
    with transaction.atomic():
        latest = (QuestionVersion.objects.select_for_update()
                  .filter(question=question).order_by("-number").first())
        qtype = qtype or latest.qtype
        data = question_data_validate(qtype=qtype, data=data)
        default_mark = question_mark_clean(
            qtype=qtype, default_mark=latest.default_mark if default_mark is None
            else default_mark)
        content = (qtype, stem, text_format or latest.text_format, data,
                   latest.general_feedback if general_feedback is None else general_feedback,
                   float(default_mark))
        if not always and latest.content_tuple() == content and extras in (None, latest.extras):
            return latest
        return QuestionVersion.objects.create(
            question=question, number=latest.number + 1, qtype=qtype, stem=stem,
            text_format=text_format or latest.text_format, data=data,
            general_feedback=latest.general_feedback if general_feedback is None
            else general_feedback,
            default_mark=default_mark,
            extras=latest.extras if extras is None else extras,
            created_by=user, change_note=change_note)


# ----------------------------------------------------------------------------------------------
# Course pack
# ----------------------------------------------------------------------------------------------


def quiz_pack_apply(*, course: Course, quizzes: list, report) -> None:
    """Upsert the pack's quizzes and their questions (by key); a changed item gets a new version."""
    lessons = {(lesson.module.slug, lesson.slug): lesson
               for lesson in Lesson.objects.filter(course=course).select_related("module")}
    for spec in quizzes:
        category = category_get_or_create_path(course=course, path=("Course pack", spec.slug))
        quiz_values = {
            "title": spec.title, "title_en": spec.title_en, "week": spec.week,
            "module": course.modules.filter(number=spec.week).first(), "kind": spec.kind,
            "intro": spec.intro, "time_limit": spec.time_limit,
            "attempts_allowed": spec.attempts_allowed, "grading_method": spec.grading_method,
            "shuffle_questions": spec.shuffle_questions, "shuffle_choices": spec.shuffle_choices,
            "review_policy": spec.review_policy or default_review_policy(),
            "open_at": spec.open_at, "close_at": spec.close_at,
            "questions_per_page": spec.questions_per_page,
        }
        quiz = Quiz.objects.filter(course=course, slug=spec.slug).first()
        if quiz is None:
            quiz = Quiz.objects.create(course=course, slug=spec.slug, **quiz_values)
            report.created.append(f"quiz {spec.slug}")
        else:
            changed = [k for k, v in quiz_values.items() if getattr(quiz, k) != v]
            for k in changed:
                setattr(quiz, k, quiz_values[k])
            if {"close_at", "time_limit"} & set(changed):
                with quiz_terms_change(quiz):
                    quiz.save(update_fields=changed)
            elif changed:
                quiz.save(update_fields=changed)
            if changed:
                report.updated.append(f"quiz {spec.slug}")
        questions = [_apply_question(course, category, q, lessons, report) for q in spec.questions]
        _apply_slots(quiz, questions, [q.mark for q in spec.questions], report)


def _apply_question(course, category, spec, lessons, report) -> Question:
    lesson = lessons.get(spec.lesson) if spec.lesson else None
    question = Question.objects.filter(course=course, key=spec.key).first()
    content = (spec.qtype, spec.stem, spec.text_format, spec.data, spec.general_feedback,
               float(spec.mark))
    if question is None:
        question = question_create(
            course=course, category=category, name=spec.name, qtype=spec.qtype, stem=spec.stem,
            data=spec.data, text_format=spec.text_format, general_feedback=spec.general_feedback,
            default_mark=spec.mark, key=spec.key, tags=spec.tags, lesson=lesson)
        report.created.append(f"question {spec.key}")
        return question
    meta_changed = [name for name, value in (("name", spec.name), ("tags", spec.tags),
                                            ("lesson", lesson), ("category", category))
                    if getattr(question, name) != value]
    for name in meta_changed:
        setattr(question, name, {"name": spec.name, "tags": spec.tags, "lesson": lesson,
                                 "category": category}[name])
    if meta_changed:
        question.save(update_fields=meta_changed)
    if question.latest_version().content_tuple() != content:
        question_version_create(question=question, qtype=spec.qtype, stem=spec.stem,
                                data=spec.data, text_format=spec.text_format,
                                general_feedback=spec.general_feedback, default_mark=spec.mark,
                                change_note="course pack reload")
        report.updated.append(f"question {spec.key}")
    elif meta_changed:
        report.updated.append(f"question {spec.key}")
    return question


def _apply_slots(quiz: Quiz, questions: list[Question], marks: list[float], report) -> None:
    wanted = [(q.pk, Decimal(str(m))) for q, m in zip(questions, marks, strict=True)]
    current = [(s.question_id, s.mark) for s in quiz.slots.order_by("position")
               if s.kind == Slot.Kind.LATEST]
    if current == wanted and quiz.slots.count() == len(wanted):
        return
    if quiz.attempts.exists():
        # Changing the structure under existing attempts would orphan their responses; keep it
        # and say so rather than silently diverging.
        report.updated.append(f"quiz {quiz.slug}: question list changed but the quiz has "
                              "attempts, so its slots were kept")
        return
    quiz.slots.all().delete()
    Slot.objects.bulk_create([
        Slot(quiz=quiz, position=i + 1, kind=Slot.Kind.LATEST, question_id=qid, mark=mark)
        for i, (qid, mark) in enumerate(wanted)
    ])


# ----------------------------------------------------------------------------------------------
# Attempts
# ----------------------------------------------------------------------------------------------


# Building and starting attempts (drawing questions and images ahead of the opening, the start
# itself, the draws a review reveals) lives in quizzes.attempt_build; these names stay here for
# the views, the API and the tests that call them through this module.
from .attempt_build import (  # noqa: E402,F401 - re-exported
    _descendants,  # a category's subcategories: authoring and interchange ask here
    attempt_images_redraw,
    attempt_prepared_claim,
    attempt_review_reveal,
    attempt_start,
    attempt_start_or_resume,
)


def _deadline_expression(*, time_limit: int, close_at):
    """min(start + time limit, close) as an SQL expression over an attempt's `started_at`."""
    by_limit = F("started_at") + timedelta(seconds=time_limit) if time_limit else None
    by_close = Value(close_at, output_field=DateTimeField()) if close_at else None
    if by_limit is not None and by_close is not None:
        return Least(by_limit, by_close, output_field=DateTimeField())
    return by_limit or by_close or Value(None, output_field=DateTimeField())


@contextmanager
def quiz_terms_change(quiz: Quiz) -> Iterator[None]:
    """Every write that changes a quiz's `close_at`, `time_limit` or `grace_period`, or a
    student's override (the settings page, the course pack reload, the overrides form), runs in
    this: one transaction that first takes the quiz's terms lock (`terms.quiz_terms_lock`: the
    starts in flight commit first, new ones wait for the change), then the write, then
    `attempts_deadline_refresh`. Taken before the write, so a start waits on nothing the
    change holds."""
    with transaction.atomic():
        quiz_terms_lock(quiz.pk, shared=False)
        yield
        attempts_deadline_refresh(quiz=quiz)


def attempts_deadline_refresh(*, quiz: Quiz, now=None) -> int:
    """Recompute the deadline of every open attempt of `quiz` from its current dates and time
    limit (min(start + time limit, close), as `attempt_deadline`), each student's override
    applied, then submit those now past it plus the grace period, with their saved answers.
    Returns how many were submitted. A change of the terms calls it through
    `quiz_terms_change`.

    One UPDATE for the students without an override, one per override: the updates lock the
    open attempts' rows, so a save running at the same moment is checked against the new
    deadline.
    """
    with transaction.atomic():
        overrides = list(QuizOverride.objects.filter(quiz=quiz).order_by("user_id"))
        open_attempts = Attempt.objects.filter(quiz=quiz, state=Attempt.State.IN_PROGRESS)
        open_attempts.exclude(user_id__in=[o.user_id for o in overrides]).update(
            deadline=_deadline_expression(time_limit=quiz.time_limit, close_at=quiz.close_at))
        for override in overrides:
            terms = quiz_terms(quiz, override)
            open_attempts.filter(user_id=override.user_id).update(deadline=_deadline_expression(
                time_limit=terms.time_limit, close_at=terms.close_at))
        # Read the clock after the update: it waited for the saves in flight, so every answer
        # they stored has an earlier time than the submissions below.
        now = now or timezone.now()
        overdue = list(Attempt.objects.filter(
            quiz=quiz, state=Attempt.State.IN_PROGRESS,
            deadline__lt=now - timedelta(seconds=quiz.grace_period)).select_related("quiz"))
        for attempt in overdue:
            attempt_submit(attempt=attempt, now=now, auto=True,
                           reason="its deadline moved before now")
    return len(overdue)


def quiz_override_set(*, quiz: Quiz, user: AbstractBaseUser, close_at=None,
                      time_limit: int | None = None,
                      attempts_allowed: int | None = None) -> QuizOverride:
    """Give `user` (a student of the quiz's course) their own close date, time limit or
    attempts (None: the quiz's own), then recompute their open attempt's deadline (an attempt
    now past it is submitted). Setting all three to None removes the override."""
    from courses.models import Enrollment

    if not Enrollment.objects.filter(course_id=quiz.course_id, user_id=user.pk,
                                     role=Enrollment.Role.STUDENT).exists():
        raise ApplicationError(_("%(u)s is not a student of this course; overrides are for "
                                 "enrolled students.") % {"u": user.get_username()},
                               code="not_a_student")
    if time_limit is not None and not 0 <= time_limit <= limits.TIME_LIMIT_MAX:
        raise ApplicationError(_("The time limit must be between 0 and %(m)s minutes.") % {
            "m": limits.TIME_LIMIT_MAX // 60}, code="invalid_time_limit")
    if attempts_allowed is not None and not 0 <= attempts_allowed <= limits.ATTEMPTS_ALLOWED_MAX:
        raise ApplicationError(_("Attempts allowed must be between 0 (unlimited) and %(m)s.") % {
            "m": limits.ATTEMPTS_ALLOWED_MAX}, code="invalid_attempts_allowed")
    bounds.check_date(close_at, field="close_at", what=_("The closing date"))
    if close_at is None and time_limit is None and attempts_allowed is None:
        quiz_override_delete(quiz=quiz, user=user)
        return QuizOverride(quiz=quiz, user=user)
    with quiz_terms_change(quiz):
        override, _created = QuizOverride.objects.update_or_create(
            quiz=quiz, user=user, defaults={"close_at": close_at, "time_limit": time_limit,
                                            "attempts_allowed": attempts_allowed})
    return override


def grade_override_set(*, quiz: Quiz, user: AbstractBaseUser, grade: object,
                       reason: str, by: AbstractBaseUser | None) -> GradeOverride:
    """Record a teacher's grade (percent) for `user` on `quiz` in place of the computed one, with
    the reason; `grade` None gives the computed grade back. Every call adds a row, so the
    history (who, when, what, why) is kept."""
    from courses.models import Enrollment

    if not Enrollment.objects.filter(course_id=quiz.course_id, user_id=user.pk,
                                     role=Enrollment.Role.STUDENT).exists():
        raise ApplicationError(_("%(u)s is not a student of this course.") % {
            "u": user.get_username()}, code="not_a_student")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the change; it is kept with the grade."),
                               code="reason_required", fields={
                                   "reason": [_("This field is required.")]})
    value = None
    if grade is not None and str(grade).strip() != "":
        value = bounds.check_number(grade, field="grade", what=_("The grade (percent)"),
                                    low=0, high=limits.GRADE_OVERRIDE_MAX)
        value = value.quantize(Decimal("0.01"))
    elif not GradeOverride.objects.filter(quiz=quiz, user_id=user.pk).exists():
        raise ApplicationError(_("Enter a grade from 0 to 100; an empty grade removes an "
                                 "override, and this student has none."),
                               code="no_override")
    with transaction.atomic():
        previous = (GradeOverride.objects.filter(quiz=quiz, user_id=user.pk)
                    .order_by("-pk").values_list("grade", flat=True).first())
        override = GradeOverride.objects.create(quiz=quiz, user=user, grade=value,
                                                reason=reason[:2000], by=by)
    # Grades are what students dispute: who changed whose, from what to what, and why.
    log.info("grade override: by=%s student=%s quiz=%s/%s old=%s new=%s reason=%r",
             by.get_username() if by else "-", user.get_username(), quiz.course.slug, quiz.slug,
             "computed" if previous is None else previous,
             "computed" if value is None else value, override.reason)
    return override


def quiz_override_delete(*, quiz: Quiz, user: AbstractBaseUser) -> bool:
    """Remove `user`'s override (the quiz's settings hold again); their open attempt's deadline
    is recomputed. Returns whether there was one."""
    with quiz_terms_change(quiz):
        deleted, _rows = QuizOverride.objects.filter(quiz=quiz, user_id=user.pk).delete()
    return bool(deleted)


def attempts_finish_overdue(*, now=None) -> int:
    """Submit every overdue attempt (run periodically by the `default` worker)."""
    now = now or timezone.now()
    count = 0
    for attempt in Attempt.objects.filter(state=Attempt.State.IN_PROGRESS,
                                          deadline__isnull=False).select_related("quiz"):
        count += attempt_finish_if_overdue(attempt=attempt, now=now,
                                           reason="the periodic sweep of overdue attempts")
    return count


@dataclass(frozen=True)
class HandMark:
    """A grader's mark for one answer a person grades (an essay), as given: checked by
    `responses_grade_manually`. `shown`: `hand_mark_token` of the mark and comment the grader
    saw, when the grading page sent it; the mark is refused if another grader changed them."""
    response: Response
    mark: object
    comment: str = ""
    shown: str | None = None


class HandMarksRefused(ApplicationError):
    """No mark was saved: `errors` says what is wrong with which answer (by its id)."""

    def __init__(self, errors: dict[int, ApplicationError]):
        super().__init__(ngettext(
            "No mark was saved: %(n)s answer needs correcting.",
            "No mark was saved: %(n)s answers need correcting.", len(errors)) % {
                "n": len(errors)}, code="invalid_marks")
        self.errors = errors


def hand_mark_text(response: Response) -> str:
    """A graded answer's mark as the grading page writes it in its field ("" when ungraded)."""
    if response.mark is None:
        return ""
    return bounds.plain_number(round(response.mark, 4))


def hand_mark_token(mark_text: str, comment: str) -> str:
    """What the grading page sends back of the mark and comment it showed, to tell whether the
    grader changed them and whether someone else did meanwhile."""
    digest = hashlib.sha256(comment.encode()).hexdigest()[:16]
    return f"{mark_text}:{digest}"


def response_grade_manually(*, response: Response, mark: object, comment: str = "") -> Response:
    """One answer's mark (`responses_grade_manually`); raises the error about it if refused."""
    try:
        responses_grade_manually([HandMark(response, mark, comment)])
    except HandMarksRefused as refused:
        raise refused.errors[response.pk] from None
    return response


def responses_grade_manually(marks: list[HandMark]) -> None:
    """Teachers' marks for answers a person grades (essays), each from 0 to its question's
    maximum, with a comment the student reads with the feedback; each attempt's score is
    recomputed. The grading page and the API both call this, so the bounds are checked here.
    Every mark is checked before any is stored: all are saved, or none (HandMarksRefused).

    The attempts' rows are locked first, in id order, as the submit and the regrade lock them:
    two graders marking two answers of one attempt at once each recompute its score from both
    marks, and a page's mark made on what another grader has since changed is refused."""
    errors: dict[int, ApplicationError] = {}
    fractions: dict[int, float] = {}
    for given in marks:
        try:
            fractions[given.response.pk] = _hand_fraction(given)
        except ApplicationError as exc:
            errors[given.response.pk] = exc
    if errors:
        raise HandMarksRefused(errors)
    attempt_ids = sorted({given.response.attempt_id for given in marks})
    with transaction.atomic():
        list(Attempt.objects.select_for_update().filter(pk__in=attempt_ids).order_by("pk")
             .values_list("pk", flat=True))
        current = Response.objects.in_bulk([given.response.pk for given in marks])
        for given in marks:
            now = current[given.response.pk]
            if given.shown is not None and given.shown != hand_mark_token(
                    hand_mark_text(now), now.manual_comment):
                errors[now.pk] = ApplicationError(
                    _("Another grader changed this mark meanwhile; the page now shows theirs."),
                    status=409, code="changed_meanwhile")
        if errors:
            raise HandMarksRefused(errors)
        for given in marks:
            response, fraction = given.response, fractions[given.response.pk]
            response.fraction = fraction
            response.state = "correct" if fraction == 1 else "incorrect" if fraction == 0 \
                else "partial"
            response.manual_comment = given.comment
            response.save(update_fields=["fraction", "state", "manual_comment"])
        for attempt in Attempt.objects.filter(pk__in=attempt_ids):
            attempt.score = _score(list(attempt.responses.all()))
            attempt.save(update_fields=["score"])


def _hand_fraction(given: HandMark) -> float:
    """The fraction of its question's maximum that `given.mark` is, once the mark and the
    comment are checked (ApplicationError naming the field otherwise)."""
    response = given.response
    checked = bounds.check_number(given.mark, field="mark", what=_("The grader's mark"), low=0,
                                  high=response.max_mark)
    if len(given.comment) > limits.COMMENT_MAX or has_unstorable_text(given.comment):
        raise ApplicationError(
            _("The comment must be text of at most %(n)s characters.") % {
                "n": limits.COMMENT_MAX},
            code="invalid_comment", fields={"comment": [_("Shorten the comment.")]})
    return float(checked / response.max_mark) if response.max_mark else 0.0


# ----------------------------------------------------------------------------------------------
# Regrade
# ----------------------------------------------------------------------------------------------


@dataclass
class RegradeChange:
    attempt_id: int
    username: str
    attempt_number: int
    old_score: float | None
    new_score: float | None
    old_version: int
    new_version: int
    # This question's mark before and after: an attempt awaiting a grader has no score, but
    # its mark on a fixed question changes all the same.
    old_mark: float | None = None
    new_mark: float | None = None

    @property
    def changed(self) -> bool:
        return mark_changed(self.old_score, self.new_score, self.old_mark, self.new_mark)


def mark_changed(old_score, new_score, old_mark, new_mark) -> bool:
    """Whether a regrade changes an attempt: its score, or its mark on the question (the only
    change to see while the attempt awaits a grader and has no score)."""
    return old_score != new_score or old_mark != new_mark


@dataclass
class RegradePlan:
    quiz: Quiz
    question: Question
    version: QuestionVersion
    changes: list[RegradeChange] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    # Attempts still open whose answer moves onto the new version, to be graded with it when
    # they are submitted.
    open_attempts: list[int] = field(default_factory=list)


def _compatible(old: QuestionVersion, new: QuestionVersion, answer: Any,
                data: dict) -> str | None:
    """Why `answer` to `old` cannot be regraded against `new` (`data`: the data it would be
    graded with), or None if it can.

    Answers name what was picked by its text, so reordered, added or removed items are fine as
    long as everything the answer names is still in `new`. When it is not, the attempt keeps
    its version and mark: grading it as wrong would punish the student for the instructor's
    edit, and the review could no longer show what they picked."""
    if old.qtype != new.qtype:
        return _("the question type changed")
    if "answers" in old.data and len(old.data["answers"]) != len(new.data.get("answers", [])):
        return _("the number of answers changed")
    try:
        qtypes.get(new.qtype).validate_response(data, answer)
    except qtypes.ResponseError as exc:
        return _("the answer is not in version %(n)s (%(detail)s); it keeps version %(old)s and "
                 "its mark") % {"n": new.number, "detail": exc, "old": old.number}
    return None


def _data_on(response: Response, version: QuestionVersion) -> dict:
    """The data `response` is graded with once on `version`: its drawn instance, if any."""
    return response.instance if response.instance is not None else version.data


def _not_movable(response: Response, version: QuestionVersion) -> str | None:
    """Why `response` cannot move onto `version` (`_compatible`), or None."""
    return _compatible(response.version, version, response.answer, _data_on(response, version))


def _move_onto(response: Response, version: QuestionVersion) -> None:
    """`response` on `version`, its layout carried over (an instance's images stay where they
    were); not saved."""
    if response.instance is None:
        response.layout = qtypes.get(version.qtype).carry_layout(
            response.version.data, version.data, response.layout)
    response.version = version


def _keeps_mark_by_hand(fraction: float | None, regraded_state: str) -> bool:
    """Whether a regrade keeps an answer's mark as it is: a mark a person gave (an essay graded
    by hand), which the question type can only grade as "needs grading" again. Regraded, every
    graded essay went back to awaiting grading when its question's typo was fixed."""
    return regraded_state == NEEDS_GRADING and fraction is not None


def _skipped(response: Response, reason: str) -> str:
    """A line of the regrade's "not regraded" list: whose attempt (the name and number a
    teacher knows, not the database id), in the reader's language."""
    return _("%(user)s, attempt %(n)s: %(reason)s") % {
        "user": response.attempt.user.get_username(), "n": response.attempt.number,
        "reason": reason}


def regrade_plan(*, quiz: Quiz, question: Question) -> RegradePlan:
    """A dry run: what regrading every submitted attempt onto the latest version would change,
    and which attempts still open move onto it. An open attempt left on the old version would
    be graded by the old key when submitted, after the class was regraded away from it."""
    version = question.latest_version()
    plan = RegradePlan(quiz=quiz, question=question, version=version)
    for response in (Response.objects.filter(attempt__quiz=quiz, version__question=question,
                                              attempt__state=Attempt.State.IN_PROGRESS)
                     .exclude(version=version).select_related("attempt__user", "version")):
        reason = _not_movable(response, version)
        if reason:
            plan.skipped.append(_skipped(response, reason))
        else:
            plan.open_attempts.append(response.attempt_id)
    responses = (Response.objects.filter(attempt__quiz=quiz, version__question=question,
                                         attempt__state=Attempt.State.SUBMITTED)
                 .select_related("attempt__user", "version"))
    for response in responses:
        reason = _not_movable(response, version)
        if reason:
            plan.skipped.append(_skipped(response, reason))
            continue
        attempt = response.attempt
        grade = qtypes.get(version.qtype).grade(_data_on(response, version), response.answer)
        if _keeps_mark_by_hand(response.fraction, grade.state):
            grade = qtypes.Grade(response.fraction, response.state, [])
        old = None if attempt.score is None else float(attempt.score)
        delta = None
        if grade.fraction is not None and response.fraction is not None:
            delta = (grade.fraction - response.fraction) * float(response.max_mark)
        new = None if old is None or delta is None else round(old + delta, 4)
        mark = float(response.max_mark)
        plan.changes.append(RegradeChange(
            old_mark=None if response.fraction is None else round(response.fraction * mark, 4),
            new_mark=None if grade.fraction is None else round(grade.fraction * mark, 4),
            attempt_id=attempt.pk, username=attempt.user.get_username(),
            attempt_number=attempt.number, old_score=old, new_score=new,
            old_version=response.version.number, new_version=version.number))
    return plan


def regrade_commit(*, quiz: Quiz, question: Question, user: AbstractBaseUser | None,
                   reason: str = "") -> RegradeLog:
    """Regrade every submitted attempt's answer to `question` onto its latest version, move the
    open attempts' answers onto it (`regrade_plan`); log it."""
    with transaction.atomic():
        # The attempts are locked before the plan reads their states: a submit in flight holds
        # its attempt's row, so the plan sees it submitted once it commits. Planned first, an
        # attempt submitted meanwhile was read as open, then not moved (no longer open) nor
        # regraded (not in the plan), and kept the old key's mark.
        list(Attempt.objects.select_for_update(of=("self",))
             .filter(quiz=quiz, responses__version__question=question)
             .order_by("pk").values_list("pk", flat=True))
        plan = regrade_plan(quiz=quiz, question=question)
        version = plan.version
        ids = [c.attempt_id for c in plan.changes]
        responses = list(Response.objects.select_for_update().filter(
            attempt_id__in=ids, version__question=question).select_related("version"))
        for response in responses:
            marked = response.fraction, response.state, response.feedback
            _move_onto(response, version)
            _grade_into(response)
            if _keeps_mark_by_hand(marked[0], response.state):
                response.fraction, response.state, response.feedback = marked
        Response.objects.bulk_update(responses, ["version", "layout", "fraction", "state",
                                                 "feedback"])
        # Open attempts: the answer and its layout move, the grade waits for the submit. A save
        # in flight waits for these rows, then finds another version than it read and takes the
        # long way, which reads the row again (attempt_runtime.ResponseShape).
        moving = list(Response.objects.select_for_update().filter(
            attempt_id__in=plan.open_attempts, version__question=question,
            attempt__state=Attempt.State.IN_PROGRESS).exclude(version=version)
            .select_related("version"))
        for response in moving:
            _move_onto(response, version)
        Response.objects.bulk_update(moving, ["version", "layout"])
        for attempt in Attempt.objects.filter(pk__in=ids):
            attempt.score = _score(list(attempt.responses.all()))
            attempt.save(update_fields=["score"])
        regrade = RegradeLog.objects.create(
            quiz=quiz, question=question, run_by=user, reason=reason,
            changes=[{"attempt": c.attempt_id, "user": c.username, "old": c.old_score,
                      "new": c.new_score, "old_mark": c.old_mark, "new_mark": c.new_mark,
                      "from_version": c.old_version, "to_version": c.new_version}
                     for c in plan.changes])
    log.info("regrade: by=%s quiz=%s/%s question=%s version=%s attempts_regraded=%d "
             "scores_changed=%d open_attempts_moved=%d skipped=%d reason=%r",
             user.get_username() if user else "-", quiz.course.slug, quiz.slug, question.pk,
             version.number, len(ids), sum(c.changed for c in plan.changes),
             len(moving), len(plan.skipped), reason)
    return regrade


# ----------------------------------------------------------------------------------------------
# Disputes
# ----------------------------------------------------------------------------------------------


def dispute_create(*, user: AbstractBaseUser, response: Response, comment: str) -> Dispute:
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("Write why you think this question is wrong."),
                               code="invalid", fields={"comment": [_("This field is required.")]})
    if response.attempt.user_id != user.pk:
        raise ApplicationError(_("You can only dispute your own answers."), code="forbidden",
                               status_code=403)
    if response.attempt.state != Attempt.State.SUBMITTED:
        raise ApplicationError(_("Submit the attempt before disputing a question."),
                               code="attempt_open", status_code=409)
    return Dispute.objects.create(response=response, question=response.version.question,
                                  quiz=response.attempt.quiz, student=user, comment=comment[:4000])


def dispute_answer(*, dispute: Dispute, user: AbstractBaseUser, reply: str,
                   accept: bool = False) -> Dispute:
    """Close a dispute with a reply; `accept` marks that the key was fixed (and regraded)."""
    dispute.status = Dispute.Status.ACCEPTED if accept else Dispute.Status.ANSWERED
    dispute.reply = reply.strip()
    dispute.resolved_by = user
    dispute.resolved_at = timezone.now()
    dispute.save(update_fields=["status", "reply", "resolved_by", "resolved_at"])
    return dispute
