"""The reads an exam repeats for every student (a submit, a process's first save of an
attempt, the review window's overrides), written as SQL once instead of compiled by the ORM on
every call (config.sql_rows says why). Each returns model instances as the ORM would, related
objects attached, so callers treat them like any queryset's.

Only reads live here, and only ones whose ORM form would be a plain join: anything with a rule
in it (who may see what) stays with its owner (courses.access, attempt_runtime), which is handed
the viewer's enrolment role read in the same statement.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from config.sql_rows import RowReader
from courses.models import Course, Enrollment

from .models import Attempt, QuestionVersion, Quiz, QuizOverride, Response


@cache
def _readers(vendor: str) -> dict[str, RowReader]:
    # Built on first use (the connection's operations decide the quoting and the converters),
    # once per database vendor.
    del vendor
    return {"a": RowReader(Attempt, "a"), "q": RowReader(Quiz, "q"), "c": RowReader(Course, "c"),
            "r": RowReader(Response, "r"), "v": RowReader(QuestionVersion, "v"),
            "o": RowReader(QuizOverride, "o"),
            "claimed": RowReader(Attempt, "a", exclude=("prepared_questions",))}


def _role_column() -> str:
    """The viewer's enrolment role in the course of quiz `q` (its one parameter: the user)."""
    enrolment = connection.ops.quote_name(Enrollment._meta.db_table)
    return (f"(SELECT e.role FROM {enrolment} e WHERE e.user_id = %s "
            f"AND e.course_id = q.course_id LIMIT 1)")


def _attempt_quiz_course(row, start: int = 0) -> tuple[Attempt, int]:
    """The attempt at `row[start:]`, then its quiz and course, attached; and where they end."""
    readers = _readers(connection.vendor)
    attempt = readers["a"].instance(row, start)
    start += readers["a"].width
    quiz = readers["q"].instance(row, start)
    start += readers["q"].width
    quiz.course = readers["c"].instance(row, start)
    attempt.quiz = quiz
    return attempt, start + readers["c"].width


def claimed_attempt_reader() -> RowReader:
    """Reads a just-claimed attempt's columns but its `prepared_questions` (deferred), from a
    row whose attempt is aliased `a`: the start's reply sends those as the database's text."""
    return _readers(connection.vendor)["claimed"]


def _started_attempt_rows(*, user_id: int, attempt_id: int, with_responses: bool) -> list:
    """Rows of a started attempt (not a prepared one): its columns, its quiz's and course's,
    `user_id`'s enrolment role, then, `with_responses`, one row per response with its version's
    columns."""
    readers = _readers(connection.vendor)
    columns = [readers["a"].columns, readers["q"].columns, readers["c"].columns, _role_column()]
    joins = ""
    if with_responses:
        columns += [readers["r"].columns, readers["v"].columns]
        joins = (f" JOIN {readers['r'].table} ON r.attempt_id = a.id"
                 f" JOIN {readers['v'].table} ON v.id = r.version_id")
    sql = (f"SELECT {', '.join(columns)} "
           f"FROM {readers['a'].table} JOIN {readers['q'].table} ON q.id = a.quiz_id "
           f"JOIN {readers['c'].table} ON c.id = q.course_id{joins} "
           f"WHERE a.id = %s AND a.state <> %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id, attempt_id, Attempt.State.PREPARED])
        return cursor.fetchall()


def _response_with_version(row, start: int = 0) -> Response:
    """The response at `row[start:]`, its version's columns right after it, attached."""
    readers = _readers(connection.vendor)
    response = readers["r"].instance(row, start)
    response.version = readers["v"].instance(row, start + readers["r"].width)
    return response


def attempt_with_role(*, user_id: int, attempt_id: int) -> tuple[Attempt | None, str | None]:
    """A started attempt (not a prepared one) with its quiz and course, and `user_id`'s
    enrolment role in that course (None: not enrolled). (None, None) if there is none."""
    rows = _started_attempt_rows(user_id=user_id, attempt_id=attempt_id, with_responses=False)
    if not rows:
        return None, None
    attempt, end = _attempt_quiz_course(rows[0])
    return attempt, rows[0][end]


def attempt_responses_with_versions(*, attempt_id: int) -> list[Response]:
    """The attempt's responses in display order, each with its question version."""
    readers = _readers(connection.vendor)
    sql = (f"SELECT {readers['r'].columns}, {readers['v'].columns} "
           f"FROM {readers['r'].table} JOIN {readers['v'].table} ON v.id = r.version_id "
           f"WHERE r.attempt_id = %s ORDER BY r.position")
    with connection.cursor() as cursor:
        cursor.execute(sql, [attempt_id])
        return [_response_with_version(row) for row in cursor.fetchall()]


def responses_for_save(*, user_id: int,
                       attempt_id: int) -> tuple[list[Response], str | None]:
    """Every response of a started attempt, each with its version and the attempt (with its
    quiz and course) attached, and `user_id`'s enrolment role in the course; ([], None) when
    the attempt does not exist or is only prepared."""
    rows = _started_attempt_rows(user_id=user_id, attempt_id=attempt_id, with_responses=True)
    if not rows:
        return [], None
    attempt, end = _attempt_quiz_course(rows[0])
    out = []
    for row in rows:
        response = _response_with_version(row, end + 1)
        response.attempt = attempt
        out.append(response)
    return out, rows[0][end]


def quiz_override_closes(*, quiz_id: int) -> dict:
    """{student id: their own close} for the quiz's overrides that set one."""
    reader = _readers(connection.vendor)["o"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reader.columns} FROM {reader.table} "
                       f"WHERE o.quiz_id = %s AND o.close_at IS NOT NULL", [quiz_id])
        overrides = [reader.instance(row) for row in cursor.fetchall()]
    return {o.user_id: o.close_at for o in overrides}
