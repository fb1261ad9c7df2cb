"""Test helpers for the question types: a QueryDict stand-in, a recursive key walk, and
hypothesis strategies that make valid data plus "what the student means" answers, which
`form_for` turns into the form a browser would submit for a given layout."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import strategies as st

from quizzes import qtypes
from quizzes.qtypes.base import normalise_text


class FakeForm:
    """The part of Django's QueryDict that parse_form uses."""

    def __init__(self, fields: Mapping[str, str | list[str]] | None = None, **more: Any) -> None:
        merged = {**(fields or {}), **more}
        self._fields = {k: list(v) if isinstance(v, list) else [v] for k, v in merged.items()}

    def getlist(self, name: str) -> list[str]:
        return list(self._fields.get(name, []))


def walk_keys(value: Any) -> Iterator[str]:
    """Every dict key anywhere inside ``value``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from walk_keys(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from walk_keys(item)


# ---------------------------------------------------------------------------------------------
# Strategies. Feedback strings are "FB<n>" tokens that never occur in any text (texts are drawn
# from an alphabet without F), so "no feedback in the student view" can be checked on the JSON.
# ---------------------------------------------------------------------------------------------

ALPHABET = "abcxyz가나다한글 *-"
texts = st.text(alphabet=ALPHABET, min_size=1, max_size=8).filter(lambda s: s.strip(" *"))
plain_texts = st.text(alphabet="abcxyz가나다한글 ", min_size=1, max_size=8).filter(str.strip)


def unique_texts(min_size: int, max_size: int, base=plain_texts):
    return st.lists(base, min_size=min_size, max_size=max_size, unique_by=normalise_text)


@st.composite
def feedbacks(draw, count: int) -> list[str]:
    start = draw(st.integers(0, 1000))
    return [f"FB{start + i}X" for i in range(count)]


FRACTIONS = [-1.0, -0.5, -0.25, 0.0, 0.0, 0.25, 0.5, 1.0]


@st.composite
def single_choice_data(draw) -> dict[str, Any]:
    labels = draw(unique_texts(2, 6))
    fractions = draw(
        st.lists(st.sampled_from(FRACTIONS), min_size=len(labels), max_size=len(labels))
    )
    fractions[draw(st.integers(0, len(labels) - 1))] = 1.0
    fb = draw(feedbacks(len(labels)))
    return {
        "choices": [
            {"text": t, "fraction": f, "feedback": b}
            for t, f, b in zip(labels, fractions, fb, strict=True)
        ],
        "shuffle": draw(st.booleans()),
    }


@st.composite
def multiple_response_data(draw) -> dict[str, Any]:
    labels = draw(unique_texts(2, 6))
    n = len(labels)
    positive = draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))
    weights = {i: draw(st.integers(1, 4)) for i in sorted(positive)}
    total = sum(weights.values())
    fb = draw(feedbacks(n))
    choices = []
    for i, label in enumerate(labels):
        fraction = weights[i] / total if i in weights else draw(st.sampled_from([0.0, -0.5, -1.0]))
        choices.append({"text": label, "fraction": fraction, "feedback": fb[i]})
    return {"choices": choices, "shuffle": draw(st.booleans())}


@st.composite
def true_false_data(draw) -> dict[str, Any]:
    fb = draw(feedbacks(2))
    return {"correct": draw(st.booleans()), "feedback_true": fb[0], "feedback_false": fb[1]}


@st.composite
def short_answer_data(draw) -> dict[str, Any]:
    answers = draw(st.lists(texts, min_size=1, max_size=4))
    fractions = draw(
        st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=len(answers), max_size=len(answers))
    )
    fractions[0] = 1.0
    fb = draw(feedbacks(len(answers)))
    return {
        "answers": [
            {"text": t, "fraction": f, "feedback": b}
            for t, f, b in zip(answers, fractions, fb, strict=True)
        ],
        "case_sensitive": draw(st.booleans()),
    }


@st.composite
def numerical_data(draw) -> dict[str, Any]:
    count = draw(st.integers(1, 3))
    fb = draw(feedbacks(count + 1))
    answers = [
        {
            "value": draw(st.integers(-50, 50)) / 2,
            "tolerance": draw(st.sampled_from([0, 0.1, 1])),
            "fraction": 1.0 if i == 0 else draw(st.sampled_from([0.0, 0.5])),
            "feedback": fb[i],
        }
        for i in range(count)
    ]
    if draw(st.booleans()):
        answers.append({"value": "*", "fraction": 0, "feedback": fb[count]})
    units = draw(
        st.sampled_from([[], [{"unit": "cm", "multiplier": 1}, {"unit": "m", "multiplier": 0.01}]])
    )
    return {
        "answers": answers,
        "units": units,
        "unit_required": bool(units) and draw(st.booleans()),
    }


@st.composite
def matching_data(draw) -> dict[str, Any]:
    prompts = draw(unique_texts(2, 5))
    answers = draw(st.lists(plain_texts, min_size=len(prompts), max_size=len(prompts)))
    distractors = draw(st.lists(plain_texts, max_size=2))
    pairs = [{"prompt": p, "answer": a} for p, a in zip(prompts, answers, strict=True)]
    pairs += [{"prompt": "", "answer": d} for d in distractors]
    order = draw(st.permutations(range(len(pairs))))
    return {"pairs": [pairs[i] for i in order], "shuffle": draw(st.booleans())}


@st.composite
def select_missing_words_data(draw) -> dict[str, Any]:
    groups = draw(st.integers(1, 3))
    options = []
    for group in range(1, groups + 1):
        for label in draw(unique_texts(1, 4)):
            options.append({"text": label, "group": group})
    order = draw(st.permutations(range(len(options))))
    options = [options[i] for i in order]
    gap_numbers = draw(st.lists(st.integers(1, len(options)), min_size=1, max_size=4))
    words = draw(
        st.lists(plain_texts, min_size=len(gap_numbers) + 1, max_size=len(gap_numbers) + 1)
    )
    text = words[0] + "".join(f"[[{n}]]{w}" for n, w in zip(gap_numbers, words[1:], strict=True))
    return {"text": text, "options": options, "shuffle": draw(st.booleans())}


@st.composite
def essay_data(draw) -> dict[str, Any]:
    return {
        "response_format": draw(st.sampled_from(["plain", "markdown"])),
        "grader_info": "FB9999X",
    }


@st.composite
def spot_the_fake_data(draw) -> dict[str, Any]:
    """An attempt's instance: concrete images, some generated (fake), some real."""
    count = draw(st.integers(2, 8))
    fakes = draw(st.integers(1, count - 1))
    flags = [True] * fakes + [False] * (count - fakes)
    return {"count": count, "fakes": fakes, "images": [
        {"id": f"img-{i}", "fake": flag, "prob": draw(st.none() | st.floats(0, 1))}
        for i, flag in enumerate(draw(st.permutations(flags)))]}


