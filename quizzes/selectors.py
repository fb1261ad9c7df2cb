"""Every read in the quiz engine that checks access or applies the review policy.

What a student may see of an attempt is decided here once (`review_items`), and the data
handed to templates and the API is built from it, so a key never leaves the server early.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.access import (
    CourseAccess,
    course_access_from_role,
    course_access_get,
    require_attempt_viewer,
    require_teacher,
)
from courses.models import Enrollment

from . import attempt_reads, qtype_registry, qtypes
from .models import (
    REVIEW_ITEMS,
    Attempt,
    Dispute,
    GradeOverride,
    Quiz,
    QuizOverride,
    Response,
)
from .qtypes.base import NEEDS_GRADING
from .terms import quiz_terms_for  # noqa: F401 - re-exported for the views
from .timing import accepts_work, review_window


def quiz_list_for_course(*, access: CourseAccess) -> QuerySet[Quiz]:
    quizzes = access.course.quizzes.annotate(question_count=Count("slots", distinct=True))
    if not access.can_teach:
        quizzes = quizzes.filter(published=True)
    return quizzes.order_by("week", "slug")


@dataclass
class DueQuiz:
    """A quiz the student can work on now, for the home page."""

    quiz: Quiz
    attempts_used: int
    attempts_left: int | None  # None: unlimited
    open_attempt: Attempt | None


def quizzes_due_for_user(*, user: AbstractBaseUser, now=None) -> list[DueQuiz]:
    """Quizzes open now in the courses where `user` is a student that they may still attempt
    (or have an attempt in progress), the soonest to close first; those without a close date
    last. Practice self-checks included: the caller lists them apart."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    quizzes = (Quiz.objects.filter(
        course__enrollments__user=user, course__enrollments__role=Enrollment.Role.STUDENT,
        published=True)
        .filter(Q(open_at__isnull=True) | Q(open_at__lte=now))
        .filter(Q(close_at__isnull=True) | Q(close_at__gt=now))
        .select_related("course").distinct())
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user=user, quiz__in=quizzes).select_related("quiz"):
        attempts.setdefault(attempt.quiz_id, []).append(attempt)
    rows = []
    for quiz in quizzes:
        mine = attempts.get(quiz.pk, [])
        open_attempt = next((a for a in mine if a.is_open and accepts_work(
            deadline=a.deadline, grace_period=quiz.grace_period, now=now)), None)
        left = (max(quiz.attempts_allowed - len(mine), 0) if quiz.attempts_allowed else None)
        if left == 0 and open_attempt is None:
            continue
        rows.append(DueQuiz(quiz=quiz, attempts_used=len(mine), attempts_left=left,
                            open_attempt=open_attempt))
    far = now.replace(year=9999)
    rows.sort(key=lambda r: (r.quiz.close_at or far, r.quiz.course.title, r.quiz.week,
                             r.quiz.slug))
    return rows


def _viewer_role(user: AbstractBaseUser, course_id_path: str) -> Subquery:
    """The viewer's enrolment role in the row's course, as a subquery (None: not enrolled)."""
    return Subquery(Enrollment.objects.filter(user_id=user.pk, course_id=OuterRef(course_id_path))
                    .values("role")[:1])


def quiz_get_for_user(*, user: AbstractBaseUser, course_slug: str,
                      quiz_slug: str) -> tuple[CourseAccess, Quiz]:
    """One query when the quiz exists (the quiz, its course and the viewer's role)."""
    quiz = (Quiz.objects.select_related("course")
            .annotate(viewer_role=_viewer_role(user, "course_id"))
            .filter(course__slug=course_slug, slug=quiz_slug).order_by().first())
    if quiz is None:
        # Which error (no course, not enrolled, no quiz) is course_access_get's to say.
        course_access_get(user=user, course_slug=course_slug)
        raise Http404(_("No such quiz."))
    access = course_access_from_role(user=user, course=quiz.course, role=quiz.viewer_role)
    if not quiz.published and not access.can_teach:
        raise Http404(_("No such quiz."))
    return access, quiz


def quiz_get_for_teacher(*, user: AbstractBaseUser, course_slug: str,
                         quiz_slug: str) -> tuple[CourseAccess, Quiz]:
    access, quiz = quiz_get_for_user(user=user, course_slug=course_slug, quiz_slug=quiz_slug)
    return require_teacher(access), quiz


