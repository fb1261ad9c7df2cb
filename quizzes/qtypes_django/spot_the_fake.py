"""spot_the_fake: images drawn from the course's pools for each attempt, keys revealed in
reviews, and per-image statistics."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ..qtypes.spot_the_fake import SpotTheFake
from .base import EditorSpec, QTypeWeb, Scalar


class SpotTheFakeWeb(QTypeWeb):
    core = SpotTheFake()
    editor = EditorSpec(scalars=(
        Scalar("count", _("Images in the grid"), "int", 6,
               help=_("Each attempt draws its own images from the course's pools.")),
        Scalar("fakes", _("Generated images among them"), "int", 3),
    ))
    stats_columns = ((_("Shown in attempts"), "shown"), (_("Key seen by students"), "revealed"))
    right_answer_label = _("Generated images among those shown")
    right_answer_with_review = False  # the review marks each image generated or real

    def make_instance(self, *, data: dict, rng: random.Random, quiz, user_id: int
                      ) -> dict | None:
        from inference.pool import spot_instance  # the image pools live with the demos

        from ..models import Quiz

        # A graded quiz never shows an image whose key a student of the course saw in a review.
        graded = quiz.kind != Quiz.Kind.PRACTICE
        return spot_instance(data=data, rng=rng, course_id=quiz.course_id,
                             unrevealed_in=quiz.course_id if graded else None,
                             exclude=_shown_in_other_kind(quiz, user_id, graded=graded))

    def counts(self, instance: dict | None) -> bool:
        # An item whose images could not be drawn is shown but not counted.
        return instance is None or bool(instance.get("images"))

    def revealed_pool_images(self, review: dict | None) -> list[str]:
        return [image["id"] for image in (review or {}).get("images", [])]

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        """The images marked as generated, by image id."""
        if not answer:
            return ("-",)
        images = (data or {}).get("images", [])
        return tuple(images[i]["id"] for i in answer.get("marked", []) if i < len(images)) \
            or ("-",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        labels, right = {}, set()
        for image in data.get("images", []):
            kind = _t("generated") if image["fake"] else _t("real photo")
            prob = "" if image.get("prob") is None else ", " + _t("detector %(p)s") % {
                "p": f"{image['prob']:.2f}"}
            labels[image["id"]] = f"{kind} {image['id'][:8]}{prob}"
            if image["fake"]:
                right.add(image["id"])
        return labels, right

    def stats_data(self, data: dict, instances: list[dict | None]) -> dict:
        # Every attempt saw its own images.
        return {"images": [image for instance in instances
                           for image in (instance or {}).get("images", [])]}

    def stats_rows(self, rows: list[dict], data: dict, quiz) -> None:
        """How many of these attempts showed each image (`shown`) and how many students of the
        course saw its key in a review (`revealed`: graded quizzes no longer draw it)."""
        from inference.models import PoolImageReveal

        uses = Counter(image["id"] for image in data["images"])
        revealed = Counter(str(pk) for pk in PoolImageReveal.objects.filter(
            course_id=quiz.course_id, image_id__in=list(uses)).values_list("image_id",
                                                                           flat=True))
        for row in rows:
            row["shown"], row["revealed"] = uses.get(row["key"], 0), revealed.get(row["key"], 0)
        rows.sort(key=lambda row: (-row.get("shown", 0), row["key"] == "-", row["key"]))

    def stats_supply(self, *, course, question) -> Any:
        from inference.pool_photos import item_pool_supply  # the pools live with the demos

        return item_pool_supply(course=course, question=question)


TYPE = SpotTheFakeWeb()


def _shown_in_other_kind(quiz, user_id: int, *, graded: bool) -> set[str]:
    """The images of `user_id`'s attempts of the course that are built or open, in practice
    quizzes when `graded`, else in graded ones. A student's practice and graded attempts never
    share an image while both may still be answered: a practice attempt's review, which a
    student may have as often as they like, would otherwise give the keys of a graded attempt
    still open. (Once a practice review has shown a key, no graded quiz draws that image again:
    `graded` draws leave out the revealed ones.)"""
    from ..models import Attempt, Quiz, Response

    live = (Response.objects.filter(
        attempt__user_id=user_id, attempt__quiz__course_id=quiz.course_id,
        attempt__state__in=(Attempt.State.PREPARED, Attempt.State.IN_PROGRESS),
        version__qtype=SpotTheFakeWeb.core.name, instance__isnull=False))
    other = (live.exclude(attempt__quiz__kind=Quiz.Kind.PRACTICE) if not graded
             else live.filter(attempt__quiz__kind=Quiz.Kind.PRACTICE))
    return {image["id"] for instance in other.values_list("instance", flat=True)
            for image in (instance or {}).get("images", [])}
