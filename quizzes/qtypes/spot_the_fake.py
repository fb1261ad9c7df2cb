"""spot_the_fake: a grid of images, some made by the course's GAN; mark the generated ones.

Authored data is a recipe: ``{"count": 6, "fakes": 3}`` (how many images, how many of them
generated). When an attempt starts, the quiz engine draws concrete images from the pools and
stores an *instance* of the data for that attempt:
``{"count", "fakes", "images": [{"id": str, "fake": bool, "prob": float | None}]}`` (``prob``:
the fake detector's probability, shown in the review; ``fakes``: how many were drawn generated,
which differs from the recipe when the pool was short of one kind, see inference/pool.py). An
instance with no images means the pool was empty when the attempt started: the item says so and
is not graded.

response: ``{"marked": [i, ...]}`` (stored indices of the images the student marks as fake).
Each image is a small true/false decision: fraction = images classified right / images.
"""

from __future__ import annotations

from typing import Any

from .base import (
    Form,
    Grade,
    QuestionDataError,
    QuestionType,
    ResponseError,
    check_bool,
    check_int,
    check_list,
    check_object,
    check_order,
    display_index,
    form_values,
    gettext_noop,
    make_rng,
    parse_index,
    position_of,
    response_index,
    shuffled_range,
)


class SpotTheFake(QuestionType):
    name = "spot_the_fake"
    label = gettext_noop("Spot the fake (GAN images)")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(raw, "", required=["count", "fakes"], optional=["images"])
        count = check_int(data["count"], "count", minimum=2)
        fakes = check_int(data["fakes"], "fakes", minimum=1)
        if count > 16:
            raise QuestionDataError("count", f"at most 16 images fit a grid, got {count}")
        if fakes >= count:
            raise QuestionDataError("fakes", f"fakes must be fewer than count ({count}) so the "
                                             "grid also shows real photographs")
        images = []
        for i, item in enumerate(check_list(data.get("images", []), "images")):
            path = f"images[{i}]"
            item = check_object(item, path, required=["id", "fake"], optional=["prob"])
            if not isinstance(item["id"], str) or not item["id"]:
                raise QuestionDataError(f"{path}.id", "must be the image's id (text)")
            prob = item.get("prob")
            if prob is not None and not (isinstance(prob, int | float) and 0 <= prob <= 1):
                raise QuestionDataError(f"{path}.prob", "must be a probability in [0, 1]")
            images.append({"id": item["id"], "fake": check_bool(item["fake"], f"{path}.fake"),
                           "prob": None if prob is None else float(prob)})
        return {"count": count, "fakes": fakes, "images": images}

    def make_layout(self, data: dict[str, Any], seed: int | str) -> dict[str, Any]:
        return {"order": shuffled_range(len(data.get("images", [])), make_rng(seed))}

    def _order(self, data, layout) -> list[int]:
        return check_order(layout, "order", range(len(data.get("images", []))))

    def student_view(self, data, layout, response=None) -> dict[str, Any]:
        """``{"images": [{"value", "id", "selected"}], "unavailable": bool}``: ids only; whether
        an image is fake never leaves the server before the review."""
        marked = set((self.validate_response(data, response) or {}).get("marked", []))
        images = data.get("images", [])
        return {"unavailable": not images, "images": [
            {"value": str(pos), "id": images[i]["id"], "selected": i in marked}
            for pos, i in enumerate(self._order(data, layout))]}

    def parse_form(self, data, form: Form, prefix: str, layout) -> dict[str, Any] | None:
        """Field ``{prefix}marked``: display positions of the images marked as generated."""
        order = self._order(data, layout)
        values = form_values(form, f"{prefix}marked")
        if not values:
            return None
        return {"marked": sorted({order[parse_index(v, len(order), f"{prefix}marked")]
                                  for v in values})}

    def validate_response(self, data, response) -> dict[str, Any] | None:
        """``{"marked": [i, ...]}`` with stored indices; nothing marked is unanswered (None)."""
        if response is None:
            return None
        if not isinstance(response, dict) or set(response) != {"marked"}:
            raise ResponseError('a spot-the-fake response is {"marked": [image, ...]}')
        marked = response["marked"]
        if marked is None:
            return None
        if not isinstance(marked, list):
            raise ResponseError("marked must be a list of image positions")
        count = len(data.get("images", []))
        indices = sorted({response_index(v, count, "marked") for v in marked})
        return {"marked": indices} if indices else None

    def to_display(self, data, layout, response):
        response = self.validate_response(data, response)
        if response is None:
            return None
        order = self._order(data, layout)
        return {"marked": sorted((position_of(order, i) for i in response["marked"]), key=int)}

    def from_display(self, data, layout, display_response):
        if display_response is None:
            return None
        if not isinstance(display_response, dict) or set(display_response) != {"marked"}:
            raise ResponseError('send {"marked": [position, ...]}')
        order = self._order(data, layout)
        marked = display_response["marked"]
        if marked is None:
            return None
        if not isinstance(marked, list):
            raise ResponseError("marked must be a list of positions")
        indices = sorted({order[display_index(v, len(order), "marked")] for v in marked})
        return {"marked": indices} if indices else None

    def grade(self, data, response) -> Grade:
        images = data.get("images", [])
        response = self.validate_response(data, response)
        if not images or response is None:
            return Grade.unanswered()
        marked = set(response["marked"])
        right = sum(1 for i, image in enumerate(images) if (i in marked) == image["fake"])
        return Grade.from_fraction(right / len(images))

    def review_view(self, data, layout, response, grade=None) -> dict[str, Any]:
        response, grade, common = self._review_common(data, response, grade)
        marked = set((response or {}).get("marked", []))
        images = data.get("images", [])
        common["images"] = [
            {"value": str(pos), "id": images[i]["id"], "fake": images[i]["fake"],
             "prob": images[i]["prob"], "selected": i in marked,
             "correct": (i in marked) == images[i]["fake"]}
            for pos, i in enumerate(self._order(data, layout))]
        common["unavailable"] = not images
        # The grade counts judgements (each image marked or left as it should be), so the
        # review says how many of them were right, not how many images were generated.
        common["judged_right"] = sum(1 for image in common["images"] if image["correct"])
        common["image_count"] = len(images)
        return common

    def right_answer(self, data) -> str:
        images = data.get("images", [])
        if not images:
            return ""
        order = list(range(len(images)))
        fakes = [str(n + 1) for n, i in enumerate(order) if images[i]["fake"]]
        return f"{len(fakes)} / {len(images)}"
