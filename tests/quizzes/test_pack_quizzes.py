"""Quizzes in a course pack: loaded with the lessons, validated with file and line, versioned."""

import pytest

from courses.pack import PackError
from courses.services import course_pack_load
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db


def test_quizzes_and_questions_load_with_lessons_linked(mini_course):
    quiz = Quiz.objects.get(course=mini_course, slug="week01-quiz")
    assert quiz.time_limit == 600 and quiz.attempts_allowed == 2 and quiz.week == 1
    assert quiz.slots.count() == 7
    q1 = Question.objects.get(key="m-q1")
    assert q1.lesson.slug == "intro"
    assert q1.latest_version().qtype == "single_choice"


def test_reload_is_idempotent_and_a_changed_key_makes_a_new_version(mini_pack):
    course_pack_load(path=mini_pack)
    again = course_pack_load(path=mini_pack)
    assert again.created == [] and again.updated == []
    path = mini_pack / "quizzes" / "week01.yaml"
    path.write_text(path.read_text().replace(
        "{text: 생성자, fraction: 1,", "{text: 생성자, fraction: 0,").replace(
        "{text: 판별자, fraction: 0, feedback: \"판별자는", "{text: 판별자, fraction: 1, feedback: \"판별자는"))
    report = course_pack_load(path=mini_pack)
    assert report.updated == ["question m-q1"]
    assert Question.objects.get(key="m-q1").versions.count() == 2


def test_invalid_question_data_names_file_line_and_path(mini_pack):
    path = mini_pack / "quizzes" / "week01.yaml"
    path.write_text(path.read_text().replace("{text: 생성자, fraction: 1,",
                                             "{text: 생성자, fraction: 7,"))
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    (problem,) = caught.value.problems
    assert problem.path == "mini-pack/quizzes/week01.yaml"
    assert problem.line == 15  # the line of that very choice
    assert "question m-q1: choices[0].fraction" in problem.message
    assert Quiz.objects.count() == 0


def test_unknown_lesson_and_duplicate_key_are_reported(mini_pack):
    path = mini_pack / "quizzes" / "week01.yaml"
    text = path.read_text().replace("lesson: week01/intro", "lesson: week01/nope")
    path.write_text(text.replace("key: m-q2", "key: m-q1"))
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    messages = [p.message for p in caught.value.problems]
    assert any("lesson 'week01/nope' is not in this pack" in m for m in messages)
    assert any("question key 'm-q1' is already used" in m for m in messages)


def test_terms_of_an_item_must_be_taught_by_its_linked_lesson(mini_pack):
    path = mini_pack / "quizzes" / "week01.yaml"
    path.write_text(path.read_text().replace(
        "    lesson: week01/intro\n",
        "    lesson: week01/intro\n    terms: [더보기, \"MATH\", 판별자]\n", 1))
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    (problem,) = caught.value.problems
    assert problem.path == "mini-pack/quizzes/week01.yaml" and problem.line == 20
    assert problem.message == ("question m-q1: the term '판별자' is not in lesson week01/intro "
                               "(소개); link the lesson that teaches it, or correct the term")
    assert Quiz.objects.count() == 0
    # Terms are found in the lesson as it reads (any case, markup gone); they are not stored.
    path.write_text(path.read_text().replace(", 판별자]", ", 숨겨진 내용]"))
    course_pack_load(path=mini_pack)
    assert Question.objects.get(key="m-q1").versions.count() == 1


def test_terms_must_be_a_list_of_words_and_need_a_lesson(mini_pack):
    path = mini_pack / "quizzes" / "week01.yaml"
    text = path.read_text().replace("    lesson: week01/intro\n",
                                    "    lesson: week01/intro\n    terms: DCGAN\n", 1)
    path.write_text(text.replace("    explanation: GAN과 VAE.\n",
                                 "    explanation: GAN과 VAE.\n    terms: [GAN]\n", 1))
    with pytest.raises(PackError) as caught:
        course_pack_load(path=mini_pack)
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "question m-q1: 'terms' must be a list of words or phrases the item relies on, "
        "e.g. terms: [DCGAN, 전치 합성곱]",
        "question m-q2: 'terms' are looked up in the linked lesson; add 'lesson'"]


def test_an_item_without_a_name_is_named_by_the_start_of_its_stem():
    from quizzes.pack import default_name

    assert default_name("**생성자**가 만든 $G(z)$는?", "w07-q1") == "생성자가 만든 G(z)는?"
    long = default_name("가" * 100, "k")
    assert len(long) == 60 and long.endswith("…")
    assert default_name("**  **", "w07-q9") == "w07-q9"
