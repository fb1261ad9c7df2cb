"""The prepared start's claim takes the quiz's terms lock, shared, before it reads the terms
(quizzes.terms.quiz_terms_lock): a change of the quiz's dates or time limit, or of an override,
takes it exclusively before it writes, and recomputes the open attempts' deadlines after. So a
claim either commits before that recomputation (and is recomputed with the others) or waits
for the change and reads the new terms; without it, a claim that ran while a change was being
written stamped a deadline from the old terms, and kept it.

The function is migration 0011's, with the quiz looked up first and the lock taken before the
claim's statement (which, in PL/pgSQL, reads what was committed when it starts).
"""

import importlib

from django.db import migrations

from ._postgresql import run_on_postgresql

TERMS_LOCK = 0x7465726D  # quizzes.terms.TERMS_LOCK

CLAIM_0011 = importlib.import_module("quizzes.migrations.0011_attempt_claim_function").CLAIM
_LOOKUP = """COALESCE(p_quiz, (
            SELECT q2.id FROM quizzes_quiz q2 JOIN courses_course c2 ON c2.id = q2.course_id
            WHERE c2.slug = p_course_slug AND q2.slug = p_quiz_slug))"""
_BEGIN = "LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN QUERY\n"
assert _LOOKUP in CLAIM_0011 and _BEGIN in CLAIM_0011
CLAIM = CLAIM_0011.replace(_LOOKUP, "v_quiz").replace(_BEGIN, f"""LANGUAGE plpgsql AS $$
DECLARE
  v_quiz bigint := {_LOOKUP.replace(chr(10) + "        ", chr(10))};
BEGIN
  IF v_quiz IS NULL THEN
    RETURN;
  END IF;
  PERFORM pg_advisory_xact_lock_shared({TERMS_LOCK}, (v_quiz & 2147483647)::integer);
  RETURN QUERY
""")


class Migration(migrations.Migration):

    dependencies = [("quizzes", "0015_response_fillfactor")]

    operations = [run_on_postgresql(CLAIM, CLAIM_0011)]
