"""Export through the services, the page, the API and the command, and round trips: what is
exported and imported again (into another course, or the same one) is the same question."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.models import Course
from quizzes import authoring, interchange, qtypes, services
from quizzes.formats import ParsedQuestion, gift
from quizzes.models import Question

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    """Messages in English (the msgids), whatever Korean translations exist."""
    settings.LANGUAGE_CODE = "en"

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24

# One question of every type, with settings only Moodle XML can carry (no shuffling, case
# sensitivity, units, essay limits, a mark of 2, an HTML text with an embedded picture).
EVERY_TYPE = [
    ("rt-sc", "single_choice", "**굵게** 쓴 질문: $x^2$ 의 도함수는?", "markdown",
     {"choices": [{"text": "$2x$", "fraction": 1, "feedback": "맞습니다"},
                  {"text": "$x$", "fraction": 0, "feedback": "아닙니다"},
                  {"text": "$x^3$", "fraction": -0.5, "feedback": "감점"}], "shuffle": False}),
    ("rt-mr", "multiple_response", "생성 모델을 모두 고르세요.", "markdown",
     {"choices": [{"text": "GAN", "fraction": 0.5, "feedback": "예"},
                  {"text": "VAE", "fraction": 0.5, "feedback": "예"},
                  {"text": "SVM", "fraction": -1, "feedback": "아니오"}], "shuffle": True}),
    ("rt-tf", "true_false", "BERT는 양방향이다.", "plain",
     {"correct": False, "feedback_true": "틀렸어요", "feedback_false": "맞았어요"}),
    ("rt-sa", "short_answer", "진짜와 가짜를 구별하는 것은?", "markdown",
     {"answers": [{"text": "판별자", "fraction": 1, "feedback": "정답"},
                  {"text": "Discriminator", "fraction": 0.5, "feedback": "영어"}],
      "case_sensitive": True}),
    ("rt-num", "numerical", "출력 크기는?", "markdown",
     {"answers": [{"value": 32, "tolerance": 0.5, "fraction": 1, "feedback": "정답"},
                  {"value": "*", "tolerance": 0, "fraction": 0, "feedback": "다시"}],
      "units": [{"unit": "px", "multiplier": 1}, {"unit": "kpx", "multiplier": 0.001}],
      "unit_required": False}),
    ("rt-match", "matching", "모델과 구조를 연결하세요.", "markdown",
     {"pairs": [{"prompt": "BERT", "answer": "인코더"}, {"prompt": "GPT", "answer": "디코더"},
                {"prompt": "", "answer": "합성곱"}], "shuffle": True}),
    ("rt-smw", "select_missing_words", "", "markdown",
     {"text": "고양이가 [[1]] 위에 [[2]].", "options": [
         {"text": "매트", "group": 1}, {"text": "앉았다", "group": 2},
         {"text": "책상", "group": 1}, {"text": "누웠다", "group": 2}], "shuffle": True}),
    ("rt-essay", "essay", "모드 붕괴를 설명하세요.", "markdown",
     {"response_format": "plain", "min_words": 10, "max_words": 200,
      "grader_info": "핵심: 다양성 상실"}),
    ("rt-desc", "description", "다음 문제들은 GAN에 관한 것입니다.", "markdown", {}),
]


@pytest.fixture
def every_type(mini_course):
    category = services.category_get_or_create_path(course=mini_course,
                                                    path=("내보내기", "모든 유형"))
    for key, qtype, stem, fmt, data in EVERY_TYPE:
        authoring.question_save(course=mini_course, category=category, qtype=qtype, stem=stem,
                                data=data, text_format=fmt, key=key, name=f"문제 {key}",
                                general_feedback="" if qtype == "description" else "해설 " + key,
                                default_mark=0 if qtype == "description" else 2,
                                tags=["왕복", qtype])
    services.question_create(
        course=mini_course, category=category, name="그림 문제", qtype="true_false",
        key="rt-html", text_format="html",
        stem='<p>그림을 보세요 <img src="@@PLUGINFILE@@/pic.png" alt="그림"></p>',
        data={"correct": True, "feedback_true": "<p>예</p>", "feedback_false": ""},
        general_feedback="", files={"pic.png": PNG})
    return category


def snapshot(question: Question) -> tuple:
    v = question.latest_version()
    return (v.qtype, question.name, v.stem, v.text_format, v.data, v.general_feedback,
            float(v.default_mark), list(question.tags), question.key,
            {f.name: bytes(f.content) for f in v.files.all()})


def other_course(slug: str) -> Course:
    return Course.objects.create(slug=slug, title=slug)


def test_moodle_xml_round_trip_keeps_every_type(mini_course, every_type):
    result = interchange.questions_export(course=mini_course, fmt="moodle-xml",
                                          category=every_type)
    assert result.count == 10 and result.skipped == [] and result.warnings == []
    assert result.filename == "mini-모든 유형.xml"
    target = other_course("xml-copy")
    report = interchange.questions_import(course=target, content=result.content,
                                          filename=result.filename)
    assert len(report.created) == 10 and report.skipped == []
    assert report.files_stored == 1
    for source in Question.objects.filter(course=mini_course, key__startswith="rt-"):
        copy = Question.objects.get(course=target, key=source.key)
        assert snapshot(copy) == snapshot(source), source.key
        assert copy.category.path == "내보내기/모든 유형"


def test_moodle_xml_reimport_into_the_same_course_is_unchanged(mini_course, every_type):
    result = interchange.questions_export(course=mini_course, fmt="moodle-xml",
                                          category=every_type)
    report = interchange.questions_import(course=mini_course, content=result.content,
                                          filename="again.xml")
    assert len(report.unchanged) == 10
    assert report.created == [] and report.updated == []


def test_gift_round_trip_keeps_what_gift_can_carry(mini_course, every_type):
    result = interchange.questions_export(course=mini_course, fmt="gift", category=every_type)
    text = result.content.decode("utf-8")
    assert result.count == 9
    assert [line.split(":")[0] for line in result.skipped] == ["문제 rt-smw"]
    assert "Moodle XML" in result.skipped[0]
    assert result.warnings and "그림 문제" in result.warnings[0]  # its picture is not in GIFT
    assert text.startswith("// Not exported: 문제 rt-smw")
    assert "$CATEGORY: $course$/top/내보내기/모든 유형" in text
    target = other_course("gift-copy")
    report = interchange.questions_import(course=target, content=result.content,
                                          filename=result.filename)
    assert len(report.created) == 9 and report.skipped == []
    for source in Question.objects.filter(course=mini_course, key__startswith="rt-"):
        if source.key == "rt-smw":
            assert not Question.objects.filter(course=target, key=source.key).exists()
            continue
        v = source.latest_version()
        expected = gift.normalise(ParsedQuestion(
            qtype=v.qtype, name=source.name, stem=v.stem, text_format=v.text_format,
            data=v.data, general_feedback=v.general_feedback,
            default_mark=float(v.default_mark), tags=tuple(source.tags), idnumber=source.key))
        copy = Question.objects.get(course=target, key=source.key)
        got = copy.latest_version()
        assert (got.qtype, copy.name, got.stem, got.text_format, got.general_feedback,
                float(got.default_mark), tuple(copy.tags)) == (
            expected.qtype, expected.name, expected.stem, expected.text_format,
            expected.general_feedback, expected.default_mark, expected.tags), source.key
        assert got.data == qtypes.get(got.qtype).validate(expected.data), source.key
    # What GIFT cannot carry comes back as GIFT's defaults.
    sc = Question.objects.get(course=target, key="rt-sc").latest_version()
    assert sc.data["shuffle"] is True and float(sc.default_mark) == 1.0
    assert Question.objects.get(course=target, key="rt-num").latest_version().data["units"] == []


def test_export_of_a_quiz_follows_its_slots(mini_course, quiz):
    result = interchange.questions_export(course=mini_course, fmt="moodle-xml", quiz=quiz)
    keys = [q.idnumber for q in interchange.moodle_xml.parse(result.content).questions]
    slots = [s.question.key for s in quiz.slots.order_by("position")]
    assert keys == slots and result.filename == "mini-week01-quiz.xml"


def test_export_of_random_slots_includes_the_pool(mini_course):
    category = services.category_get_or_create_path(course=mini_course, path=("풀",))
    for n in range(3):
        authoring.question_save(course=mini_course, category=category, qtype="true_false",
                                stem=f"문장 {n}", data={"correct": True}, key=f"pool-{n}")
    quiz = authoring.quiz_create(course=mini_course, title="무작위")
    authoring.slot_add_random(quiz=quiz, category=category, count=2)
    result = interchange.questions_export(course=mini_course, fmt="gift", quiz=quiz)
    assert result.count == 3


def test_export_command(mini_course, every_type, tmp_path):
    output = tmp_path / "out.gift"
    err = StringIO()
    call_command("export_questions", course="mini", format="gift",
                 category="내보내기/모든 유형", output=str(output), stderr=err)
    text = output.read_text(encoding="utf-8")
    assert "::문제 rt-tf::" in text and "BERT는 양방향이다." in text
    assert "not exported: 문제 rt-smw" in err.getvalue()
    assert "9 questions written" in err.getvalue()
    out = StringIO()
    call_command("export_questions", "--course", "mini", "--format", "moodle-xml",
                 "--quiz", "week01-quiz", stdout=out)
    assert out.getvalue().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    assert "GAN에서 가짜 이미지를 만드는 것은?" in out.getvalue()
    with pytest.raises(CommandError, match="no quiz"):
        call_command("export_questions", course="mini", format="gift", quiz="nope")


def test_export_then_import_commands_round_trip_korean(mini_course, tmp_path):
    path = tmp_path / "한국어.gift"
    call_command("export_questions", course="mini", format="gift", quiz="week01-quiz",
                 output=str(path), stderr=StringIO())
    Course.objects.create(slug="copy", title="사본")
    out = StringIO()
    call_command("import_questions", str(path), course="copy", stdout=out)
    assert "6 created" in out.getvalue()  # the select-missing-words question stays behind
    copy = Question.objects.get(course__slug="copy", key="m-q1")
    assert copy.latest_version().stem == "GAN에서 가짜 이미지를 만드는 것은?"


def test_export_page_and_api_download(client, teacher, mini_course, every_type):
    client.force_login(teacher)
    page = client.get(reverse("bank:export", args=["mini"]),
                      {"format": "moodle-xml", "category": every_type.pk})
    assert page.status_code == 200
    assert "attachment" in page["Content-Disposition"]
    body = b"".join(page.streaming_content)
    assert body.startswith(b"<?xml") and page["X-Exported-Questions"] == "10"
    api = client.get(reverse("api-questions-export", args=["mini"]),
                     {"format": "gift", "category": "내보내기/모든 유형"})
    assert api.status_code == 200, api.content
    assert "::문제 rt-sa::" in api.content.decode("utf-8")
    assert api["X-Skipped-Questions"] == "1"
    missing = client.get(reverse("api-questions-export", args=["mini"]),
                         {"format": "gift", "category": "없음"})
    assert missing.status_code == 404
    wrong = client.get(reverse("api-questions-export", args=["mini"]), {"format": "pdf"})
    assert wrong.status_code == 400


def test_export_of_the_whole_bank_and_an_unknown_format(mini_course):
    result = interchange.questions_export(course=mini_course, fmt="moodle-xml")
    assert result.count == Question.objects.filter(course=mini_course).count()
    with pytest.raises(interchange.ApplicationError):
        interchange.questions_export(course=mini_course, fmt="qti")


def test_parsed_question_of_a_version_keeps_files(mini_course, every_type):
    version = Question.objects.get(key="rt-html").latest_version()
    parsed = interchange._parsed(version)
    assert parsed.files == {"pic.png": PNG}
    assert replace(parsed, files={}).idnumber == "rt-html"
