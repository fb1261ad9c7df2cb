"""matching: match each prompt with an answer from one shared list (Moodle "match").

data: ``{"pairs": [{"prompt", "answer"}], "shuffle": true}``. A pair with an empty prompt is a
distractor: its answer is offered but belongs to no prompt. At least 2 pairs have a prompt.
response (stored): ``{"matches": {"<pair index>": "<answer text>"}}``; prompts left out are
unanswered. Forms and display responses use display positions instead (see student_view).
fraction = right matches / prompts. Answers are compared as exact (trimmed) texts, so two
prompts with the same answer text share one entry in the list.

Layout: ``{"prompts": [pair index, ...], "answers": [pair index, ...]}``. ``prompts`` lists the
prompted pairs, shuffled only if ``shuffle``; ``answers`` lists one pair per distinct answer
text and is ALWAYS shuffled (as in Moodle): in pair order it would line up with the prompts
and give the key away.
"""

from __future__ import annotations

from typing import Any

from .base import (
    Form,
    Grade,
    QuestionDataError,
    QuestionType,
    ResponseError,
    carry_order,
    check_bool,
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


def prompted(data: dict[str, Any]) -> list[int]:
    """Stored indices of the pairs with a prompt (the ones the student answers)."""
    return [i for i, pair in enumerate(data["pairs"]) if pair["prompt"]]


def answer_pairs(data: dict[str, Any]) -> list[int]:
    """For each distinct answer text, the first pair that has it (stored order)."""
    first: dict[str, int] = {}
    for i, pair in enumerate(data["pairs"]):
        first.setdefault(pair["answer"], i)
    return list(first.values())


class Matching(QuestionType):
    name = "matching"
    label = gettext_noop("Matching")

    def validate(self, raw: Any) -> dict[str, Any]:
        data = check_object(raw, "", required=["pairs"], optional=["shuffle"])
        pairs = []
        seen: dict[str, int] = {}
        for i, item in enumerate(check_list(data["pairs"], "pairs", min_items=2, what="pairs")):
            path = join("pairs", i)
            item = check_object(item, path, required=["answer"], optional=["prompt"])
            prompt = check_text(item.get("prompt"), join(path, "prompt"))
            answer = check_text(item["answer"], join(path, "answer"))
            if not answer:
                raise QuestionDataError(
                    join(path, "answer"),
                    "must not be empty: every pair needs an answer (a pair without a prompt "
                    "is a distractor, but it still needs the answer it offers)",
                )
            if prompt:
                # The stored answer names a prompt by its text; two alike could not be told
                # apart by the student either.
                key = normalise_text(prompt)
                if key in seen:
                    raise QuestionDataError(
                        join(path, "prompt"),
                        f"same prompt as pairs[{seen[key]}]; a student could not tell them apart",
                    )
                seen[key] = i
            pairs.append({"prompt": prompt, "answer": answer})
        count = sum(1 for pair in pairs if pair["prompt"])
        if count < 2:
            raise QuestionDataError(
                "pairs", f"needs at least 2 pairs with a prompt, got {count}; add prompts"
            )
        return {"pairs": pairs, "shuffle": check_bool(data.get("shuffle", True), "shuffle")}

    def make_layout(self, data: dict[str, Any], seed: int | str) -> dict[str, Any]:
        rng = make_rng(seed)
        prompts, answers = prompted(data), answer_pairs(data)
        prompts = [
            prompts[i] for i in shuffled_range(len(prompts), rng if data["shuffle"] else None)
        ]
        answers = [answers[i] for i in shuffled_range(len(answers), rng)]
        return {"prompts": prompts, "answers": answers}

    def carry_layout(
        self, old_data: dict[str, Any], new_data: dict[str, Any], layout: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The same display orders by prompt and answer text; new ones go last."""
        if not layout:
            return {}
        old_prompts, old_answers = self._orders(old_data, layout)
        pairs = new_data["pairs"]
        new_prompts, new_answers = prompted(new_data), answer_pairs(new_data)
        prompts = carry_order([old_data["pairs"][i]["prompt"] for i in old_prompts],
                              [pairs[i]["prompt"] for i in new_prompts])
        answers = carry_order(old_answers, [pairs[i]["answer"] for i in new_answers])
        return {"prompts": [new_prompts[i] for i in prompts],
                "answers": [new_answers[i] for i in answers]}

    def _orders(
        self, data: dict[str, Any], layout: dict[str, Any] | None
    ) -> tuple[list[int], list[str]]:
        """Display order of the prompted pair indices and of the answer texts."""
        prompts = check_order(layout, "prompts", prompted(data))
        answers = check_order(layout, "answers", answer_pairs(data))
        return prompts, [data["pairs"][i]["answer"] for i in answers]

    def student_view(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any = None
    ) -> dict[str, Any]:
        """``{"prompts": [{"value": "0", "text": ..., "selected": "<answer value>" | None}],
        "answers": [{"value": "0", "text": ...}]}``, both in display order. A prompt's ``value``
        names its field (``match-{value}``); an answer's ``value`` is the option value."""
        prompts, answers = self._orders(data, layout)
        response = self.validate_response(data, response)
        matches = response["matches"] if response else {}
        rows = []
        for position, i in enumerate(prompts):
            chosen = matches.get(data["pairs"][i]["prompt"])
            rows.append(
                {
                    "value": str(position),
                    "text": data["pairs"][i]["prompt"],
                    "selected": None if chosen is None else position_of(answers, chosen),
                }
            )
        return {
            "prompts": rows,
            "answers": [{"value": str(position), "text": a} for position, a in enumerate(answers)],
        }

    def parse_form(
        self, data: dict[str, Any], form: Form, prefix: str, layout: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """Fields ``{prefix}match-{prompt display value}``, value = the chosen answer's display
        value."""
        prompts, answers = self._orders(data, layout)
        matches = {}
        for position, i in enumerate(prompts):
            name = f"{prefix}match-{position}"
            value = form_value(form, name)
            if value is not None:
                matches[data["pairs"][i]["prompt"]] = answers[
                    parse_index(value, len(answers), name)
                ]
        return {"matches": matches} if matches else None

    def to_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, response: Any
    ) -> dict[str, Any] | None:
        """``{"matches": {"<prompt display value>": "<answer display value>"}}``, prompts in
        display order."""
        response = self.validate_response(data, response)
        if response is None:
            return None
        prompts, answers = self._orders(data, layout)
        matches = response["matches"]
        texts = [data["pairs"][i]["prompt"] for i in prompts]
        return {
            "matches": {
                str(position): position_of(answers, matches[text])
                for position, text in enumerate(texts)
                if text in matches
            }
        }

    def from_display(
        self, data: dict[str, Any], layout: dict[str, Any] | None, display_response: Any
    ) -> dict[str, Any] | None:
        """``{"matches": {prompt display value: answer display value}}``; keys and values may
        be strings or ints; null or "" values are dropped."""
        if display_response is None:
            return None
        raw = check_response_object(display_response, ["matches"])["matches"]
        if not isinstance(raw, dict):
            raise ResponseError(f"matches: expected an object, got {raw!r}")
        prompts, answers = self._orders(data, layout)
        matches: dict[str, str] = {}
        seen: set[int] = set()
        for key, value in raw.items():
            position = display_index(key, len(prompts), "matches")
            if position in seen:
                raise ResponseError(f"matches: prompt {position} is given twice")
            seen.add(position)
            if is_blank(value):
                continue
            matches[data["pairs"][prompts[position]]["prompt"]] = answers[
                display_index(value, len(answers), f"matches[{key}]")
            ]
        return self.validate_response(data, {"matches": matches})

    def validate_response(self, data: dict[str, Any], response: Any) -> dict[str, Any] | None:
        """Every key must be a prompt's text and every value one of the answer texts;
        ``None``/"" values are dropped."""
        if response is None:
            return None
        response = check_response_object(response, ["matches"])
        raw = response["matches"]
        if not isinstance(raw, dict):
            raise ResponseError(f"matches: expected an object, got {raw!r}")
        keys = [data["pairs"][i]["prompt"] for i in prompted(data)]
        answers = {pair["answer"] for pair in data["pairs"]}
        matches = {}
        for key, value in raw.items():
            if key not in keys:
                raise ResponseError(f"matches: {key!r} is not one of the prompts")
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, str):
                value = value.replace("\r\n", "\n").strip()  # form values come with CRLF
            if not isinstance(value, str) or value not in answers:
                raise ResponseError(f"matches[{key}]: {value!r} is not one of the answers")
            matches[key] = value
        # In stored prompt order, so equal answers are equal JSON.
        matches = {key: matches[key] for key in keys if key in matches}
        return {"matches": matches} if matches else None

    def grade(self, data: dict[str, Any], response: Any) -> Grade:
        response = self.validate_response(data, response)
        if response is None:
            return Grade.unanswered()
        prompts = prompted(data)
        pairs = data["pairs"]
        right = sum(
            1 for i in prompts if response["matches"].get(pairs[i]["prompt"]) == pairs[i]["answer"]
        )
        return Grade.from_fraction(right / len(prompts))

    def review_view(
        self,
        data: dict[str, Any],
        layout: dict[str, Any] | None,
        response: Any,
        grade: Grade | None = None,
    ) -> dict[str, Any]:
        """Adds ``prompts`` (display order: ``index``, ``key`` (the prompt text, as in
        response["matches"]), ``text``, ``selected`` (answer text or None), ``answer`` (the
        right one), ``correct``) and ``answers`` (display order)."""
        response, grade, review = self._review_common(data, response, grade)
        matches = response["matches"] if response else {}
        prompts, answers = self._orders(data, layout)
        rows = []
        for i in prompts:
            pair = data["pairs"][i]
            selected = matches.get(pair["prompt"])
            rows.append(
                {
                    "index": i,
                    "key": pair["prompt"],
                    "text": pair["prompt"],
                    "selected": selected,
                    "answer": pair["answer"],
                    "correct": selected == pair["answer"],
                }
            )
        review["prompts"] = rows
        review["answers"] = answers
        return review

    def right_answer(self, data: dict[str, Any]) -> str:
        return "; ".join(
            f"{data['pairs'][i]['prompt']} → {data['pairs'][i]['answer']}" for i in prompted(data)
        )
