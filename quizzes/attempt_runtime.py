"""Saving and submitting answers: the requests an exam sends thousands of times a minute.

One save service serves the page's autosave, its no-JavaScript form and the API. On PostgreSQL a
save of an attempt this process has seen is ONE statement: ownership, enrolment, open
attempt, published quiz, deadline plus grace, the compare-and-set on the sequence and the write
itself, with `RETURNING` what the reply needs. Anything else (the first save of an attempt in this
process, a refusal, a stale sequence, a retry) takes the slow path, which reads, says why in the
order the edges always did, and writes through the same guarded statement (or the ORM on
SQLite, the embedded single-user setup).

A submit reads the answers once, grades them in Python (quizzes.qtypes is pure) and writes every
mark and the attempt's close in one statement. Should a save slip in between the read and the
write, that answer's compare-and-set fails, and the grading is done again under the attempt's
lock, which no save can pass any more.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Exists, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import ApplicationError
from courses.access import course_access_from_role, require_attempt_owner

from . import attempt_reads, qtype_registry, qtypes
from .bounds import has_unstorable_text
from .models import Attempt, QuestionVersion, Quiz, Response
from .timing import accepts_work

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------------------------
# What a save needs about a question, cached per process
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionShape:
    """An immutable question version, as a save and a grade use it."""

    version_id: int
    qtype: str
    data: dict


@dataclass(frozen=True, slots=True)
class ResponseShape:
    """What a save needs about one attempt's question: which row, which version, the layout the
    student sees. Items drawn at start, whose images may be redrawn, are never cached. A regrade
    may move an open attempt's row onto a new version: the save's statement checks the version
    and the layout, so a cached shape that no longer matches writes nothing and the long way
    reads the row again."""

    response_id: int
    attempt_id: int
    slot_id: int
    position: int
    layout: dict
    instance: dict | None
    question: QuestionShape

    @property
    def qtype(self) -> qtypes.QuestionType:
        return qtypes.get(self.question.qtype)

    @property
    def question_data(self) -> dict:
        return self.instance if self.instance is not None else self.question.data


_CACHE_LIMIT = 100_000  # responses; a 3000-student, 30-question exam is 90 000
_versions: dict[int, QuestionShape] = {}
_responses: dict[tuple[int, int], ResponseShape] = {}
_cache_lock = threading.Lock()
# At most this many known versions are named to the database, the newest (a course's exam
# shares a few dozen).
_KNOWN_VERSIONS_SENT = 1000


def _question_shape(version_id: int, qtype: str, data: dict) -> QuestionShape:
    shape = _versions.get(version_id)
    if shape is None:
        shape = QuestionShape(version_id, qtype, data)
        with _cache_lock:
            if len(_versions) >= _CACHE_LIMIT:
                _versions.clear()
            _versions[version_id] = shape
    return shape


def _remember(response: Response) -> ResponseShape:
    return _remember_shape(ResponseShape(
        response_id=response.pk, attempt_id=response.attempt_id, slot_id=response.slot_id,
        position=response.position, layout=response.layout, instance=response.instance,
        question=_question_shape(response.version_id, response.version.qtype,
                                 response.version.data)))


def _remember_shape(shape: ResponseShape) -> ResponseShape:
    if shape.instance is None:
        with _cache_lock:
            if len(_responses) >= _CACHE_LIMIT:
                _responses.clear()
            _responses[(shape.attempt_id, shape.slot_id)] = shape
    return shape


def shapes_cache_clear() -> None:
    """Forget every cached question and response (tests that reuse ids, a regrade)."""
    with _cache_lock:
        _versions.clear()
        _responses.clear()


# ----------------------------------------------------------------------------------------------
# Save
# ----------------------------------------------------------------------------------------------


@dataclass
class SaveResult:
    response_id: int
    sequence: int
    saved_at: Any
    answer: Any
    conflict: bool = False
    position: int | None = None
    flagged: bool = False
    shape: ResponseShape | None = None


Parse = Callable[[ResponseShape], Any]
"""An edge's reading of what the student sent (a form, a display value) as a stored answer;
raises qtypes.ResponseError when it cannot."""


def _clean(shape: ResponseShape, parse: Parse) -> Any:
    try:
        answer = parse(shape)
        if answer is not None:
            answer = shape.qtype.validate_response(shape.question_data, answer)
    except qtypes.ResponseError as exc:
        raise ApplicationError(str(exc), code="invalid_answer",
                               fields={"answer": [str(exc)]}) from exc
    if answer is not None and has_unstorable_text(answer):
        message = _("The answer contains characters that cannot be saved (NUL, or a lone "
                    "surrogate).")
        raise ApplicationError(message, code="invalid_answer", fields={"answer": [message]})
    return answer


def response_save_for_user(*, user: AbstractBaseUser, attempt_id: int, slot_id: int,
                           base_sequence: int, parse: Parse, now=None,
                           known_tried: bool = False) -> SaveResult:
    """Store `user`'s answer to `slot_id` of their attempt if `base_sequence` is the sequence the
    client last saw. Every edge's save (autosave, the no-JavaScript form, the API).

    Compare-and-set on the response's sequence: two tabs cannot overwrite each other unseen;
    the loser gets `conflict=True` with the stored answer. A retried save whose first try did
    commit (same answer, sequence already advanced by one) succeeds without a second write.
    One statement when this process has seen the attempt before, two otherwise (its questions
    are read first).

    Refusals, in this order: Http404 (no such attempt), PermissionDenied (not in its course),
    ApplicationError forbidden (not the owner), closed or time up (an overdue attempt is
    submitted then), hidden quiz, not_found (slot), invalid_answer.

    `known_tried`: the caller already ran `response_save_known` for this request and it wrote
    nothing (quizzes/api_fast.py), so the same statement is not sent again.
    """
    now = now or timezone.now()
    if not known_tried:
        saved = response_save_known(user=user, attempt_id=attempt_id, slot_id=slot_id,
                                    base_sequence=base_sequence, parse=parse, now=now)
        if saved is not None:
            return saved
    attempt, shape = response_get_for_save(user=user, attempt_id=attempt_id, slot_id=slot_id)
    _require_open(attempt, now)
    return _save(attempt=attempt, shape=shape, answer=_clean(shape, parse),
                 base_sequence=base_sequence, now=now, user_id=user.pk,
                 check_enrolment=not user.is_staff)


@dataclass(frozen=True, slots=True)
class SessionProof:
    """A session that was authenticated as Django does (session, user, session hash), as its
    signed cookie says (quizzes.session_proofs): its key, its user and `session_auth_digest`
    of the password field it was verified against. A save or a start that carries one checks
    the session and the user in its own statement instead of reading them first (migration
    quizzes 0014)."""

    session_key: str
    user_id: int
    auth_digest: str


def session_auth_digest(session_key: str, password: str) -> str:
    """What a SessionProof carries of the user's password field: a password change ends the
    proof, as it ends Django's session hash. Taken over the session key too, so that it is of
    no use with any other session. The same digest as migration quizzes 0014 computes."""
    return hashlib.sha256((session_key + password).encode()).hexdigest()


class SessionNotProven(Exception):
    """The session or its user failed the save's own check: the session ended, expired, or the
    user changed their password or was deactivated. Nothing was written."""


def response_save_known(*, user: AbstractBaseUser | None = None,
                        session: SessionProof | None = None, attempt_id: int, slot_id: int,
                        base_sequence: int, parse: Parse, now=None) -> SaveResult | None:
    """The save in one statement when the write succeeds: every guard holds. The question's
    shape is this process's (it has read the attempt before), or read first with every other
    question of the attempt (`_shapes_learnt`). None otherwise, having changed nothing: the
    caller takes the full path (`response_save_for_user`), which reads, explains a refusal,
    and settles a conflict.

    The saver is `user` (authenticated by the caller) or `session`, checked by the statement
    itself; then SessionNotProven when that check fails. Raises nothing else of its own."""
    if connection.vendor != "postgresql":
        return None
    shape = _responses.get((attempt_id, slot_id))
    if shape is None:
        shape = _shapes_learnt(attempt_id=attempt_id, slot_id=slot_id,
                               owner_id=user.pk if session is None else session.user_id)
        if shape is None:
            return None
    now = now or timezone.now()
    try:
        answer = _clean(shape, parse)
    except ApplicationError:
        return None  # said by the full path, after the checks that come first
    if session is not None:
        row = _session_guarded_write(shape=shape, session=session, answer=answer,
                                     base_sequence=base_sequence, now=now)
    else:
        assert user is not None
        row = _guarded_write(shape=shape, user_id=user.pk, check_enrolment=not user.is_staff,
                             answer=answer, base_sequence=base_sequence, now=now)
    if row is None:
        return None
    return SaveResult(shape.response_id, base_sequence + 1, now, answer, position=row[0],
                      flagged=row[1], shape=shape)


def _shapes_learnt(*, attempt_id: int, slot_id: int, owner_id: int) -> ResponseShape | None:
    """Every question of `owner_id`'s started attempt, read in one query and remembered for the
    saves that follow; the shape of `slot_id`, or None (no such started attempt of theirs, no
    such question). Before the save's statement has checked the saver: it only fills this
    process's cache, and only with the attempts of the user the caller names, as the full
    path's read would after its owner check. The versions this process knows are not read
    again (an exam's students share them)."""
    with _cache_lock:
        known = list(islice(reversed(_versions), _KNOWN_VERSIONS_SENT))
    wanted = None
    for (response_id, slot, position, layout, instance, version_id, qtype,
         data) in attempt_reads.response_shapes(user_id=owner_id, attempt_id=attempt_id,
                                                known_versions=known):
        question = _versions.get(version_id) if data is None else _question_shape(
            version_id, qtype, data)
        if question is None:
            return None  # forgotten since (the cache was cleared): the full path reads it
        shape = _remember_shape(ResponseShape(
            response_id=response_id, attempt_id=attempt_id, slot_id=slot, position=position,
            layout=layout, instance=instance, question=question))
        if slot == slot_id:
            wanted = shape
    return wanted


def response_save(*, attempt: Attempt, slot_id: int, answer: Any, base_sequence: int,
                  now=None, response: Response | None = None) -> SaveResult:
    """`response_save_for_user` for a caller that already holds the attempt (a service, a test)
    and a stored answer (not a form or display values): the owner's save, without the access
    checks an edge needs."""
    now = now or timezone.now()
    _require_open(attempt, now)
    if response is None or response.attempt_id != attempt.pk or response.slot_id != slot_id:
        response = (Response.objects.select_related("version")
                    .filter(attempt=attempt, slot_id=slot_id).order_by().first())
    if response is None:
        raise ApplicationError(_("This question is not part of the attempt."), code="not_found",
                               status_code=404)
    shape = _remember(response)
    return _save(attempt=attempt, shape=shape, answer=_clean(shape, lambda _shape: answer),
                 base_sequence=base_sequence, now=now, user_id=attempt.user_id,
                 check_enrolment=False)


def response_shapes_for(*, attempt: Attempt) -> list[tuple[ResponseShape, Any]]:
    """Every question of `attempt` with its stored answer (one read), in display order,
    remembered for the saves that follow: the no-JavaScript form saves all it shows."""
    return [(_remember(r), r.answer) for r in Response.objects.select_related("version")
            .filter(attempt=attempt).order_by("position")]


def _save(*, attempt: Attempt, shape: ResponseShape, answer: Any, base_sequence: int, now,
          user_id: int, check_enrolment: bool) -> SaveResult:
    if connection.vendor == "postgresql":
        row = _guarded_write(shape=shape, user_id=user_id, check_enrolment=check_enrolment,
                             answer=answer, base_sequence=base_sequence, now=now)
        if row is not None:
            return SaveResult(shape.response_id, base_sequence + 1, now, answer,
                              position=row[0], flagged=row[1], shape=shape)
    elif _orm_guarded_write(attempt=attempt, shape=shape, answer=answer,
                            base_sequence=base_sequence, now=now):
        return SaveResult(shape.response_id, base_sequence + 1, now, answer,
                          position=shape.position,
                          flagged=Response.objects.filter(pk=shape.response_id)
                          .values_list("flagged", flat=True).first() or False, shape=shape)
    # Nothing was written: the attempt closed (or was hidden) meanwhile, or the sequence moved.
    fresh = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
    _require_open(fresh, now)
    stored = Response.objects.only("id", "sequence", "answer", "saved_at", "flagged",
                                   "version_id").get(pk=shape.response_id)
    if stored.version_id != shape.question.version_id:  # cannot happen while open; be plain
        raise ApplicationError(_("This question changed; reload the page."), code="conflict",
                               status_code=409)
    if stored.sequence == base_sequence + 1 and stored.answer == answer:
        return SaveResult(stored.pk, stored.sequence, stored.saved_at, answer,
                          position=shape.position, flagged=stored.flagged, shape=shape)
    return SaveResult(stored.pk, stored.sequence, stored.saved_at, stored.answer, conflict=True,
                      position=shape.position, flagged=stored.flagged, shape=shape)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _guarded_write(*, shape: ResponseShape, user_id: int, check_enrolment: bool, answer: Any,
                   base_sequence: int, now) -> tuple[int, bool] | None:
    """Write the answer in one statement, only if the attempt is `user_id`'s, they are enrolled
    in its course (unless `check_enrolment` is off: staff, or a trusted caller), the attempt is
    open, its quiz published, the deadline plus grace not past, the response still of the
    cached version and layout and its sequence `base_sequence`. Returns (position, flagged)
    when it wrote.

    The statement takes a share lock on the attempt row before it writes, and `attempt_submit`
    updates that row before it writes the marks: a save either commits before the submit
    closes the attempt (and then the submit's compare-and-set sees its sequence) or waits and
    then sees the submitted attempt and writes nothing. Both lock the attempt first, then its
    responses.
    """
    # A function (migration quizzes 0012) so that PostgreSQL plans the statement once per
    # connection rather than at every save: planning was most of its database time.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM quizzes_response_save(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [shape.attempt_id, user_id, Attempt.State.IN_PROGRESS, now, check_enrolment,
             *_write_arguments(shape, answer, base_sequence)])
        return cursor.fetchone()


