"""Background work for quizzes, run by the `default` queue."""

from celery import shared_task


@shared_task(name="quizzes.tasks.attempts_finish_overdue", ignore_result=True)
def attempts_finish_overdue() -> int:
    """Submit attempts whose time ran out while nobody had the page open."""
    from .services import attempts_finish_overdue as finish

    return finish()


@shared_task(name="quizzes.tasks.quiz_attempts_prepare", ignore_result=True)
def quiz_attempts_prepare(quiz_id: int) -> int:
    """Build the prepared attempts of one quiz's students (on publish and after an edit), if
    it opens soon or is open (attempt_build._due)."""
    from .attempt_build import quiz_attempts_prepare_if_due

    return quiz_attempts_prepare_if_due(quiz_id=quiz_id)


@shared_task(name="quizzes.tasks.quizzes_attempts_prepare", ignore_result=True)
def quizzes_attempts_prepare() -> int:
    """Build the prepared attempts of every quiz opening soon or open (beat, every five
    minutes: quizzes coming due, late enrolments, next attempts, a lost rebuild message)."""
    from .attempt_build import quiz_attempts_prepare as prepare
    from .attempt_build import quizzes_to_prepare

    return sum(prepare(quiz_id=quiz_id) for quiz_id in quizzes_to_prepare())
