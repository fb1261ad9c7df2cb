"""The bounds of every number an author or a file gives a quiz or a question, in one place.

Forms, API serializers, the GIFT/Moodle XML and course-pack importers, the services and the
database's CHECK constraints (migration ``0004_bounds``) all read these, so a value one path
refuses cannot arrive through another. The columns hold more than these bounds allow
(``numeric(7,3)`` goes to 9999.999); the bounds leave room for sums such as an attempt's
maximum score (``numeric(9,4)``, below 100 000) to be stored too.

Pure Python (no Django), so the pure cores (``quizzes/formats/``, ``quizzes/qtypes/``) can
import it.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

#: A question's default mark and a quiz slot's mark (each), in marks.
MARK_MAX = Decimal("1000")
#: The sum of a quiz's slot marks: the most an attempt can score.
QUIZ_MARKS_MAX = Decimal("10000")
#: The grade a quiz is scaled to.
MAX_GRADE_MIN = Decimal("0.01")
MAX_GRADE_MAX = Decimal("10000")
#: A quiz's time limit, in seconds (0 = none): one week.
TIME_LIMIT_MAX = 7 * 24 * 3600
#: Seconds after the time limit in which a last save still counts: one day.
GRACE_PERIOD_MAX = 24 * 3600
#: Attempts a student may make (0 = unlimited).
ATTEMPTS_ALLOWED_MAX = 100
#: A quiz's weight in the gradebook's average (0 = not counted).
WEIGHT_MAX = Decimal("1000")
#: A grade typed by a teacher over the computed one, in percent.
GRADE_OVERRIDE_MAX = Decimal("100")
#: The course week a quiz belongs to (0 = none).
WEEK_MAX = 53
#: A quiz's dates (opens, closes, a student's own close date), inclusive: far inside what
#: Python's datetime holds, so that adding a time limit or a grace period, or moving to another
#: time zone, stays in range. Year 1 at 00:00 in Seoul is year 0 in UTC, which PostgreSQL stores
#: and Python cannot read back (every page listing the quiz failed); 9999-12-31 overflowed when
#: a deadline was computed.
DATE_MIN = datetime(2000, 1, 1, tzinfo=UTC)
DATE_MAX = datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)
#: Numbers inside a question's data (numerical answers, tolerances, unit multipliers), in
#: absolute value: far beyond any classroom quantity, far below float overflow.
DATA_NUMBER_MAX = 1e12
#: Whole numbers inside a question's data (an essay's word limits).
DATA_INT_MAX = 100_000
#: A question category's name (one level of its path), in characters: the column's length.
CATEGORY_NAME_MAX = 200
#: The name (with its folder) of a file embedded in a question, in characters: the column's
#: length, and Moodle's own (files.filename is 255 characters).
FILE_NAME_MAX = 255
#: The items of one question's list (choices, answers, pairs, gap options): the importers refuse
#: a question with more, and the editor reads back that many rows, so that a question a file
#: brought is saved from the editor whole.
ANSWERS_MAX = 1000
#: Random questions added to a quiz in one go.
RANDOM_SLOTS_MAX = 100
#: A comment written for a student: a grader's, a dispute and its reply, in characters.
COMMENT_MAX = 4000
#: The sequence a save sends (the one it last received): the column is a 32-bit integer, and a
#: save stores sequence + 1.
SEQUENCE_MAX = 2**31 - 2


def decimal_or_none(value: object) -> Decimal | None:
    """`value` as a finite Decimal, or None when it is not a finite number."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if isinstance(value, str) \
            else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def date_in_range(value: datetime) -> bool:
    """True when an aware `value` lies within [DATE_MIN, DATE_MAX]."""
    return DATE_MIN <= value <= DATE_MAX


def in_range(value: object, low: float | Decimal, high: float | Decimal) -> bool:
    """True when `value` is a finite number within [low, high]."""
    if isinstance(value, float) and not math.isfinite(value):
        return False
    number = decimal_or_none(value)
    return number is not None and Decimal(str(low)) <= number <= Decimal(str(high))
