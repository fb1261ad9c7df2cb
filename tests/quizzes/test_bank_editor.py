"""The question editor: every type written through the page, errors next to the field at fault,
the live preview (the student's HTML, no keys), and edits as new versions."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from quizzes import qtypes, services
from quizzes.models import Question, QuestionFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"

# For each type: the editor's fields, and the data the question must store.
TYPES = {
    "single_choice": (
        {"d-choices-rows": "3", "d-choices-0-text": "생성자", "d-choices-0-fraction": "1.0",
         "d-choices-0-feedback": "맞아요", "d-choices-1-text": "판별자",
         "d-choices-1-fraction": "0.0", "d-choices-1-feedback": "", "d-choices-2-text": "",
         "d-choices-2-fraction": "0.0", "d-shuffle": "on"},
        {"choices": [{"text": "생성자", "fraction": 1, "feedback": "맞아요"},
                     {"text": "판별자", "fraction": 0}], "shuffle": True}),
    "multiple_response": (
        {"d-choices-rows": "3", "d-choices-0-text": "GAN", "d-choices-0-fraction": "0.5",
         "d-choices-1-text": "VAE", "d-choices-1-fraction": "0.5", "d-choices-2-text": "SVM",
         "d-choices-2-fraction": "-1.0"},
        {"choices": [{"text": "GAN", "fraction": 0.5}, {"text": "VAE", "fraction": 0.5},
                     {"text": "SVM", "fraction": -1}], "shuffle": False}),
    "true_false": (
        {"d-correct": "0", "d-feedback_true": "아니에요", "d-feedback_false": "맞아요"},
        {"correct": False, "feedback_true": "아니에요", "feedback_false": "맞아요"}),
    "short_answer": (
        {"d-answers-rows": "2", "d-answers-0-text": "판별자", "d-answers-0-fraction": "1.0",
         "d-answers-1-text": "discriminator", "d-answers-1-fraction": "0.5",
         "d-case_sensitive": "on"},
        {"answers": [{"text": "판별자", "fraction": 1}, {"text": "discriminator",
                                                      "fraction": 0.5}],
         "case_sensitive": True}),
    "numerical": (
        {"d-answers-rows": "2", "d-answers-0-value": "32", "d-answers-0-tolerance": "0,5",
         "d-answers-0-fraction": "1.0", "d-answers-1-value": "*", "d-answers-1-fraction": "0.0",
         "d-answers-1-feedback": "다시", "d-units-rows": "2", "d-units-0-unit": "px",
         "d-units-0-multiplier": "1", "d-units-1-unit": "", "d-units-1-multiplier": ""},
        {"answers": [{"value": 32, "tolerance": 0.5, "fraction": 1},
                     {"value": "*", "tolerance": 0, "fraction": 0, "feedback": "다시"}],
         "units": [{"unit": "px", "multiplier": 1}], "unit_required": False}),
    "matching": (
        {"d-pairs-rows": "4", "d-pairs-0-prompt": "BERT", "d-pairs-0-answer": "인코더",
         "d-pairs-1-prompt": "GPT", "d-pairs-1-answer": "디코더", "d-pairs-2-prompt": "",
         "d-pairs-2-answer": "합성곱", "d-shuffle": "on"},
        {"pairs": [{"prompt": "BERT", "answer": "인코더"}, {"prompt": "GPT", "answer": "디코더"},
                   {"prompt": "", "answer": "합성곱"}], "shuffle": True}),
    "select_missing_words": (
        {"d-text": "고양이가 [[1]] 위에 [[2]].", "d-options-rows": "4",
         "d-options-0-text": "매트", "d-options-0-group": "1", "d-options-1-text": "앉았다",
         "d-options-1-group": "2", "d-options-2-text": "책상", "d-options-2-group": "1",
         "d-shuffle": "on"},
        {"text": "고양이가 [[1]] 위에 [[2]].", "options": [
            {"text": "매트", "group": 1}, {"text": "앉았다", "group": 2},
            {"text": "책상", "group": 1}], "shuffle": True}),
    "essay": (
        {"d-response_format": "markdown", "d-min_words": "10", "d-max_words": "",
         "d-grader_info": "핵심어"},
        {"response_format": "markdown", "min_words": 10, "max_words": None,
         "grader_info": "핵심어"}),
    "description": ({}, {}),
    "spot_the_fake": ({"d-count": "6", "d-fakes": "2"}, {"count": 6, "fakes": 2}),
}


def form(category, qtype: str, stem: str = "질문입니다", **extra) -> dict:
    fields, _ = TYPES[qtype]
    return {"qtype": qtype, "name": f"새 {qtype}", "category": str(category.pk), "stem": stem,
            "text_format": "markdown", "general_feedback": "해설", "default_mark": "1",
            "tags": "편집기, 시험", "key": "", **fields, **extra}


@pytest.fixture
def category(mini_course):
    return services.category_get_or_create_path(course=mini_course, path=("편집기",))


def new_url(qtype: str = "") -> str:
    return reverse("bank:question-new", args=["mini"]) + (f"?qtype={qtype}" if qtype else "")


@pytest.mark.parametrize("qtype", list(TYPES))
def test_create_every_type_through_the_page(client, teacher, category, qtype):
    client.force_login(teacher)
    page = client.get(new_url(qtype))
    assert page.status_code == 200 and 'id="preview"' in page.content.decode()
    response = client.post(new_url(), form(category, qtype))
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get(name=f"새 {qtype}")
    version = question.latest_version()
    assert version.qtype == qtype and version.number == 1
    assert version.data == qtypes.get(qtype).validate(TYPES[qtype][1])
    assert question.category == category and question.tags == ["편집기", "시험"]
    assert version.created_by == teacher


def test_type_chooser_lists_every_type(client, teacher):
    client.force_login(teacher)
    page = client.get(new_url()).content.decode()
    for qtype in TYPES:
        assert f"?qtype={qtype}" in page


def error_of(html: str, field: str) -> str:
    found = re.search(rf'<span class="field-error" id="err-{re.escape(field)}"[^>]*>(.*?)</span>',
                      html, re.S)
    assert found, f"no error slot for {field}"
    return found.group(1).strip()


def test_data_error_lands_on_the_field_at_fault(client, teacher, category):
    client.force_login(teacher)
    # Row 1 is left blank, so the service sees choices[1] = row 2: the message must go to row 2.
    data = form(category, "single_choice", **{
        "d-choices-rows": "3", "d-choices-1-text": "", "d-choices-1-fraction": "0.0",
        "d-choices-2-text": "생성자", "d-choices-2-fraction": "0.0"})
    response = client.post(new_url(), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "same text as choices[0]" in error_of(html, "d-choices-2-text")
    assert error_of(html, "d-choices-0-text") == ""
    assert 'id="d-choices-2-text" name="d-choices-2-text"' in html
    assert re.search(r'id="d-choices-2-text"[^>]*aria-invalid="true"', html)
    assert not Question.objects.filter(name="새 single_choice").exists()


def test_list_and_scalar_and_meta_errors(client, teacher, category):
    client.force_login(teacher)
    no_right = form(category, "single_choice", **{"d-choices-0-fraction": "0.0"})
    html = client.post(new_url(), no_right).content.decode()
    assert "no choice has fraction 1" in error_of(html, "d-choices")
    bad_number = form(category, "numerical", **{"d-answers-0-tolerance": "abc"})
    html = client.post(new_url(), bad_number).content.decode()
    assert error_of(html, "d-answers-0-tolerance") == "Enter a number."
    gaps = form(category, "select_missing_words", **{"d-text": "빈칸 [[9]]"})
    html = client.post(new_url(), gaps).content.decode()
    assert "gap [[9]]" in error_of(html, "d-text")
    no_stem = form(category, "true_false", stem="  ")
    html = client.post(new_url(), no_stem).content.decode()
    assert error_of(html, "stem")
    essay = form(category, "essay", **{"d-min_words": "20", "d-max_words": "5"})
    html = client.post(new_url(), essay).content.decode()
    assert "min_words" in error_of(html, "d-max_words")
    services.question_create(course=category.course, category=category, name="키", qtype=
                             "true_false", stem="s", data={"correct": True}, key="taken")
    clash = form(category, "true_false", key="taken")
    html = client.post(new_url(), clash).content.decode()
    assert error_of(html, "key")
    assert Question.objects.filter(category=category).count() == 1


def test_add_row_keeps_what_was_typed(client, teacher, category):
    client.force_login(teacher)
    data = form(category, "single_choice", add_row="choices")
    response = client.post(new_url(), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="d-choices-rows" value="4"' in html and 'name="d-choices-3-text"' in html
    assert ">생성자</textarea>" in html
    assert not Question.objects.filter(category=category).exists()


# --- the live preview ---------------------------------------------------------------------------


def preview(client, data: dict, question=None):
    url = reverse("bank:question-preview", args=["mini"])
    if question is not None:
        url += f"?question={question.pk}"
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_preview_is_the_students_html_without_keys(client, teacher, category):
    client.force_login(teacher)
    data = form(category, "single_choice", general_feedback="비밀 해설", **{
        "d-choices-0-feedback": "비밀 피드백 하나", "d-choices-1-feedback": "비밀 피드백 둘"})
    response = preview(client, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="qtype qtype-single-choice' in html
    assert "생성자" in html and "판별자" in html and "질문입니다" in html
    assert 'type="radio"' in html and 'name="preview-choice"' in html
    student_part = html.split('<span class="field-error"')[0]  # before the editor's slots
    assert "</section>" in student_part
    for secret in ("비밀 피드백", "비밀 해설", "fraction", "is-correct", "정답"):
        assert secret not in student_part, secret
    assert "비밀" not in html
    # The out-of-band error slots are cleared.
    assert 'id="err-d-choices-0-text" hx-swap-oob="true"></span>' in html


def test_preview_of_every_type_renders_its_template(client, teacher, category):
    client.force_login(teacher)
    for qtype in TYPES:
        html = preview(client, form(category, qtype)).content.decode()
        css = "qtype-" + qtype.replace("_", "-")
        if qtype not in ("description", "spot_the_fake"):  # no fieldset / no images yet
            assert css in html, qtype
        assert "preview-waiting" not in html, qtype
    smw = preview(client, form(category, "select_missing_words")).content.decode()
    assert smw.count("<select") == 2 and "앉았다" in smw and "누웠다" not in smw


def test_preview_reports_errors_next_to_fields(client, teacher, category):
    client.force_login(teacher)
    data = form(category, "single_choice", **{"d-choices-0-fraction": "0.0"})
    html = preview(client, data).content.decode()
    assert "preview-waiting" in html
    assert re.search(r'id="err-d-choices" hx-swap-oob="true"[^>]*>[^<]*no choice has fraction 1',
                     html)


def test_preview_and_editor_show_embedded_files(client, teacher, category):
    question = services.question_create(
        course=category.course, category=category, name="그림", qtype="true_false",
        text_format="html", stem='<p><img src="@@PLUGINFILE@@/pic.png" alt="그림"></p>',
        data={"correct": True}, files={"pic.png": b"\x89PNG\r\n\x1a\n"})
    version = question.latest_version()
    client.force_login(teacher)
    url = f"/question-files/{version.pk}/pic.png"
    edit = client.get(reverse("bank:question-edit", args=["mini", question.pk])).content.decode()
    assert f'src="{url}"' in edit and "@@PLUGINFILE@@/pic.png</textarea>" not in edit.split(
        'id="preview"')[1]
    data = form(category, "true_false", stem=version.stem, text_format="html")
    html = preview(client, data, question=question).content.decode()
    assert f'src="{url}"' in html and "@@PLUGINFILE@@" not in html
    image = client.get(url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert bytes(image.content).startswith(b"\x89PNG")


def test_preview_api(client, teacher, mini_course):
    client.force_login(teacher)
    url = reverse("api-question-preview", args=["mini"])
    ok = client.post(url, {"qtype": "single_choice", "stem": "질문", "data": {
        "choices": [{"text": "A", "fraction": 1, "feedback": "비밀"}, {"text": "B"}]}},
        content_type="application/json")
    assert ok.status_code == 200
    assert "비밀" not in ok.content.decode() and "fraction" not in ok.content.decode()
    assert sorted(c["text"] for c in ok.json()["view"]["choices"]) == ["A", "B"]
    bad = client.post(url, {"qtype": "single_choice", "stem": "질문", "data": {
        "choices": [{"text": "A", "fraction": 0.5}, {"text": "B"}]}},
        content_type="application/json")
    assert bad.status_code == 400
    assert "choices" in bad.json()["error"]["fields"]


# --- editing --------------------------------------------------------------------------------


def test_editing_creates_a_new_version_and_keeps_files(client, teacher, mini_course):
    question = Question.objects.get(course=mini_course, key="m-q1")
    version = question.latest_version()
    QuestionFile.objects.create(version=version, name="a.png", content=b"png",
                                content_type="image/png")
    client.force_login(teacher)
    url = reverse("bank:question-edit", args=["mini", question.pk])
    page = client.get(url).content.decode()
    assert "GAN에서 가짜 이미지를 만드는 것은?</textarea>" in page
    assert 'value="m-q1"' in page
    # Saving the unchanged form makes no version.
    fields = {"qtype": "single_choice", "name": question.name,
              "category": str(question.category_id), "stem": version.stem,
              "text_format": "markdown", "general_feedback": version.general_feedback,
              "default_mark": "1", "tags": "", "key": "m-q1", "d-choices-rows": "3",
              "d-shuffle": "on"}
    for i, choice in enumerate(version.data["choices"]):
        fields.update({f"d-choices-{i}-text": choice["text"],
                       f"d-choices-{i}-fraction": repr(float(choice["fraction"])),
                       f"d-choices-{i}-feedback": choice["feedback"]})
    assert client.post(url, fields).status_code == 302
    assert question.versions.count() == 1
    fields.update({"d-choices-0-fraction": "0.0", "d-choices-1-fraction": "1.0",
                   "change_note": "정답 수정", "continue": "1"})
    response = client.post(url, fields)
    assert response.status_code == 302 and response["Location"] == url
    latest = question.latest_version()
    assert latest.number == 2 and latest.change_note == "정답 수정"
    assert [c["fraction"] for c in latest.data["choices"]] == [0.0, 1.0, 0.0]
    assert [f.name for f in latest.files.all()] == ["a.png"]
    assert question.versions.get(number=1).data == version.data  # the old one is untouched


def test_delete_only_unused_questions(client, teacher, mini_course, category):
    client.force_login(teacher)
    used = Question.objects.get(key="m-q1")
    client.post(reverse("bank:question-delete", args=["mini", used.pk]))
    assert Question.objects.filter(pk=used.pk).exists()
    free = services.question_create(course=mini_course, category=category, name="지울 것",
                                    qtype="true_false", stem="s", data={"correct": True})
    client.post(reverse("bank:question-delete", args=["mini", free.pk]))
    assert not Question.objects.filter(pk=free.pk).exists()


def test_bank_page_lists_filters_and_moves(client, teacher, mini_course, category):
    client.force_login(teacher)
    page = client.get(reverse("bank:index", args=["mini"]))
    html = page.content.decode()
    assert page.status_code == 200 and "week01-quiz" in html and "m-q1" in html
    pack = mini_course.question_categories.get(name="week01-quiz")
    filtered = client.get(reverse("bank:index", args=["mini"]), {"category": category.pk})
    assert "m-q1" not in filtered.content.decode()
    ids = list(Question.objects.filter(category=pack).values_list("pk", flat=True)[:2])
    client.post(reverse("bank:questions-move", args=["mini"]),
                {"question": ids, "category": category.pk})
    assert Question.objects.filter(category=category).count() == 2
    tagged = client.get(reverse("bank:index", args=["mini"]), {"tag": "없는태그"})
    assert "m-q1" not in tagged.content.decode()


def test_bank_list_shows_a_stems_markdown_as_text_not_asterisks(client, teacher, mini_course,
                                                                category):
    services.question_create(course=mini_course, category=category, name="강조 문항",
                             qtype="true_false", stem="GAN의 **잠재 공간**에 대한 설명",
                             data={"correct": True})
    client.force_login(teacher)
    html = client.get(reverse("bank:index", args=["mini"]),
                      {"category": category.pk}).content.decode()
    assert "GAN의 잠재 공간에 대한 설명" in html and "**" not in html

def test_authoring_pages_run_no_inline_script(client, teacher, mini_course):
    """The Content-Security-Policy forbids inline scripts: none of our pages relies on one."""
    client.force_login(teacher)
    question = Question.objects.get(key="m-q1")
    pages = [reverse("bank:index", args=["mini"]), new_url(), new_url("numerical"),
             reverse("bank:question-edit", args=["mini", question.pk]),
             reverse("bank:categories", args=["mini"]), reverse("bank:import", args=["mini"]),
             reverse("bank:quizzes", args=["mini"]),
             reverse("bank:quiz-builder", args=["mini", "week01-quiz"]),
             reverse("bank:quiz-settings", args=["mini", "week01-quiz"])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert "src=" in attrs and not body.strip(), url
        assert not re.search(r"\son[a-z]+=\"", html), url


def test_a_question_with_many_choices_is_saved_from_the_editor_whole(client, teacher,
                                                                     mini_course):
    """An import may bring up to 1,000 choices; the editor read back only 200 rows, so saving
    such a question from the editor (here to fix its text) silently dropped the rest, the
    right answer, which came last, among them."""
    from quizzes import interchange

    from .editor_form import form_fields

    gift = ("::많은 보기::고르세요 {\n" + "".join(f"~오답 {i}\n" for i in range(249))
            + "=정답\n}\n")
    interchange.questions_import(course=mini_course, content=gift.encode(), fmt="gift")
    question = Question.objects.get(course=mini_course, name="많은 보기")
    client.force_login(teacher)
    url = reverse("bank:question-edit", args=["mini", question.pk])
    fields = form_fields(client.get(url).content.decode())
    fields["stem"] = "하나를 고르세요"  # an edit of the text only
    assert client.post(url, fields).status_code == 302
    choices = question.latest_version().data["choices"]
    assert question.versions.count() == 2 and len(choices) == 250
    assert choices[-1]["text"] == "정답" and choices[-1]["fraction"] == 1


def test_more_choices_than_the_editor_reads_are_refused_by_the_api(client, teacher,
                                                                   mini_course):
    client.force_login(teacher)
    choices = [{"text": f"보기 {i}", "fraction": 1 if i == 0 else 0} for i in range(1001)]
    response = client.post(f"/api/courses/{mini_course.slug}/questions/", {
        "name": "너무 많은 보기", "category": "Week 6", "qtype": "single_choice", "stem": "?",
        "data": {"choices": choices}}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "1000" in response.content.decode()
    assert not Question.objects.filter(name="너무 많은 보기").exists()


def test_an_id_longer_than_the_column_is_an_error_on_its_field(client, teacher, category):
    """The page's input stops at 100 characters, but a longer ID (a script, an edited page)
    reached the database: a server error. It is now an error next to the ID field."""
    client.force_login(teacher)
    response = client.post(new_url(), form(category, "true_false", key="k" * 101))
    assert response.status_code == 400
    assert "100" in error_of(response.content.decode(), "key")
    assert not Question.objects.filter(category=category).exists()
