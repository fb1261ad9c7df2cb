"""Every write in the quiz engine: loading quizzes, attempts, saves, submits, regrades, disputes.

Grading is synchronous and pure (quizzes.qtypes); these functions only decide when it runs and
store its result. Each public function is keyword-only and atomic.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api_errors import ApplicationError
from courses.models import Course, Lesson

from . import qtypes
from .models import (
    Attempt,
    Category,
    Dispute,
    Question,
    QuestionVersion,
    Quiz,
    RegradeLog,
    Response,
    Slot,
    default_review_policy,
)
from .timing import accepts_work, attempt_deadline

# ----------------------------------------------------------------------------------------------
# Question bank
# ----------------------------------------------------------------------------------------------


def category_get_or_create_path(*, course: Course, path: tuple[str, ...] | list[str]) -> Category:
    """Return the category at `path` (e.g. ("Quizzes", "Week 6")), creating missing levels."""
    parent = None
    for name in path:
        parent, _ = Category.objects.get_or_create(course=course, parent=parent, name=name)
    if parent is None:
        parent, _ = Category.objects.get_or_create(course=course, parent=None, name="Default")
    return parent


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def has_unstorable_text(value: Any) -> bool:
    """Whether a JSON value holds text a database cannot store: a NUL character (PostgreSQL
    refuses it) or a lone UTF-16 surrogate (not UTF-8 at all). JSON can carry both."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(has_unstorable_text(k) or has_unstorable_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_unstorable_text(v) for v in value)
    return False


def _validated(qtype_name: str, data: dict) -> dict:
    try:
        data = qtypes.get(qtype_name).validate(data)
    except qtypes.QuestionDataError as exc:
        raise ApplicationError(f"{exc.path}: {exc.message}", code="invalid_question",
                               fields={str(exc.path): [exc.message]}) from exc
    if has_unstorable_text(data):
        message = _("The question contains characters that cannot be stored (NUL, or a lone "
                    "surrogate).")
        raise ApplicationError(message, code="invalid_question", fields={"data": [message]})
    return data


def question_create(*, course: Course, category: Category, name: str, qtype: str, stem: str,
                    data: dict, text_format: str = "markdown", general_feedback: str = "",
                    default_mark: float = 1.0, key: str = "", tags: list[str] | None = None,
                    lesson: Lesson | None = None, user: AbstractBaseUser | None = None,
                    files: dict[str, bytes] | None = None,
                    extras: dict | None = None) -> Question:
    """Create a question with its first version."""
    data = _validated(qtype, data)
    with transaction.atomic():
        question = Question.objects.create(course=course, category=category, name=name, key=key,
                                           tags=tags or [], lesson=lesson)
        version = QuestionVersion.objects.create(
            question=question, number=1, qtype=qtype, stem=stem, text_format=text_format,
            data=data, general_feedback=general_feedback, default_mark=Decimal(str(default_mark)),
            extras=extras or {}, created_by=user)
        _store_files(version, files)
    return question


def _store_files(version: QuestionVersion, files: dict[str, bytes] | None) -> None:
    import mimetypes

    from .models import QuestionFile

    for name, content in (files or {}).items():
        QuestionFile.objects.create(version=version, name=name, content=content,
                                    content_type=mimetypes.guess_type(name)[0]
                                    or "application/octet-stream")


def question_version_create(*, question: Question, stem: str, data: dict,
                            qtype: str | None = None, text_format: str | None = None,
                            general_feedback: str | None = None,
                            default_mark: float | None = None, user: AbstractBaseUser | None = None,
                            change_note: str = "", extras: dict | None = None) -> QuestionVersion:
    """Save an edit as a new immutable version; attempts keep the version they were given.
    `extras` (kept Moodle settings) default to the latest version's."""
    with transaction.atomic():
        latest = (QuestionVersion.objects.select_for_update()
                  .filter(question=question).order_by("-number").first())
        qtype = qtype or latest.qtype
        data = _validated(qtype, data)
        return QuestionVersion.objects.create(
            question=question, number=latest.number + 1, qtype=qtype, stem=stem,
            text_format=text_format or latest.text_format, data=data,
            general_feedback=latest.general_feedback if general_feedback is None
            else general_feedback,
            default_mark=latest.default_mark if default_mark is None
            else Decimal(str(default_mark)),
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
        }
        quiz = Quiz.objects.filter(course=course, slug=spec.slug).first()
        if quiz is None:
            quiz = Quiz.objects.create(course=course, slug=spec.slug, **quiz_values)
            report.created.append(f"quiz {spec.slug}")
        else:
            changed = [k for k, v in quiz_values.items() if getattr(quiz, k) != v]
            for k in changed:
                setattr(quiz, k, quiz_values[k])
            if changed:
                quiz.save(update_fields=changed)
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


