"""select_missing_words: pick each missing word from a drop-down (Moodle "gapselect").

data: ``{"text": "The [[1]] sat on the [[2]].", "options": [{"text", "group"}], "shuffle": true}``.
Each ``[[n]]`` is a gap whose right answer is ``options[n-1]`` (n is 1-based, as authors write
it). A gap offers every option in its right answer's ``group`` (an int >= 1, default 1), so
options nobody points at are distractors. The same ``[[n]]`` may appear twice: two gaps.
response (stored): ``{"gaps": {"<gap number>": "<option text>"}}``, gap numbers 1-based in order
of appearance, each option by its text (identity, not position: unique within the gap's group),
so reordering the options keeps the answer. fraction = right gaps / gaps. Forms and display
responses use the option's display position within its gap instead (see student_view).

Layout: ``{"gaps": [[option index, ...], ...]}``: per gap (in order), its offered options in
display order, shuffled only if ``shuffle``.
"""

from __future__ import annotations

import re
from typing import Any

from .base import (
    Form,
    Grade,
    QuestionDataError,
    QuestionType,
    ResponseError,
    carry_order,
    check_bool,
    check_int,
    check_list,
    check_object,
    check_order,
    check_response_object,
    check_text,
    display_index,
    form_value,
    gettext_noop,
    is_blank,
    join,
    make_rng,
    normalise_text,
    parse_index,
    position_of,
    shuffled_range,
)

GAP = re.compile(r"\[\[([0-9]+)\]\]")
NUMBER = re.compile(r"[0-9]{1,9}")


def split_text(text: str) -> list[str | int]:
    """``"a [[2]] b"`` -> ``["a ", 1, " b"]``: literal pieces and gaps (0-based option index of
    the right answer). Empty pieces are dropped."""
    parts: list[str | int] = []
    for position, piece in enumerate(GAP.split(text)):
        if position % 2:
            parts.append(int(piece) - 1)
        elif piece:
            parts.append(piece)
    return parts


def gaps(data: dict[str, Any]) -> list[int]:
    """The right option index of each gap, in order of appearance (gap number = position + 1)."""
    return [part for part in split_text(data["text"]) if isinstance(part, int)]


def offered(data: dict[str, Any], right: int) -> list[int]:
    """Stored indices of the options a gap with right answer ``right`` offers (its group)."""
    group = data["options"][right]["group"]
    return [i for i, option in enumerate(data["options"]) if option["group"] == group]


def _gap_number(key: Any, count: int) -> int:
    """A gap number (1 to ``count``) given as a response key: an int or a decimal string."""
    if isinstance(key, int) and not isinstance(key, bool):
        key = str(key)
    if not (isinstance(key, str) and NUMBER.fullmatch(key) and 1 <= int(key) <= count):
        raise ResponseError(f"gaps: {key!r} is not a gap number from 1 to {count}")
    return int(key)


