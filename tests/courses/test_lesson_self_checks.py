"""Every lesson of the shipped course ends with a self-check that the quiz engine runs: an
ungraded practice quiz of 3-4 items about that lesson, linked from the lesson page; every live
demo comes with a predict -> run -> explain task and an item on what the student observed."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
import yaml

from tests.course_pages import COURSE, PACK, article, lesson_html, load_and_log_in, plain_text

pytestmark = pytest.mark.django_db

LESSONS = {}  # slug -> "weekNN/slug"
for _path in sorted(PACK.glob("week*/*.md")):
    _slug = yaml.safe_load(_path.read_text(encoding="utf-8").split("---")[1])["slug"]
    LESSONS[_slug] = f"{_path.parent.name}/{_slug}"
TASK = "예측 → 실행 → 설명"


@pytest.fixture
def genai_student(make_user, enrol, client):
    return load_and_log_in(make_user, enrol, client)


def self_check_url(page: str, slug: str) -> str:
    """The self-check quiz the lesson's closing section links to, as an absolute path."""
    body = article(page)
    sections = re.split(r"(?=<h2\b)", body)
    last = sections[-1]
    assert "스스로 점검" in plain_text(last[:last.find("</h2>")]), f"{slug} ends with a self-check"
    links = [urljoin(f"/courses/{COURSE}/lessons/{slug}/", href)
             for href in re.findall(r'href="([^"]+)"', last)]
    quiz_links = [u for u in links if re.fullmatch(rf"/courses/{COURSE}/quizzes/[a-z0-9-]+/", u)]
    assert len(quiz_links) == 1, f"{slug}: {links}"
    return quiz_links[0]


def test_every_lesson_ends_with_a_linked_practice_quiz_about_it(genai_student):
    from quizzes.models import Quiz

    assert len(LESSONS) >= 22
    for slug, ref in LESSONS.items():
        url = self_check_url(lesson_html(genai_student, slug), slug)
        assert genai_student.get(url).status_code == 200, url
        quiz = Quiz.objects.get(course__slug=COURSE, slug=url.rstrip("/").split("/")[-1])
        assert quiz.kind == Quiz.Kind.PRACTICE, slug
        questions = [slot.question for slot in quiz.slots.select_related("question")]
        assert 3 <= len(questions) <= 4, slug
        linked = {f"{q.lesson.module.slug}/{q.lesson.slug}" for q in questions if q.lesson}
        assert linked == {ref}, f"{slug}'s self-check items link {linked}"


def test_a_self_check_gives_feedback_at_once_and_stays_out_of_the_grades(genai_student):
    url = self_check_url(lesson_html(genai_student, "gan-principle"), "gan-principle")
    started = genai_student.post(url + "start/")
    assert started.status_code == 302
    attempt = started["Location"].strip("/").split("/")[-1]
    genai_student.post(f"/attempts/{attempt}/submit/")
    review = plain_text(genai_student.get(f"/attempts/{attempt}/review/").content.decode())
    assert "→ 7주차 1차시" in review  # the explanation, shown as soon as it is submitted
    again = genai_student.post(url + "start/")  # any number of tries
    assert again.status_code == 302 and again["Location"] != started["Location"]
    grades = genai_student.get(f"/courses/{COURSE}/grades/").content.decode()
    assert "week07-quiz" in grades and "selfcheck-" not in grades
    course = genai_student.get(f"/courses/{COURSE}/").content.decode()
    graded, _, practice = course.partition('class="practice-quizzes"')
    assert "selfcheck-gan-principle" not in graded and "selfcheck-gan-principle" in practice


def test_every_demo_has_a_predict_run_explain_task_and_an_item_on_what_was_seen(genai_student):
    demo_lessons = [p for p in sorted(PACK.glob("week*/*.md")) if "```demo " in p.read_text()]
    assert len(demo_lessons) >= 7
    for path in demo_lessons:
        text = path.read_text(encoding="utf-8")
        slug = yaml.safe_load(text.split("---")[1])["slug"]
        for demo in re.finditer(r"^```demo ", text, re.M):
            before = text[:demo.start()]
            section = before[before.rfind("\n## "):]
            assert TASK in section, f"{slug}: the demo at offset {demo.start()} has no task"
        page = plain_text(article(lesson_html(genai_student, slug)))
        assert TASK in page, slug
        quiz = yaml.safe_load((PACK / "quizzes" / f"selfcheck-{slug}.yaml").read_text())
        observed = [q for q in quiz["questions"] if q["stem"].startswith(f"[{TASK}]")]
        assert observed, f"{slug}'s self-check asks what the student observed"
