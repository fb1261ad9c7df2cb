"""The terms that hold for one student on one quiz: the quiz's settings with their override,
and the lock that keeps a start and a change of them apart.

One read, shared by the start (quizzes.attempt_build), the pages and the API; it sits below
both so that neither imports the other for it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection

from .models import Quiz, QuizOverride
from .timing import QuizTerms, quiz_terms


def quiz_terms_for(*, quiz: Quiz, user: AbstractBaseUser) -> QuizTerms:
    """The close date, time limit and attempts allowed that hold for `user` on `quiz`."""
    override = QuizOverride.objects.filter(quiz=quiz, user_id=user.pk).order_by().first()
    return quiz_terms(quiz, override)


# The advisory-lock namespace of quiz terms ("term"); the key is the quiz's id. Migration
# quizzes 0016 takes the same lock in the start's one-statement claim.
TERMS_LOCK = 0x7465726D


def quiz_terms_lock(quiz_id: int, *, shared: bool) -> None:
    """Hold `quiz_id`'s terms lock until the transaction ends: shared by a start from before it
    reads the terms until its attempt, with the deadline they give, is committed; exclusive by
    a change of the quiz's dates or time limit or of an override (`services.quiz_terms_change`),
    which then recomputes the open attempts' deadlines. So a start either commits before the
    change recomputes them (and is recomputed with the others) or waits for the change and
    reads the new terms: none keeps a deadline from terms no longer in force.

    PostgreSQL: a transaction-scoped advisory lock (starts share it; no row is locked). SQLite
    opens every transaction with BEGIN IMMEDIATE (config/settings.py), which already admits one
    writer at a time."""
    if not connection.in_atomic_block:
        raise RuntimeError("quiz_terms_lock outside a transaction would end with its statement")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock_shared(%s, %s)" if shared
                else "SELECT pg_advisory_xact_lock(%s, %s)", [TERMS_LOCK, quiz_id & 0x7FFFFFFF])
