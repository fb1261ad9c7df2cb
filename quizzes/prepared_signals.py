"""Model signals that keep prepared attempts (quizzes.attempt_build) in step with every edit.

Connected in QuizzesConfig.ready. A signal reaches every ORM save and delete of a quiz, a slot,
a question, a version, a category or a pool image, whichever page, API, import or shell made
it; the few bulk statements that send none (slot renumbering, moving questions) call
`attempts_prepared_discard` themselves. Each handler is one call: the rules are in the service.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from .attempt_build import (
    attempts_prepared_discard,
    attempts_prepared_discard_on_commit,
    prepared_discard_showing,
    quiz_attempts_prepare_send,
)
from .models import Category, Question, QuestionVersion, Quiz, Slot

# Each discard runs once the edit commits: waiting there for a batch being written could
# deadlock with the rows the edit still holds (attempts_prepared_discard says why).


def _quiz_saved(sender, instance: Quiz, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):  # loaddata (a course restore): no prepared attempt to discard yet
        return
    quiz_id, published = instance.pk, instance.published

    def after_commit() -> None:
        if not created and attempts_prepared_discard(quiz_ids=[quiz_id]):
            return  # discarding asks for the rebuild
        if published:  # published or edited: build what its students will start
            quiz_attempts_prepare_send(quiz_id=quiz_id)

    transaction.on_commit(after_commit)


def _slot_changed(sender, instance: Slot, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    attempts_prepared_discard_on_commit(quiz_ids=[instance.quiz_id])


def _question_changed(sender, instance: Question, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    attempts_prepared_discard_on_commit(question_ids=[instance.pk],
                                        random_in_course=instance.course_id)


def _version_saved(sender, instance: QuestionVersion, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    question = instance.question
    attempts_prepared_discard_on_commit(question_ids=[question.pk],
                                        random_in_course=question.course_id)


def _category_changed(sender, instance: Category, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    attempts_prepared_discard_on_commit(random_in_course=instance.course_id)


def _pool_image_changed(sender, instance, created: bool = False, **kwargs) -> None:
    if created or kwargs.get("raw"):  # a new image changes no draw; a retired one does
        return
    course_id, image_id = instance.course_id, str(instance.pk)
    transaction.on_commit(lambda: prepared_discard_showing(
        course_id=course_id, image_ids=[image_id], graded_only=False))


def connect() -> None:
    from inference.models import PoolImage

    post_save.connect(_quiz_saved, sender=Quiz, dispatch_uid="prepared-quiz-saved")
    for signal in (post_save, post_delete):
        name = signal is post_save and "saved" or "deleted"
        signal.connect(_slot_changed, sender=Slot, dispatch_uid=f"prepared-slot-{name}")
        signal.connect(_question_changed, sender=Question,
                       dispatch_uid=f"prepared-question-{name}")
        signal.connect(_category_changed, sender=Category,
                       dispatch_uid=f"prepared-category-{name}")
        signal.connect(_pool_image_changed, sender=PoolImage,
                       dispatch_uid=f"prepared-pool-image-{name}")
    post_save.connect(_version_saved, sender=QuestionVersion, dispatch_uid="prepared-version")
