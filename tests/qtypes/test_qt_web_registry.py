"""The registry of the types' web sides: every built-in type has its own module, and what it
says (label, editor inputs, scored) agrees with its pure core."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation
from qt_helpers import SAMPLES

from quizzes import qtype_registry, qtypes
from quizzes.qtypes_django.base import QTypeWeb

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_core_type_has_its_own_web_module_and_template_in_menu_order():
    webs = qtype_registry.types()
    assert [web.name for web in webs] == list(qtypes.TYPES)
    for web in webs:
        assert type(web) is not QTypeWeb, f"{web.name} has no module in quizzes/qtypes_django"
        assert qtypes.get(web.name) is web.core
        assert (TEMPLATES / web.template).is_file(), web.template


def test_only_the_description_is_not_scored():
    assert [w.name for w in qtype_registry.types() if not w.scored] == ["description"]
    assert not qtype_registry.get("description").counts(None)
    spot = qtype_registry.get("spot_the_fake")
    assert spot.counts({"images": [{"id": "a", "fake": True}]}) and not spot.counts({"images": []})


def test_labels_are_translated_when_read():
    with translation.override("en"):
        assert qtype_registry.qtype_label("true_false") == "True/false"
    with translation.override("ko"):
        assert qtype_registry.qtype_label("true_false") == "참/거짓"
    assert qtype_registry.qtype_label("no_such_type") == "no_such_type"


@pytest.mark.parametrize("name", [n for n in qtypes.TYPES if n in SAMPLES])
def test_the_editor_edits_keys_the_core_stores_and_gives_the_data_back(name):
    web = qtype_registry.get(name)
    data = web.core.validate(SAMPLES[name])
    values = web.editor_values(data)
    inputs = {s.key for s in web.editor.lists} | {s.key for s in web.editor.scalars}
    assert set(values) <= inputs | set(data)
    assert web.core.validate(web.editor_data(dict(values))) == data


def test_an_unknown_type_is_a_question_data_error():
    with pytest.raises(qtypes.QuestionDataError) as caught:
        qtype_registry.get("multichoice")
    assert caught.value.path == "qtype"
