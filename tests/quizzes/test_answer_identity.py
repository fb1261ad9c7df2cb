"""What a student answered is stored by the identity of what they picked (its text), never by
its position: an instructor who reorders choices, pairs or gap options in the bank editor and
regrades changes neither the student's answer nor their mark."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from quizzes.models import Attempt, Question, RegradeLog, Response

pytestmark = pytest.mark.django_db

# What the student picks, by question key, as the texts they see.
PICKS = {
    "m-q1": "생성자",
    "m-q2": ["GAN", "VAE"],
    "m-q6": {"BERT": "인코더", "GPT": "디코더"},
    "m-q7": {1: "생성자", 2: "판별자"},
}
LISTS = {"m-q1": "choices", "m-q2": "choices", "m-q6": "pairs", "m-q7": "options"}


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def display_answer(qtype: str, view: dict, pick):
    """The API answer (display values) that picks `pick`, read off the student's view."""
    if qtype == "single_choice":
        return {"choice": next(c["value"] for c in view["choices"] if c["text"] == pick)}
    if qtype == "multiple_response":
        return {"choices": [c["value"] for c in view["choices"] if c["text"] in pick]}
    if qtype == "matching":
        answers = {a["text"]: a["value"] for a in view["answers"]}
        return {"matches": {p["value"]: answers[pick[p["text"]]] for p in view["prompts"]}}
    gaps = {}
    for segment in view["segments"]:
        if "gap" in segment:
            gaps[str(segment["gap"])] = next(o["value"] for o in segment["options"]
                                             if o["text"] == pick[segment["gap"]])
    return {"gaps": gaps}


def shown_answer(question: dict):
    """What the student's review shows as their answer, as texts."""
    review = question["review"]
    if question["qtype"] in ("single_choice", "multiple_response"):
        return sorted(c["text"] for c in review["choices"] if c["selected"])
    if question["qtype"] == "matching":
        return {p["text"]: p["selected"] for p in review["prompts"]}
    return {s["gap"]: s["selected_text"] for s in review["segments"] if "gap" in s}


def shown_order(question: dict):
    """The order the review lists things in (the attempt's layout)."""
    review = question["review"]
    if question["qtype"] in ("single_choice", "multiple_response"):
        return [c["text"] for c in review["choices"]]
    if question["qtype"] == "matching":
        return [p["text"] for p in review["prompts"]], review["answers"]
    return [[o["text"] for o in s["options"]] for s in review["segments"] if "gap" in s]


def attempt_json(api, attempt_id: int) -> dict:
    body = api.get(reverse("api-attempt", args=[attempt_id])).json()
    return {Response.objects.get(attempt_id=attempt_id, slot_id=q["slot_id"])
            .version.question.key: q for q in body["questions"]}


@pytest.fixture
def answered(student, quiz):
    """The student answers four questions right over the API and submits."""
    api = APIClient()
    api.force_authenticate(student)
    body = api.post(reverse("api-attempt-start", args=["mini", quiz.slug]), format="json").json()
    attempt = Attempt.objects.get(pk=body["id"])
    for question in body["questions"]:
        key = Response.objects.get(attempt=attempt, slot_id=question["slot_id"]) \
            .version.question.key
        if key not in PICKS:
            continue
        saved = api.put(reverse("api-response", args=[attempt.pk, question["slot_id"]]),
                        {"answer": display_answer(question["qtype"], question["view"],
                                                  PICKS[key]),
                         "sequence": question["sequence"]}, format="json")
        assert saved.status_code == 200, saved.json()
    result = api.post(reverse("api-attempt-submit", args=[attempt.pk])).json()
    assert result["score"] == pytest.approx(4.0)
    return api, attempt


