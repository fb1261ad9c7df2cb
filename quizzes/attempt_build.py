"""Building attempts: the questions, random picks, shuffles and spot-the-fake images of each
attempt, drawn ahead of the opening so that the start only stamps the time.

`quiz_attempts_prepare` (the `default` worker: on publish, on every edit, and every five minutes
from beat, for a quiz opening at a set time within two days or open since) builds one attempt
in the state `prepared` for each enrolled student who may still start one. A start
(`attempt_start_or_resume`) turns the student's prepared attempt into an open one in one
guarded UPDATE (`attempt_prepared_claim`: enrolment, published, open, not closed for
them, attempts left, no open attempt; deadline = min(start + time limit, close), their override
applied). Without one (a late enrolment, a quiz edited a moment ago) the attempt is built in
the request by the same `_build` the worker uses.

Prepared attempts are invisible: `Attempt.objects` leaves them out, so no page, grade,
statistic, API or count sees them (`Attempt.prepared` and `Attempt.all_states` reach them). Any
edit of the quiz, its slots, the questions it may draw or the pools' images discards them
(`attempts_prepared_discard`; quizzes/apps.py connects the model signals, and the writes that
bypass signals call it), and they are built again. A review that shows a pool image's key
discards the graded quizzes' prepared attempts that would show that image.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from courses.models import Enrollment

from . import attempt_reads, qtype_registry, qtypes, selectors
from .attempt_runtime import SessionNotProven, SessionProof, attempt_finish_if_overdue
from .models import Attempt, Category, Question, QuestionVersion, Quiz, QuizOverride, Response, Slot
from .terms import quiz_terms_for, quiz_terms_lock
from .timing import attempt_deadline, quiz_terms

log = logging.getLogger(__name__)
PREPARE_TASK = "quizzes.tasks.quiz_attempts_prepare"
# Prepared attempts are written in batches, each its own transaction holding the quiz row, so
# an edit waits at most one batch and then discards everything built before it.
PREPARE_BATCH = 200
# How long before its opening a quiz's attempts are built (the beat runs every five minutes).
PREPARE_AHEAD = timedelta(days=2)


# ----------------------------------------------------------------------------------------------
# Drawing one attempt
# ----------------------------------------------------------------------------------------------


@dataclass
class QuizDraw:
    """What every attempt of a quiz draws from, read once per quiz (not once per student): its
    slots, the latest version of each "latest" slot's question, each random slot's pool."""

    quiz: Quiz
    slots: list[Slot]
    latest: dict[int, QuestionVersion]
    pools: dict[int, list[int]]  # random slot id -> question ids in its category, by pk
    picked: dict[int, QuestionVersion] = field(default_factory=dict)  # memo of pool versions

    def pool_version(self, question_id: int) -> QuestionVersion:
        if question_id not in self.picked:
            self.picked[question_id] = (QuestionVersion.objects.filter(question_id=question_id)
                                        .order_by("-number").first())
        return self.picked[question_id]


def quiz_draw_load(quiz: Quiz) -> QuizDraw:
    """Read what `quiz`'s attempts draw from. ApplicationError if it has no questions."""
    slots = list(quiz.slots.select_related("version").order_by("position"))
    if not slots:
        raise ApplicationError(_("This quiz has no questions yet."), code="quiz_misconfigured")
    latest: dict[int, QuestionVersion] = {}
    question_ids = [s.question_id for s in slots if s.kind == Slot.Kind.LATEST]
    if question_ids:
        for version in (QuestionVersion.objects.filter(question_id__in=question_ids)
                        .order_by("question_id", "-number").distinct("question_id")
                        if _supports_distinct_on() else _latest_versions(question_ids)):
            latest[version.question_id] = version
    pools = {}
    for slot in slots:
        if slot.kind == Slot.Kind.RANDOM:
            categories = [slot.category_id]
            if slot.include_subcategories:
                categories += _descendants(slot.category_id)
            pools[slot.pk] = list(Question.objects.filter(category_id__in=categories)
                                  .order_by("pk").values_list("pk", flat=True))
    return QuizDraw(quiz=quiz, slots=slots, latest=latest, pools=pools)