class SelectMissingWords(QuestionType):
    name = "select_missing_words"
    label = gettext_noop("Select missing words")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(raw, "", required=["text", "options"], optional=["shuffle"])
        text = check_text(data["text"], "text", required=True)
        options = []
        seen: dict[tuple[int, str], int] = {}
        items = check_list(data["options"], "options", min_items=1, what="options")
        for i, item in enumerate(items):
            path = join("options", i)
            item = check_object(item, path, required=["text"], optional=["group"])
            option_text = check_text(item["text"], join(path, "text"), required=True)
            group = check_int(item.get("group", 1), join(path, "group"), minimum=1)
            key = (group, normalise_text(option_text))
            if key in seen:
                raise QuestionDataError(
                    join(path, "text"),
                    f"same text as options[{seen[key]}] in group {group}; a gap would offer "
                    "it twice and the student could not tell which one is meant",
                )
            seen[key] = i
            options.append({"text": option_text, "group": group})
        numbers = [int(n) for n in GAP.findall(text)]
        if not numbers:
            raise QuestionDataError(
                "text", "has no gaps; mark each missing word with [[n]], n being its option number"
            )
        for n in numbers:
            if not 1 <= n <= len(options):
                raise QuestionDataError(
                    "text",
                    f"gap [[{n}]] refers to option {n}, but options are numbered 1 to "
                    f"{len(options)}; fix the number or add the option",
                )
        return {
            "text": text,
            "options": options,
            "shuffle": check_bool(data.get("shuffle", True), "shuffle"),
        }

    def make_layout(self, data: dict[str, Any], seed: int | str) -> dict[str, Any]:
        seeded = make_rng(seed)  # made even without shuffling: it checks the seed
        rng = seeded if data["shuffle"] else None
        layout = []
        for right in gaps(data):
            choices = offered(data, right)
            layout.append([choices[i] for i in shuffled_range(len(choices), rng)])
        return {"gaps": layout}

    def carry_layout(
        self, old_data: dict[str, Any], new_data: dict[str, Any], layout: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Each gap's options in the same display order by text; options new to a gap go last.
        A text with a different number of gaps starts from the stored order."""
        if not layout:
            return {}
        rights = gaps(new_data)
        old_orders = self._gap_orders(old_data, layout)
        if len(old_orders) != len(rights):
            return {"gaps": [offered(new_data, right) for right in rights]}
        result = []
        for old, right in zip(old_orders, rights, strict=True):
            new = offered(new_data, right)
            order = carry_order([old_data["options"][i]["text"] for i in old],
                                [new_data["options"][i]["text"] for i in new])
            result.append([new[i] for i in order])
        return {"gaps": result}

    def _gap_orders(self, data: dict[str, Any], layout: dict[str, Any] | None) -> list[list[int]]:
        rights = gaps(data)
        stored = layout.get("gaps") if layout else None
        if stored is None:
            return [offered(data, right) for right in rights]
        if not isinstance(stored, list) or len(stored) != len(rights):
            raise QuestionDataError(
                "layout.gaps",
                f"expected {len(rights)} gap orders, got {stored!r}; make a new layout",
            )
        return [
            check_order({"gap": order}, "gap", offered(data, right))
            for order, right in zip(stored, rights, strict=True)
        ]

    def _parts(
        self, data: dict[str, Any], layout: dict[str, Any] | None
    ) -> list[str | tuple[int, int, list[int]]]:
        """The text as literal pieces and gaps ``(gap number, right option index, offered
        option indices in display order)``."""
        orders = iter(self._gap_orders(data, layout))
        parts: list[str | tuple[int, int, list[int]]] = []
        number = 0
        for part in split_text(data["text"]):
            if isinstance(part, str):
                parts.append(part)
            else:
                number += 1
                parts.append((number, part, next(orders)))
        return parts

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"segments": [{"text": ...}, {"gap": 1, "options": [{"value": "0", "text": ...,
        "selected": bool}]}, ...]}``. ``gap`` is the gap number (order of appearance, public);
        an option's ``value`` is its display position within that gap."""
        response = self.validate_response(data, response)
        chosen = response["gaps"] if response else {}
        segments: list[dict[str, Any]] = []
        for part in self._parts(data, layout):
            if isinstance(part, str):
                segments.append({"text": part})
                continue
            number, _, order = part
            selected = chosen.get(str(number))
            options = [
                {
                    "value": str(position),
                    "text": data["options"][i]["text"],
                    "selected": data["options"][i]["text"] == selected,
                }
                for position, i in enumerate(order)
            ]
            segments.append({"gap": number, "options": options})
        return {"segments": segments}

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Fields ``{prefix}gap-{n}`` (n = 1-based gap number), value = the chosen option's
        display value within that gap."""
        chosen = {}
        for number, order in enumerate(self._gap_orders(data, layout), start=1):
            name = f"{prefix}gap-{number}"
            value = form_value(form, name)
            if value is not None:
                index = order[parse_index(value, len(order), name)]
                chosen[str(number)] = data["options"][index]["text"]
        return {"gaps": chosen} if chosen else None

    def to_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any
    ) -> dict[str, Any] | None:
        """``{"gaps": {"<gap number>": "<option display value>"}}`` in gap order."""
        response = self.validate_response(data, response)
        if response is None:
            return None
        chosen = response["gaps"]
        return {
            "gaps": {
                str(number): position_of(order, _offered_index(data, order, chosen[str(number)]))
                for number, order in enumerate(self._gap_orders(data, layout), start=1)
                if str(number) in chosen
            }
        }

    def from_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, display_response: Any
    ) -> dict[str, Any] | None:
        """``{"gaps": {gap number: option display value}}``; keys and values may be strings or
        ints; null or "" values are dropped."""
        if display_response is None:
            return None
        raw = check_response_object(display_response, ["gaps"])["gaps"]
        if not isinstance(raw, dict):
            raise ResponseError(f"gaps: expected an object, got {raw!r}")
        orders = self._gap_orders(data, layout)
        chosen: dict[str, str] = {}
        seen: set[int] = set()
        for key, value in raw.items():
            number = _gap_number(key, len(orders))
            if number in seen:
                raise ResponseError(f"gaps: gap {number} is given twice")
            seen.add(number)
            if is_blank(value):
                continue
            order = orders[number - 1]
            index = order[display_index(value, len(order), f"gaps[{key}]")]
            chosen[str(number)] = data["options"][index]["text"]
        return self.validate_response(data, {"gaps": chosen})

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        """Gap keys may be ints or strings (stored as strings); each value is the text of an
        option the gap offers; ``None`` values are dropped."""
        if response is None:
            return None
        response = check_response_object(response, ["gaps"])
        raw = response["gaps"]
        if not isinstance(raw, dict):
            raise ResponseError(f"gaps: expected an object, got {raw!r}")
        rights = gaps(data)
        chosen = {}
        for key, value in raw.items():
            number = _gap_number(key, len(rights))
            if value is None:
                continue
            texts = [data["options"][i]["text"] for i in offered(data, rights[number - 1])]
            if not isinstance(value, str) or value not in texts:
                raise ResponseError(f"gaps[{key}]: {value!r} is not an option of this gap")
            chosen[str(number)] = value
        chosen = {str(n): chosen[str(n)] for n in range(1, len(rights) + 1) if str(n) in chosen}
        return {"gaps": chosen} if chosen else None

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        rights = gaps(data)
        options = data["options"]
        right = sum(
            1
            for n, answer in enumerate(rights, start=1)
            if response["gaps"].get(str(n)) == options[answer]["text"]
        )
        return Grade.from_fraction(right / len(rights))

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Adds ``segments``: ``{"text"}`` pieces and gaps with ``gap`` (number), ``key`` (the
        number as the string used in response["gaps"]), ``options`` (display order: ``index``,
        ``text``, ``selected``, ``correct``), ``selected`` (option index or None),
        ``selected_text``, ``right`` (option index), ``right_text`` and ``correct``."""
        response, grade, review = self._review_common(data, response, grade)
        chosen = response["gaps"] if response else {}
        segments: list[dict[str, Any]] = []
        for part in self._parts(data, layout):
            if isinstance(part, str):
                segments.append({"text": part})
                continue
            number, right, order = part
            picked = chosen.get(str(number))
            selected = None if picked is None else _offered_index(data, order, picked)
            options = [
                {
                    "index": i,
                    "text": data["options"][i]["text"],
                    "selected": i == selected,
                    "correct": i == right,
                }
                for i in order
            ]
            segments.append(
                {
                    "gap": number,
                    "key": str(number),
                    "options": options,
                    "selected": selected,
                    "selected_text": None
                    if selected is None
                    else data["options"][selected]["text"],
                    "right": right,
                    "right_text": data["options"][right]["text"],
                    "correct": selected == right,
                }
            )
        review["segments"] = segments
        return review

    def right_answer(self, data: dict[str, Any]) -> str:
        """The text with each gap filled in brackets: ``"The [cat] sat on the [mat]."``"""
        return GAP.sub(lambda m: f"[{data['options'][int(m[1]) - 1]['text']}]", data["text"])


def _offered_index(data: dict[str, Any], order: list[int], text: str) -> int:
    """The stored index of the option with ``text`` among a gap's offered ``order``."""
    return next(i for i in order if data["options"][i]["text"] == text)