class FormFields(HTMLParser):
    """The fields a browser would submit from the question editor's form."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields[name] = attrs.get("value", "on")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def edit_reversed(client, question: Question, list_key: str) -> None:
    """Save, through the bank editor's form, a version with the same items in reverse order."""
    url = reverse("bank:question-edit", args=["mini", question.pk])
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    fields = {k: v for k, v in parser.fields.items() if k != "csrfmiddlewaretoken"}
    prefix = f"d-{list_key}-"
    rows = sorted({int(m[1]) for k in fields if (m := re.match(rf"{prefix}(\d+)-", k))})
    main = "answer" if list_key == "pairs" else "text"
    rows = [r for r in rows if fields.get(f"{prefix}{r}-{main}")]
    cells = {r: {k.split("-", 3)[3]: v for k, v in fields.items() if k.startswith(f"{prefix}{r}-")}
             for r in rows}
    for new, old in enumerate(reversed(rows)):
        for cell, value in cells[old].items():
            fields[f"{prefix}{new}-{cell}"] = value
    if list_key == "options":  # [[n]] names option n: renumber the gaps to match
        moved = {str(old + 1): str(new + 1) for new, old in enumerate(reversed(rows))}
        fields["d-text"] = re.sub(r"\[\[(\d+)\]\]", lambda m: f"[[{moved[m[1]]}]]",
                                  fields["d-text"])
    fields["change_note"] = "reorder"
    saved = client.post(url, fields)
    assert saved.status_code == 302, (fields, re.findall(r'field-error"[^>]*>([^<]+)<',
                                                         saved.content.decode()))


def test_reordering_and_regrading_keeps_the_answer_and_the_mark(client, answered, teacher,
                                                                 mini_course):
    api, attempt = answered
    before = {key: shown_answer(q) for key, q in attempt_json(api, attempt.pk).items()
              if key in PICKS}
    assert before == {"m-q1": ["생성자"], "m-q2": ["GAN", "VAE"],
                      "m-q6": {"BERT": "인코더", "GPT": "디코더"},
                      "m-q7": {1: "생성자", 2: "판별자"}}
    orders = {key: shown_order(q) for key, q in attempt_json(api, attempt.pk).items()
              if key in PICKS}
    stored = {r.version.question.key: r.answer for r in Response.objects.filter(
        attempt=attempt, version__question__key__in=PICKS).select_related("version__question")}
    assert stored["m-q1"] == {"choice": "생성자"}
    client.force_login(teacher)
    for key, list_key in LISTS.items():
        question = Question.objects.get(course=mini_course, key=key)
        old = question.latest_version().data[list_key]
        edit_reversed(client, question, list_key)
        latest = question.latest_version()
        assert latest.number == 2 and latest.data[list_key] == old[::-1]
        regrade_url = reverse("quizzes:regrade", args=["mini", attempt.quiz.slug, question.pk])
        dry = client.get(regrade_url).content.decode()
        assert "v1 → v2" in dry
        assert client.post(regrade_url, {"reason": "reorder"}).status_code == 302
    assert RegradeLog.objects.count() == 4
    attempt.refresh_from_db()
    assert float(attempt.score) == pytest.approx(4.0)
    after = attempt_json(api, attempt.pk)
    assert {key: shown_answer(after[key]) for key in PICKS} == before
    assert all(after[key]["state"] == "correct" for key in PICKS)
    # The student's shuffled order is kept, whatever order the new version stores.
    assert {key: shown_order(after[key]) for key in PICKS} == orders
    # The stored JSON itself is untouched by the edits and the regrade.
    assert {r.version.question.key: r.answer for r in Response.objects.filter(
        attempt=attempt, version__question__key__in=PICKS)
        .select_related("version__question")} == stored
    assert set(Response.objects.filter(attempt=attempt, version__question__key__in=PICKS)
               .values_list("version__number", flat=True)) == {2}
    # The review page shows the choice the student picked, checked.
    client.force_login(attempt.user)
    page = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    checked = re.findall(r'<input type="radio"[^>]*checked disabled>\s*<label[^>]*>([^<]*)<',
                         page)
    assert checked == ["생성자"]