def attempt_get_for_user(*, user: AbstractBaseUser, attempt_id: int,
                         for_update: bool = False) -> tuple[CourseAccess, Attempt]:
    """The attempt if `user` owns it or teaches its course.

    One query: the attempt, its quiz, course and owner, and the viewer's enrolment role. Reads
    only: an open attempt past its deadline is closed by the caller
    (`attempt_runtime.attempt_close_if_overdue`).
    """
    attempt = (Attempt.objects.select_related("quiz__course", "user")
               .annotate(viewer_role=_viewer_role(user, "quiz__course_id"))
               .filter(pk=attempt_id).order_by().first())
    if attempt is None:
        raise Http404(_("No such attempt."))
    return _attempt_access(user, attempt, attempt.viewer_role), attempt


def _attempt_access(user: AbstractBaseUser, attempt: Attempt, role: str | None) -> CourseAccess:
    access = course_access_from_role(user=user, course=attempt.quiz.course, role=role)
    require_attempt_viewer(user=user, access=access, attempt_user_id=attempt.user_id)
    return access


def review_close_at(*, quiz: Quiz, user_id: int):
    """When the "closed" review window may begin for this student: the latest close any
    student was given (the quiz's own, which every student without an override keeps, and
    every override's), since a key shown before then could still help that student answer.
    An early sitting (an override that closes sooner) waits for the class. None: someone can
    still answer whenever they like (no close for the student or for the class). The quiz's
    overrides are read once per quiz object, unless they came with it
    (`attempt_reads.attempt_with_responses`)."""
    closes = getattr(quiz, "_override_closes", None)
    if closes is None:
        closes = attempt_reads.quiz_override_closes(quiz_id=quiz.pk)
        quiz._override_closes = closes
    own = closes.get(user_id, quiz.close_at)
    if own is None or not closes:
        return own
    if quiz.close_at is None:
        return None
    return max(quiz.close_at, *closes.values())


def review_items(*, attempt: Attempt, viewer_can_teach: bool, now=None) -> set[str]:
    """What of this attempt the viewer may see now, by the quiz's review policy."""
    if viewer_can_teach:
        return set(REVIEW_ITEMS)
    window = review_window(submitted_at=attempt.submitted_at,
                           close_at=review_close_at(quiz=attempt.quiz, user_id=attempt.user_id),
                           now=now or timezone.now(), grace_period=attempt.quiz.grace_period)
    return set(attempt.quiz.review_policy.get(window, []))


def attempt_marks_visible(*, attempt: Attempt, viewer_can_teach: bool, now=None) -> bool:
    """Return True if the viewer may see this attempt's marks now (its score, percentage and
    per-question marks): the one rule every page, API field, CSV and fragment asks."""
    return "marks" in review_items(attempt=attempt, viewer_can_teach=viewer_can_teach, now=now)


@dataclass(frozen=True)
class AttemptMarks:
    """An attempt as a list of attempts shows it: its percentage only when it may be shown."""

    attempt: Attempt
    visible: bool
    percent: float | None  # None when hidden, open or awaiting a human grader


def attempt_marks_list(*, attempts: list[Attempt], viewer_can_teach: bool,
                       now=None) -> list[AttemptMarks]:
    """The viewer's list of attempts (the quiz page's table), each with its mark if shown."""
    now = now or timezone.now()
    rows = []
    for attempt in attempts:
        visible = attempt_marks_visible(attempt=attempt, viewer_can_teach=viewer_can_teach,
                                        now=now)
        rows.append(AttemptMarks(attempt=attempt, visible=visible,
                                 percent=attempt.percent if visible else None))
    return rows