def _layout_data(version: QuestionVersion, quiz: Quiz) -> dict:
    """The question's data with the quiz's shuffle setting applied on top of the question's own."""
    data = dict(version.data)
    if "shuffle" in data:
        data["shuffle"] = bool(data["shuffle"]) and quiz.shuffle_choices
    return data


def _choose_versions(draw: QuizDraw, rng: random.Random) -> list[QuestionVersion]:
    chosen: list[QuestionVersion] = []
    used: set[int] = {s.question_id for s in draw.slots if s.question_id}
    for slot in draw.slots:
        if slot.kind == Slot.Kind.PINNED:
            chosen.append(slot.version)
        elif slot.kind == Slot.Kind.LATEST:
            chosen.append(draw.latest[slot.question_id])
        else:
            pool = [pk for pk in draw.pools[slot.pk] if pk not in used]
            if not pool:
                raise ApplicationError(
                    _("The quiz cannot start: its random question slot %(n)s has no unused "
                      "question left in its category. Ask your instructor to add questions.")
                    % {"n": slot.position}, code="quiz_misconfigured")
            pick = rng.choice(pool)
            used.add(pick)
            chosen.append(draw.pool_version(pick))
    return chosen


def _supports_distinct_on() -> bool:
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


def _build(draw: QuizDraw, *, user_id: int, state: str, number: int, started_at,
           deadline) -> tuple[Attempt, list[Response]]:
    """One attempt of `draw.quiz` for `user_id` and its responses, unsaved: versions chosen,
    random picks made, questions and choices shuffled, spot-the-fake images drawn."""
    quiz = draw.quiz
    seed = random.SystemRandom().randrange(1, 2**62)
    rng = random.Random(seed)
    versions = _choose_versions(draw, rng)
    order = list(range(len(draw.slots)))
    if quiz.shuffle_questions:
        rng.shuffle(order)
    responses = []
    for i, (slot, version) in enumerate(zip(draw.slots, versions, strict=True)):
        instance = _instantiate(version, rng, quiz=quiz, user_id=user_id)
        data = instance if instance is not None else _layout_data(version, quiz)
        responses.append(Response(
            slot=slot, position=order.index(i) + 1, version=version,
            instance=instance,
            # The type says whether the item counts: a description is worth nothing,
            # nor is an item whose per-attempt data could not be drawn.
            max_mark=slot.mark if qtype_registry.get(version.qtype).counts(instance) else 0,
            layout=qtypes.get(version.qtype).make_layout(
                data, seed=(seed + slot.position) % 2**62)))
    attempt = Attempt(quiz=quiz, user_id=user_id, number=number, state=state, layout_seed=seed,
                      started_at=started_at, deadline=deadline,
                      max_score=sum((r.max_mark for r in responses), Decimal(0)))
    return attempt, responses


def _instantiate(version: QuestionVersion, rng: random.Random, *, quiz: Quiz,
                 user_id: int) -> dict | None:
    """Per-attempt data for types drawn at start (spot_the_fake's images); None for others."""
    return qtype_registry.get(version.qtype).make_instance(data=version.data, rng=rng, quiz=quiz,
                                                           user_id=user_id)


# ----------------------------------------------------------------------------------------------
# Starting
# ----------------------------------------------------------------------------------------------


def attempt_start(*, user: AbstractBaseUser, quiz: Quiz, now=None) -> Attempt:
    """Start an attempt, or return the open one. Two simultaneous starts give one attempt."""
    return attempt_start_or_resume(user=user, quiz=quiz, now=now)[0]


class _StartRaced(Exception):
    """Another start inserted an attempt first, and that attempt is no longer open."""