def test_a_regrade_skips_an_answer_whose_choice_the_new_version_dropped(client, answered,
                                                                       teacher, mini_course):
    api, attempt = answered
    question = Question.objects.get(course=mini_course, key="m-q1")
    stored = Response.objects.get(attempt=attempt, version__question=question).answer
    client.force_login(teacher)
    url = reverse("bank:question-edit", args=["mini", question.pk])
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    fields = {k: v for k, v in parser.fields.items() if k != "csrfmiddlewaretoken"}
    # 생성자 (row 0, picked) is rewritten as a different choice; 판별자 becomes the key.
    fields.update({"d-choices-0-text": "노이즈", "d-choices-0-fraction": "0.0",
                   "d-choices-1-fraction": "1.0"})
    assert client.post(url, fields).status_code == 302
    regrade_url = reverse("quizzes:regrade", args=["mini", attempt.quiz.slug, question.pk])
    dry = client.get(regrade_url).content.decode()
    assert "생성자" in dry and "not in version 2" in dry
    client.post(regrade_url, {"reason": "new key"})
    response = Response.objects.get(attempt=attempt, version__question=question)
    assert response.version.number == 1 and response.answer == stored
    attempt.refresh_from_db()
    assert float(attempt.score) == pytest.approx(4.0)
    assert shown_answer(attempt_json(api, attempt.pk)["m-q1"]) == ["생성자"]


def test_adding_a_distractor_regrades_by_identity(client, answered, teacher, mini_course):
    """A new choice does not stop the regrade (the answer still names an existing choice)."""
    api, attempt = answered
    question = Question.objects.get(course=mini_course, key="m-q1")
    client.force_login(teacher)
    url = reverse("bank:question-edit", args=["mini", question.pk])
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    fields = {k: v for k, v in parser.fields.items() if k != "csrfmiddlewaretoken"}
    fields.update({"d-choices-rows": "4", "d-choices-3-text": "디코더",
                   "d-choices-3-fraction": "0.0", "d-choices-3-feedback": ""})
    assert client.post(url, fields).status_code == 302
    assert len(question.latest_version().data["choices"]) == 4
    client.post(reverse("quizzes:regrade", args=["mini", attempt.quiz.slug, question.pk]),
                {"reason": "more choices"})
    response = Response.objects.get(attempt=attempt, version__question=question)
    assert response.version.number == 2
    after = attempt_json(api, attempt.pk)["m-q1"]
    assert shown_answer(after) == ["생성자"] and after["state"] == "correct"
    # The review lists every choice of the new version, the new one included.
    assert sorted(c["text"] for c in after["review"]["choices"]) == sorted(
        ["생성자", "판별자", "인코더", "디코더"])


def test_the_data_migration_converts_position_answers_with_their_own_version(answered,
                                                                             mini_course):
    """Answers stored before by position become the texts the student saw, read off the
    version each was answered against (here a reordered version 2 exists and must not be
    used)."""
    import importlib

    from django.apps import apps

    from quizzes import services

    migration = importlib.import_module("quizzes.migrations.0003_answer_identity")
    _, attempt = answered
    responses = {r.version.question.key: r for r in Response.objects.filter(
        attempt=attempt, version__question__key__in=PICKS).select_related("version__question")}
    texts = {key: r.answer for key, r in responses.items()}
    positions = {key: migration.answer_to_positions(r.version.qtype, r.version.data, r.answer)
                 for key, r in responses.items()}
    assert positions["m-q1"] == {"choice": 0} and positions["m-q7"] == {"gaps": {"1": 0, "2": 1}}
    assert positions["m-q6"] == {"matches": {"0": "인코더", "1": "디코더"}}
    for key, response in responses.items():
        Response.objects.filter(pk=response.pk).update(answer=positions[key])
        data = response.version.data
        services.question_version_create(
            question=response.version.question, stem=response.version.stem,
            data={**data, LISTS[key]: data[LISTS[key]][::-1],
                  **({"text": data["text"].replace("[[1]]", "[[X]]").replace("[[3]]", "[[1]]")
                      .replace("[[X]]", "[[3]]")} if key == "m-q7" else {})})
    migration.forwards(apps, None)
    converted = {r.version.question.key: r.answer for r in Response.objects.filter(
        attempt=attempt, version__question__key__in=PICKS).select_related("version__question")}
    assert converted == texts
    stored = {r.pk: r.answer for r in Response.objects.filter(attempt=attempt)}
    migration.forwards(apps, None)  # a second run changes nothing
    assert {r.pk: r.answer for r in Response.objects.filter(attempt=attempt)} == stored
    migration.backwards(apps, None)
    back = {r.version.question.key: r.answer for r in Response.objects.filter(
        attempt=attempt, version__question__key__in=PICKS).select_related("version__question")}
    assert back == positions


# --- Cloze: the choices of a multichoice / multiresponse subquestion -------------------------