def _session_guarded_write(*, shape: ResponseShape, session: SessionProof, answer: Any,
                           base_sequence: int, now) -> tuple[int, bool] | None:
    """`_guarded_write` for the user of `session`, which the same statement checks first
    (migrations quizzes 0013, 0014); SessionNotProven when it fails."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT * FROM quizzes_session_response_save"
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [session.session_key, session.auth_digest, session.user_id, shape.attempt_id,
             Attempt.State.IN_PROGRESS, now, *_write_arguments(shape, answer, base_sequence)])
        row = cursor.fetchone()
    if row is None:
        return None
    if not row[0]:
        raise SessionNotProven
    return row[1], row[2]


def _write_arguments(shape: ResponseShape, answer: Any, base_sequence: int) -> list:
    return [None if answer is None else json.dumps(answer), shape.response_id,
            shape.question.version_id, base_sequence,
            # The answer was read from the student's display values through this layout: a
            # cached shape whose row no longer has it (ids reused after a database restore)
            # writes nothing, and the slow path reads the row afresh.
            None if shape.layout is None else json.dumps(shape.layout)]


def _orm_guarded_write(*, attempt: Attempt, shape: ResponseShape, answer: Any,
                       base_sequence: int, now) -> bool:
    # SQLite (the embedded single-user setup) serialises writers; the same guard, unlocked.
    grace = timedelta(seconds=attempt.quiz.grace_period)
    is_open = Attempt.objects.filter(
        Q(deadline__isnull=True) | Q(deadline__gte=now - grace), pk=attempt.pk,
        state=Attempt.State.IN_PROGRESS, quiz__published=True)
    return bool(Response.objects.filter(
        Exists(is_open), pk=shape.response_id, attempt_id=attempt.pk, sequence=base_sequence,
    ).update(answer=answer, sequence=base_sequence + 1, saved_at=now))


def response_get_for_save(*, user: AbstractBaseUser, attempt_id: int,
                          slot_id: int) -> tuple[Attempt, ResponseShape]:
    """The slow path's read: `user`'s own attempt and what a save needs about its question in
    `slot_id`, or the reason why not (the attempt's 404 or 403 before the slot's).

    One query reads every question of the attempt, and each is remembered: a student saves
    most questions once or twice, so reading only the one saved would make most of an exam's
    saves two statements. Reads only: an overdue attempt is closed by the caller
    (`_require_open`)."""
    responses, role = attempt_reads.responses_for_save(user_id=user.pk, attempt_id=attempt_id)
    if not responses:
        attempt_get_own(user=user, attempt_id=attempt_id)  # its 404 or 403 first
    else:
        _check_owner(user, responses[0].attempt, role)
    wanted = None
    for response in responses:
        shape = _remember(response)
        if response.slot_id == slot_id:
            wanted = response.attempt, shape
    if wanted is None:
        raise ApplicationError(_("This question is not part of the attempt."), code="not_found",
                               status_code=404)
    return wanted


def attempt_get_own(*, user: AbstractBaseUser, attempt_id: int) -> Attempt:
    """`user`'s own attempt (with its quiz), for a write; 404, 403 (not in the course) or
    ApplicationError forbidden (someone else's attempt). Reads only."""
    attempt, role = attempt_reads.attempt_with_role(user_id=user.pk, attempt_id=attempt_id)
    if attempt is None:
        raise Http404(_("No such attempt."))
    _check_owner(user, attempt, role)
    return attempt


def _check_owner(user: AbstractBaseUser, attempt: Attempt, role: str | None) -> None:
    """The rules of courses.access, for an attempt read with the viewer's role."""
    course_access_from_role(user=user, course=attempt.quiz.course, role=role)
    require_attempt_owner(user=user, attempt_user_id=attempt.user_id)


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
        attempt_submit(attempt=attempt, now=now, auto=True, reason="save after the deadline")
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


# ----------------------------------------------------------------------------------------------
# Submit
# ----------------------------------------------------------------------------------------------


def attempt_submit(*, attempt: Attempt, now=None, auto: bool = False,
                   reason: str = "") -> Attempt:
    """Grade and close the attempt; return it as stored. Idempotent: a second submit returns
    the graded attempt.

    One read of the answers, the grading in Python, then one statement that locks the attempt
    (waiting for the saves in flight), writes every answer's marks where its sequence is still
    the one graded, and closes the attempt only if all of them were. If a save committed in
    between, the grading is done again under `SELECT … FOR UPDATE` on the attempt, which no save
    can pass. A submit past the deadline plus grace is automatic whoever asked (closed with
    what was saved in time); every automatic submit is logged with its `reason`.
    """
    return _submit(attempt=attempt, now=now, auto=auto, reason=reason, with_versions=False)[0]


def attempt_submit_own(*, user: AbstractBaseUser,
                       attempt_id: int) -> tuple[Attempt, list[Response] | None]:
    """`attempt_submit` of `user`'s own attempt (404 or 403 as `attempt_get_own`), also
    returning the answers as this call graded and wrote them, in display order, each with its
    question version: what the submit's reply shows. The attempt, its answers and what the
    reply's review window needs are one read. The answers are None when this call did not
    close the attempt (it was submitted already, or the quiz is hidden)."""
    attempt, role, responses = attempt_reads.attempt_with_responses(user_id=user.pk,
                                                                    attempt_id=attempt_id)
    if attempt is None:
        raise Http404(_("No such attempt."))
    _check_owner(user, attempt, role)
    return _submit(attempt=attempt, now=None, auto=False, reason="", with_versions=True,
                   read=responses)


def _submit(*, attempt: Attempt, now, auto: bool, reason: str, with_versions: bool,
            read: list[Response] | None = None) -> tuple[Attempt, list[Response] | None]:
    """`read`: the attempt's answers with their versions, in display order, already read."""
    if attempt.state == Attempt.State.SUBMITTED:
        return attempt, None
    if connection.vendor == "postgresql":
        if read is None:
            responses = _graded_responses(attempt, with_versions=with_versions)
        else:
            responses = read
            for response in responses:
                _grade_into(response)
        # The clock is read after the answers: a save that committed before the read has an
        # earlier time, and one that commits after it fails the compare-and-set below.
        now = now or timezone.now()
        locked, closed = _close_and_mark(attempt=attempt, responses=responses, now=now,
                                         auto=auto)
        if locked and closed is None:
            log.info("attempt %s: an answer was saved or regraded while it was submitted; "
                     "grading again", attempt.pk)
            locked, closed, responses, now = _close_under_lock(
                attempt=attempt, auto=auto, with_versions=with_versions)
    else:
        locked, closed, responses, now = _close_under_lock(
            attempt=attempt, auto=auto, now=now, with_versions=with_versions)
    if closed is None:
        # Another submit came first (idempotent), or the quiz was hidden meanwhile.
        fresh = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
        if fresh.state != Attempt.State.SUBMITTED:
            _require_published(fresh.quiz)
        return fresh, None
    if closed:
        log.info("attempt %s of quiz %s (user %s) submitted automatically: %s", attempt.pk,
                 attempt.quiz_id, attempt.user_id,
                 reason or ("deadline" if auto else "submitted after the deadline and grace"))
    done = copy.copy(attempt)
    done.state = Attempt.State.SUBMITTED
    done.submitted_at = now
    done.auto_submitted = closed
    done.score = _score(responses)
    return done, responses if with_versions else None


def _graded_responses(attempt: Attempt, *, with_versions: bool = False) -> list[Response]:
    """The attempt's answers (one read; a second one only for versions this process has not
    seen), each graded. `with_versions`: whole rows in display order with their versions, as
    a reply shows them (still one read)."""
    if with_versions:
        responses = attempt_reads.attempt_responses_with_versions(attempt_id=attempt.pk)
        for response in responses:
            _grade_into(response)
        return responses
    responses = list(Response.objects.filter(attempt_id=attempt.pk).only(
        "id", "attempt_id", "version_id", "sequence", "answer", "instance", "max_mark")
        .order_by())
    shapes = {r.version_id: _versions.get(r.version_id) for r in responses}
    missing = [version_id for version_id, shape in shapes.items() if shape is None]
    if missing:
        for version in QuestionVersion.objects.filter(pk__in=missing).only("id", "qtype",
                                                                            "data"):
            shapes[version.pk] = _question_shape(version.pk, version.qtype, version.data)
    for response in responses:
        question = shapes[response.version_id]
        data = response.instance if response.instance is not None else question.data
        _grade_fields(response, question.qtype, data)
    return responses


def _close_and_mark(*, attempt: Attempt, responses: list[Response], now,
                    auto: bool) -> tuple[bool, bool | None]:
    """One statement: lock the attempt if it is open and either `auto`, past its deadline plus
    grace (then the close is automatic) or its quiz is published; write each response's marks
    where its sequence and question version are the ones graded (a regrade that committed
    meanwhile moved the answer onto another version: the caller grades again under the lock);
    close the attempt if every one was. Returns (whether
    it locked the attempt; None if it did not close it, else whether the close was
    automatic)."""
    values = ", ".join(["(%s::bigint, %s::integer, %s::bigint, %s::double precision, %s, "
                        "%s::jsonb)"] * len(responses))
    params: list[Any] = []
    for r in responses:
        params += [r.pk, r.sequence, r.version_id, r.fraction, r.state, json.dumps(r.feedback)]
    overdue = "(a.deadline IS NOT NULL AND a.deadline + q.grace_period * INTERVAL '1 second' < %s)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH locked AS (
                    SELECT a.id, (%s OR {overdue}) AS auto
                    FROM {_table(Attempt)} a JOIN {_table(Quiz)} q ON q.id = a.quiz_id
                    WHERE a.id = %s AND a.state = %s AND (%s OR {overdue} OR q.published)
                    FOR UPDATE OF a),
                marked AS (
                    UPDATE {_table(Response)} r
                    SET fraction = v.fraction, state = v.state, feedback = v.feedback
                    FROM (VALUES {values}) AS v(id, sequence, version_id, fraction, state,
                                                feedback), locked
                    WHERE r.id = v.id AND r.attempt_id = locked.id AND r.sequence = v.sequence
                      AND r.version_id = v.version_id
                    RETURNING r.id),
                closed AS (
                    UPDATE {_table(Attempt)} a SET state = %s, submitted_at = %s,
                        auto_submitted = locked.auto, score = %s, prepared_questions = NULL
                    FROM locked
                    WHERE a.id = locked.id AND a.state = %s
                      AND (SELECT count(*) FROM marked) = %s
                    RETURNING a.auto_submitted)
                SELECT (SELECT count(*) FROM locked), (SELECT auto_submitted FROM closed)""",
            [auto, now, attempt.pk, Attempt.State.IN_PROGRESS, auto, now, *params,
             Attempt.State.SUBMITTED, now, _score(responses), Attempt.State.IN_PROGRESS,
             len(responses)])
        locked, closed = cursor.fetchone()
    return bool(locked), closed


def _close_under_lock(*, attempt: Attempt, auto: bool, now=None,
                      with_versions: bool = False
                      ) -> tuple[bool, bool | None, list[Response], Any]:
    """Lock the attempt, then read, grade and write its answers and close it: the retry when a
    save slipped in on PostgreSQL, and the only way on SQLite (one writer at a time). Returns
    what `_close_and_mark` does, the graded responses and the time of the close."""
    with transaction.atomic():
        locked = (Attempt.objects.select_for_update(of=("self",)).select_related("quiz")
                  .filter(pk=attempt.pk, state=Attempt.State.IN_PROGRESS).first())
        if locked is None:
            return False, None, [], now
        now = now or timezone.now()  # after every save that committed
        auto = auto or not accepts_work(deadline=locked.deadline,
                                        grace_period=locked.quiz.grace_period, now=now)
        if not (auto or locked.quiz.published):
            return False, None, [], now
        responses = _graded_responses(attempt, with_versions=with_versions)
        Response.objects.bulk_update(responses, ["fraction", "state", "feedback"])
        Attempt.objects.filter(pk=attempt.pk).update(
            state=Attempt.State.SUBMITTED, submitted_at=now, auto_submitted=auto,
            score=_score(responses), prepared_questions=None)
    return True, auto, responses, now


def _grade_fields(response: Response, qtype_name: str, data: dict) -> None:
    qtype = qtypes.get(qtype_name)
    if not qtype_registry.get(qtype_name).scored:
        response.fraction, response.state, response.feedback = 0.0, "complete", []
        return
    grade = qtype.grade(data, response.answer)
    response.fraction = grade.fraction
    response.state = grade.state
    response.feedback = list(grade.feedback)


def _grade_into(response: Response) -> None:
    """Grade `response` (with its version loaded) into its fraction, state and feedback."""
    _grade_fields(response, response.version.qtype, response.question_data)


def _score(responses: list[Response]) -> Decimal | None:
    if any(r.fraction is None for r in responses):
        return None  # an essay awaits a human grader
    return sum((Decimal(str(r.fraction)) * r.max_mark for r in responses), Decimal(0))


def attempt_finish_if_overdue(*, attempt: Attempt, now=None,
                              reason: str = "read after its deadline plus grace") -> bool:
    """Submit an open attempt whose time (plus grace) has run out. Returns True if it did."""
    now = now or timezone.now()
    if attempt.state == Attempt.State.IN_PROGRESS and not accepts_work(
            deadline=attempt.deadline, grace_period=attempt.quiz.grace_period, now=now):
        attempt_submit(attempt=attempt, now=now, auto=True, reason=reason)
        return True
    return False


def attempt_close_if_overdue(*, attempt: Attempt, now=None) -> Attempt:
    """`attempt` as it stands once the deadline rule is applied: an open attempt past its
    deadline plus grace is submitted (the pages and the API call this after reading one)."""
    if attempt_finish_if_overdue(attempt=attempt, now=now):
        attempt.refresh_from_db()
    return attempt
