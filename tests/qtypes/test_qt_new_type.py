"""A new question type is one module and one template: the colour type of qt_colour_type.py
(with templates/quizzes/qtypes/colour.html beside it), registered here, is offered by the bank's
editor, drawn and shown in an attempt, graded, reviewed and counted in the statistics, without a
change anywhere else."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import qt_colour_type
from django.urls import reverse

from quizzes import qtype_registry, qtypes, services
from quizzes.models import Attempt, Question, Quiz, Slot

pytestmark = pytest.mark.django_db
HERE = Path(__file__).resolve().parent


@pytest.fixture(autouse=True)
def colour_type(settings):
    settings.LANGUAGE_CODE = "en"
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [HERE / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates  # the type's one template, found like the built-in ones
    qtype_registry.register(qt_colour_type.TYPE)
    yield qt_colour_type.TYPE
    qtype_registry.unregister("colour")


@pytest.fixture
def teacher(make_user, mini_course, enrol):
    user = make_user("teach")
    enrol(user, mini_course, "instructor")
    return user


@pytest.fixture
def student(make_user, mini_course, enrol):
    user = make_user("stu")
    enrol(user, mini_course, "student")
    return user


def test_registering_the_module_adds_the_type_after_the_built_in_ones(colour_type):
    assert qtype_registry.get("colour") is colour_type
    assert qtypes.get("colour") is colour_type.core
    assert [web.name for web in qtype_registry.types()][-1] == "colour"
    assert qtype_registry.qtype_label("colour") == "Colour pick"


def test_a_name_taken_by_another_type_is_refused():
    class Impostor(qt_colour_type.ColourWeb):
        pass

    with pytest.raises(ValueError, match="already registered"):
        qtype_registry.register(Impostor())


def test_unregistering_takes_the_type_away_again(colour_type):
    qtype_registry.unregister("colour")
    assert "colour" not in qtypes.TYPES
    with pytest.raises(qtypes.QuestionDataError):
        qtype_registry.get("colour")
    qtype_registry.register(colour_type)  # for the fixture's own unregister


def test_written_in_the_bank_taken_graded_reviewed_and_counted(client, teacher, student,
                                                               mini_course):
    client.force_login(teacher)
    new = reverse("bank:question-new", args=[mini_course.slug])
    chooser = client.get(new).content.decode()
    assert '<a href="?qtype=colour">Colour pick</a>' in chooser
    editor = client.get(new + "?qtype=colour").content.decode()
    assert 'name="d-colours-0-text"' in editor and "The right colour" in editor
    category = services.category_get_or_create_path(course=mini_course, path=("Colours",))
    saved = client.post(new, {
        "qtype": "colour", "name": "sky", "category": str(category.pk),
        "stem": "What colour is the sky?", "text_format": "markdown", "general_feedback": "",
        "default_mark": "2", "tags": "", "key": "", "d-colours-rows": "3",
        "d-colours-0-text": "red", "d-colours-1-text": "blue", "d-colours-2-text": "",
        "d-right": "blue"})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    question = Question.objects.get(name="sky")
    assert question.latest_version().data == {
        "colours": [{"text": "red"}, {"text": "blue"}], "right": "blue", "tint": ""}

    quiz = Quiz.objects.create(course=mini_course, slug="colours", title="Colours")
    slot = Slot.objects.create(quiz=quiz, position=1, question=question, mark=2)
    client.force_login(student)
    client.post(reverse("quizzes:start", args=[mini_course.slug, quiz.slug]))
    attempt = Attempt.objects.get(quiz=quiz, user=student)
    response = attempt.responses.get()
    assert response.instance["tint"] in qt_colour_type.TINTS  # drawn when the attempt started
    page = client.get(reverse("quizzes:attempt", args=[attempt.pk])).content.decode()
    assert f"Pick the colour ({response.instance['tint']})" in page
    blue = re.search(rf'name="s{slot.pk}-colour" value="(\d)"> blue', page)[1]
    client.post(reverse("quizzes:summary", args=[attempt.pk]),
                {f"s{slot.pk}-sequence": "0", f"s{slot.pk}-colour": blue})
    client.post(reverse("quizzes:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert float(attempt.score) == 2.0 and float(attempt.max_score) == 2.0
    review = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert "Picked: blue; right: blue" in review

    client.force_login(teacher)
    results = client.get(reverse("quizzes:results", args=[mini_course.slug, quiz.slug]))
    html = results.content.decode()
    assert results.status_code == 200
    assert "(Colour pick)" in html and "colour blue" in html and "colour red" in html