DATA = {
    "spot_the_fake": spot_the_fake_data(),
    "single_choice": single_choice_data(),
    "multiple_response": multiple_response_data(),
    "true_false": true_false_data(),
    "short_answer": short_answer_data(),
    "numerical": numerical_data(),
    "matching": matching_data(),
    "select_missing_words": select_missing_words_data(),
    "essay": essay_data(),
}


def answers_for(name: str, data: dict[str, Any]):
    """A strategy of "meant" answers for validated ``data``: texts the student picks or types
    (None: leaves the question alone). Layout-free on purpose."""
    maybe = lambda s: st.none() | s  # noqa: E731
    if name == "single_choice":
        return maybe(st.sampled_from([c["text"] for c in data["choices"]]))
    if name == "multiple_response":
        return st.sets(st.sampled_from([c["text"] for c in data["choices"]]))
    if name == "true_false":
        return maybe(st.booleans())
    if name == "short_answer":
        typed = [a["text"].replace("*", "") for a in data["answers"]]
        return maybe(
            st.sampled_from(typed) | texts | st.sampled_from([t.upper() + " " for t in typed])
        )
    if name == "numerical":
        values = [a["value"] for a in data["answers"] if a["value"] != "*"]
        number = st.sampled_from(values) | st.integers(-30, 30).map(float)
        unit = st.sampled_from(["", " cm", "cm", " m", " kg"])
        return maybe(
            st.tuples(number, unit).map(lambda t: f"{t[0]:g}{t[1]}".replace(".", ","))
            | st.tuples(number, unit).map(lambda t: f"{t[0]}{t[1]}")
            | st.sampled_from(["abc", "12..5", "-", "1e400"])
        )
    if name == "matching":
        prompts = [p["prompt"] for p in data["pairs"] if p["prompt"]]
        answers = sorted({p["answer"] for p in data["pairs"]})
        return st.dictionaries(st.sampled_from(prompts), st.sampled_from(answers))
    if name == "select_missing_words":
        view = qtypes.get(name).student_view(data, None)
        gaps = {s["gap"]: [o["text"] for o in s["options"]] for s in view["segments"] if "gap" in s}
        return st.fixed_dictionaries({}, optional={n: st.sampled_from(t) for n, t in gaps.items()})
    if name == "essay":
        return maybe(texts)
    if name == "spot_the_fake":
        return st.sets(st.sampled_from([image["id"] for image in data["images"]]))
    raise AssertionError(name)


