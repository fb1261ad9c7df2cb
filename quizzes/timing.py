"""When an attempt may be saved or submitted, and which review window applies. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Moodle's "immediately after the attempt" lasts two minutes after submission.
IMMEDIATELY_WINDOW = timedelta(minutes=2)


@dataclass(frozen=True)
class QuizTerms:
    """What holds for one student: the quiz's settings with their override applied."""

    close_at: datetime | None
    time_limit: int
    attempts_allowed: int


def quiz_terms(quiz: Any, override: Any | None) -> QuizTerms:
    """`quiz`'s close date, time limit and attempts allowed, each replaced by `override`'s when
    the override sets it (not None). Duck-typed: any objects with those attributes."""

    def pick(name: str):
        value = getattr(override, name, None) if override is not None else None
        return getattr(quiz, name) if value is None else value

    return QuizTerms(close_at=pick("close_at"), time_limit=pick("time_limit"),
                     attempts_allowed=pick("attempts_allowed"))


def attempt_deadline(*, started_at: datetime, time_limit: int,
                     close_at: datetime | None) -> datetime | None:
    """The moment time runs out: the time limit from the start, but never after the quiz closes.

    `attempts_deadline_refresh` (quizzes.services) computes the same in SQL for open attempts
    whenever the quiz's dates or time limit change.
    """
    candidates = []
    if time_limit:
        candidates.append(started_at + timedelta(seconds=time_limit))
    if close_at is not None:
        candidates.append(close_at)
    return min(candidates) if candidates else None


def accepts_work(*, deadline: datetime | None, grace_period: int, now: datetime) -> bool:
    """Saves and submits are accepted until the deadline plus the grace period."""
    return deadline is None or now <= deadline + timedelta(seconds=grace_period)


def review_window(*, submitted_at: datetime | None, close_at: datetime | None,
                  now: datetime, grace_period: int = 0) -> str:
    """One of Moodle's four review windows: during, immediately, open, closed.

    "Closed" starts when the grace period after the close is over too: every attempt's deadline
    is at or before the close, so from then on no attempt of the quiz can still be saved, and a
    key shown after the close cannot help anyone answer.
    """
    if submitted_at is None:
        return "during"
    if close_at is not None and now >= close_at + timedelta(seconds=grace_period):
        return "closed"
    if now - submitted_at <= IMMEDIATELY_WINDOW:
        return "immediately"
    return "open"
