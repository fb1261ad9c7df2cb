"""A student's week in a real browser: read a lesson with math, take the quiz, review, dispute."""

import re

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e


def test_student_reads_week7_takes_quiz_reloads_submits_reviews_and_disputes(page_for, accounts):
    page = page_for("student", "student-pass")
    page.click("text=생성형 인공지능 입문")
    shot(page, "course")
    page.click("a:has-text('GAN의 원리')") if page.locator("a:has-text('GAN의 원리')").count() \
        else page.click("#week-7 ~ ol a >> nth=0")
    # MathML is rendered natively: the minimax objective is a <math> element with real layout.
    math = page.locator(".lesson-body math[display=block]").first
    math.wait_for()
    assert math.bounding_box()["width"] > 60 and math.bounding_box()["height"] > 15
    aside = page.locator("details.aside").first
    aside.locator("summary").click()
    assert aside.get_attribute("open") is not None
    shot(page, "lesson")
    page.click("button:has-text('읽음으로 표시')")
    page.wait_for_selector("text=이 수업을 읽었습니다")

    page.goto(page.url.split("/courses/")[0] + "/courses/genai-intro/quizzes/week07-quiz/")
    page.click("button:has-text('퀴즈 시작')")
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    questions = page.locator("section.question")
    assert questions.count() == 9
    # Answer the first three single-choice items: pick the first option shown.
    for i in range(3):
        questions.nth(i).locator("input[type=radio]").first.check()
        questions.nth(i).locator(".save-status:has-text('저장')").wait_for()
    shot(page, "quiz")
    chosen = [questions.nth(i).locator("input[type=radio]:checked").get_attribute("value")
              for i in range(3)]
    page.reload()
    questions = page.locator("section.question")
    assert [questions.nth(i).locator("input[type=radio]:checked").get_attribute("value")
            for i in range(3)] == chosen

    page.click("button:has-text('시도 종료')")
    page.wait_for_selector("text=아직 답하지 않은")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('모두 제출하고 종료')")
    page.wait_for_url(re.compile(r"/review/$"))
    page.wait_for_selector(".explanation")
    assert page.locator(".explanation").count() >= 3
    shot(page, "review")

    first = page.locator("section.question").first
    first.locator("summary:has-text('이의 제기')").click()
    first.locator("textarea").fill("정답이 두 개인 것 같습니다.")
    first.locator("button:has-text('강사에게 보내기')").click()
    page.wait_for_selector("text=정답이 두 개인 것 같습니다.")

    page.goto(page.url.split("/attempts/")[0] + "/courses/genai-intro/grades/")
    # The student's own grades: a row per graded quiz, none for the self-check practice quizzes.
    week7 = page.locator("table tbody tr").filter(
        has=page.locator("a[href$='/quizzes/week07-quiz/']"))
    assert week7.count() == 1
    assert re.search(r"\d+\.\d", week7.inner_text())
    assert page.locator("table a[href*='selfcheck']").count() == 0
