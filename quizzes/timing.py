"""When an attempt may be saved or submitted, and which review window applies. Pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta

# Moodle's "immediately after the attempt" lasts two minutes after submission.
IMMEDIATELY_WINDOW = timedelta(minutes=2)


def attempt_deadline(*, started_at: datetime, time_limit: int,
                     close_at: datetime | None) -> datetime | None:
    """The moment time runs out: the time limit from the start, but never after the quiz closes."""
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
                  now: datetime) -> str:
    """One of Moodle's four review windows: during, immediately, open, closed."""
    if submitted_at is None:
        return "during"
    if close_at is not None and now >= close_at:
        return "closed"
    if now - submitted_at <= IMMEDIATELY_WINDOW:
        return "immediately"
    return "open"
