"""Every write in the quiz engine: loading quizzes, attempts, saves, submits, regrades, disputes.

Grading is synchronous and pure (quizzes.qtypes); these functions only decide when it runs and
store its result. Each public function is keyword-only and atomic.
"""

from __future__ import annotations

import json
import logging
import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, Exists, F, Max, Q, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from courses.models import Course, Lesson

from . import bounds, limits, qtypes
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
from .question_files import question_files_store
from .timing import QuizTerms, accepts_work, attempt_deadline, quiz_terms

log = logging.getLogger(__name__)

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
    if not qtypes.get(qtype).answerable:
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
            if changed:
                quiz.save(update_fields=changed)
                report.updated.append(f"quiz {spec.slug}")
            if {"close_at", "time_limit"} & set(changed):
                attempts_deadline_refresh(quiz=quiz)
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


class _StartRaced(Exception):
    """Another start inserted an attempt first, and that attempt is no longer open."""


def attempt_start_or_resume(*, user: AbstractBaseUser, quiz: Quiz,
                            now=None) -> tuple[Attempt, bool]:
    """`attempt_start`, and whether the attempt returned was created by this call.

    Simultaneous starts: the one-open-attempt and attempt-number constraints refuse every insert
    but one, and the others return that attempt. If it closed in between (submitted, or past its
    deadline), the start reads again and starts the next one; a 409 only if that keeps racing.
    """
    for _try in range(3):
        try:
            return _attempt_start_once(user=user, quiz=quiz, now=now)
        except _StartRaced:
            continue
    raise ApplicationError(_("Another start of this quiz is under way. Reload the page in a "
                             "moment to continue with that attempt."),
                           code="start_conflict", status_code=409)


def _attempt_start_once(*, user: AbstractBaseUser, quiz: Quiz, now=None) -> tuple[Attempt, bool]:
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
    terms = quiz_terms_for(quiz=quiz, user=user)
    if terms.close_at and now >= terms.close_at:
        raise ApplicationError(_("This quiz closed at %(t)s; no new attempts can be started.") % {
            "t": timezone.localtime(terms.close_at).strftime("%Y-%m-%d %H:%M")},
            code="quiz_closed", status_code=403)
    done = len(previous)
    if terms.attempts_allowed and done >= terms.attempts_allowed:
        raise ApplicationError(_("You have used all %(n)s attempts allowed for this quiz.") % {
            "n": terms.attempts_allowed}, code="no_attempts_left", status_code=403)
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
                instance = _instantiate(version, rng, quiz=quiz)
                data = instance if instance is not None else _layout_data(version, quiz)
                responses.append(Response(
                    slot=slot, position=order.index(i) + 1, version=version,
                    instance=instance,
                    # An item whose images could not be drawn is shown but not counted, and
                    # one that takes no answer (a description) is worth nothing.
                    max_mark=0 if (instance is not None and not instance.get("images"))
                    or not qtypes.get(version.qtype).answerable else slot.mark,
                    layout=qtypes.get(version.qtype).make_layout(
                        data, seed=(seed + slot.position) % 2**62)))
            attempt = Attempt.objects.create(
                quiz=quiz, user=user, number=done + 1, layout_seed=seed, started_at=now,
                deadline=attempt_deadline(started_at=now, time_limit=terms.time_limit,
                                          close_at=terms.close_at),
                max_score=sum((r.max_mark for r in responses), Decimal(0)))
            for response in responses:
                response.attempt = attempt
            Response.objects.bulk_create(responses)
    except IntegrityError:
        # Another request started one in the meantime (the one-open-attempt constraint).
        attempt = Attempt.objects.filter(quiz=quiz, user=user,
                                         state=Attempt.State.IN_PROGRESS).order_by().first()
        if attempt is None:
            raise _StartRaced from None
        return attempt, False
    return attempt, True


def _instantiate(version: QuestionVersion, rng: random.Random, *, quiz: Quiz) -> dict | None:
    """Per-attempt data for types drawn at start (spot_the_fake's images); None for others."""
    if version.qtype != "spot_the_fake":
        return None
    from inference.pool import spot_instance  # the image pools live with the demos

    # A graded quiz never shows an image whose key a student of the course saw in a review.
    graded = quiz.kind != Quiz.Kind.PRACTICE
    return spot_instance(data=version.data, rng=rng, course_id=quiz.course_id,
                         unrevealed_in=quiz.course_id if graded else None)