CLOZE_XML = """<quiz><question type="multianswer"><name><text>Cloze picks</text></name>
<questiontext format="html"><text><![CDATA[<p>GPT is a {1:MULTICHOICE_S:=Transformer#Yes~RNN#No~CNN}
that uses {1:MULTIRESPONSE_S:%50%attention~%50%positions~%-100%convolution} as a
{1:SA:=decoder}.</p>]]></text></questiontext></question></quiz>"""
MC_CODE = "{1:MULTICHOICE_S:=Transformer#Yes~RNN#No~CNN}"
MR_CODE = "{1:MULTIRESPONSE_S:%50%attention~%50%positions~%-100%convolution}"
CLOZE_PICKS = {"1": "Transformer", "2": ["attention"], "3": "decoder"}


@pytest.fixture
def cloze_answered(client, teacher, student, mini_course):
    """A cloze question imported into its own quiz; the student answers it over the API
    (right, half right, right: 2.5 of 3) and submits."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from quizzes.authoring import quiz_create

    quiz = quiz_create(course=mini_course, title="Cloze", slug="cloze")
    quiz.published = True
    quiz.save(update_fields=["published"])
    client.force_login(teacher)
    imported = client.post(reverse("api-questions-import", args=["mini"]),
                           {"file": SimpleUploadedFile("c.xml", CLOZE_XML.encode()),
                            "quiz": "cloze"})
    assert imported.status_code == 201, imported.content
    api = APIClient()
    api.force_authenticate(student)
    body = api.post(reverse("api-attempt-start", args=["mini", "cloze"]), format="json").json()
    (question,) = body["questions"]
    answers = {}
    for segment in question["view"]["segments"]:
        wanted = CLOZE_PICKS.get(str(segment.get("sub")))
        if "choices" in segment:
            values = [c["value"] for c in segment["choices"] if c["text"] in wanted]
            answers[str(segment["sub"])] = values if isinstance(wanted, list) else values[0]
        elif "sub" in segment:
            answers[str(segment["sub"])] = wanted
    saved = api.put(reverse("api-response", args=[body["id"], question["slot_id"]]),
                    {"answer": {"answers": answers}, "sequence": question["sequence"]},
                    format="json")
    assert saved.status_code == 200, saved.json()
    api.post(reverse("api-attempt-submit", args=[body["id"]]))
    attempt = Attempt.objects.get(pk=body["id"])
    assert float(attempt.score) == pytest.approx(2.5 / 3, abs=1e-4)
    return api, attempt, Question.objects.get(course=mini_course, name="Cloze picks")


def cloze_review(api, attempt_id: int) -> dict:
    (question,) = api.get(reverse("api-attempt", args=[attempt_id])).json()["questions"]
    return question


def cloze_shown(question: dict) -> dict:
    """Per subquestion: its state and, for choices, the texts in the order shown and the ones
    ticked."""
    shown = {}
    for segment in question["review"]["segments"]:
        if "sub" in segment:
            choices = segment.get("choices") or []
            shown[segment["sub"]] = (segment["state"], segment["fraction"],
                                     [c["text"] for c in choices],
                                     [c["text"] for c in choices if c["selected"]])
    return shown


def edit_cloze(client, question: Question, replacements: dict[str, str]) -> None:
    """Save a new version through the bank editor with the Cloze text rewritten."""
    url = reverse("bank:question-edit", args=["mini", question.pk])
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    fields = {k: v for k, v in parser.fields.items() if k != "csrfmiddlewaretoken"}
    for old, new in replacements.items():
        assert old in fields["d-cloze"], fields["d-cloze"]
        fields["d-cloze"] = fields["d-cloze"].replace(old, new)
    fields["change_note"] = "reorder"
    saved = client.post(url, fields)
    assert saved.status_code == 302, re.findall(r'field-error"[^>]*>([^<]+)<',
                                                saved.content.decode())


def test_cloze_reorder_and_regrade_keeps_the_answer_the_mark_and_the_review(client, teacher,
                                                                           cloze_answered):
    api, attempt, question = cloze_answered
    response = Response.objects.get(attempt=attempt)
    # The stored answer names the choices by their text.
    assert response.answer == {"answers": CLOZE_PICKS}
    before = cloze_shown(cloze_review(api, attempt.pk))
    assert {n: s[3] for n, s in before.items()} == {1: ["Transformer"], 2: ["attention"],
                                                    3: []}
    client.force_login(teacher)
    edit_cloze(client, question, {
        MC_CODE: "{1:MULTICHOICE_S:CNN~RNN#No~=Transformer#Yes}",
        MR_CODE: "{1:MULTIRESPONSE_S:%-100%convolution~%50%positions~%50%attention}"})
    latest = question.latest_version()
    assert latest.number == 2
    assert [c["text"] for c in latest.data["subquestions"][0]["choices"]] == [
        "CNN", "RNN", "Transformer"]
    regrade_url = reverse("quizzes:regrade", args=["mini", "cloze", question.pk])
    assert "v1 → v2" in client.get(regrade_url).content.decode()
    assert client.post(regrade_url, {"reason": "reorder"}).status_code == 302
    response.refresh_from_db()
    attempt.refresh_from_db()
    assert response.version.number == 2 and response.answer == {"answers": CLOZE_PICKS}
    assert float(attempt.score) == pytest.approx(2.5 / 3, abs=1e-4)
    # Same picks, same states and fractions, same order as the student saw it.
    assert cloze_shown(cloze_review(api, attempt.pk)) == before
    client.force_login(attempt.user)
    page = client.get(reverse("quizzes:review", args=[attempt.pk])).content.decode()
    assert re.findall(r"<strong>([^<]*)</strong>", page)[:2] == ["Transformer", "attention"]
    # The statistics count the pick under the choice picked, whatever version it is graded on.
    client.force_login(teacher)
    stats = client.get(reverse("api-statistics", args=["mini", "cloze"])).json()
    counts = {row["label"]: row["all"] for row in stats["items"][0]["choices"]}
    assert counts["Gap 1: Transformer"] == 1 and counts["Gap 2: attention"] == 1
    assert counts["Gap 1: CNN"] == 0 and counts["Gap 2: convolution"] == 0


def test_a_cloze_regrade_skips_an_answer_whose_choice_the_new_version_dropped(
        client, teacher, cloze_answered):
    api, attempt, question = cloze_answered
    before = cloze_shown(cloze_review(api, attempt.pk))
    client.force_login(teacher)
    # Transformer (picked) is renamed; the choices are reordered too.
    edit_cloze(client, question, {MC_CODE: "{1:MULTICHOICE_S:CNN~RNN#No~=Transformers#Yes}"})
    regrade_url = reverse("quizzes:regrade", args=["mini", "cloze", question.pk])
    dry = client.get(regrade_url).content.decode()
    assert "Transformer" in dry and "not in version 2" in dry
    client.post(regrade_url, {"reason": "typo"})
    response = Response.objects.get(attempt=attempt)
    attempt.refresh_from_db()
    assert response.version.number == 1 and response.answer == {"answers": CLOZE_PICKS}
    assert float(attempt.score) == pytest.approx(2.5 / 3, abs=1e-4)
    assert cloze_shown(cloze_review(api, attempt.pk)) == before


def test_the_dry_runs_not_regraded_list_names_the_student_in_korean(client, answered, teacher,
                                                                   mini_course):
    """The Korean dry run listed a skipped answer as "attempt 41: …": an English word and the
    database id, which a teacher cannot match to anyone. It names the student and their
    attempt's number, in the page's language."""
    from quizzes import services

    _api, attempt = answered
    question = Question.objects.get(course=mini_course, key="m-q1")
    latest = question.latest_version()
    choices = [dict(c) for c in latest.data["choices"]]
    choices[0]["text"] = "노이즈"  # 생성자, the student's pick, is gone
    services.question_version_create(question=question, stem=latest.stem, user=teacher,
                                     data={**latest.data, "choices": choices})
    client.force_login(teacher)
    dry = client.get(reverse("quizzes:regrade", args=["mini", attempt.quiz.slug, question.pk]),
                     HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    start = dry.index('class="error"')
    skipped = dry[start:dry.index("</ul>", start)]
    assert f"{attempt.user.username}, 시도 {attempt.number}: 버전 2에 이 답이 없습니다" in skipped
    assert "attempt" not in skipped