@dataclass
class QuestionView:
    """One question as a template or the API shows it. Built only by `attempt_questions`."""

    response_id: int
    slot_id: int
    number: int
    qtype: str
    stem: str
    text_format: str
    view: dict
    prefix: str
    response: Any = None  # the student's answer (dict) when they may see it
    sequence: int = 0
    disabled: bool = False
    review: dict | None = None  # the type's full review (keys included) when allowed
    state: str | None = None
    mark: float | None = None
    max_mark: float = 1.0
    feedback: list[str] = field(default_factory=list)
    # Moodle's combined feedback for the response's state (correct / partially / incorrect)
    combined_feedback: str = ""
    # A grader's comment on an answer graded by hand (an essay), shown with the feedback
    manual_comment: str = ""
    general_feedback: str = ""
    right_answer: str = ""
    version: Any = field(default=None, repr=False)  # the QuestionVersion shown
    question_id: int = 0
    disputes: list = field(default_factory=list)
    flagged: bool = False  # the student's "flag for later" (shown while answering only)

    @property
    def lesson(self):
        """The lesson the review links to. Read on first use: the API's replies, which do not
        show it, then need no join to the question and its lesson."""
        return None if self.version is None else self.version.question.lesson

    @property
    def answered(self) -> bool:
        return self.response is not None

    @property
    def scored(self) -> bool:
        """Whether the question takes an answer that counts (a description does not)."""
        return qtype_registry.get(self.qtype).scored

    @property
    def right_answer_line(self) -> tuple[str, str] | None:
        """(label, text) of the review's right-answer line, or None when there is none to show
        (nothing released, or the type's own review already shows the keys)."""
        web = qtype_registry.get(self.qtype)
        if not self.right_answer or (self.review and not web.right_answer_with_review):
            return None
        return str(web.right_answer_label), self.right_answer


def attempt_responses(*, attempt: Attempt) -> list[Response]:
    """The attempt's responses in display order, with what `attempt_questions` reads."""
    return list(attempt.responses.select_related("version__question__lesson__module")
                .order_by("position"))


def attempt_questions(*, attempt: Attempt, items: set[str] | None = None,
                      responses: list[Response] | None = None,
                      disputes: dict[int, list[Dispute]] | None = None) -> list[QuestionView]:
    """The attempt's questions in display order. `items` None means "answering" (no review).
    `disputes` by response id when the caller knows them (an attempt its own request has just
    submitted has none); else a review reads them.

    A constant number of queries (two; one when `responses` from `attempt_responses` is given,
    none with `disputes` too) whatever the number of questions.
    """
    if responses is None:
        responses = attempt_responses(attempt=attempt)
    dispute_map: dict[int, list[Dispute]] = disputes if disputes is not None else {}
    if items is not None and disputes is None:
        for dispute in Dispute.objects.filter(response__attempt=attempt).order_by("created_at"):
            dispute_map.setdefault(dispute.response_id, []).append(dispute)
    result = []
    for response in responses:
        version = response.version
        qtype = qtypes.get(version.qtype)
        q = QuestionView(
            response_id=response.pk, slot_id=response.slot_id, number=response.position,
            qtype=version.qtype, stem=version.stem, text_format=version.text_format,
            # The student's own answer is pre-filled only while answering or when the review
            # policy shows "attempt"; the view carries display values, never stored indices.
            view=qtype.student_view(response.question_data, response.layout,
                                    response.answer if items is None or "attempt" in items
                                    else None),
            prefix=f"s{response.slot_id}-", sequence=response.sequence,
            max_mark=float(response.max_mark), question_id=version.question_id,
            version=version,
        )
        if items is None:
            q.response = response.answer
            q.flagged = response.flagged
        else:
            q.disabled = True
            q.disputes = dispute_map.get(response.pk, [])
            _apply_review(q, response, qtype, items)
        _file_urls(q, version.pk)
        result.append(q)
    return result


def question_payloads(questions: list[QuestionView], responses: list[Response]) -> list[dict]:
    """The API's shape of `attempt_questions(responses=responses)` (same order): what the
    attempt's reply shows of each question, answers in display values. A prepared attempt's
    are rendered when it is built (`Attempt.prepared_questions`) with this same function."""
    out = []
    for q, response in zip(questions, responses, strict=True):
        answer = q.response
        if answer is not None:
            answer = qtypes.get(q.qtype).to_display(response.question_data, response.layout,
                                                     answer)
        out.append({
            "slot_id": q.slot_id, "number": q.number, "qtype": q.qtype, "stem": q.stem,
            "text_format": q.text_format, "view": q.view, "answer": answer,
            "sequence": q.sequence, "state": q.state, "mark": q.mark, "max_mark": q.max_mark,
            "feedback": q.feedback, "general_feedback": q.general_feedback,
            "grader_comment": q.manual_comment, "right_answer": q.right_answer,
            "review": q.review,
        })
    return out