def _layout_data(version: QuestionVersion, quiz: Quiz) -> dict:
    """The question's data with the quiz's shuffle setting applied on top of the question's own."""
    data = dict(version.data)
    if "shuffle" in data:
        data["shuffle"] = bool(data["shuffle"]) and quiz.shuffle_choices
    return data


def _choose_versions(quiz: Quiz, slots: list[Slot], rng: random.Random) -> list[QuestionVersion]:
    chosen: list[QuestionVersion] = []
    used: set[int] = {s.question_id for s in slots if s.question_id}
    latest = {}
    question_ids = [s.question_id for s in slots if s.kind == Slot.Kind.LATEST]
    if question_ids:
        for version in (QuestionVersion.objects.filter(question_id__in=question_ids)
                        .order_by("question_id", "-number").distinct("question_id")
                        if _supports_distinct_on() else _latest_versions(question_ids)):
            latest[version.question_id] = version
    for slot in slots:
        if slot.kind == Slot.Kind.PINNED:
            chosen.append(slot.version)
        elif slot.kind == Slot.Kind.LATEST:
            chosen.append(latest[slot.question_id])
        else:
            categories = [slot.category_id]
            if slot.include_subcategories:
                categories += _descendants(slot.category_id)
            pool = list(Question.objects.filter(category_id__in=categories)
                        .exclude(pk__in=used).order_by("pk").values_list("pk", flat=True))
            if not pool:
                raise ApplicationError(
                    _("The quiz cannot start: its random question slot %(n)s has no unused "
                      "question left in its category. Ask your instructor to add questions.")
                    % {"n": slot.position}, code="quiz_misconfigured")
            pick = rng.choice(pool)
            used.add(pick)
            chosen.append(QuestionVersion.objects.filter(question_id=pick)
                          .order_by("-number").first())
    return chosen


def _supports_distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _latest_versions(question_ids: list[int]) -> list[QuestionVersion]:
    newest = (QuestionVersion.objects.filter(question_id__in=question_ids)
              .values("question_id").annotate(n=Max("number")))
    wanted = {(row["question_id"], row["n"]) for row in newest}
    return [v for v in QuestionVersion.objects.filter(question_id__in=question_ids)
            if (v.question_id, v.number) in wanted]


def _descendants(category_id: int) -> list[int]:
    found, frontier = [], [category_id]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk",
                                                                                   flat=True))
        found += frontier
    return found


def attempt_start(*, user: AbstractBaseUser, quiz: Quiz, now=None) -> Attempt:
    """Start an attempt, or return the open one. Two simultaneous starts give one attempt."""
    return attempt_start_or_resume(user=user, quiz=quiz, now=now)[0]