def attempt_start_or_resume(*, user: AbstractBaseUser, quiz: Quiz,
                            now=None) -> tuple[Attempt, bool]:
    """`attempt_start`, and whether the attempt returned was created by this call.

    The student's prepared attempt is claimed in one statement when every rule allows a start;
    otherwise (none prepared, an open attempt to resume, a rule that refuses) the rules are
    checked one by one, with their messages, and the attempt is built here.

    Simultaneous starts: the one-open-attempt and attempt-number constraints refuse every insert
    but one, and the others return that attempt. If it closed in between (submitted, or past its
    deadline), the start reads again and starts the next one; a 409 only if that keeps racing.
    """
    claimed = attempt_prepared_claim(user=user, quiz=quiz, now=now)
    if claimed is not None:
        return claimed, True
    for _try in range(3):
        try:
            return _attempt_start_once(user=user, quiz=quiz, now=now)
        except _StartRaced:
            continue
    raise ApplicationError(_("Another start of this quiz is under way. Reload the page in a "
                             "moment to continue with that attempt."),
                           code="start_conflict", status_code=409)


def attempt_prepared_claim(*, user: AbstractBaseUser | None = None,
                           session: SessionProof | None = None, quiz: Quiz | None = None,
                           slugs: tuple[str, str] | None = None, now=None) -> Attempt | None:
    """Turn the student's prepared attempt of `quiz` (or of the quiz with these course and quiz
    `slugs`, not read first) into an open one, started now, if every rule of a start holds;
    None (nothing changed) otherwise, and the caller checks the rules one by one to say which
    failed.

    The student is `user` (authenticated by the caller) or the user of `session`, which the
    statement checks first (migration quizzes 0014); then SessionNotProven when that check
    fails, having changed nothing.

    On PostgreSQL one statement (the UPDATE … RETURNING of the function quizzes_attempt_claim,
    migration quizzes 0011), whatever the quiz's size: it checks the enrolment,
    that the quiz is published, open and not closed for the student, that an attempt is left
    and none is open (their override applied), and stamps the start, the attempt's number and
    the deadline (min(start + time limit, close), as `attempt_deadline`), and hands over the
    questions rendered when the attempt was built, which the row keeps until the attempt is
    closed, as the JSON text the database holds (`attempt.prepared_questions_text`; None for an
    attempt built before they were kept or with an item the pool had no images for;
    `prepared_questions` itself is not read). Two starts
    at once: the second waits for the first's row lock and then finds nothing prepared.
    Elsewhere (SQLite) None: the start checks the rules and then takes it (`_take_prepared`).
    """
    if connection.vendor != "postgresql":
        return None
    if quiz is None and slugs is None:
        raise TypeError("attempt_prepared_claim needs quiz or slugs")
    if (user is None) == (session is None):
        raise TypeError("attempt_prepared_claim needs a user or a session, not both")
    # The statement is a function (migration quizzes 0011) so that PostgreSQL plans it once per
    # connection rather than at every start: planning was most of its database time.
    reader = attempt_reads.claimed_attempt_reader()
    course_slug, quiz_slug = slugs if quiz is None else (None, None)
    arguments = [None if quiz is None else quiz.pk, course_slug, quiz_slug,
                 now or timezone.now(), Attempt.State.IN_PROGRESS, Attempt.State.PREPARED,
                 Enrollment.Role.STUDENT]
    if session is None:
        function, arguments = "quizzes_attempt_claim", [user.pk, *arguments]
    else:
        function = "quizzes_session_attempt_claim"
        arguments = [session.session_key, session.auth_digest, session.user_id, *arguments]
    placeholders = ", ".join(["%s"] * len(arguments))
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {reader.columns}, a.prepared_questions::text "
                           f"FROM {function}({placeholders}) a", arguments)
            row = cursor.fetchone()
    except IntegrityError:
        # An attempt was opened by a concurrent start built in its request: resume that one.
        return None
    if row is None:
        return None
    if row[0] is None:  # the session's own check failed: the function's row of NULLs
        raise SessionNotProven
    attempt = reader.instance(row)
    attempt.prepared_questions_text = row[-1]
    if quiz is not None:
        attempt.quiz = quiz
    return attempt