# The parts of a QuestionView that may embed a question's files: the links in them are pointed at
# the file view, which serves a student a file only when one of them, as shown, links it.
_FILE_FIELDS = ("stem", "view", "review", "feedback", "combined_feedback", "general_feedback",
                "right_answer")


def _file_urls(q: QuestionView, version_id: int) -> None:
    """Point embedded files (@@PLUGINFILE@@/name) at the access-checked file view."""
    from .file_urls import pluginfile_urls

    for name in _FILE_FIELDS:
        setattr(q, name, pluginfile_urls(getattr(q, name), version_id))


def _graded_by_hand(quiz: Quiz):
    by_hand = [name for name, qt in qtypes.TYPES.items() if not qt.gradable]
    return Response.objects.filter(
        attempt__quiz=quiz, attempt__state=Attempt.State.SUBMITTED,
        version__qtype__in=by_hand, answer__isnull=False).select_related("attempt__user",
                                                                         "version")


def responses_graded_by_hand(*, quiz: Quiz) -> list[Response]:
    """The answers of the quiz's submitted attempts to questions a person grades (an essay):
    those awaiting a grade first, then those graded, each by student and attempt."""
    responses = list(_graded_by_hand(quiz))
    responses.sort(key=lambda r: (r.state != NEEDS_GRADING, r.attempt.user.get_username(),
                                  r.attempt.number, r.position))
    return responses


def response_graded_by_hand_get(*, quiz: Quiz, response_id: object) -> Response:
    """One of `responses_graded_by_hand`, or 404."""
    try:
        return _graded_by_hand(quiz).get(pk=int(str(response_id)))
    except (ValueError, Response.DoesNotExist):
        raise Http404(_("No such answer to grade in this quiz.")) from None


def question_file_visible(*, user: AbstractBaseUser, version_id: int, name: str) -> bool:
    """Whether a student may download file `name` of a question version now: only when what
    they may see of it in one of their attempts references the file (the stem and choices
    while answering; feedback, explanations and keys only once the review policy shows them),
    so a file used only in an explanation is not readable during the attempt."""
    from urllib.parse import quote

    from .file_urls import question_file_url

    wanted = {question_file_url(version_id=version_id, name=name),
              question_file_url(version_id=version_id, name=quote(name))}
    responses = (Response.objects.filter(attempt__user=user, version_id=version_id)
                 .exclude(attempt__state=Attempt.State.PREPARED)
                 .select_related("attempt__quiz", "version__question__lesson__module"))
    for response in responses:
        attempt = response.attempt
        items = None if attempt.is_open else review_items(attempt=attempt,
                                                          viewer_can_teach=False)
        # Built as the attempt and review pages build it, so the same fields are filled.
        (q,) = attempt_questions(attempt=attempt, items=items, responses=[response])
        shown = repr([getattr(q, name) for name in _FILE_FIELDS])
        if any(url in shown for url in wanted):
            return True
    return False


_COMBINED_KEY = {"correct": "correct", "partial": "partial", "incorrect": "incorrect"}


def _apply_review(q: QuestionView, response: Response, qtype, items: set[str]) -> None:
    version = response.version
    if "attempt" in items:
        q.response = response.answer
    if "correctness" in items:
        q.state = response.state
    if "marks" in items:
        q.mark = response.mark
    if "specific_feedback" in items:
        q.feedback = list(response.feedback or [])
        combined = (version.extras or {}).get("combined_feedback") or {}
        q.combined_feedback = combined.get(_COMBINED_KEY.get(response.state, ""), "")
        q.manual_comment = response.manual_comment
    if "general_feedback" in items:
        q.general_feedback = version.general_feedback
    if "right_answer" in items:
        q.right_answer = qtype.right_answer(response.question_data)
    # The type's own review shows per-option keys and feedback: only when all of it is allowed.
    if {"attempt", "correctness", "specific_feedback", "right_answer"} <= items:
        grade = qtypes.Grade(response.fraction, response.state, list(response.feedback or [])) \
            if response.state in qtypes.STATES else qtype.grade(response.question_data,
                                                               response.answer)
        q.review = qtype.review_view(response.question_data, response.layout, response.answer,
                                     grade)


