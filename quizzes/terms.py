"""The terms that hold for one student on one quiz: the quiz's settings with their override.

One read, shared by the start (quizzes.attempt_build), the pages and the API; it sits below
both so that neither imports the other for it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from .models import Quiz, QuizOverride
from .timing import QuizTerms, quiz_terms


def quiz_terms_for(*, quiz: Quiz, user: AbstractBaseUser) -> QuizTerms:
    """The close date, time limit and attempts allowed that hold for `user` on `quiz`."""
    override = QuizOverride.objects.filter(quiz=quiz, user_id=user.pk).order_by().first()
    return quiz_terms(quiz, override)