def attempt_start_or_resume(*, user: AbstractBaseUser, quiz: Quiz,
                            now=None) -> tuple[Attempt, bool]:
    """`attempt_start`, and whether the attempt returned was created by this call."""
    now = now or timezone.now()
    # One read for both "is one open?" and "how many were used?" (a handful of rows at most).
    previous = list(Attempt.objects.filter(quiz=quiz, user=user).order_by())
    existing = next((a for a in previous if a.state == Attempt.State.IN_PROGRESS), None)
    if existing is not None:
        existing.quiz = quiz
        if not attempt_finish_if_overdue(attempt=existing, now=now):
            return existing, False
    if not quiz.published:
        raise ApplicationError(_("This quiz is not available yet."), code="quiz_closed",
                               status_code=403)
    if quiz.open_at and now < quiz.open_at:
        raise ApplicationError(_("This quiz opens at %(t)s.") % {
            "t": timezone.localtime(quiz.open_at).strftime("%Y-%m-%d %H:%M")},
            code="quiz_not_open", status_code=403)
    if quiz.close_at and now >= quiz.close_at:
        raise ApplicationError(_("This quiz closed at %(t)s; no new attempts can be started.") % {
            "t": timezone.localtime(quiz.close_at).strftime("%Y-%m-%d %H:%M")},
            code="quiz_closed", status_code=403)
    done = len(previous)
    if quiz.attempts_allowed and done >= quiz.attempts_allowed:
        raise ApplicationError(_("You have used all %(n)s attempts allowed for this quiz.") % {
            "n": quiz.attempts_allowed}, code="no_attempts_left", status_code=403)
    slots = list(quiz.slots.select_related("version").order_by("position"))
    if not slots:
        raise ApplicationError(_("This quiz has no questions yet."), code="quiz_misconfigured")
    seed = random.SystemRandom().randrange(1, 2**62)
    rng = random.Random(seed)
    try:
        with transaction.atomic():
            versions = _choose_versions(quiz, slots, rng)
            order = list(range(len(slots)))
            if quiz.shuffle_questions:
                rng.shuffle(order)
            responses = []
            for i, (slot, version) in enumerate(zip(slots, versions, strict=True)):
                instance = _instantiate(version, rng)
                data = instance if instance is not None else _layout_data(version, quiz)
                responses.append(Response(
                    slot=slot, position=order.index(i) + 1, version=version,
                    instance=instance,
                    # An item whose images could not be drawn is shown but not counted.
                    max_mark=0 if instance is not None and not instance.get("images")
                    else slot.mark,
                    layout=qtypes.get(version.qtype).make_layout(
                        data, seed=(seed + slot.position) % 2**62)))
            attempt = Attempt.objects.create(
                quiz=quiz, user=user, number=done + 1, layout_seed=seed, started_at=now,
                deadline=attempt_deadline(started_at=now, time_limit=quiz.time_limit,
                                          close_at=quiz.close_at),
                max_score=sum((r.max_mark for r in responses), Decimal(0)))
            for response in responses:
                response.attempt = attempt
            Response.objects.bulk_create(responses)
    except IntegrityError:
        # Another request started one in the meantime (the one-open-attempt constraint).
        attempt = Attempt.objects.filter(quiz=quiz, user=user,
                                         state=Attempt.State.IN_PROGRESS).order_by().first()
        if attempt is None:
            raise
        return attempt, False
    return attempt, True


def _instantiate(version: QuestionVersion, rng: random.Random) -> dict | None:
    """Per-attempt data for types drawn at start (spot_the_fake's images); None for others."""
    if version.qtype != "spot_the_fake":
        return None
    from inference.pool import spot_instance  # the image pools live with the demos

    return spot_instance(data=version.data, rng=rng)


@dataclass
class SaveResult:
    response_id: int
    sequence: int
    saved_at: Any
    answer: Any
    conflict: bool = False


def response_save(*, attempt: Attempt, slot_id: int, answer: Any, base_sequence: int,
                  now=None, response: Response | None = None) -> SaveResult:
    """Store one answer if `base_sequence` is the sequence the client last saw.

    Compare-and-set on the response's sequence: two tabs cannot overwrite each other unseen;
    the loser gets `conflict=True` with the stored answer. A retried save whose first try did
    commit (same answer, sequence already advanced by one) succeeds without a second write.
    Two queries whatever the quiz's size; one when the caller already read `response` (this
    attempt's response in `slot_id`, with its version) before calling.
    """
    now = now or timezone.now()
    _require_open(attempt, now)
    if response is None or response.attempt_id != attempt.pk or response.slot_id != slot_id:
        response = (Response.objects.select_related("version").only(
            "id", "attempt_id", "slot_id", "sequence", "answer", "saved_at", "instance",
            "version__qtype", "version__data")
            .filter(attempt=attempt, slot_id=slot_id).order_by().first())
    if response is None:
        raise ApplicationError(_("This question is not part of the attempt."), code="not_found",
                               status_code=404)
    if answer is not None:
        try:
            answer = qtypes.get(response.version.qtype).validate_response(response.question_data,
                                                                          answer)
        except qtypes.ResponseError as exc:
            raise ApplicationError(str(exc), code="invalid_answer", fields={"answer": [str(exc)]}
                                   ) from exc
        if has_unstorable_text(answer):
            message = _("The answer contains characters that cannot be saved (NUL, or a lone "
                        "surrogate).")
            raise ApplicationError(message, code="invalid_answer", fields={"answer": [message]})
    updated = Response.objects.filter(pk=response.pk, sequence=base_sequence).update(
        answer=answer, sequence=base_sequence + 1, saved_at=now)
    if updated:
        return SaveResult(response.pk, base_sequence + 1, now, answer)
    if response.sequence == base_sequence + 1 and response.answer == answer:
        return SaveResult(response.pk, response.sequence, response.saved_at, answer)
    return SaveResult(response.pk, response.sequence, response.saved_at, response.answer,
                      conflict=True)