class GradeState:
    """What a quiz grade cell says: a percentage, or why there is none."""

    GRADED = "graded"
    HIDDEN = "hidden"  # an attempt's marks are not shown yet (review policy)
    AWAITING = "awaiting"  # submitted, but an essay awaits a human grader
    NOT_ATTEMPTED = "not_attempted"  # no submitted attempt (not the same as 0 %)


@dataclass(frozen=True)
class QuizGrade:
    state: str
    percent: float | None = None  # set only when state is GRADED
    # The percent is a teacher's override (GradeOverride), not the attempts' grade.
    overridden: bool = False
    reason: str = ""  # the override's reason, for teachers only

    @property
    def label(self) -> str:
        return {GradeState.HIDDEN: _("Not yet available"),
                GradeState.AWAITING: _("Awaiting grading"),
                GradeState.NOT_ATTEMPTED: _("Not attempted")}.get(self.state, "")


def grade_overrides_current(*, quizzes: list[Quiz], user_ids: list[int]
                            ) -> dict[tuple[int, int], GradeOverride]:
    """The override in force for each (user id, quiz id) that has one: the newest row, when it
    gives a grade (a newer row without one gave the computed grade back). One query."""
    current: dict[tuple[int, int], GradeOverride] = {}
    rows = (GradeOverride.objects.filter(quiz__in=quizzes, user_id__in=user_ids)
            .order_by("user_id", "quiz_id", "-at", "-pk"))
    for row in rows:
        current.setdefault((row.user_id, row.quiz_id), row)
    return {key: row for key, row in current.items() if row.grade is not None}


def grade_override_visible(*, quiz: Quiz, user_id: int, now=None) -> bool:
    """Return True if a student may see an override of their grade on `quiz` now: when the
    quiz's review policy shows marks in the window that applies to the quiz as a whole for them
    (closed once their close plus grace is past, else open). An override replaces the attempts'
    grade, so it is released on the schedule marks are, not earlier."""
    now = now or timezone.now()
    close = review_close_at(quiz=quiz, user_id=user_id)
    closed = close is not None and now >= close + timedelta(seconds=quiz.grace_period)
    return "marks" in (quiz.review_policy.get("closed" if closed else "open") or [])


def user_quiz_grade(*, quiz: Quiz, attempts: list[Attempt], viewer_can_teach: bool,
                    now=None, override: GradeOverride | None = None) -> QuizGrade:
    """The quiz grade (percent) from the user's submitted attempts, by the grading method, or
    the teacher's `override` (from `grade_overrides_current`) when there is one.

    The grade is built only from marks the viewer may see: if any submitted attempt's marks
    are hidden by the review policy, the grade is hidden too, since any grading method (highest,
    average, last) would otherwise reveal something of the hidden mark. A student sees an
    override only when `grade_override_visible` and no attempt's marks are hidden.
    """
    if override is not None:
        now = now or timezone.now()
        hidden = not viewer_can_teach and (
            not grade_override_visible(quiz=quiz, user_id=override.user_id, now=now)
            or user_quiz_grade(quiz=quiz, attempts=attempts, viewer_can_teach=False,
                               now=now).state == GradeState.HIDDEN)
        if hidden:
            return QuizGrade(GradeState.HIDDEN)
        return QuizGrade(GradeState.GRADED, float(override.grade), overridden=True,
                         reason=override.reason if viewer_can_teach else "")
    submitted = [a for a in attempts if a.state == Attempt.State.SUBMITTED]
    if not submitted:
        return QuizGrade(GradeState.NOT_ATTEMPTED)
    now = now or timezone.now()
    for attempt in submitted:
        # The policy is read from attempt.quiz: a list read without the join then costs no
        # query per attempt.
        attempt.quiz = quiz
        if not attempt_marks_visible(attempt=attempt, viewer_can_teach=viewer_can_teach,
                                     now=now):
            return QuizGrade(GradeState.HIDDEN)
    # The attempts the method counts, in order; an attempt awaiting a human grader among them
    # leaves the grade awaiting, as Moodle does for the first and last attempt: a grade from
    # the others would let a student choose which attempt counts (write the essay only in the
    # attempt they want left out). The highest grade counts those graded so far: the others
    # can only raise it.
    submitted.sort(key=lambda a: a.number)
    method = quiz.grading_method
    counted = (submitted[:1] if method == Quiz.GradingMethod.FIRST
               else submitted[-1:] if method == Quiz.GradingMethod.LAST
               else submitted if method == Quiz.GradingMethod.AVERAGE
               else [a for a in submitted if a.percent is not None])
    if not counted or any(a.percent is None for a in counted):
        return QuizGrade(GradeState.AWAITING)
    percents = [a.percent for a in counted]
    if method == Quiz.GradingMethod.AVERAGE:
        return QuizGrade(GradeState.GRADED, sum(percents) / len(percents))
    return QuizGrade(GradeState.GRADED, max(percents))


