"""Demo widgets inside a lesson page: two widgets in one lesson, forms that work without
JavaScript, and jobs that keep their lesson."""

import re
from collections import Counter

import pytest

from courses.services import course_pack_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_widget_lesson(mini_pack, client, make_user, enrol):
    """The mini pack's second lesson with two face-generate widgets (as week 7 session 2 and
    week 9 session 3 have two demos), and a logged-in student."""
    path = mini_pack / "week01" / "02-second.md"
    path.write_text(path.read_text() + "\n```demo face-generate\nseed: 3\n```\n\ntext\n\n"
                    "```demo face-generate\nseed: 4\n```\n")
    course = course_pack_load(path=mini_pack).course
    user = make_user("reader")
    enrol(user, course, "student")
    client.force_login(user)
    client.user, client.course = user, course
    return client


def test_two_widgets_in_one_lesson_have_no_id_in_common(two_widget_lesson):
    page = two_widget_lesson.get("/courses/mini/lessons/second/").content.decode()
    assert page.count('class="demo-widget-live"') == 2
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert not [name for name, n in ids.items() if n > 1]
    # Each face widget has its own detector area, right after its own result area.
    for n in (1, 2):
        assert re.search(rf'id="demo-{n}-result"[^>]*></div>\s*<div id="demo-{n}-detect" '
                         r'class="detect-result">', page)
