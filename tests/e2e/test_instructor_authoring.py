"""An instructor in a real browser: writes a select-missing-words question while the preview
follows, adds it to a new quiz, imports a Korean GIFT quiz into it, and downloads the export.

Selectors use ids and addresses, not texts, so the test holds whether or not the Korean
translations of the authoring pages are in place.
"""

import re

import pytest

from .conftest import shot

pytestmark = pytest.mark.e2e

KOREAN_GIFT = """\
$CATEGORY: $course$/top/가져온 퀴즈

// [id:e2e-1]
::판별자의 역할::GAN에서 판별자가 하는 일은? {
=진짜와 가짜를 구별한다#맞습니다.
~이미지를 만든다#그것은 생성자입니다.
}

// [id:e2e-2]
::BERT 방향::BERT는 양방향 인코더이다. {TRUE}
"""


def test_instructor_writes_previews_builds_imports_and_exports(page_for, accounts, tmp_path):
    page = page_for("instructor", "instructor-pass")
    page.goto("/courses/genai-intro/")
    page.click("a[href='/courses/genai-intro/bank/']")
    page.wait_for_url(re.compile(r"/bank/$"))

    # Write a select-missing-words question; the preview follows the typing.
    page.click("a[href*='qtype=select_missing_words']")
    page.fill("#name", "빈칸 문제")
    page.fill("#d-text", "생성자는 [[1]]를 만들고 판별자는 [[2]].")
    page.fill("#d-options-0-text", "가짜 이미지")
    page.fill("#d-options-1-text", "구별한다")
    page.fill("#d-options-1-group", "2")
    preview = page.locator("#preview")
    preview.locator("select").nth(1).wait_for()
    assert preview.locator("select").count() == 2
    assert "생성자는" in preview.inner_text()
    page.fill("#d-options-2-text", "진짜 이미지")  # a distractor in the first gap's group
    preview.locator("select >> nth=0 >> option:has-text('진짜 이미지')").wait_for(
        state="attached")
    # A broken gap number: the message appears next to the text, the preview waits.
    page.fill("#d-text", "생성자는 [[7]]를 만든다.")
    page.locator("#err-d-text:has-text('[[7]]')").wait_for()
    assert preview.locator("select").count() == 0
    page.fill("#d-text", "생성자는 [[1]]를 만들고 판별자는 [[2]].")
    preview.locator("select").nth(1).wait_for()
    assert page.locator("#err-d-text").inner_text() == ""
    shot(page, "authoring-editor")
    page.click("#question-form button.primary")
    page.wait_for_url(re.compile(r"/bank/\?category=\d+$"))
    assert page.locator("a:has-text('빈칸 문제')").count() == 1

    # A new quiz with that question.
    page.goto("/courses/genai-intro/bank/quizzes/")
    page.fill("#quiz-title", "빈칸 연습")
    page.fill("#quiz-slug", "gap-practice")
    page.click("section.panel form button.primary")
    page.wait_for_url(re.compile(r"/bank/quizzes/gap-practice/$"))
    page.locator("#candidates label:has-text('빈칸 문제') input").check()
    page.click("form[action$='/slots/add/'] button.primary")
    page.wait_for_url(re.compile(r"/bank/quizzes/gap-practice/$"))
    assert page.locator("#slots tbody tr[data-slot]").count() == 1

    # Import a Korean GIFT file into the same quiz.
    gift_file = tmp_path / "한국어-퀴즈.gift"
    gift_file.write_text(KOREAN_GIFT, encoding="utf-8")
    page.goto("/courses/genai-intro/bank/import/")
    page.set_input_files("#id_file", str(gift_file))
    page.select_option("#id_quiz", "gap-practice")
    page.click("form[enctype] button.primary")
    page.locator("#import-report").wait_for()
    created = page.locator("#import-report ul.report-list").first
    assert created.locator("li").count() == 2
    assert "판별자의 역할" in created.inner_text() and "BERT 방향" in created.inner_text()
    shot(page, "authoring-import")
    page.goto("/courses/genai-intro/bank/quizzes/gap-practice/")
    assert page.locator("#slots tbody tr[data-slot]").count() == 3

    # Move the imported question up with the keyboard button; the order is kept.
    last = page.locator("#slots tbody tr[data-slot]").nth(2)
    assert "BERT 방향" in last.inner_text()
    last.locator("form[action$='/move/'] input[value='up'] + button").click()
    page.wait_for_url(re.compile(r"moved=\d+&dir=up"))
    assert "BERT 방향" in page.locator("#slots tbody tr[data-slot]").nth(1).inner_text()
    shot(page, "authoring-builder")

    # Export the quiz as GIFT: a download with the Korean questions; the select-missing-words
    # question, which GIFT cannot carry, is named in a comment.
    with page.expect_download() as info:
        page.click("a[href*='format=gift'][href*='quiz=gap-practice']")
    download = info.value
    assert download.suggested_filename == "genai-intro-gap-practice.gift"
    text = open(download.path(), encoding="utf-8").read()
    assert "::판별자의 역할::GAN에서 판별자가 하는 일은?" in text
    assert "// [id:e2e-2]" in text and "{TRUE}" in text
    assert text.startswith("// Not exported: 빈칸 문제")
