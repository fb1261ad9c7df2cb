"""Smoke test of templates/quizzes/qtypes/*.html with a stub rich_text library.

Uses Django's template engine standalone (no project settings needed); skipped without Django.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from qt_helpers import SAMPLES, FakeForm

from quizzes import qtypes

django = pytest.importorskip("django")
from django.conf import settings  # noqa: E402

if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
    # Standalone run (-p no:django). USE_I18N off: {% translate %} then needs no app registry.
    # Under pytest-django the project's settings are already loaded and used as they are.
    settings.configure(USE_I18N=False)
from django.template import Context, Engine  # noqa: E402

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ENGINE = Engine(
    dirs=[str(TEMPLATES)],
    # course_tags and rich_text both come from the stub (content_lang, rich, student_text).
    libraries={"rich_text": "qt_rich_text_stub", "course_tags": "qt_rich_text_stub",
               "i18n": "django.templatetags.i18n"},
)

RESPONSES = {
    "cloze": {"answers": {"1": "디코더", "2": "11", "3": "트랜스포머", "4": ["어텐션", "합성곱"]}},
    "single_choice": {"choice": "GRU"},
    "multiple_response": {"choices": ["BERT", "GPT-2"]},
    "true_false": {"value": False},
    "short_answer": {"text": "어텐션 <b>"},
    "numerical": {"text": "0.127 m"},
    "matching": {"matches": {"BERT": "인코더", "GPT": "합성곱"}},
    "select_missing_words": {"gaps": {"1": "디코더", "2": "인코더-디코더"}},
    "essay": {"text": "셀프 어텐션 설명"},
    "description": None,
    "spot_the_fake": {"marked": [0, 3]},
}


def setup(name: str):
    qt = qtypes.get(name)
    data = qt.validate(SAMPLES[name])
    return qt, data, qt.make_layout(data, 42)


def render(name: str, *, review: bool, response=None, disabled=False) -> str:
    qt, data, layout = setup(name)
    q = {
        "view": qt.student_view(data, layout, response),
        "review": qt.review_view(data, layout, response) if review else None,
        "prefix": "s3-",
        "disabled": disabled,
        "text_format": "markdown",
    }
    # No q.response: answering mode must prefill from q.view's selected/current alone (the
    # stored response holds stored indices, which must not reach the page).
    return ENGINE.get_template(f"quizzes/qtypes/{name}.html").render(Context({"q": q}))


class Submitted(HTMLParser):
    """The fields a browser would submit for the rendered form, as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.values: list[str] = []  # every value attribute of an input or option
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.values.append(attrs["value"])
            if attrs["type"] == "text" or "checked" in attrs:
                self.fields.setdefault(attrs["name"], []).append(attrs["value"])
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option":
            self.values.append(attrs["value"])
            if "selected" in attrs:
                self.fields.setdefault(self._select, []).append(attrs["value"])
        elif tag == "textarea":
            self._textarea = attrs["name"]

    def handle_data(self, data):
        if self._textarea:
            # Browsers drop one newline right after <textarea> (the template puts one there).
            self.fields.setdefault(self._textarea, []).append(data.removeprefix("\n"))
            self._textarea = None

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def submitted(html: str) -> Submitted:
    parser = Submitted()
    parser.feed(html)
    return parser


def feedback_texts(name: str) -> list[str]:
    raw = SAMPLES[name]
    texts = [c.get("feedback", "") for key in ("choices", "answers") for c in raw.get(key, [])]
    texts += [
        raw.get("feedback_true", ""),
        raw.get("feedback_false", ""),
        raw.get("grader_info", ""),
    ]
    return [t for t in texts if t]


@pytest.mark.parametrize("name", [n for n in qtypes.TYPES if n != "description"])
def test_answering_mode(name):
    html = render(name, review=False, response=RESPONSES[name])
    assert '<fieldset class="qtype' in html and '<legend class="visually-hidden">' in html
    assert "data-autosave" in html and "disabled" not in html
    assert "is-correct" not in html and "is-incorrect" not in html
    for text in feedback_texts(name):
        assert text not in html
    # Every input/select/textarea has a label or an aria-label.
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    assert ids
    for element_id in ids:
        assert f'for="{element_id}"' in html or re.search(
            rf'id="{re.escape(element_id)}"[^>]*aria-label="', html
        ), element_id
    assert 'class="rich"' in html or name in ("true_false", "short_answer", "numerical", "essay",
                                               "spot_the_fake")