def _require_open(attempt: Attempt, now) -> None:
    if attempt.state != Attempt.State.IN_PROGRESS and attempt.auto_submitted:
        raise ApplicationError(
            _("Time is up: the attempt was submitted automatically with the answers saved "
              "before the deadline."), code="time_up", status_code=409)
    if attempt.state != Attempt.State.IN_PROGRESS:
        raise ApplicationError(_("This attempt has already been submitted."),
                               code="attempt_closed", status_code=409)
    if not accepts_work(deadline=attempt.deadline, grace_period=attempt.quiz.grace_period,
                        now=now):
        attempt_submit(attempt=attempt, now=now, auto=True)
        raise ApplicationError(
            _("Time is up: the attempt was submitted automatically with the answers saved "
              "before the deadline."), code="time_up", status_code=409)


def attempt_submit(*, attempt: Attempt, now=None, auto: bool = False) -> Attempt:
    """Grade and close the attempt. Idempotent: a second submit returns the graded attempt."""
    now = now or timezone.now()
    with transaction.atomic():
        # of=("self",): lock the attempt row only, not its quiz's (every submit of the quiz
        # would queue on that one row).
        locked = (Attempt.objects.select_for_update(of=("self",)).select_related("quiz")
                  .get(pk=attempt.pk))
        if locked.state == Attempt.State.SUBMITTED:
            return locked
        if not auto and not accepts_work(deadline=locked.deadline,
                                         grace_period=locked.quiz.grace_period, now=now):
            auto = True  # past the grace period: close with what was saved in time
        responses = list(locked.responses.select_related("version"))
        for response in responses:
            _grade_into(response)
        Response.objects.bulk_update(responses, ["fraction", "state", "feedback"])
        locked.state = Attempt.State.SUBMITTED
        locked.submitted_at = now
        locked.auto_submitted = auto
        locked.score = _score(responses)
        locked.save(update_fields=["state", "submitted_at", "auto_submitted", "score"])
    return locked


def _grade_into(response: Response) -> None:
    qtype = qtypes.get(response.version.qtype)
    if not qtype.gradable and response.version.qtype == "description":
        response.fraction, response.state, response.feedback = 0.0, "complete", []
        return
    grade = qtype.grade(response.question_data, response.answer)
    response.fraction = grade.fraction
    response.state = grade.state
    response.feedback = list(grade.feedback)


def _score(responses: list[Response]) -> Decimal | None:
    if any(r.fraction is None for r in responses):
        return None  # an essay awaits a human grader
    return sum((Decimal(str(r.fraction)) * r.max_mark for r in responses), Decimal(0))


def attempt_finish_if_overdue(*, attempt: Attempt, now=None) -> bool:
    """Submit an open attempt whose time (plus grace) has run out. Returns True if it did."""
    now = now or timezone.now()
    if attempt.state == Attempt.State.IN_PROGRESS and not accepts_work(
            deadline=attempt.deadline, grace_period=attempt.quiz.grace_period, now=now):
        attempt_submit(attempt=attempt, now=now, auto=True)
        return True
    return False


