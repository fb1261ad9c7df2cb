"""Stored answers name what was picked by its text instead of its position.

Each answer is converted with the version it was answered against (the response's version),
so the texts are the ones the student saw. Answers already in the new form are left alone, so
running it twice changes nothing.
"""

import re

from django.db import migrations

TYPES = ("single_choice", "multiple_response", "matching", "select_missing_words")


def _index(value, count):
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 <= value < count else None


def answer_to_texts(qtype, data, answer):
    """A position-based stored answer as the text-based one (unchanged if not positional)."""
    if not isinstance(answer, dict):
        return answer
    if qtype == "single_choice" and isinstance(answer.get("choice"), int):
        i = _index(answer["choice"], len(data["choices"]))
        return answer if i is None else {"choice": data["choices"][i]["text"]}
    if qtype == "multiple_response" and isinstance(answer.get("choices"), list):
        picked = {_index(i, len(data["choices"])) for i in answer["choices"]
                  if isinstance(i, int)}
        if not picked or None in picked:
            return answer
        return {"choices": [c["text"] for i, c in enumerate(data["choices"]) if i in picked]}
    if qtype == "matching" and isinstance(answer.get("matches"), dict):
        pairs = data["pairs"]
        matches = {}
        for key, value in answer["matches"].items():
            i = _index(key, len(pairs))
            if i is None or not pairs[i]["prompt"]:
                return answer  # already by prompt text
            matches[pairs[i]["prompt"]] = value
        return {"matches": matches}
    if qtype == "select_missing_words" and isinstance(answer.get("gaps"), dict):
        options = data["options"]
        chosen = {}
        for number, value in answer["gaps"].items():
            i = _index(value, len(options)) if isinstance(value, int) else None
            if i is None:
                return answer
            chosen[number] = options[i]["text"]
        return {"gaps": chosen}
    return answer


def answer_to_positions(qtype, data, answer):
    """The inverse, for migrating backwards."""
    if not isinstance(answer, dict):
        return answer
    if qtype == "single_choice" and isinstance(answer.get("choice"), str):
        texts = [c["text"] for c in data["choices"]]
        return {"choice": texts.index(answer["choice"])} if answer["choice"] in texts \
            else answer
    if qtype == "multiple_response" and isinstance(answer.get("choices"), list):
        texts = [c["text"] for c in data["choices"]]
        if not all(isinstance(t, str) and t in texts for t in answer["choices"]):
            return answer
        return {"choices": sorted(texts.index(t) for t in answer["choices"])}
    if qtype == "matching" and isinstance(answer.get("matches"), dict):
        prompts = [p["prompt"] for p in data["pairs"]]
        if not all(key in prompts for key in answer["matches"]):
            return answer
        return {"matches": {str(prompts.index(k)): v for k, v in answer["matches"].items()}}
    if qtype == "select_missing_words" and isinstance(answer.get("gaps"), dict):
        options = data["options"]
        rights = [int(n) - 1 for n in re.findall(r"\[\[([0-9]+)\]\]", data["text"])]
        gaps = {}
        for number, text in answer["gaps"].items():
            if not (str(number).isdigit() and 1 <= int(number) <= len(rights)):
                return answer
            group = options[rights[int(number) - 1]]["group"]
            found = [i for i, o in enumerate(options) if o["group"] == group and o["text"] == text]
            if not found:
                return answer
            gaps[number] = found[0]
        return {"gaps": gaps}
    return answer


def _convert(apps, convert):
    Response = apps.get_model("quizzes", "Response")
    rows = (Response.objects.filter(version__qtype__in=TYPES, answer__isnull=False,
                                    instance__isnull=True)
            .select_related("version").only("id", "answer", "version__qtype", "version__data")
            .order_by("pk"))
    batch = []
    for response in rows.iterator(chunk_size=500):
        new = convert(response.version.qtype, response.version.data, response.answer)
        if new != response.answer:
            response.answer = new
            batch.append(response)
        if len(batch) >= 500:
            Response.objects.bulk_update(batch, ["answer"])
            batch = []
    if batch:
        Response.objects.bulk_update(batch, ["answer"])


def forwards(apps, schema_editor):
    _convert(apps, answer_to_texts)


def backwards(apps, schema_editor):
    _convert(apps, answer_to_positions)


class Migration(migrations.Migration):

    dependencies = [
        ("quizzes", "0002_response_instance"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
