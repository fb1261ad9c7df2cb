"""Hypothesis strategies: valid questions of every type, in the data contract's shapes.

Texts mix ASCII, Korean, U+00A0 and every character GIFT treats as syntax (~ = # { } : \\ [ ]
%), so that escaping is exercised on every field.
"""

from __future__ import annotations

from hypothesis import strategies as st

from quizzes.formats.common import ALLOWED_FRACTIONS, php_trim
from quizzes.formats.model import ParsedQuestion

SYNTAX = "~=#{}:\\[]%-> *_.,/'\"<>&\n\t"
KOREAN = "가나다라한국어퀴즈정답생성형인공지능모델학습"
ALPHABET = "abcXYZ019 " + SYNTAX + KOREAN + "\u00a0é"
# Category names, tags and idnumbers: no line breaks, no "/" (the path separator), no
# backslash or brackets (GIFT's "[tag:…]" comments use them), no <>` (Moodle tags refuse).
NAME_ALPHABET = "abcXYZ019 _.-:#{}=~%" + KOREAN

texts = st.text(alphabet=ALPHABET, max_size=12)
words = texts.filter(lambda s: php_trim(s) != "")
fractions = st.sampled_from(ALLOWED_FRACTIONS)
formats = st.sampled_from(["html", "markdown", "plain", "moodle"])

# Positive grades that add up to exactly 100 %, as Moodle's list allows.
PARTITIONS = [
    [1.0],
    [0.5, 0.5],
    [1 / 3, 1 / 3, 1 / 3],
    [0.25] * 4,
    [0.5, 0.25, 0.25],
    [0.9, 0.1],
    [5 / 6, 1 / 6],
    [2 / 3, 1 / 3],
    [0.7, 0.3],
    [0.6, 0.4],
    [0.8, 0.2],
    [0.75, 0.25],
    [0.2] * 5,
    [0.5, 0.3, 0.2],
]
NON_POSITIVE = [0.0, 0.0, -0.5, -1.0, -1 / 3, -0.25, -0.05]


def _scored(text: str, fraction: float, feedback: str) -> dict:
    return {"text": text, "fraction": fraction, "feedback": feedback}


@st.composite
def single_choice(draw) -> dict:
    n = draw(st.integers(2, 5))
    items = [_scored(draw(words), draw(fractions), draw(texts)) for _ in range(n)]
    items[draw(st.integers(0, n - 1))]["fraction"] = 1.0
    return {"choices": items, "shuffle": draw(st.booleans())}


@st.composite
def multiple_response(draw) -> dict:
    positive = draw(st.sampled_from(PARTITIONS))
    others = draw(
        st.lists(st.sampled_from(NON_POSITIVE), min_size=2 - min(len(positive), 2), max_size=3)
    )
    grades = draw(st.permutations(positive + others))
    return {
        "choices": [_scored(draw(words), g, draw(texts)) for g in grades],
        "shuffle": draw(st.booleans()),
    }


@st.composite
def true_false(draw) -> dict:
    return {
        "correct": draw(st.booleans()),
        "feedback_true": draw(texts),
        "feedback_false": draw(texts),
    }


@st.composite
def short_answer(draw) -> dict:
    n = draw(st.integers(1, 3))
    items = [_scored(draw(words), draw(fractions), draw(texts)) for _ in range(n)]
    items[0]["fraction"] = 1.0
    return {"answers": draw(st.permutations(items)), "case_sensitive": draw(st.booleans())}


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
tolerances = st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e6)


@st.composite
def numerical(draw) -> dict:
    answers = [
        {
            "value": draw(finite),
            "tolerance": draw(tolerances),
            "fraction": draw(fractions),
            "feedback": draw(texts),
        }
        for _ in range(draw(st.integers(1, 3)))
    ]
    answers[0]["fraction"] = 1.0
    if draw(st.booleans()):  # "any other answer"
        answers.append(
            {"value": "*", "tolerance": 0.0, "fraction": draw(fractions), "feedback": draw(texts)}
        )
    units = []
    if draw(st.booleans()):
        units = [{"unit": draw(words), "multiplier": 1.0}] + [
            {"unit": draw(words), "multiplier": draw(finite.filter(lambda x: x != 0))}
            for _ in range(draw(st.integers(0, 2)))
        ]
    return {
        "answers": draw(st.permutations(answers)),
        "units": units,
        "unit_required": bool(units) and draw(st.booleans()),
    }


prompts = words.filter(lambda s: "->" not in s)


@st.composite
def matching(draw) -> dict:
    pairs = [
        {"prompt": draw(prompts), "answer": draw(words)} for _ in range(draw(st.integers(2, 4)))
    ]
    if draw(st.booleans()):
        pairs.append({"prompt": "", "answer": draw(words)})  # a distractor
    return {"pairs": pairs, "shuffle": draw(st.booleans())}


@st.composite
def select_missing_words(draw) -> dict:
    options = [
        {"text": draw(words), "group": draw(st.integers(1, 3))}
        for _ in range(draw(st.integers(1, 4)))
    ]
    gaps = draw(st.lists(st.integers(1, len(options)), min_size=1, max_size=4))
    text = "".join(f"{draw(texts)}[[{n}]]" for n in gaps) + draw(texts)
    return {"text": text, "options": options, "shuffle": draw(st.booleans())}


@st.composite
def essay(draw) -> dict:
    return {
        "response_format": draw(st.sampled_from(["plain", "markdown"])),
        "min_words": draw(st.integers(0, 500)),
        "max_words": draw(st.none() | st.integers(1, 5000)),
        "grader_info": draw(texts),
    }


DATA = {
    "single_choice": single_choice(),
    "multiple_response": multiple_response(),
    "true_false": true_false(),
    "short_answer": short_answer(),
    "numerical": numerical(),
    "matching": matching(),
    "select_missing_words": select_missing_words(),
    "essay": essay(),
    "description": st.just({}),
}

names = st.text(alphabet=NAME_ALPHABET, max_size=8)
file_names = st.text(alphabet="abcdefgh", min_size=1, max_size=6).map(lambda s: s + ".jpg")


@st.composite
def questions(draw, qtypes: list[str] | None = None, with_files: bool = False) -> ParsedQuestion:
    qtype = draw(st.sampled_from(qtypes or list(DATA)))
    stem = draw(texts)
    files = {}
    if with_files:
        files = draw(st.dictionaries(file_names, st.binary(max_size=40), max_size=2))
        # Reference some of them, as Moodle texts do.
        stem += "".join(
            f' <img src="@@PLUGINFILE@@/{name}">' for name in files if draw(st.booleans())
        )
    return ParsedQuestion(
        qtype=qtype,
        name=draw(texts),
        stem=stem,
        text_format=draw(formats),
        data=draw(DATA[qtype]),
        general_feedback=draw(texts),
        default_mark=draw(st.floats(min_value=0, max_value=100, allow_nan=False)),
        category=tuple(draw(st.lists(names, max_size=3))),
        tags=tuple(draw(st.lists(names, max_size=2))),
        idnumber=draw(names),
        files=files,
    )