@dataclass
class GradebookRow:
    username: str
    full_name: str
    grades: list[QuizGrade]
    # The mean of the percentages of the quizzes graded (and shown) for this student, each
    # weighted by its quiz's weight; quizzes not attempted, awaiting grading or hidden are left
    # out, not counted as 0.
    total: float | None
    counted: int

    @property
    def name(self) -> str:
        return self.full_name or self.username


def gradebook(*, access: CourseAccess, only_user: AbstractBaseUser | None = None
              ) -> tuple[list[Quiz], list[GradebookRow]]:
    """Students × quizzes (percent per quiz by its grading method). Teachers see everyone;
    a student sees only their own row, with only the marks the review policy shows them."""
    if only_user is None:
        require_teacher(access, _("Only the course's teachers see everyone's grades."))
    # Practice quizzes (the lessons' self-checks) are not graded.
    quizzes = list(quiz_list_for_course(access=access).exclude(kind=Quiz.Kind.PRACTICE))
    enrollments = Enrollment.objects.filter(course=access.course, role=Enrollment.Role.STUDENT)
    if only_user is not None:
        enrollments = enrollments.filter(user=only_user)
    users = [e.user for e in enrollments.select_related("user").order_by("user__username")]
    attempts: dict[tuple[int, int], list[Attempt]] = {}
    for attempt in Attempt.objects.filter(quiz__in=quizzes, user__in=users):
        attempts.setdefault((attempt.user_id, attempt.quiz_id), []).append(attempt)
    overrides = grade_overrides_current(quizzes=quizzes, user_ids=[u.pk for u in users])
    now = timezone.now()
    rows = []
    for user in users:
        grades = [user_quiz_grade(quiz=q, attempts=attempts.get((user.pk, q.pk), []),
                                  viewer_can_teach=access.can_teach, now=now,
                                  override=overrides.get((user.pk, q.pk)))
                  for q in quizzes]
        total, counted = weighted_average(
            [(g.percent, q.weight) for q, g in zip(quizzes, grades, strict=True)])
        rows.append(GradebookRow(username=user.get_username(), full_name=user.get_full_name(),
                                 grades=grades, total=total, counted=counted))
    return quizzes, rows


def weighted_average(grades: list[tuple[float | None, object]]) -> tuple[float | None, int]:
    """(Σ weight × percent / Σ weight, how many grades it averages) over the (percent, weight)
    pairs that have a percent and a weight above 0; (None, 0) when there is none."""
    known = [(p, float(w)) for p, w in grades if p is not None and float(w) > 0]
    if not known:
        return None, 0
    return sum(p * w for p, w in known) / sum(w for _p, w in known), len(known)


def grade_override_history(*, quiz_ids: list[int], user_ids: list[int] | None = None
                           ) -> list[GradeOverride]:
    """Every grade override row (newest first), with its quiz, student and author."""
    rows = GradeOverride.objects.filter(quiz_id__in=quiz_ids)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    return list(rows.select_related("quiz", "user", "by").order_by("-at", "-pk"))


def quiz_overrides(*, quiz: Quiz) -> list[QuizOverride]:
    """The quiz's per-student overrides, by username (the results page's table)."""
    return list(quiz.overrides.select_related("user").order_by("user__username"))


def course_student_get(*, course, username: str):
    """The user `username` if they are a student of `course`, else None."""
    enrollment = (Enrollment.objects.select_related("user")
                  .filter(course=course, role=Enrollment.Role.STUDENT,
                          user__username=username).first())
    return enrollment.user if enrollment else None


def disputes_for_quiz(*, quiz: Quiz, status: str | None = None) -> QuerySet[Dispute]:
    disputes = quiz.disputes.select_related("student", "question", "response")
    if status:
        disputes = disputes.filter(status=status)
    return disputes
