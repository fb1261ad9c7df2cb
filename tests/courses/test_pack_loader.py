"""The course pack loader: validation with file and line, atomicity, idempotence."""

from pathlib import Path

import pytest

from courses.models import Course, Lesson, LessonProgress, Module
from courses.pack import PackError
from courses.services import course_pack_load

pytestmark = pytest.mark.django_db


def test_pack_loads_course_weeks_and_lessons_in_order(mini_pack):
    report = course_pack_load(path=mini_pack)
    course = Course.objects.get(slug="mini")
    assert report.course == course
    assert [m.number for m in course.modules.all()] == [1, 2]
    assert list(course.lessons.values_list("slug", flat=True)) == ["intro", "second", "third"]
    intro = Lesson.objects.get(slug="intro")
    assert intro.title_en == "Introduction" and intro.minutes == 10 and intro.session == 1


def test_loading_twice_changes_nothing_and_duplicates_nothing(mini_pack):
    course_pack_load(path=mini_pack)
    second = course_pack_load(path=mini_pack)
    assert second.created == [] and second.updated == [] and second.deleted == []
    assert Course.objects.count() == 1 and Module.objects.count() == 2
    assert Lesson.objects.count() == 3


def test_reload_updates_changed_lesson_and_keeps_reading_progress(mini_pack, make_user):
    course_pack_load(path=mini_pack)
    student = make_user("s1")
    intro = Lesson.objects.get(slug="intro")
    LessonProgress.objects.create(user=student, lesson=intro)
    path = mini_pack / "week01" / "01-intro.md"
    path.write_text(path.read_text().replace("title: 소개", "title: 새 소개"))
    report = course_pack_load(path=mini_pack)
    assert report.updated == ["lesson intro"]
    intro.refresh_from_db()
    assert intro.title == "새 소개"
    assert LessonProgress.objects.filter(user=student, lesson=intro).exists()


def test_swapping_two_lessons_sessions_reloads_cleanly(mini_pack):
    course_pack_load(path=mini_pack)
    first, second = mini_pack / "week01" / "01-intro.md", mini_pack / "week01" / "02-second.md"
    first.write_text(first.read_text().replace("session: 1", "session: 2"))
    second.write_text(second.read_text().replace("session: 2", "session: 1"))
    course_pack_load(path=mini_pack)
    assert list(Module.objects.get(number=1).lessons.order_by("session")
                .values_list("slug", flat=True)) == ["second", "intro"]


def test_removed_lesson_is_deleted_on_reload(mini_pack):
    course_pack_load(path=mini_pack)
    (mini_pack / "week01" / "02-second.md").unlink()
    report = course_pack_load(path=mini_pack)
    assert report.deleted == ["lesson second"]
    assert not Lesson.objects.filter(slug="second").exists()


def _problems(pack: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        course_pack_load(path=pack)
    return [str(p) for p in caught.value.problems]


def test_missing_title_is_reported_with_file_and_line_and_nothing_changes(mini_pack):
    course_pack_load(path=mini_pack)
    before = list(Lesson.objects.values_list("slug", "title", "body"))
    path = mini_pack / "week01" / "02-second.md"
    path.write_text(path.read_text().replace("title: 두 번째\n", ""))
    # A valid change elsewhere in the same pack must not be applied either.
    other = mini_pack / "week02" / "01-third.md"
    other.write_text(other.read_text().replace("셋째 수업.", "바뀐 내용"))
    problems = _problems(mini_pack)
    assert problems == ["mini-pack/week01/02-second.md, line 2: 'title' is missing; add it"]
    assert list(Lesson.objects.values_list("slug", "title", "body")) == before


def test_yaml_syntax_error_names_the_line(mini_pack):
    path = mini_pack / "course.yaml"
    path.write_text(path.read_text().replace("title: 첫 주", "title: [첫 주"))
    (problem,) = _problems(mini_pack)
    assert problem.startswith("mini-pack/course.yaml, line ")
    assert "invalid YAML" in problem
    assert Course.objects.count() == 0


def test_wrong_type_duplicate_session_and_bad_slug_are_all_reported(mini_pack):
    second = mini_pack / "week01" / "02-second.md"
    second.write_text(second.read_text().replace("session: 2", "session: 1")
                      .replace("slug: second", "slug: Second_Lesson"))
    third = mini_pack / "week02" / "01-third.md"
    third.write_text(third.read_text().replace("session: 1", "session: one"))
    problems = _problems(mini_pack)
    assert "mini-pack/week01/02-second.md, line 3: session 1 is already used by " \
           "mini-pack/week01/01-intro.md" in problems
    assert any("slug 'Second_Lesson' may use only" in p for p in problems)
    assert "mini-pack/week02/01-third.md, line 3: 'session' must be int, got str 'one'" in problems


def test_missing_week_folder_and_missing_front_matter(mini_pack):
    path = mini_pack / "course.yaml"
    path.write_text(path.read_text().replace("dir: week02", "dir: week99"))
    (mini_pack / "week01" / "02-second.md").write_text("no front matter\n")
    problems = _problems(mini_pack)
    assert "mini-pack/course.yaml, line 12: folder 'week99' does not exist in the pack" in problems
    assert any(p.startswith("mini-pack/week01/02-second.md, line 1: no front matter") for p in problems)


def test_not_a_pack_folder(tmp_path):
    (problem,) = _problems(tmp_path)
    assert "no course.yaml here" in problem


def test_load_command_reports_problems_and_exits_nonzero(mini_pack):
    from django.core.management import CommandError, call_command

    path = mini_pack / "week01" / "01-intro.md"
    path.write_text(path.read_text().replace("slug: intro\n", ""))
    with pytest.raises(CommandError, match=r"1 problem\(s\); nothing was changed"):
        call_command("load_course_pack", str(mini_pack))


def test_a_formula_command_the_renderer_does_not_know_stops_the_load(mini_pack):
    path = mini_pack / "week01" / "01-intro.md"
    path.write_text(path.read_text().replace(
        "Inline math $a^2 + b^2 = c^2$", r"Inline math $\sinc x$ and $\mathop{\mathrm{arg\,min}}_x$"))
    problems = _problems(mini_pack)
    assert problems == [
        "mini-pack/week01/01-intro.md: a formula uses \\sinc, which the renderer does not know "
        "and would show as text; write it another way, e.g. \\operatorname{sinc}",
        "mini-pack/week01/01-intro.md: a formula loses an operator name: write "
        "\\operatorname{name} with letters only (no \\, or other commands inside) instead of "
        "\\mathop"]
    assert Lesson.objects.count() == 0


def test_a_word_as_a_subscript_stops_the_load_and_the_course_has_none(mini_pack):
    path = mini_pack / "week01" / "01-intro.md"
    path.write_text(path.read_text().replace(
        "Inline math $a^2 + b^2 = c^2$", r"Inline math $E_{input} + E_{\text{token}} + W_{ij}$"))
    assert _problems(mini_pack) == [
        "mini-pack/week01/01-intro.md: a formula writes the word 'input' as a sub- or "
        "superscript, which shows as italic variables; write \\text{input} (or separate indices "
        "with commas)"]
    assert Lesson.objects.count() == 0
    # The course's own formulas write words in scripts as \text{...}: it loads.
    course_pack_load(path=Path(__file__).resolve().parents[2] / "content" / "genai-intro")