# What a start reads of its quiz once it holds the terms lock.
_TERMS_FIELDS = ("published", "open_at", "close_at", "time_limit", "grace_period",
                 "attempts_allowed")


def _attempt_start_once(*, user: AbstractBaseUser, quiz: Quiz, now=None) -> tuple[Attempt, bool]:
    with transaction.atomic():
        # Held until the attempt is committed, and the terms read after it: a change of the
        # quiz's dates or time limit, or of an override, waits for this start and then
        # recomputes its deadline, or this start waits for the change (terms.quiz_terms_lock).
        quiz_terms_lock(quiz.pk, shared=True)
        quiz.refresh_from_db(fields=_TERMS_FIELDS)
        return _attempt_start_holding_terms(user=user, quiz=quiz, now=now)


def _attempt_start_holding_terms(*, user: AbstractBaseUser, quiz: Quiz,
                                 now=None) -> tuple[Attempt, bool]:
    now = now or timezone.now()
    # One read for both "is one open?" and "how many were used?" (a handful of rows at most).
    previous = list(Attempt.objects.filter(quiz=quiz, user=user).order_by())
    existing = next((a for a in previous if a.state == Attempt.State.IN_PROGRESS), None)
    if existing is not None:
        existing.quiz = quiz
        if not attempt_finish_if_overdue(attempt=existing, now=now):
            return existing, False
        # It was closed just now: the prepared attempt (if any) may be claimed after all.
        claimed = attempt_prepared_claim(user=user, quiz=quiz, now=now)
        if claimed is not None:
            return claimed, True
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
    deadline = attempt_deadline(started_at=now, time_limit=terms.time_limit,
                                close_at=terms.close_at)
    if connection.vendor != "postgresql":
        taken = _take_prepared(quiz=quiz, user=user, number=done + 1, now=now,
                               deadline=deadline)
        if taken is not None:
            return taken, True
    draw = quiz_draw_load(quiz)
    try:
        with transaction.atomic():
            attempt, responses = _build(
                draw, user_id=user.pk, state=Attempt.State.IN_PROGRESS, number=done + 1,
                started_at=now, deadline=deadline)
            attempt.user = user
            attempt.save(force_insert=True)
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


def _take_prepared(*, quiz: Quiz, user: AbstractBaseUser, number: int, now,
                   deadline) -> Attempt | None:
    """The claim where the database has no UPDATE … FROM (SQLite, one writer at a time): the
    caller checked the rules; start the prepared attempt, if there is one."""
    attempt = Attempt.prepared.filter(quiz=quiz, user=user).order_by().first()
    if attempt is None or not Attempt.prepared.filter(pk=attempt.pk).update(
            state=Attempt.State.IN_PROGRESS, number=number, started_at=now, deadline=deadline):
        return None
    attempt.state, attempt.number = Attempt.State.IN_PROGRESS, number
    attempt.started_at, attempt.deadline, attempt.quiz = now, deadline, quiz
    return attempt


# ----------------------------------------------------------------------------------------------
# Preparing ahead, and discarding what an edit made stale
# ----------------------------------------------------------------------------------------------


def _due(now) -> Q:
    """Quizzes worth preparing: published, opening at a set time no more than PREPARE_AHEAD
    from now (or open since), and not closed. A set opening is what sends a whole class to the
    start at one moment; a quiz without one is started a few students at a time, and builds in
    the request (`manage.py prepare_attempts` prepares any quiz on demand)."""
    return (Q(published=True, open_at__isnull=False, open_at__lte=now + PREPARE_AHEAD)
            & (Q(close_at__isnull=True) | Q(close_at__gt=now)))


def quizzes_to_prepare(*, now=None) -> list[int]:
    """The quizzes the beat prepares (`_due`)."""
    now = now or timezone.now()
    return list(Quiz.objects.filter(_due(now)).order_by("pk").values_list("pk", flat=True))