def form_for(name: str, view: dict[str, Any], answer: Any, prefix: str) -> FakeForm:
    """The form a browser submits when the student, looking at ``view``, gives ``answer``.
    Everything is found by the text the student sees and sent as the view's display
    ``value``s, never by stored index."""
    fields: dict[str, str | list[str]] = {}
    if name in ("single_choice", "multiple_response"):
        wanted = {answer} if isinstance(answer, str) else set(answer or ())
        values = [c["value"] for c in view["choices"] if c["text"] in wanted]
        key = "choice" if name == "single_choice" else "choices"
        fields[prefix + key] = values
    elif name == "true_false":
        if answer is not None:
            fields[prefix + "value"] = "1" if answer else "0"
    elif name in ("short_answer", "numerical", "essay"):
        fields[prefix + "text"] = answer if answer is not None else ""
    elif name == "matching":
        for prompt in view["prompts"]:
            if prompt["text"] in answer:
                (value,) = [
                    a["value"] for a in view["answers"] if a["text"] == answer[prompt["text"]]
                ]
                fields[f"{prefix}match-{prompt['value']}"] = value
    elif name == "select_missing_words":
        for segment in view["segments"]:
            if "gap" in segment and segment["gap"] in answer:
                (value,) = [
                    o["value"] for o in segment["options"] if o["text"] == answer[segment["gap"]]
                ]
                fields[f"{prefix}gap-{segment['gap']}"] = value
    elif name == "spot_the_fake":
        fields[prefix + "marked"] = [i["value"] for i in view["images"] if i["id"] in answer]
    else:
        raise AssertionError(name)
    return FakeForm(fields)


def form_from_display(name: str, display: dict[str, Any] | None, prefix: str) -> FakeForm:
    """The form a browser submits for the display response ``display`` (from to_display)."""
    fields: dict[str, str | list[str]] = {}
    if display is None:
        return FakeForm(fields)
    if name == "single_choice":
        fields[prefix + "choice"] = display["choice"]
    elif name == "multiple_response":
        fields[prefix + "choices"] = list(display["choices"])
    elif name == "true_false":
        fields[prefix + "value"] = "1" if display["value"] else "0"
    elif name in ("short_answer", "numerical", "essay"):
        fields[prefix + "text"] = display["text"]
    elif name == "matching":
        for prompt, answer in display["matches"].items():
            fields[f"{prefix}match-{prompt}"] = answer
    elif name == "select_missing_words":
        for number, option in display["gaps"].items():
            fields[f"{prefix}gap-{number}"] = option
    elif name == "spot_the_fake":
        fields[prefix + "marked"] = [str(v) for v in display["marked"]]
    elif name != "description":
        raise AssertionError(name)
    return FakeForm(fields)


def responses_for(name: str, data: dict[str, Any]):
    """A strategy of raw stored responses (naming what was picked by its text) for validated
    ``data``, run through validate_response by the caller; includes unanswered ones."""
    maybe = lambda s: st.none() | s  # noqa: E731
    if name == "single_choice":
        choices = [c["text"] for c in data["choices"]]
        return maybe(st.builds(lambda t: {"choice": t}, st.sampled_from(choices)))
    if name == "multiple_response":
        picked = st.lists(st.sampled_from([c["text"] for c in data["choices"]]))
        return maybe(st.builds(lambda c: {"choices": c}, picked))
    if name == "true_false":
        return maybe(st.builds(lambda v: {"value": v}, st.booleans()))
    if name in ("short_answer", "numerical", "essay"):
        return maybe(st.builds(lambda t: {"text": t}, texts))
    if name == "matching":
        keys = [p["prompt"] for p in data["pairs"] if p["prompt"]]
        answers = sorted({p["answer"] for p in data["pairs"]})
        matches = st.dictionaries(st.sampled_from(keys), st.sampled_from(answers))
        return maybe(st.builds(lambda m: {"matches": m}, matches))
    if name == "select_missing_words":
        from quizzes.qtypes.select_missing_words import gaps, offered

        optional = {
            str(n): st.sampled_from([data["options"][i]["text"] for i in offered(data, right)])
            for n, right in enumerate(gaps(data), start=1)
        }
        return maybe(st.builds(lambda g: {"gaps": g}, st.fixed_dictionaries({}, optional=optional)))
    if name == "description":
        return st.none()
    if name == "spot_the_fake":
        indices = st.lists(st.integers(0, len(data["images"]) - 1))
        return maybe(st.builds(lambda m: {"marked": m}, indices))
    raise AssertionError(name)