def _images_missing(response: Response) -> bool:
    return (response.instance is not None and not response.instance.get("images")
            and response.answer is None)


def attempt_images_redraw(*, attempt: Attempt, responses: list[Response]) -> bool:
    """Draw the images of the attempt's spot-the-fake items that had none at its start (the pool
    was short: a fresh installation, a busy worker), now that the pool may have them; say
    whether any item got its images (the caller then reads the responses again).

    An attempt must not lose an item for good because the worker filled the pool a second
    after the student started it. Only an open attempt, and only items nothing was answered in
    (an item without images cannot be answered): the item then counts like any other, and the
    attempt's maximum grows by its mark. Free when no item is missing images (the callers pass
    the responses they read anyway); the attempt row is locked so two tabs draw once.
    """
    if not attempt.is_open or not any(_images_missing(r) for r in responses):
        return False
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.state != Attempt.State.IN_PROGRESS:
            return False
        rng = random.Random(random.SystemRandom().randrange(1, 2**62))
        added = Decimal(0)
        for response in (Response.objects.select_related("version", "slot")
                         .filter(attempt=locked, pk__in=[r.pk for r in responses
                                                         if _images_missing(r)])):
            if not _images_missing(response):
                continue
            instance = _instantiate(response.version, rng, quiz=locked.quiz)
            if not instance or not instance.get("images"):
                continue
            response.instance = instance
            response.max_mark = response.slot.mark
            response.layout = qtypes.get(response.version.qtype).make_layout(
                instance, seed=(locked.layout_seed + response.slot.position) % 2**62)
            response.save(update_fields=["instance", "max_mark", "layout"])
            added += response.slot.mark
        if added:
            locked.max_score += added
            locked.save(update_fields=["max_score"])
            attempt.max_score = locked.max_score
    return bool(added)


def attempt_review_reveal(*, attempt: Attempt, user: AbstractBaseUser, can_teach: bool,
                          questions: list) -> None:
    """Record the spot-the-fake images whose keys this review shows to the attempt's student
    (`questions`: the review's QuestionViews), so that graded quizzes of the course never draw
    them again. A teacher's view reveals nothing to a student; one INSERT, none without such
    an item."""
    if can_teach or attempt.user_id != user.pk:
        return
    ids = [image["id"] for q in questions if q.qtype == "spot_the_fake" and q.review
           for image in q.review.get("images", [])]
    if ids:
        from inference.pool import pool_images_reveal

        pool_images_reveal(course_id=attempt.quiz.course_id, user=user, image_ids=ids)


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
    if _guarded_save(attempt=attempt, response_id=response.pk, answer=answer,
                     base_sequence=base_sequence, now=now):
        return SaveResult(response.pk, base_sequence + 1, now, answer)
    # Nothing was written: the attempt closed (or was hidden) meanwhile, or the sequence moved.
    fresh = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    _require_open(fresh, now)
    stored = Response.objects.only("id", "sequence", "answer", "saved_at").get(pk=response.pk)
    if stored.sequence == base_sequence + 1 and stored.answer == answer:
        return SaveResult(stored.pk, stored.sequence, stored.saved_at, answer)
    return SaveResult(stored.pk, stored.sequence, stored.saved_at, stored.answer, conflict=True)