def quiz_attempts_prepare_if_due(*, quiz_id: int, now=None) -> int:
    """`quiz_attempts_prepare` for a quiz that is `_due` (the task sent on publish and edits);
    0 for any other."""
    now = now or timezone.now()
    if not Quiz.objects.filter(_due(now), pk=quiz_id).exists():
        return 0
    return quiz_attempts_prepare(quiz_id=quiz_id, now=now)


def quiz_attempts_prepare(*, quiz_id: int, now=None) -> int:
    """Build a prepared attempt for each student of the quiz's course who has none and may
    still start one (attempts left, not closed for them). Returns how many were built.

    Idempotent: run on publish, after every edit and every five minutes; students who already
    have one are skipped, and a second run at the same moment builds nothing twice (the
    one-prepared-attempt constraint, and each batch holds the quiz row).
    """
    now = now or timezone.now()
    quiz = Quiz.objects.select_related("course").filter(pk=quiz_id).first()
    if quiz is None or not quiz.published or (quiz.close_at and quiz.close_at <= now):
        return 0
    students = list(Enrollment.objects.filter(course_id=quiz.course_id,
                                              role=Enrollment.Role.STUDENT)
                    .order_by("user_id").values_list("user_id", flat=True))
    built = 0
    for start in range(0, len(students), PREPARE_BATCH):
        try:
            built += _prepare_batch(quiz_id, students[start:start + PREPARE_BATCH], now)
        except ApplicationError as exc:  # a random slot without questions: nothing to build
            log.warning("quiz %s: attempts not prepared: %s", quiz_id, exc.message)
            break
    return built


def _prepare_batch(quiz_id: int, user_ids: list[int], now) -> int:
    with transaction.atomic():
        # The quiz row is held while the batch is drawn and written: an edit (whose discard
        # takes the same lock) waits for it, then discards what it wrote.
        quiz = Quiz.objects.select_for_update().filter(pk=quiz_id, published=True).first()
        if quiz is None:
            return 0
        have = set(Attempt.all_states.filter(
            quiz=quiz, user_id__in=user_ids, state=Attempt.State.PREPARED)
            .values_list("user_id", flat=True))
        used = dict(Attempt.objects.filter(quiz=quiz, user_id__in=user_ids).order_by()
                    .values_list("user_id").annotate(n=Count("pk")))
        overrides = {o.user_id: o for o in QuizOverride.objects.filter(quiz=quiz,
                                                                      user_id__in=user_ids)}
        wanted = []
        for user_id in user_ids:
            terms = quiz_terms(quiz, overrides.get(user_id))
            if user_id in have or (terms.close_at and terms.close_at <= now):
                continue
            if terms.attempts_allowed and used.get(user_id, 0) >= terms.attempts_allowed:
                continue
            wanted.append(user_id)
        if not wanted:
            return 0
        draw = quiz_draw_load(quiz)
        pairs = [_build(draw, user_id=user_id, state=Attempt.State.PREPARED, number=0,
                        started_at=now, deadline=None) for user_id in wanted]
        for attempt, attempt_responses in pairs:
            # An item the pool had no images for is drawn again at the start
            # (`attempt_images_redraw`, when the attempt is read): the questions rendered now
            # would show it missing, so the start renders them then.
            if not any(_images_missing(r) for r in attempt_responses):
                attempt.prepared_questions = _questions_shown_at_start(attempt,
                                                                       attempt_responses)
        attempts = Attempt.all_states.bulk_create([attempt for attempt, _responses in pairs])
        responses = []
        for attempt, (_built, attempt_responses) in zip(attempts, pairs, strict=True):
            for response in attempt_responses:
                response.attempt = attempt
            responses += attempt_responses
        Response.objects.bulk_create(responses, batch_size=2000)
    return len(attempts)


def _questions_shown_at_start(attempt: Attempt, responses: list[Response]) -> list[dict]:
    """What the start's reply shows of a prepared attempt's questions, rendered now: the same
    function the attempt's API reads use, on the unsaved rows (no answers yet)."""
    shown = sorted(responses, key=lambda r: r.position)
    return selectors.question_payloads(
        selectors.attempt_questions(attempt=attempt, items=None, responses=shown), shown)


