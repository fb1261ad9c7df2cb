"""The ```demo directive in lessons: parsed at load time, bad options reported with file and line."""

import pytest

from courses.pack import PackError
from courses.rendering import DirectiveError
from courses.services import course_pack_load
from inference.directives import parse_demo_directive

from .conftest import lesson_with_demos


def test_valid_directive_becomes_a_placeholder_the_lesson_page_turns_into_a_widget(
        mini_pack, client, make_user, enrol, db):
    lesson_with_demos(mini_pack, client, make_user, enrol,
                      "\n```demo latent-walk\nseed_a: 3\nseed_b: 4\nsteps: 6\ngallery: true\n```\n")
    page = client.get("/courses/mini/lessons/second/").content.decode()
    assert 'name="kind" value="latent-walk"' in page
    assert 'name="seed_a" min="0" value="3"' in page and 'value="6"' in page
    assert 'name="lesson" value="second"' in page


@pytest.mark.parametrize("content, message", [
    ("count: 40\n", "between 1 and 16"),
    ("colour: red\n", "has no option 'colour'"),
    ("count: many\n", "whole number"),
    ("count: [1\n", "not valid YAML"),
])
def test_bad_options_are_refused(content, message):
    with pytest.raises(DirectiveError, match=message):
        parse_demo_directive("demo face-generate", content)


def test_unknown_kind_is_refused():
    with pytest.raises(DirectiveError, match="unknown demo 'face-swap'"):
        parse_demo_directive("demo face-swap", "")


def test_bad_directive_fails_the_pack_load_with_file_and_line(mini_pack, db):
    path = mini_pack / "week01" / "02-second.md"
    original = path.read_text()
    path.write_text(original + "\ntext\n\n```demo face-generate\ntitle: x\ncount: 99\n```\n")
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    (problem,) = caught.value.problems
    lines = path.read_text().splitlines()
    expected = lines.index("count: 99") + 1
    assert problem.path.endswith("week01/02-second.md") and problem.line == expected
    assert "between 1 and 16" in problem.message


def test_a_demo_widget_speaks_the_page_language_inside_a_lesson_in_another_one(
        mini_pack, client, make_user, enrol, db):
    """An English page marks the lesson body lang="ko" (the course's content). The widget in it
    is interface, in English: it must say so, or a screen reader reads "Generate" and the
    results in a Korean voice. Its title, from the lesson, stays Korean."""
    import re

    path = mini_pack / "week01" / "02-second.md"
    path.write_text(path.read_text() + '\n```demo face-generate\ntitle: "얼굴 만들기"\n```\n')
    course = course_pack_load(path=mini_pack).course
    user = make_user("reader")
    enrol(user, course, "student")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/courses/mini/lessons/second/").content.decode()
    assert '<div class="lesson-body" lang="ko">' in page
    widget = re.search(r'<section class="demo-widget-live"[^>]*>', page).group()
    assert 'lang="en"' in widget
    assert re.search(r'<span lang="ko">얼굴 만들기</span>', page)
    assert ">Generate</button>" in page