def _guarded_save(*, attempt: Attempt, response_id: int, answer: Any, base_sequence: int,
                  now) -> bool:
    """Write the answer in one statement, only if the attempt is open, its quiz is published,
    the deadline plus grace is not past and the sequence is `base_sequence`. Returns whether it
    wrote.

    On PostgreSQL the statement takes a share lock on the attempt row before it writes, and
    `attempt_submit` takes an update lock on that row before it reads the answers: a save
    either commits before the submit reads (and is graded) or sees the submitted attempt and
    writes nothing. Both lock the attempt first, then its responses.
    """
    if connection.vendor == "postgresql":
        attempt_table = connection.ops.quote_name(Attempt._meta.db_table)
        quiz_table = connection.ops.quote_name(Quiz._meta.db_table)
        response_table = connection.ops.quote_name(Response._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH open_attempt AS (
                        SELECT a.id FROM {attempt_table} a JOIN {quiz_table} q ON q.id = a.quiz_id
                        WHERE a.id = %s AND a.state = %s AND q.published
                          AND (a.deadline IS NULL
                               OR a.deadline + q.grace_period * INTERVAL '1 second' >= %s)
                        FOR SHARE OF a)
                    UPDATE {response_table} SET answer = %s::jsonb, sequence = %s, saved_at = %s
                    WHERE id = %s AND attempt_id = %s AND sequence = %s
                      AND EXISTS (SELECT 1 FROM open_attempt)""",
                [attempt.pk, Attempt.State.IN_PROGRESS, now,
                 None if answer is None else json.dumps(answer), base_sequence + 1, now,
                 response_id, attempt.pk, base_sequence])
            return cursor.rowcount == 1
    # SQLite (the embedded single-user setup) serialises writers; the same guard, unlocked.
    grace = timedelta(seconds=attempt.quiz.grace_period)
    is_open = Attempt.objects.filter(
        Q(deadline__isnull=True) | Q(deadline__gte=now - grace), pk=attempt.pk,
        state=Attempt.State.IN_PROGRESS, quiz__published=True)
    return bool(Response.objects.filter(
        Exists(is_open), pk=response_id, attempt_id=attempt.pk, sequence=base_sequence,
    ).update(answer=answer, sequence=base_sequence + 1, saved_at=now))


def response_flag_set(*, attempt: Attempt, slot_id: int, flagged: bool, now=None) -> bool:
    """Set or clear the student's "flag for later" on one question of an open attempt.

    Its own one-column update: the answer, its sequence and its save time are left alone, so a
    flag never races an autosave nor makes another tab's save look stale. Never graded.
    Returns the flag as stored.
    """
    now = now or timezone.now()
    _require_open(attempt, now)
    grace = timedelta(seconds=attempt.quiz.grace_period)
    is_open = Attempt.objects.filter(
        Q(deadline__isnull=True) | Q(deadline__gte=now - grace), pk=attempt.pk,
        state=Attempt.State.IN_PROGRESS, quiz__published=True)
    updated = Response.objects.filter(Exists(is_open), attempt_id=attempt.pk,
                                      slot_id=slot_id).update(flagged=bool(flagged))
    if updated:
        return bool(flagged)
    if not Response.objects.filter(attempt_id=attempt.pk, slot_id=slot_id).exists():
        raise ApplicationError(_("This question is not part of the attempt."), code="not_found",
                               status_code=404)
    # The attempt closed meanwhile: say so the way a save does.
    _require_open(Attempt.objects.select_related("quiz").get(pk=attempt.pk), now)
    raise ApplicationError(_("This attempt has already been submitted."),
                           code="attempt_closed", status_code=409)


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
    _require_published(attempt.quiz)


def _require_published(quiz: Quiz) -> None:
    """A hidden quiz's open attempts are paused: kept with their answers, but not changed."""
    if not quiz.published:
        raise ApplicationError(
            _("Your instructor has hidden this quiz for now, so answers cannot be saved or "
              "submitted. Your saved answers are kept; try again when the quiz is shown again."),
            code="quiz_hidden", status_code=403)


def attempt_submit(*, attempt: Attempt, now=None, auto: bool = False) -> Attempt:
    """Grade and close the attempt. Idempotent: a second submit returns the graded attempt.

    The update lock on the attempt row is taken before the answers are read; a save takes a
    share lock on the same row (`_guarded_save`), so the answers graded are the answers stored
    and no save commits after the submit.
    """
    with transaction.atomic():
        # of=("self",): lock the attempt row only, not its quiz's (every submit of the quiz
        # would queue on that one row).
        locked = (Attempt.objects.select_for_update(of=("self",)).select_related("quiz")
                  .get(pk=attempt.pk))
        if locked.state == Attempt.State.SUBMITTED:
            return locked
        # The clock is read once the lock is held: every save that committed before it has
        # an earlier time, so `submitted_at` is after every `saved_at`.
        now = now or timezone.now()
        if not auto and not accepts_work(deadline=locked.deadline,
                                         grace_period=locked.quiz.grace_period, now=now):
            auto = True  # past the grace period: close with what was saved in time
        if not auto:
            _require_published(locked.quiz)
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


def _deadline_expression(*, time_limit: int, close_at):
    """min(start + time limit, close) as an SQL expression over an attempt's `started_at`."""
    by_limit = F("started_at") + timedelta(seconds=time_limit) if time_limit else None
    by_close = Value(close_at, output_field=DateTimeField()) if close_at else None
    if by_limit is not None and by_close is not None:
        return Least(by_limit, by_close, output_field=DateTimeField())
    return by_limit or by_close or Value(None, output_field=DateTimeField())


def attempts_deadline_refresh(*, quiz: Quiz, now=None) -> int:
    """Recompute the deadline of every open attempt of `quiz` from its current dates and time
    limit (min(start + time limit, close), as `attempt_deadline`), each student's override
    applied, then submit those now past it plus the grace period, with their saved answers.
    Returns how many were submitted.

    Every write that changes a quiz's `close_at`, `time_limit` or `grace_period`, or a student's
    override, calls this in its transaction (the settings page, the course pack reload, the
    overrides form). One UPDATE for the students without an override, one per override: the
    updates lock the open attempts' rows, so a save running at the same moment is checked
    against the new deadline.
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
            attempt_submit(attempt=attempt, now=now, auto=True)
    return len(overdue)


def quiz_terms_for(*, quiz: Quiz, user: AbstractBaseUser) -> QuizTerms:
    """The close date, time limit and attempts allowed that hold for `user` on `quiz`."""
    override = QuizOverride.objects.filter(quiz=quiz, user_id=user.pk).order_by().first()
    return quiz_terms(quiz, override)


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
    if close_at is None and time_limit is None and attempts_allowed is None:
        quiz_override_delete(quiz=quiz, user=user)
        return QuizOverride(quiz=quiz, user=user)
    with transaction.atomic():
        override, _created = QuizOverride.objects.update_or_create(
            quiz=quiz, user=user, defaults={"close_at": close_at, "time_limit": time_limit,
                                            "attempts_allowed": attempts_allowed})
        attempts_deadline_refresh(quiz=quiz)
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
    with transaction.atomic():
        deleted, _rows = QuizOverride.objects.filter(quiz=quiz, user_id=user.pk).delete()
        if deleted:
            attempts_deadline_refresh(quiz=quiz)
    return bool(deleted)


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


def regrade_plan(*, quiz: Quiz, question: Question) -> RegradePlan:
    """A dry run: what regrading every submitted attempt onto the latest version would change."""
    version = question.latest_version()
    plan = RegradePlan(quiz=quiz, question=question, version=version)
    responses = (Response.objects.filter(attempt__quiz=quiz, version__question=question,
                                         attempt__state=Attempt.State.SUBMITTED)
                 .select_related("attempt__user", "version"))
    for response in responses:
        data = response.instance if response.instance is not None else version.data
        reason = _compatible(response.version, version, response.answer, data)
        if reason:
            plan.skipped.append(f"attempt {response.attempt_id}: {reason}")
            continue
        attempt = response.attempt
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
            if response.instance is None:  # an instance's images stay where they were
                response.layout = qtypes.get(version.qtype).carry_layout(
                    response.version.data, version.data, response.layout)
            response.version = version
            _grade_into(response)
        Response.objects.bulk_update(responses, ["version", "layout", "fraction", "state",
                                                 "feedback"])
        for attempt in Attempt.objects.filter(pk__in=ids):
            attempt.score = _score(list(attempt.responses.all()))
            attempt.save(update_fields=["score"])
        regrade = RegradeLog.objects.create(
            quiz=quiz, question=question, run_by=user, reason=reason,
            changes=[{"attempt": c.attempt_id, "user": c.username, "old": c.old_score,
                      "new": c.new_score, "from_version": c.old_version,
                      "to_version": c.new_version} for c in plan.changes])
    log.info("regrade: by=%s quiz=%s/%s question=%s version=%s attempts_regraded=%d "
             "scores_changed=%d skipped=%d reason=%r", user.get_username() if user else "-",
             quiz.course.slug, quiz.slug, question.pk, version.number, len(ids),
             sum(c.old_score != c.new_score for c in plan.changes), len(plan.skipped), reason)
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
