"""A question type that lives outside the code base: pick the named colour. One module (the
grading core and its web side) plus one template (templates/quizzes/qtypes/colour.html next to
this module); `tests/qtypes/test_qt_new_type.py` registers it and uses it end to end.

data: ``{"colours": [{"text": str}], "right": str, "tint": str}`` (``tint``: drawn for each
attempt from ``TINTS``; "" in the bank). response: ``{"colour": str}`` (the colour's text).
"""

from __future__ import annotations

import random
from typing import Any

from quizzes.qtypes.base import (
    Grade,
    QuestionDataError,
    QuestionType,
    ResponseError,
    check_list,
    check_object,
    check_order,
    check_text,
    form_value,
    gettext_noop,
    make_rng,
    parse_index,
    shuffled_range,
)
from quizzes.qtypes_django.base import Col, EditorSpec, ListSpec, QTypeWeb, Scalar

TINTS = ("pale", "deep")


class Colour(QuestionType):
    name = "colour"
    label = gettext_noop("Colour pick")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(raw, "", required=["colours", "right"], optional=["tint"])
        colours = [{"text": check_text(check_object(c, f"colours[{i}]", required=["text"])
                                       ["text"], f"colours[{i}].text", required=True)}
                   for i, c in enumerate(check_list(data["colours"], "colours", min_items=2,
                                                    what="colours"))]
        right = check_text(data["right"], "right", required=True)
        if right not in [c["text"] for c in colours]:
            raise QuestionDataError("right", f"{right!r} is not one of the colours")
        return {"colours": colours, "right": right, "tint": check_text(data.get("tint"), "tint")}

    def make_layout(self, data, seed):
        return {"order": shuffled_range(len(data["colours"]), make_rng(seed))}

    def _order(self, data, layout):
        return check_order(layout, "order", range(len(data["colours"])))

    def validate_response(self, data, response):
        if response is None:
            return None
        if not isinstance(response, dict) or set(response) != {"colour"}:
            raise ResponseError('a colour response is {"colour": text}')
        if response["colour"] not in [c["text"] for c in data["colours"]]:
            raise ResponseError(f"no colour {response['colour']!r}")
        return {"colour": response["colour"]}

    def student_view(self, data, layout, response=None):
        picked = (self.validate_response(data, response) or {}).get("colour")
        return {"tint": data["tint"], "colours": [
            {"value": str(pos), "text": data["colours"][i]["text"],
             "selected": data["colours"][i]["text"] == picked}
            for pos, i in enumerate(self._order(data, layout))]}

    def parse_form(self, data, form, prefix, layout):
        value = form_value(form, f"{prefix}colour")
        if value is None:
            return None
        order = self._order(data, layout)
        return {"colour": data["colours"][order[parse_index(value, len(order), "colour")]]
                ["text"]}

    def grade(self, data, response):
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        return Grade.from_fraction(1.0 if response["colour"] == data["right"] else 0.0)

    def review_view(self, data, layout, response, grade=None):
        response, grade, review = self._review_common(data, response, grade)
        review["picked"] = (response or {}).get("colour")
        return review

    def right_answer(self, data):
        return data["right"]


class ColourWeb(QTypeWeb):
    core = Colour()
    editor = EditorSpec(
        lists=(ListSpec("colours", "Colours", (Col("text", "Colour"),), 3),),
        scalars=(Scalar("right", "The right colour"),))

    def make_instance(self, *, data: dict, rng: random.Random, quiz, user_id: int
                      ) -> dict | None:
        return {**data, "tint": rng.choice(TINTS)}

    def choice_keys(self, answer: Any, data: dict | None) -> tuple[str, ...]:
        return (answer["colour"],) if answer else ("-",)

    def choice_labels(self, data: dict) -> tuple[dict[str, str], set[str]]:
        return ({c["text"]: f"colour {c['text']}" for c in data["colours"]}, {data["right"]})


TYPE = ColourWeb()
