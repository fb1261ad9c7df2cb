"""A stateful property test of the attempt lifecycle, on PostgreSQL, over HTTP, with threads.

Hypothesis drives one student and one instructor through random sequences of: starting
(several requests at once), saving, submitting, saves racing a submit, time passing, the
instructor moving the dates or the time limit, hiding and showing the quiz, fixing a question
(a new version) and regrading. After every step the invariants below are checked against the
database and against what the student's API shows:

- a submitted attempt's graded answer is its stored answer (each response's mark is the grade
  of its stored answer against its version), and its score is the sum of those marks;
- no answer was saved after its attempt's `submitted_at`;
- at most one open attempt per student and quiz, whatever the starts racing;
- an open attempt's deadline is min(start + time limit, close) for the quiz's current dates;
- the student sees no mark, correctness, feedback or key unless the review policy's window at
  that moment allows it, and never a key shown by the after-close window while one of their
  attempts can still be saved.

Time passes by moving every stored time of the quiz back (its dates, the attempts' starts,
deadlines, submissions and saves), which is the server clock moving forward.
"""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from quizzes import qtypes, services
from quizzes.models import REVIEW_ITEMS, Attempt, Question, Quiz, Response, Slot
from quizzes.timing import IMMEDIATELY_WINDOW, attempt_deadline

from .editor_form import form_fields
from .test_attempt_lifecycle import api_for, post_settings, put_answer, run_together

EVERYTHING = list(REVIEW_ITEMS)
POLICIES = [
    {"during": [], "immediately": ["attempt", "correctness"], "open": ["attempt", "marks"],
     "closed": EVERYTHING},
    {"during": [], "immediately": [], "open": [], "closed": EVERYTHING},
    {"during": [], "immediately": EVERYTHING, "open": ["marks"], "closed": ["marks"]},
]
# Seconds from "now" for a new close date (None: no close date).
CLOSE_OFFSETS = [None, -900, -40, -5, 20, 90, 900]
LIMIT_MINUTES = [0, 1, 10]
GRACE_SECONDS = [0, 30, 60]
# Two moments closer than this to a boundary are not told apart (requests take time).
MARGIN = timedelta(seconds=3)

STATS = {"examples": 0, "steps": 0}
_names = itertools.count()


def accepts(attempt: Attempt, quiz: Quiz, at) -> bool:
    return attempt.deadline is None or at <= attempt.deadline + timedelta(
        seconds=quiz.grace_period)


def accepts_during(attempt: Attempt, quiz: Quiz, t0, t1) -> bool | None:
    """Whether the server accepted work all through [t0, t1] (True), at no moment of it
    (False), or either (None: a boundary falls inside, give or take MARGIN)."""
    first, last = accepts(attempt, quiz, t0 - MARGIN), accepts(attempt, quiz, t1 + MARGIN)
    return first if first == last else None


def closed_during(quiz: Quiz, t0, t1) -> bool | None:
    """The same for "the quiz is past its close date"."""
    if quiz.close_at is None:
        return False
    first, last = t0 - MARGIN >= quiz.close_at, t1 + MARGIN >= quiz.close_at
    return first if first == last else None


def window_at(attempt: Attempt, quiz: Quiz, at) -> str:
    """The review window by the documented rule (docs/attempts.md), computed independently."""
    if attempt.state != Attempt.State.SUBMITTED:
        return "during"
    if quiz.close_at is not None and at >= quiz.close_at + timedelta(seconds=quiz.grace_period):
        return "closed"
    if at - attempt.submitted_at <= IMMEDIATELY_WINDOW:
        return "immediately"
    return "open"


WINDOW_ORDER = ["during", "immediately", "open", "closed"]


def windows_during(attempt: Attempt, quiz: Quiz, t0, t1) -> set[str]:
    """Every window the server may have been in during [t0, t1] (windows only move forward)."""
    first = WINDOW_ORDER.index(window_at(attempt, quiz, t0 - MARGIN))
    last = WINDOW_ORDER.index(window_at(attempt, quiz, t1 + MARGIN))
    return set(WINDOW_ORDER[min(first, last):max(first, last) + 1])


