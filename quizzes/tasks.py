"""Background work for quizzes, run by the `default` queue."""

from celery import shared_task


@shared_task(name="quizzes.tasks.attempts_finish_overdue", ignore_result=True)
def attempts_finish_overdue() -> int:
    """Submit attempts whose time ran out while nobody had the page open."""
    from .services import attempts_finish_overdue as finish

    return finish()
