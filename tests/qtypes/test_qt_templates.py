"""Smoke test of templates/quizzes/qtypes/*.html with a stub rich_text library.

Uses Django's template engine standalone (no project settings needed); skipped without Django.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from qt_helpers import SAMPLES

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
    libraries={"rich_text": "qt_rich_text_stub", "i18n": "django.templatetags.i18n"},
)

RESPONSES = {
    "single_choice": {"choice": 3},
    "multiple_response": {"choices": [0, 2]},
    "true_false": {"value": False},
    "short_answer": {"text": "어텐션 <b>"},
    "numerical": {"text": "0.127 m"},
    "matching": {"matches": {"0": "인코더", "1": "합성곱"}},
    "select_missing_words": {"gaps": {"1": 0, "2": 4}},
    "essay": {"text": "셀프 어텐션 설명"},
    "description": None,
}


def render(name: str, *, review: bool, response=None, disabled=False) -> str:
    qt = qtypes.get(name)
    data = qt.validate(SAMPLES[name])
    layout = qt.make_layout(data, 42)
    q = {
        "view": qt.student_view(data, layout),
        "review": qt.review_view(data, layout, response) if review else None,
        "response": response,
        "prefix": "s3-",
        "disabled": disabled,
        "text_format": "markdown",
    }
    return ENGINE.get_template(f"quizzes/qtypes/{name}.html").render(Context({"q": q}))


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
    assert 'class="rich"' in html or name in ("true_false", "short_answer", "numerical", "essay")


def test_answering_mode_prefills_saved_answers():
    assert re.search(
        r'value="3" data-autosave checked',
        render("single_choice", review=False, response={"choice": 3}),
    )
    html = render("multiple_response", review=False, response={"choices": [0, 2]})
    assert len(re.findall(r"data-autosave checked", html)) == 2
    html = render("true_false", review=False, response={"value": False})
    assert (
        re.search(r'value="0" data-autosave checked', html) and 'value="1" data-autosave>' in html
    )
    html = render("short_answer", review=False, response={"text": "어텐션 <b>"})
    assert 'value="어텐션 &lt;b&gt;"' in html
    html = render("matching", review=False, response={"matches": {"0": "인코더"}})
    assert html.count(" selected") == 1 and re.search(r'<option value="인코더" selected>', html)
    html = render("select_missing_words", review=False, response={"gaps": {"2": 4}})
    assert html.count(" selected") == 1
    assert 'aria-label="빈칸 1"' in html and 'aria-label="빈칸 3"' in html
    html = render("essay", review=False, response={"text": "안녕"})
    assert ">\n안녕</textarea>" in html and "최소 5단어" in html
    assert "disabled" in render("single_choice", review=False, disabled=True)


@pytest.mark.parametrize("name", [n for n in qtypes.TYPES if n not in ("description", "essay")])
def test_review_mode_marks_with_text_and_class(name):
    html = render(name, review=True, response=RESPONSES[name])
    assert "is-review" in html and "data-autosave" not in html
    assert re.search(r"is-(correct|incorrect|partial)", html)
    assert "정답" in html or "오답" in html


def test_review_shows_per_option_feedback():
    html = render("single_choice", review=True, response={"choice": 3})
    for text in feedback_texts("single_choice"):
        assert text in html
    assert "내가 고른 답" in html and "is-partial" in html
    html = render("numerical", review=True, response={"text": "12.5 mm"})
    assert "알 수 없는 단위입니다: mm" in html and "12.5 ± 0.1 cm" in html


def test_essay_and_description():
    html = render("essay", review=True, response={"text": "셀프 어텐션 설명"})
    assert "3단어" in html and "채점을 기다리는 중입니다." in html and "채점 기준" not in html
    assert render("description", review=False).strip() == ""
