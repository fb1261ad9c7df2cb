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
    prepared_discard_showing,
    quiz_attempts_prepare_send,
)
from .models import Category, Question, QuestionVersion, Quiz, Slot


def _quiz_saved(sender, instance: Quiz, created: bool, **kwargs) -> None:
    if not created and attempts_prepared_discard(quiz_ids=[instance.pk]):
        return  # discarding asks for the rebuild
    if instance.published:  # published or edited: build what its students will start
        transaction.on_commit(lambda: quiz_attempts_prepare_send(quiz_id=instance.pk))


def _slot_changed(sender, instance: Slot, **kwargs) -> None:
    attempts_prepared_discard(quiz_ids=[instance.quiz_id])


def _question_changed(sender, instance: Question, **kwargs) -> None:
    attempts_prepared_discard(question_ids=[instance.pk], random_in_course=instance.course_id)


def _version_saved(sender, instance: QuestionVersion, created: bool, **kwargs) -> None:
    question = instance.question
    attempts_prepared_discard(question_ids=[question.pk], random_in_course=question.course_id)


def _category_changed(sender, instance: Category, **kwargs) -> None:
    attempts_prepared_discard(random_in_course=instance.course_id)


def _pool_image_changed(sender, instance, created: bool = False, **kwargs) -> None:
    if not created:  # a new image changes no draw made; a retired or deleted one does
        prepared_discard_showing(course_id=instance.course_id, image_ids=[str(instance.pk)],
                                 graded_only=False)


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
