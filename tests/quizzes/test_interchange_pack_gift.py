"""A course pack may write a quiz as GIFT: `quizzes/<slug>.gift` with its settings in a YAML
front comment and a `// [id:…]` key on every question."""

from __future__ import annotations

import pytest

from courses.pack import PackError
from courses.services import course_pack_load
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"

GIFT_QUIZ = """\
// ---
// slug: week02-gift
// title: 2주차 GIFT 퀴즈
// module: 2
// time_limit_minutes: 5
// attempts_allowed: 3
// review:
//   immediately: all
// ---

// [id:g-1] [tag:GAN]
::판별자::[markdown]**판별자**가 하는 일은? {
=진짜와 가짜를 구별한다#맞습니다.
~이미지를 만든다#그것은 생성자입니다.
####판별자는 분류기입니다.
}

// [id:g-2]
::BERT::BERT는 양방향 인코더이다. {TRUE}
"""


def load(pack):
    return course_pack_load(path=pack)


def test_a_gift_quiz_in_a_pack_loads_and_reloads(mini_pack):
    (mini_pack / "quizzes" / "week02.gift").write_text(GIFT_QUIZ, encoding="utf-8")
    report = load(mini_pack)
    assert "quiz week02-gift" in report.created
    quiz = Quiz.objects.get(slug="week02-gift")
    assert quiz.title == "2주차 GIFT 퀴즈" and quiz.week == 2 and quiz.time_limit == 300
    assert quiz.attempts_allowed == 3 and len(quiz.review_policy["immediately"]) == 6
    assert [s.question.key for s in quiz.slots.order_by("position")] == ["g-1", "g-2"]
    first = Question.objects.get(key="g-1")
    assert first.tags == ["GAN"] and first.category.path == "Course pack/week02-gift"
    version = first.latest_version()
    assert version.text_format == "markdown" and version.stem == "**판별자**가 하는 일은?"
    assert version.general_feedback == "판별자는 분류기입니다."
    again = load(mini_pack)
    assert not [item for item in again.created + again.updated if "week02" in item]
    (mini_pack / "quizzes" / "week02.gift").write_text(
        GIFT_QUIZ.replace("{TRUE}", "{FALSE}"), encoding="utf-8")
    third = load(mini_pack)
    assert "question g-2" in third.updated
    assert Question.objects.get(key="g-2").versions.count() == 2


@pytest.mark.parametrize("text, message, line", [
    (GIFT_QUIZ.replace("// [id:g-2]\n", ""), "needs a stable key", 18),
    (GIFT_QUIZ.replace("{TRUE}", "{TRUE"), "unterminated answer block", 19),
    (GIFT_QUIZ.replace("// slug: week02-gift\n", ""), "'slug' is missing", 2),
    ("::a::b {T}\n", "starts with its settings", 1),
    (GIFT_QUIZ.replace("// [id:g-2]", "// [id:m-q1]"), "already used", 19),
])
def test_gift_quiz_problems_name_file_and_line(mini_pack, text, message, line):
    (mini_pack / "quizzes" / "week02.gift").write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load(mini_pack)
    problems = [p for p in caught.value.problems if message in str(p)]
    assert problems, [str(p) for p in caught.value.problems]
    assert problems[0].path.endswith("quizzes/week02.gift")
    assert problems[0].line == line
    assert not Quiz.objects.filter(slug="week02-gift").exists()