class AttemptLifecycle(RuleBasedStateMachine):
    course = None  # set by the test before running
    teacher = None

    def __init__(self):
        super().__init__()
        STATS["examples"] += 1
        self.quiz: Quiz | None = None

    # ------------------------------------------------------------------------------------------
    # Setup: a fresh quiz of two true/false questions and a fresh student per example
    # ------------------------------------------------------------------------------------------

    @initialize(policy=st.sampled_from(POLICIES), limit=st.sampled_from(LIMIT_MINUTES),
                grace=st.sampled_from(GRACE_SECONDS))
    def setup(self, policy, limit, grace):
        from django.contrib.auth import get_user_model

        from courses.services import enrollment_create

        n = next(_names)
        category = services.category_get_or_create_path(course=self.course,
                                                        path=("Lifecycle", f"q{n}"))
        self.questions = [services.question_create(
            course=self.course, category=category, name=f"lifecycle-{n}-{i}",
            qtype="true_false", stem=f"Statement {i}", general_feedback="EXPLANATION",
            data={"correct": True, "feedback_true": "FB-TRUE", "feedback_false": "FB-FALSE"})
            for i in range(2)]
        self.quiz = Quiz.objects.create(
            course=self.course, slug=f"lifecycle-{n}", title=f"Lifecycle {n}",
            time_limit=limit * 60, grace_period=grace, attempts_allowed=0, review_policy=policy)
        for i, question in enumerate(self.questions):
            Slot.objects.create(quiz=self.quiz, position=i + 1, question=question)
        self.student = get_user_model().objects.create_user(f"life-{n}", password="pw-12345!")
        enrollment_create(user=self.student, course=self.course, role="student")
        self.api = api_for(self.student)
        self.page_client = Client()
        self.page_client.force_login(self.student)
        self.teacher_client = Client()
        self.teacher_client.force_login(self.teacher)

    # ------------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------------

    def fresh_quiz(self) -> Quiz:
        return Quiz.objects.get(pk=self.quiz.pk)

    def open_attempt(self) -> Attempt | None:
        return Attempt.objects.filter(quiz=self.quiz, user=self.student,
                                      state=Attempt.State.IN_PROGRESS).first()

    def has_open_attempt(self) -> bool:
        return self.quiz is not None and self.open_attempt() is not None

    def slot_ids(self, attempt: Attempt) -> list[int]:
        return list(attempt.responses.order_by("position").values_list("slot_id", flat=True))

    # ------------------------------------------------------------------------------------------
    # Student
    # ------------------------------------------------------------------------------------------

    @rule(racers=st.integers(min_value=1, max_value=3))
    def start(self, racers):
        STATS["steps"] += 1
        quiz, before = self.fresh_quiz(), self.open_attempt()
        t0 = timezone.now()
        url = reverse("api-attempt-start", args=[self.course.slug, quiz.slug])

        def start_once():
            return api_for(self.student).post(url, format="json").status_code

        codes = run_together([start_once] * racers)
        t1 = timezone.now()
        assert all(isinstance(c, int) for c in codes), codes
        assert Attempt.objects.filter(quiz=quiz, user=self.student,
                                      state=Attempt.State.IN_PROGRESS).count() <= 1
        if not quiz.published:
            assert set(codes) == {404}, codes
            return
        resumable = False if before is None else accepts_during(before, quiz, t0, t1)
        closed = closed_during(quiz, t0, t1)
        if resumable is None or (not resumable and closed is None):
            assert set(codes) <= {200, 201, 403} and codes.count(201) <= 1, codes
        elif resumable:
            assert set(codes) == {200}, codes
        elif closed:
            assert set(codes) == {403}, codes
        else:
            assert set(codes) <= {200, 201} and codes.count(201) == 1, codes

    @rule(slot=st.integers(min_value=0, max_value=1), value=st.booleans())
    def save(self, slot, value):
        STATS["steps"] += 1
        attempt = self.open_attempt()
        if attempt is None:
            return
        quiz = self.fresh_quiz()
        slot_id = self.slot_ids(attempt)[slot]
        sequence = Response.objects.get(attempt=attempt, slot_id=slot_id).sequence
        t0 = timezone.now()
        response = put_answer(self.api, attempt.pk, slot_id, {"value": value}, sequence)
        t1 = timezone.now()
        in_time = accepts_during(attempt, quiz, t0, t1)
        if in_time is None:
            assert response.status_code in (200, 403, 409), response.content
        elif not in_time:
            assert response.status_code == 409, response.content
            assert response.json()["error"]["code"] == "time_up"
        elif not quiz.published:
            assert response.status_code == 403, response.content
            assert response.json()["error"]["code"] == "quiz_hidden"
        else:
            assert response.status_code == 200, response.content
            stored = Response.objects.get(attempt=attempt, slot_id=slot_id)
            assert stored.answer == {"value": value} and stored.sequence == sequence + 1

    @rule()
    def submit(self):
        STATS["steps"] += 1
        attempt = self.open_attempt()
        if attempt is None:
            return
        quiz = self.fresh_quiz()
        t0 = timezone.now()
        response = self.api.post(reverse("api-attempt-submit", args=[attempt.pk]))
        in_time = accepts_during(attempt, quiz, t0, timezone.now())
        attempt.refresh_from_db()
        if in_time is None:
            assert response.status_code in (200, 403), response.content
        elif in_time and not quiz.published:
            assert response.status_code == 403, response.content
            assert attempt.state == Attempt.State.IN_PROGRESS
        else:
            assert response.status_code == 200, response.content
            assert attempt.state == Attempt.State.SUBMITTED
            assert attempt.auto_submitted is not in_time

    @rule(savers=st.integers(min_value=2, max_value=4))
    def saves_race_a_submit(self, savers):
        STATS["steps"] += 1
        attempt = self.open_attempt()
        if attempt is None:
            return
        slot_id = self.slot_ids(attempt)[0]
        done = threading.Event()

        def saver(value: bool):
            api = api_for(self.student)
            sequence = Response.objects.get(attempt=attempt, slot_id=slot_id).sequence
            for _ in range(40):
                response = put_answer(api, attempt.pk, slot_id, {"value": value}, sequence)
                body = response.json()
                if response.status_code not in (200, 409) or "error" in body:
                    return response.status_code
                sequence = body["sequence"]
                if done.is_set():
                    break
            return response.status_code

        def submitter():
            try:
                return api_for(self.student).post(
                    reverse("api-attempt-submit", args=[attempt.pk])).status_code
            finally:
                done.set()

        results = run_together([lambda i=i: saver(i % 2 == 0) for i in range(savers)]
                               + [submitter])
        assert not any(isinstance(r, Exception) for r in results), results
        assert results[-1] in (200, 403), results

    # ------------------------------------------------------------------------------------------
    # The clock and the instructor
    # ------------------------------------------------------------------------------------------

    @precondition(lambda self: self.quiz is not None)
    @rule(seconds=st.sampled_from([5, 30, 61, 150, 700]))
    def time_passes(self, seconds):
        STATS["steps"] += 1
        d = timedelta(seconds=seconds)
        Quiz.objects.filter(pk=self.quiz.pk, open_at__isnull=False).update(
            open_at=F("open_at") - d)
        Quiz.objects.filter(pk=self.quiz.pk, close_at__isnull=False).update(
            close_at=F("close_at") - d)
        attempts = Attempt.objects.filter(quiz=self.quiz)
        attempts.update(started_at=F("started_at") - d)
        attempts.filter(deadline__isnull=False).update(deadline=F("deadline") - d)
        attempts.filter(submitted_at__isnull=False).update(submitted_at=F("submitted_at") - d)
        Response.objects.filter(attempt__quiz=self.quiz, saved_at__isnull=False).update(
            saved_at=F("saved_at") - d)

    @precondition(lambda self: self.quiz is not None)
    @rule(close=st.sampled_from(CLOSE_OFFSETS), limit=st.sampled_from(LIMIT_MINUTES),
          grace=st.sampled_from(GRACE_SECONDS))
    def instructor_moves_dates(self, close, limit, grace):
        STATS["steps"] += 1
        close_at = None if close is None else timezone.now() + timedelta(seconds=close)
        post_settings(self.teacher_client, self.quiz, close_at=close_at,
                      time_limit_minutes=limit, grace_period=grace)

    @precondition(lambda self: self.quiz is not None)
    @rule(published=st.booleans())
    def instructor_shows_or_hides(self, published):
        STATS["steps"] += 1
        response = self.teacher_client.post(
            reverse("bank:quiz-publish", args=[self.course.slug, self.quiz.slug]),
            {"published": "1" if published else "0"})
        assert response.status_code == 302
        assert self.fresh_quiz().published is published

    @precondition(lambda self: self.quiz is not None)
    @rule(which=st.integers(min_value=0, max_value=1), regrade=st.booleans())
    def instructor_fixes_a_question(self, which, regrade):
        STATS["steps"] += 1
        question = Question.objects.get(pk=self.questions[which].pk)
        latest = question.latest_version()
        editor = self.teacher_client.get(
            reverse("quizzes:question-edit", args=[self.course.slug, self.quiz.slug,
                                                   question.pk]), follow=True)
        fields = form_fields(editor.content.decode())
        fields.update({"d-correct": "0" if latest.data["correct"] else "1",
                       "change_note": "key flipped"})
        edit = self.teacher_client.post(editor.request["PATH_INFO"], fields)
        assert edit.status_code == 302, edit.content.decode()[:500]
        if regrade:
            done = self.teacher_client.post(
                reverse("quizzes:regrade", args=[self.course.slug, self.quiz.slug,
                                                 question.pk]), {"reason": "key flipped"})
            assert done.status_code == 302

    @precondition(lambda self: self.quiz is not None)
    @rule()
    def student_reads_the_review_page(self):
        STATS["steps"] += 1
        for attempt in Attempt.objects.filter(quiz=self.quiz, user=self.student):
            t0 = timezone.now()
            page = self.page_client.get(reverse("quizzes:review", args=[attempt.pk]))
            t1 = timezone.now()
            assert page.status_code in (200, 302, 403), page.status_code
            if page.status_code == 200:
                self._check_page(attempt, page.content.decode(), t0, t1)

    def _check_page(self, attempt: Attempt, html: str, t0, t1):
        quiz = self.fresh_quiz()
        attempt.refresh_from_db()
        windows = windows_during(attempt, quiz, t0, t1)
        allowed = set().union(*(quiz.review_policy.get(w, []) for w in windows))
        if "general_feedback" not in allowed:
            assert "EXPLANATION" not in html
        if "specific_feedback" not in allowed:
            assert "FB-TRUE" not in html and "FB-FALSE" not in html

    # ------------------------------------------------------------------------------------------
    # Invariants
    # ------------------------------------------------------------------------------------------

    @invariant()
    def graded_answer_is_the_stored_answer(self):
        if self.quiz is None:
            return
        for attempt in Attempt.objects.filter(quiz=self.quiz, state=Attempt.State.SUBMITTED):
            responses = list(attempt.responses.select_related("version"))
            for response in responses:
                grade = qtypes.get(response.version.qtype).grade(response.question_data,
                                                                 response.answer)
                assert (response.state, response.fraction) == (grade.state, grade.fraction), \
                    (attempt.pk, response.answer, response.state, response.version.data)
                assert response.saved_at is None or response.saved_at <= attempt.submitted_at, \
                    "an answer was saved after the attempt was submitted"
            total = sum(r.fraction * float(r.max_mark) for r in responses)
            assert attempt.score is not None and float(attempt.score) == pytest.approx(total)

    @invariant()
    def one_open_attempt_with_the_quiz_deadline(self):
        if self.quiz is None:
            return
        quiz = self.fresh_quiz()
        open_attempts = list(Attempt.objects.filter(quiz=quiz, user=self.student,
                                                    state=Attempt.State.IN_PROGRESS))
        assert len(open_attempts) <= 1
        for attempt in open_attempts:
            assert attempt.deadline == attempt_deadline(
                started_at=attempt.started_at, time_limit=quiz.time_limit,
                close_at=quiz.close_at)

    @invariant()
    def review_shows_only_what_the_window_allows(self):
        if self.quiz is None:
            return
        for attempt in Attempt.objects.filter(quiz=self.quiz, user=self.student):
            quiz = self.fresh_quiz()
            t0 = timezone.now()
            response = self.api.get(reverse("api-attempt", args=[attempt.pk]))
            t1 = timezone.now()
            assert response.status_code == 200, response.content
            body = response.json()
            attempt.refresh_from_db()  # the read may have closed an overdue attempt
            quiz = self.fresh_quiz()
            windows = windows_during(attempt, quiz, t0, t1)
            allowed = set().union(*(quiz.review_policy.get(w, []) for w in windows
                                    if w != "during"))
            if body["state"] == Attempt.State.IN_PROGRESS:
                allowed = set()
            questions = body["questions"]
            if "marks" not in allowed:
                assert body["score"] is None and all(q["mark"] is None for q in questions)
            if "correctness" not in allowed:
                assert all(q["state"] is None for q in questions)
            if "specific_feedback" not in allowed:
                assert all(q["feedback"] == [] for q in questions)
            if "general_feedback" not in allowed:
                assert all(q["general_feedback"] == "" for q in questions)
            if "right_answer" not in allowed:
                assert all(q["right_answer"] == "" for q in questions)
            if not {"attempt", "correctness", "specific_feedback", "right_answer"} <= allowed:
                assert all(q["review"] is None for q in questions)
            permitting = {w for w in windows if "right_answer" in quiz.review_policy.get(w, [])}
            if any(q["right_answer"] for q in questions) and permitting == {"closed"}:
                # A key shown only after the close: none of this student's attempts may still
                # take an answer (keys shown earlier are the policy's own choice).
                for other in Attempt.objects.filter(quiz=quiz, user=self.student,
                                                    state=Attempt.State.IN_PROGRESS):
                    assert not accepts(other, quiz, t1 + MARGIN), (other.pk, other.deadline)


@pytest.mark.django_db(transaction=True)
def test_attempt_lifecycle_state_machine(mini_course, make_user, enrol, capsys):
    teacher = make_user("lifecycle-teacher")
    enrol(teacher, mini_course, "instructor")
    AttemptLifecycle.course, AttemptLifecycle.teacher = mini_course, teacher
    STATS.update(examples=0, steps=0)
    run_state_machine_as_test(AttemptLifecycle, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    with capsys.disabled():
        print(f"\nattempt lifecycle: {STATS['examples']} examples, {STATS['steps']} steps")
    assert STATS["examples"] >= 1