def attempts_prepared_discard(*, quiz_ids=None, course_id: int | None = None,
                              random_in_course: int | None = None,
                              question_ids=None, rebuild: bool = True) -> int:
    """Delete the prepared attempts an edit made stale and, once the edit commits, ask the
    worker to build them again. Returns how many were deleted.

    Which quizzes: `quiz_ids`; every quiz of `course_id`; the quizzes of `random_in_course` with
    a random slot; the quizzes with a slot on, or a prepared attempt that drew, one of
    `question_ids`. Each part is its own small indexed query (one query joining them all would
    multiply the prepared attempts by the slots and responses).

    The published quizzes among them are locked first: a batch being written holds its quiz's
    row (`_prepare_batch`), so this waits for it and deletes what it drew from the old content.
    Call it after the edit's own locks are released (`attempts_prepared_discard_on_commit`),
    or, as the slot edits do, while holding the quiz row already: a batch waits on rows an
    unfinished edit holds (the versions its responses point to), and waiting for the batch in
    that edit would deadlock.
    """
    quizzes = set(quiz_ids or ())
    if course_id is not None:
        quizzes |= set(Quiz.objects.filter(course_id=course_id).values_list("pk", flat=True))
    if random_in_course is not None:
        quizzes |= set(Slot.objects.filter(quiz__course_id=random_in_course,
                                           kind=Slot.Kind.RANDOM).values_list("quiz_id",
                                                                                flat=True))
    if question_ids:
        quizzes |= set(Slot.objects.filter(question_id__in=list(question_ids))
                       .values_list("quiz_id", flat=True))
        quizzes |= set(Response.objects.filter(attempt__state=Attempt.State.PREPARED,
                                               version__question_id__in=list(question_ids))
                       .values_list("attempt__quiz_id", flat=True).distinct())
    if not quizzes:
        return 0
    with transaction.atomic():
        _lock_published(quizzes)
        prepared = Attempt.all_states.filter(state=Attempt.State.PREPARED, quiz_id__in=quizzes)
        stale = sorted(set(prepared.order_by().values_list("quiz_id", flat=True).distinct()))
        if not stale:
            return 0
        deleted = _delete_prepared(prepared)
        if rebuild:
            for quiz_id in stale:
                transaction.on_commit(lambda quiz_id=quiz_id: quiz_attempts_prepare_send(
                    quiz_id=quiz_id))
    return deleted


def attempts_prepared_discard_on_commit(**scope) -> None:
    """`attempts_prepared_discard(**scope)` once the current transaction commits (at once
    outside one): the model signals' form, run after the edit released its locks."""
    transaction.on_commit(lambda: attempts_prepared_discard(**scope))


def _lock_published(quiz_ids) -> None:
    """Hold the rows of the published quizzes among `quiz_ids` (in id order, as every locker
    here takes them), waiting for a batch of prepared attempts being written."""
    list(Quiz.objects.select_for_update().filter(pk__in=list(quiz_ids), published=True)
         .order_by("pk").values_list("pk", flat=True))


def _delete_prepared(attempts) -> int:
    """Delete those of `attempts` still prepared, with their responses; in a transaction.

    They are locked first, in id order: a student's claim that has just taken one (its UPDATE
    holds the row) is waited for, and that attempt, started now, is left alone; one locked here
    cannot be claimed (the claim waits, then finds nothing, and the start builds an attempt).
    Deleting what was read without a lock would delete an attempt claimed in between, answers
    and all. The responses go in one statement: the ORM's delete would first load every row
    (a dispute may cascade from a response, though none can from an attempt nobody started),
    thousands of them before a large opening."""
    ids = list(attempts.filter(state=Attempt.State.PREPARED).order_by("pk")
               .select_for_update().values_list("pk", flat=True))
    if not ids:
        return 0
    responses = Response.objects.filter(attempt_id__in=ids)
    responses._raw_delete(responses.db)
    return Attempt.all_states.filter(pk__in=ids).delete()[0]