# ---------------------------------------------------------------------------------------------
# One small, realistic question of each type (raw data as an author writes it).
# ---------------------------------------------------------------------------------------------

SAMPLES: dict[str, dict[str, Any]] = {
    "single_choice": {
        "choices": [
            {"text": "트랜스포머", "fraction": 1, "feedback": "맞습니다: 어텐션만 씁니다."},
            {"text": "LSTM", "fraction": 0, "feedback": "순환 신경망입니다."},
            {"text": "CNN", "fraction": -0.5, "feedback": "합성곱 신경망입니다."},
            {"text": "GRU", "fraction": 0.5, "feedback": "반쯤 맞습니다."},
        ]
    },
    "multiple_response": {
        "choices": [
            {"text": "BERT", "fraction": 0.5, "feedback": "인코더 모델"},
            {"text": "RoBERTa", "fraction": 0.5, "feedback": "역시 인코더"},
            {"text": "GPT-2", "fraction": -1, "feedback": "디코더 모델"},
            {"text": "T5", "fraction": 0, "feedback": "인코더-디코더"},
        ]
    },
    "true_false": {
        "correct": True,
        "feedback_true": "맞아요, 참입니다.",
        "feedback_false": "아니에요, 참입니다.",
    },
    "short_answer": {
        "answers": [
            {"text": "어텐션", "fraction": 1, "feedback": "정확합니다."},
            {"text": "attention", "fraction": 1, "feedback": "영어로도 맞습니다."},
            {"text": "*어텐션*", "fraction": 0.5, "feedback": "핵심 단어는 들어 있습니다."},
        ]
    },
    "numerical": {
        "answers": [
            {"value": 12.5, "tolerance": 0.1, "fraction": 1, "feedback": "정확합니다."},
            {"value": 12, "tolerance": 1, "fraction": 0.5, "feedback": "거의 맞습니다."},
            {"value": "*", "fraction": 0, "feedback": "다시 계산해 보세요."},
        ],
        "units": [{"unit": "cm", "multiplier": 1}, {"unit": "m", "multiplier": 0.01}],
    },
    "matching": {
        "pairs": [
            {"prompt": "BERT", "answer": "인코더"},
            {"prompt": "GPT", "answer": "디코더"},
            {"prompt": "T5", "answer": "인코더-디코더"},
            {"prompt": "", "answer": "합성곱"},
        ]
    },
    "select_missing_words": {
        "text": "GPT는 [[1]] 모델이고 BERT는 [[2]] 모델입니다. 둘 다 [[3]]를 씁니다.",
        "options": [
            {"text": "디코더", "group": 1},
            {"text": "인코더", "group": 1},
            {"text": "어텐션", "group": 2},
            {"text": "합성곱", "group": 2},
            {"text": "인코더-디코더", "group": 1},
        ],
    },
    "essay": {
        "response_format": "markdown",
        "min_words": 5,
        "max_words": 50,
        "grader_info": "채점 기준: 어텐션 언급",
    },
    "description": {},
    "cloze": {
        "text": "GPT는 {#1} 모델이고 층은 {#2}개, 구조는 {#3}, 쓰는 것은 {#4}.",
        "subquestions": [
            {"kind": "short_answer", "weight": 2,
             "answers": [{"text": "디코더", "fraction": 1, "feedback": "맞습니다."}]},
            {"kind": "numerical", "weight": 1,
             "answers": [{"value": 12, "tolerance": 0, "fraction": 1, "feedback": "정확해요."}]},
            {"kind": "multichoice", "weight": 1, "display": "dropdown", "shuffle": True,
             "choices": [{"text": "트랜스포머", "fraction": 1, "feedback": "좋아요."},
                         {"text": "RNN", "fraction": 0, "feedback": "아니에요."}]},
            {"kind": "multiresponse", "weight": 1, "display": "vertical", "shuffle": False,
             "choices": [{"text": "어텐션", "fraction": 0.5}, {"text": "위치 인코딩", "fraction": 0.5},
                         {"text": "합성곱", "fraction": -1}]},
        ],
    },
    "spot_the_fake": {
        "count": 4,
        "fakes": 2,
        "images": [
            {"id": "00000000-0000-4000-8000-000000000001", "fake": True, "prob": 0.91},
            {"id": "00000000-0000-4000-8000-000000000002", "fake": False, "prob": 0.12},
            {"id": "00000000-0000-4000-8000-000000000003", "fake": True, "prob": 0.77},
            {"id": "00000000-0000-4000-8000-000000000004", "fake": False, "prob": None},
        ],
    },
}
