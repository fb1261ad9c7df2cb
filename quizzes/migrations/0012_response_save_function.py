"""The answer save's guarded write as a PostgreSQL function (quizzes.attempt_runtime.
_guarded_write calls it; its docstring states the rules).

Why a function: as for the start's claim (migration 0011), PL/pgSQL keeps the statement's plan
for the connection's life, and planning was most of the save's database time. PgBouncer in
transaction mode, as deployed, rules out PREPARE. SQLite has no such functions: its save runs
the ORM's guarded update.

A migration that renames a column this statement names must replace it.
"""

from django.db import migrations

from ._postgresql import run_on_postgresql

SAVE = r"""
CREATE OR REPLACE FUNCTION quizzes_response_save(
    p_attempt bigint, p_user bigint, p_open text, p_now timestamptz, p_check_enrolment boolean,
    p_answer jsonb, p_response bigint, p_version bigint, p_base integer, p_layout jsonb)
RETURNS TABLE (saved_position integer, saved_flagged boolean) LANGUAGE plpgsql AS $$
BEGIN
  RETURN QUERY
  WITH open_attempt AS (
    SELECT a.id FROM quizzes_attempt a JOIN quizzes_quiz q ON q.id = a.quiz_id
    WHERE a.id = p_attempt AND a.user_id = p_user AND a.state = p_open AND q.published
      AND (a.deadline IS NULL OR a.deadline + q.grace_period * INTERVAL '1 second' >= p_now)
      AND (NOT p_check_enrolment OR EXISTS (
           SELECT 1 FROM courses_enrollment e
           WHERE e.user_id = a.user_id AND e.course_id = q.course_id))
    FOR SHARE OF a)
  UPDATE quizzes_response r
  SET answer = p_answer, sequence = p_base + 1, saved_at = p_now
  FROM open_attempt o
  WHERE r.id = p_response AND r.attempt_id = o.id AND r.version_id = p_version
    AND r.sequence = p_base AND r.layout IS NOT DISTINCT FROM p_layout
  RETURNING r.position, r.flagged;
END $$;
"""

DROP = ("DROP FUNCTION IF EXISTS quizzes_response_save(bigint, bigint, text, timestamptz, "
        "boolean, jsonb, bigint, bigint, integer, jsonb)")


class Migration(migrations.Migration):

    dependencies = [
        ("quizzes", "0011_attempt_claim_function"),
    ]

    operations = [run_on_postgresql(SAVE, DROP)]
