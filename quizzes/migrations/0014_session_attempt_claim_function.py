"""The session's proof, checked by the exam's statements themselves, is bound to its session:
the digest of the user's password field that a proof carries (quizzes.session_proofs) is taken
over the session key and that field, so a proof's digest is of no use with any other session.
This replaces the answer save of migration 0013 with that digest, and adds the start's claim
with the same check, for the API's fast path (quizzes.api_fast).

`quizzes_session_attempt_claim` checks, in the same statement, that the session row still
exists and has not expired, that the user is active and their password field is the one the
session was verified against; then it is `quizzes_attempt_claim` (migration 0011), whose rules
(enrolment as a student, the quiz published and open, an attempt left and none open, the
override) are unchanged. It returns one row of NULLs when the session or the user fails, no row
when nothing could be claimed, and the claimed attempt's row otherwise. The caller asks again the
long way in the first two cases: nothing was written.

A migration that renames a column these statements name, or changes the signature of
`quizzes_response_save` or `quizzes_attempt_claim`, must replace these functions too.
"""

from django.conf import settings
from django.db import migrations

from ._postgresql import run_on_postgresql

# The user of a proof, if the session and the user still hold; NULL otherwise.
_PROVEN_USER = r"""
  SELECT u.is_staff INTO v_staff FROM auth_user u
  WHERE u.id = p_user AND u.is_active
    AND encode(sha256(convert_to(p_session || u.password, 'UTF8')), 'hex') = p_auth
    AND EXISTS (SELECT 1 FROM django_session s
                WHERE s.session_key = p_session AND s.expire_date > p_now);
"""

SAVE = r"""
CREATE OR REPLACE FUNCTION quizzes_session_response_save(
    p_session text, p_auth text, p_user bigint,
    p_attempt bigint, p_open text, p_now timestamptz,
    p_answer jsonb, p_response bigint, p_version bigint, p_base integer, p_layout jsonb)
RETURNS TABLE (authenticated boolean, saved_position integer, saved_flagged boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_staff boolean;
BEGIN
""" + _PROVEN_USER + r"""
  IF NOT FOUND THEN
    RETURN QUERY SELECT false, NULL::integer, NULL::boolean;
    RETURN;
  END IF;
  RETURN QUERY
  SELECT true, w.saved_position, w.saved_flagged
  FROM quizzes_response_save(p_attempt, p_user, p_open, p_now, NOT v_staff, p_answer,
                             p_response, p_version, p_base, p_layout) w;
END $$;
"""

CLAIM = r"""
CREATE OR REPLACE FUNCTION quizzes_session_attempt_claim(
    p_session text, p_auth text, p_user bigint,
    p_quiz bigint, p_course_slug text, p_quiz_slug text, p_now timestamptz,
    p_open text, p_prepared text, p_student text)
RETURNS SETOF quizzes_attempt LANGUAGE plpgsql AS $$
DECLARE
  v_staff boolean;
BEGIN
""" + _PROVEN_USER + r"""
  IF NOT FOUND THEN
    RETURN QUERY SELECT (NULL::quizzes_attempt).*;
    RETURN;
  END IF;
  RETURN QUERY
  SELECT * FROM quizzes_attempt_claim(p_user, p_quiz, p_course_slug, p_quiz_slug, p_now,
                                      p_open, p_prepared, p_student);
END $$;
"""

# Back to migration 0013's save, whose digest is of the password field alone.
SAVE_0013 = SAVE.replace("p_session || u.password", "u.password")
DROP_CLAIM = ("DROP FUNCTION IF EXISTS quizzes_session_attempt_claim(text, text, bigint, bigint, "
              "text, text, timestamptz, text, text, text)")


class Migration(migrations.Migration):

    dependencies = [
        ("quizzes", "0013_session_response_save_function"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [run_on_postgresql(SAVE, SAVE_0013),
                  run_on_postgresql(CLAIM, DROP_CLAIM)]