def quiz_attempts_prepare_send(*, quiz_id: int) -> None:
    """Ask the `default` worker to prepare the quiz's attempts; a missing broker is logged,
    never raised (the beat prepares them later, and a start builds its own meanwhile)."""
    from celery import current_app

    try:
        current_app.send_task(PREPARE_TASK, (quiz_id,), queue="default", retry=False)
    except Exception as exc:  # kombu raises several connection errors; all mean "no broker"
        log.warning("could not ask for quiz %s's attempts to be prepared: %s", quiz_id, exc)


# ----------------------------------------------------------------------------------------------
# Spot-the-fake images: drawn late when the pool was short, and the draws a review reveals
# ----------------------------------------------------------------------------------------------


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
            instance = _instantiate(response.version, rng, quiz=locked.quiz,
                                    user_id=locked.user_id)
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
    them again, and discard the course's prepared attempts of graded quizzes that drew one of
    them (they are built again without it). A teacher's view reveals nothing to a student;
    no statement without such an item."""
    if can_teach or attempt.user_id != user.pk:
        return
    ids = [image_id for q in questions
           for image_id in qtype_registry.get(q.qtype).revealed_pool_images(q.review)]
    if ids:
        from inference.pool import pool_images_reveal

        course_id = attempt.quiz.course_id
        pool_images_reveal(course_id=course_id, user=user, image_ids=ids)
        # Once the reveal is committed: a batch drawing now then either sees it or is waited
        # for and its draws checked.
        transaction.on_commit(lambda: prepared_discard_showing(course_id=course_id,
                                                               image_ids=ids))


def prepared_discard_showing(*, course_id: int | None, image_ids: list[str],
                             graded_only: bool = True) -> int:
    """Discard the prepared attempts that show one of these pool images (ids as text, as an
    attempt's instance stores them) in `course_id`'s quizzes (None: any course's, for a
    shipped image); they are built again from the images still drawable. `graded_only` (a
    review revealed them): practice quizzes may show revealed images and keep theirs."""
    # Only items with per-attempt data (drawn images) can show a pool image.
    candidates = Response.objects.filter(attempt__state=Attempt.State.PREPARED,
                                         instance__isnull=False)
    if course_id is not None:
        candidates = candidates.filter(attempt__quiz__course_id=course_id)
    if graded_only:
        candidates = candidates.exclude(attempt__quiz__kind=Quiz.Kind.PRACTICE)
    wanted = {str(image_id) for image_id in image_ids}
    locking = Quiz.objects.filter(published=True)
    if course_id is not None:
        locking = locking.filter(course_id=course_id)
    if graded_only:
        locking = locking.exclude(kind=Quiz.Kind.PRACTICE)
    with transaction.atomic():
        # Wait for a batch drawing images right now (it holds its quiz's row): what it drew
        # before the reveal committed is found below.
        _lock_published(locking.values_list("pk", flat=True))
        return _discard_showing(candidates, wanted)


def _discard_showing(candidates, wanted: set[str]) -> int:
    if connection.vendor == "postgresql":
        showing = Q()
        for image_id in wanted:  # jsonb containment: instance->'images' @> '[{"id": …}]'
            showing |= Q(instance__images__contains=[{"id": image_id}])
        rows = candidates.filter(showing).values_list("attempt_id", "attempt__quiz_id")
    else:
        rows = [(attempt_id, quiz_id) for attempt_id, quiz_id, instance
                in candidates.values_list("attempt_id", "attempt__quiz_id", "instance")
                if any(image.get("id") in wanted for image in (instance or {}).get("images", []))]
    rows = set(rows)
    if not rows:
        return 0
    deleted = _delete_prepared(Attempt.all_states.filter(pk__in={a for a, _quiz in rows}))
    for quiz_id in sorted({q for _attempt, q in rows}):
        transaction.on_commit(lambda quiz_id=quiz_id: quiz_attempts_prepare_send(
            quiz_id=quiz_id))
    return deleted
