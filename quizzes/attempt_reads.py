"""The reads an exam repeats for every student (a submit, a process's first save of an
attempt, the review window's overrides), written as SQL once instead of compiled by the ORM on
every call (config.sql_rows says why). Each returns model instances as the ORM would, related
objects attached, so callers treat them like any queryset's.

Only reads live here, and only ones whose ORM form would be a plain join: anything with a rule
in it (who may see what) stays with its owner (courses.access, attempt_runtime), which is handed
the viewer's enrolment role read in the same statement.
"""

from __future__ import annotations

import json
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
    # An attempt is read without `prepared_questions` (deferred): only the start's reply sends
    # them, as the database's text (attempt_build), and a read joined with the responses would
    # otherwise carry and decode them once per question.
    return {"a": RowReader(Attempt, "a", exclude=("prepared_questions",)),
            "q": RowReader(Quiz, "q"), "c": RowReader(Course, "c"),
            "r": RowReader(Response, "r"), "v": RowReader(QuestionVersion, "v"),
            "o": RowReader(QuizOverride, "o")}


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
    return _readers(connection.vendor)["a"]


def _started_attempt_rows(*, user_id: int, attempt_id: int, with_responses: bool,
                          with_override_closes: bool = False) -> list:
    """Rows of a started attempt (not a prepared one): its columns, its quiz's and course's,
    `user_id`'s enrolment role, then, `with_override_closes`, the quiz's override closes (two
    arrays, PostgreSQL only), then, `with_responses`, one row per response in display order
    with its version's columns."""
    readers = _readers(connection.vendor)
    columns = [readers["a"].columns, readers["q"].columns, readers["c"].columns, _role_column()]
    joins = order = ""
    if with_override_closes:
        columns.append("oc.user_ids, oc.closes")
        joins += (f" CROSS JOIN LATERAL (SELECT array_agg(o.user_id), array_agg(o.close_at) "
                  f"FROM {readers['o'].table} WHERE o.quiz_id = q.id AND o.close_at IS NOT NULL"
                  f") oc(user_ids, closes)")
    if with_responses:
        columns += [readers["r"].columns, readers["v"].columns]
        joins += (f" JOIN {readers['r'].table} ON r.attempt_id = a.id"
                  f" JOIN {readers['v'].table} ON v.id = r.version_id")
        order = " ORDER BY r.position"
    sql = (f"SELECT {', '.join(columns)} "
           f"FROM {readers['a'].table} JOIN {readers['q'].table} ON q.id = a.quiz_id "
           f"JOIN {readers['c'].table} ON c.id = q.course_id{joins} "
           f"WHERE a.id = %s AND a.state <> %s{order}")
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


def response_shapes(*, user_id: int, attempt_id: int,
                    known_versions: list[int]) -> list[tuple]:
    """What a save needs of every question of `user_id`'s own started attempt, and nothing
    else (PostgreSQL; the first save of an attempt in a process reads it): rows of (response
    id, slot id, position, layout, instance, version id, qtype, version data), the JSON
    decoded, the version's data None where its id is in `known_versions` (the process has
    it). [] when `user_id` has no such started attempt."""
    quote = connection.ops.quote_name
    sql = (f"SELECT r.id, r.slot_id, r.position, r.layout, r.instance, v.id, v.qtype, "
           f"CASE WHEN v.id = ANY(%s) THEN NULL ELSE v.data END "
           f"FROM {quote(Attempt._meta.db_table)} a "
           f"JOIN {quote(Response._meta.db_table)} r ON r.attempt_id = a.id "
           f"JOIN {quote(QuestionVersion._meta.db_table)} v ON v.id = r.version_id "
           f"WHERE a.id = %s AND a.user_id = %s AND a.state <> %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [known_versions, attempt_id, user_id, Attempt.State.PREPARED])
        rows = cursor.fetchall()
    return [(rid, slot, position, _json(layout), _json(instance), vid, qtype, _json(data))
            for rid, slot, position, layout, instance, vid, qtype, data in rows]


def _json(value):
    # Django has psycopg2 hand jsonb over undecoded (JSONField decodes it).
    return json.loads(value) if isinstance(value, str) else value


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


def attempt_with_responses(*, user_id: int, attempt_id: int
                           ) -> tuple[Attempt | None, str | None, list[Response]]:
    """A started attempt with its quiz and course, `user_id`'s enrolment role in that course,
    and its responses in display order, each with its version: what a submit grades and shows,
    in one statement. On PostgreSQL the quiz also carries its override closes (the review
    window's, see `quiz_override_closes`). (None, None, []) if there is no such attempt."""
    with_closes = connection.vendor == "postgresql"
    rows = _started_attempt_rows(user_id=user_id, attempt_id=attempt_id, with_responses=True,
                                 with_override_closes=with_closes)
    if not rows:  # no such attempt, or (never made by a start) one without a question
        attempt, role = attempt_with_role(user_id=user_id, attempt_id=attempt_id)
        return attempt, role, []
    attempt, end = _attempt_quiz_course(rows[0])
    role = rows[0][end]
    end += 1
    if with_closes:
        user_ids, closes = rows[0][end:end + 2]
        attempt.quiz._override_closes = dict(zip(user_ids or (), closes or (), strict=True))
        end += 2
    responses = []
    for row in rows:
        response = _response_with_version(row, end)
        response.attempt = attempt
        responses.append(response)
    return attempt, role, responses


def quiz_override_closes(*, quiz_id: int) -> dict:
    """{student id: their own close} for the quiz's overrides that set one."""
    reader = _readers(connection.vendor)["o"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {reader.columns} FROM {reader.table} "
                       f"WHERE o.quiz_id = %s AND o.close_at IS NOT NULL", [quiz_id])
        overrides = [reader.instance(row) for row in cursor.fetchall()]
    return {o.user_id: o.close_at for o in overrides}
