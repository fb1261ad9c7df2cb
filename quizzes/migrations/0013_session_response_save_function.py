"""The answer save with its own proof of the session, for the API's fast path
(quizzes.api_fast; quizzes.attempt_runtime.response_save_known calls it). Migration 0014
replaces it with a digest bound to the session key.

A process that has authenticated a session once remembers whose it is and a digest of that
user's password field (quizzes.attempt_runtime.session_auth_digest). Later saves on the session
send both with the save, and this function writes only if, in the same statement:

- the session row still exists and has not expired (a logout, a flush or `clearsessions`
  removes it: sessions are written through to `django_session`);
- the user is active and their password field is the one the session was verified against (a
  password change ends the user's other sessions, as Django's session hash does);
- then every rule of `quizzes_response_save` (migration 0012), with the enrolment check unless
  the user is staff, read from the row now.

It returns one row `(false, NULL, NULL)` when the session or the user fails, no row when the
save's own guards fail, and `(true, position, flagged)` when it wrote. The caller asks again the
long way in the first two cases: nothing was written.

A migration that renames a column these statements name, or changes the signature of
`quizzes_response_save`, must replace this function too.
"""

from django.conf import settings
from django.db import migrations

from ._postgresql import run_on_postgresql

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
  SELECT u.is_staff INTO v_staff FROM auth_user u
  WHERE u.id = p_user AND u.is_active
    AND encode(sha256(convert_to(u.password, 'UTF8')), 'hex') = p_auth
    AND EXISTS (SELECT 1 FROM django_session s
                WHERE s.session_key = p_session AND s.expire_date > p_now);
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

DROP = ("DROP FUNCTION IF EXISTS quizzes_session_response_save(text, text, bigint, bigint, "
        "text, timestamptz, jsonb, bigint, bigint, integer, jsonb)")


class Migration(migrations.Migration):

    dependencies = [
        ("quizzes", "0012_response_save_function"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [run_on_postgresql(SAVE, DROP)]