def test_answering_mode_prefills_saved_answers():
    qt, data, layout = setup("single_choice")
    shown = qt.to_display(data, layout, {"choice": "GRU"})["choice"]
    html = render("single_choice", review=False, response={"choice": "GRU"})
    assert re.search(rf'value="{shown}" data-autosave checked', html)
    assert html.count("checked") == 1
    html = render("multiple_response", review=False,
                  response={"choices": ["BERT", "GPT-2"]})
    assert len(re.findall(r"data-autosave checked", html)) == 2
    html = render("true_false", review=False, response={"value": False})
    assert (
        re.search(r'value="0" data-autosave checked', html) and 'value="1" data-autosave>' in html
    )
    html = render("short_answer", review=False, response={"text": "어텐션 <b>"})
    assert 'value="어텐션 &lt;b&gt;"' in html
    qt, data, layout = setup("matching")
    shown = qt.to_display(data, layout, {"matches": {"BERT": "인코더"}})["matches"]
    html = render("matching", review=False, response={"matches": {"BERT": "인코더"}})
    assert html.count(" selected") == 1
    ((prompt, answer),) = shown.items()
    assert re.search(
        rf'name="s3-match-{prompt}".*?<option value="{answer}" selected>인코더</option>',
        html,
        re.DOTALL,
    )
    html = render("select_missing_words", review=False,
                  response={"gaps": {"2": "인코더-디코더"}})
    assert html.count(" selected") == 1
    assert 'aria-label="빈칸 1"' in html and 'aria-label="빈칸 3"' in html
    html = render("essay", review=False, response={"text": "안녕"})
    assert ">\n안녕</textarea>" in html and "최소 5단어" in html
    assert "disabled" in render("single_choice", review=False, disabled=True)


@pytest.mark.parametrize("name", [n for n in qtypes.TYPES if n != "description"])
def test_submitting_the_prefilled_form_gives_the_saved_response_back(name):
    qt, data, layout = setup(name)
    response = qt.validate_response(data, RESPONSES[name])
    form = FakeForm(submitted(render(name, review=False, response=response)).fields)
    assert qt.parse_form(data, form, "s3-", layout) == response
    blank = FakeForm(submitted(render(name, review=False)).fields)
    assert qt.parse_form(data, blank, "s3-", layout) is None


@pytest.mark.parametrize("name", ["single_choice", "multiple_response", "matching"])
def test_answering_mode_values_are_display_positions(name):
    values = [v for v in submitted(render(name, review=False)).values if v]
    qt, data, layout = setup(name)
    view = qt.student_view(data, layout)
    items = view["answers"] if name == "matching" else view["choices"]
    count = len(items)
    assert values == [str(i) for i in range(count)] * (len(values) // count)
    names = re.findall(r'name="(s3-[^"]+)"', render(name, review=False))
    if name == "matching":  # one drop-down per prompt, named by its display position
        assert names == [f"s3-match-{i}" for i in range(len(view["prompts"]))]


@pytest.mark.parametrize("name", [n for n in qtypes.TYPES if n not in ("description", "essay")])
def test_review_mode_marks_with_text_and_class(name):
    html = render(name, review=True, response=RESPONSES[name])
    assert "is-review" in html and "data-autosave" not in html
    assert re.search(r"is-(correct|incorrect|partial)", html)
    assert "정답" in html or "오답" in html


def test_review_shows_per_option_feedback():
    html = render("single_choice", review=True, response={"choice": "GRU"})
    for text in feedback_texts("single_choice"):
        assert text in html
    assert "내가 고른 답" in html and "is-partial" in html
    html = render("numerical", review=True, response={"text": "12.5 mm"})
    assert "알 수 없는 단위입니다: mm" in html and "12.5 ± 0.1 cm" in html


def test_essay_and_description():
    html = render("essay", review=True, response={"text": "셀프 어텐션 설명"})
    assert "3단어" in html and "채점을 기다리는 중입니다." in html and "채점 기준" not in html
    assert render("description", review=False).strip() == ""
