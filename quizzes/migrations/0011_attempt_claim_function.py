"""The prepared start's claim as a PostgreSQL function (quizzes.attempt_build.
attempt_prepared_claim calls it; its docstring states the rules).

Why a function: PL/pgSQL keeps a statement's plan for the connection's life, and planning was
most of the claim's database time (≈ 0.7 ms planning, 0.2 ms running). PgBouncer in transaction
mode, as deployed, rules out PREPARE. SQLite has no such functions: its start checks the rules
and then takes the attempt in Python.

The function returns the attempt's row type, so a column added to quizzes_attempt comes back
without touching it; a migration that renames a column this statement names must replace it.
"""

from django.db import migrations

from ._postgresql import run_on_postgresql

CLAIM = r"""
CREATE OR REPLACE FUNCTION quizzes_attempt_claim(
    p_user bigint, p_quiz bigint, p_course_slug text, p_quiz_slug text, p_now timestamptz,
    p_open text, p_prepared text, p_student text)
RETURNS SETOF quizzes_attempt LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH claimed AS (
    UPDATE quizzes_attempt a
    SET state = p_open, started_at = p_now,
        number = (SELECT COUNT(*) FROM quizzes_attempt b WHERE b.quiz_id = a.quiz_id
                  AND b.user_id = a.user_id AND b.state <> p_prepared) + 1,
        deadline = LEAST(CASE WHEN COALESCE(o.time_limit, q.time_limit) > 0
                              THEN p_now + COALESCE(o.time_limit, q.time_limit)
                                           * INTERVAL '1 second' END,
                         COALESCE(o.close_at, q.close_at))
    FROM quizzes_quiz q LEFT JOIN quizzes_quizoverride o
         ON o.quiz_id = q.id AND o.user_id = p_user
    WHERE a.quiz_id = COALESCE(p_quiz, (
            SELECT q2.id FROM quizzes_quiz q2 JOIN courses_course c2 ON c2.id = q2.course_id
            WHERE c2.slug = p_course_slug AND q2.slug = p_quiz_slug))
      AND a.user_id = p_user AND a.state = p_prepared
      AND q.id = a.quiz_id AND q.published
      AND (q.open_at IS NULL OR q.open_at <= p_now)
      AND (COALESCE(o.close_at, q.close_at) IS NULL OR p_now < COALESCE(o.close_at, q.close_at))
      AND (COALESCE(o.attempts_allowed, q.attempts_allowed) = 0
           OR (SELECT COUNT(*) FROM quizzes_attempt b WHERE b.quiz_id = a.quiz_id
               AND b.user_id = a.user_id AND b.state <> p_prepared)
              < COALESCE(o.attempts_allowed, q.attempts_allowed))
      AND NOT EXISTS (SELECT 1 FROM quizzes_attempt c WHERE c.quiz_id = a.quiz_id
                      AND c.user_id = a.user_id AND c.state = p_open)
      AND EXISTS (SELECT 1 FROM courses_enrollment e WHERE e.course_id = q.course_id
                  AND e.user_id = a.user_id AND e.role = p_student)
    RETURNING a.*)
  SELECT * FROM claimed;
END $$;
"""

DROP = ("DROP FUNCTION IF EXISTS quizzes_attempt_claim(bigint, bigint, text, text, timestamptz, "
        "text, text, text)")


class Migration(migrations.Migration):

    dependencies = [
        ("quizzes", "0010_attempt_prepared_questions"),
        ("courses", "0001_initial"),
    ]

    operations = [run_on_postgresql(CLAIM, DROP)]