def attempts_finish_overdue(*, now=None) -> int:
    """Submit every overdue attempt (run periodically by the `default` worker)."""
    now = now or timezone.now()
    count = 0
    for attempt in Attempt.objects.filter(state=Attempt.State.IN_PROGRESS,
                                          deadline__isnull=False).select_related("quiz"):
        count += attempt_finish_if_overdue(attempt=attempt, now=now)
    return count


def response_grade_manually(*, response: Response, fraction: float, comment: str = "") -> Response:
    """A teacher's mark for an essay (or an override); the attempt's score is recomputed."""
    if not 0 <= fraction <= 1:
        raise ApplicationError(_("The mark must be between 0 and the question's maximum."),
                               code="invalid_mark")
    with transaction.atomic():
        response.fraction = fraction
        response.state = "correct" if fraction == 1 else "incorrect" if fraction == 0 \
            else "partial"
        response.manual_comment = comment
        response.save(update_fields=["fraction", "state", "manual_comment"])
        attempt = response.attempt
        attempt.score = _score(list(attempt.responses.all()))
        attempt.save(update_fields=["score"])
    return response


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

    @property
    def changed(self) -> bool:
        return self.old_score != self.new_score


@dataclass
class RegradePlan:
    quiz: Quiz
    question: Question
    version: QuestionVersion
    changes: list[RegradeChange] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _compatible(old: QuestionVersion, new: QuestionVersion) -> str | None:
    """Why an answer to `old` cannot be regraded against `new`, or None if it can."""
    if old.qtype != new.qtype:
        return "the question type changed"
    for key in ("choices", "pairs", "options", "answers"):
        if key in old.data and len(old.data.get(key, [])) != len(new.data.get(key, [])):
            return f"the number of {key} changed"
    return None


def regrade_plan(*, quiz: Quiz, question: Question) -> RegradePlan:
    """A dry run: what regrading every submitted attempt onto the latest version would change."""
    version = question.latest_version()
    plan = RegradePlan(quiz=quiz, question=question, version=version)
    responses = (Response.objects.filter(attempt__quiz=quiz, version__question=question,
                                         attempt__state=Attempt.State.SUBMITTED)
                 .select_related("attempt__user", "version"))
    for response in responses:
        reason = _compatible(response.version, version)
        if reason:
            plan.skipped.append(f"attempt {response.attempt_id}: {reason}")
            continue
        attempt = response.attempt
        data = response.instance if response.instance is not None else version.data
        grade = qtypes.get(version.qtype).grade(data, response.answer)
        old = None if attempt.score is None else float(attempt.score)
        delta = None
        if grade.fraction is not None and response.fraction is not None:
            delta = (grade.fraction - response.fraction) * float(response.max_mark)
        new = None if old is None or delta is None else round(old + delta, 4)
        plan.changes.append(RegradeChange(
            attempt_id=attempt.pk, username=attempt.user.get_username(),
            attempt_number=attempt.number, old_score=old, new_score=new,
            old_version=response.version.number, new_version=version.number))
    return plan


def regrade_commit(*, quiz: Quiz, question: Question, user: AbstractBaseUser | None,
                   reason: str = "") -> RegradeLog:
    """Regrade every submitted attempt's answer to `question` onto its latest version; log it."""
    with transaction.atomic():
        plan = regrade_plan(quiz=quiz, question=question)
        version = plan.version
        ids = [c.attempt_id for c in plan.changes]
        responses = list(Response.objects.select_for_update().filter(
            attempt_id__in=ids, version__question=question).select_related("version"))
        for response in responses:
            response.version = version
            _grade_into(response)
        Response.objects.bulk_update(responses, ["version", "fraction", "state", "feedback"])
        for attempt in Attempt.objects.filter(pk__in=ids):
            attempt.score = _score(list(attempt.responses.all()))
            attempt.save(update_fields=["score"])
        return RegradeLog.objects.create(
            quiz=quiz, question=question, run_by=user, reason=reason,
            changes=[{"attempt": c.attempt_id, "user": c.username, "old": c.old_score,
                      "new": c.new_score, "from_version": c.old_version,
                      "to_version": c.new_version} for c in plan.changes])


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
