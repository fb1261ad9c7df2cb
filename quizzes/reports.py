"""Item statistics and the score histogram of a quiz, from its submitted attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from . import qtypes
from .forms import qtype_label
from .models import Attempt, Quiz, Response, Slot
from .qtypes._choices import indices_by_text
from .statistics import ItemResponse, ItemStats, histogram, item_statistics


def choice_keys(qtype: str, answer: Any, data: dict | None = None) -> tuple[str, ...]:
    """What a student picked, as short keys for the choice-frequency tables."""
    if not answer:
        return ("-",)
    if qtype == "spot_the_fake":  # the images marked as generated, by image id
        images = (data or {}).get("images", [])
        return tuple(images[i]["id"] for i in answer.get("marked", []) if i < len(images)) \
            or ("-",)
    # Answers name choices by their text, so attempts regraded onto a reordered version and
    # attempts left on the old one count under the same key.
    if qtype == "single_choice":
        return (str(answer.get("choice")),)
    if qtype == "multiple_response":
        return tuple(str(text) for text in answer.get("choices", [])) or ("-",)
    if qtype == "true_false":
        return ("true" if answer.get("value") else "false",)
    if qtype == "select_missing_words":
        return tuple(f"{gap}:{option}" for gap, option in sorted(answer.get("gaps", {}).items()))
    if qtype == "matching":
        return tuple(f"{pair}:{text}" for pair, text in sorted(answer.get("matches", {}).items()))
    if qtype == "cloze":  # per subquestion: "n:choice text" or "n:typed text" (normalised)
        subs = (data or {}).get("subquestions", [])
        keys = []
        for number, value in sorted(answer.get("answers", {}).items(), key=lambda i: int(i[0])):
            by_text = 0 < int(number) <= len(subs) and "choices" in subs[int(number) - 1]
            for item in value if isinstance(value, list) else [value]:
                text = str(item) if by_text else \
                    qtypes.base.normalise_text(str(item)).casefold()[:40]
                keys.append(f"{number}:{text}")
        return tuple(keys) or ("-",)
    if "text" in answer:
        return (qtypes.base.normalise_text(str(answer["text"])).casefold()[:60],)
    return ("?",)


def choice_labels(qtype: str, data: dict) -> tuple[dict[str, str], set[str]]:
    """Readable labels for choice keys, and the keys that are right answers."""
    labels: dict[str, str] = {"-": _("(no answer)")}
    right: set[str] = set()
    if qtype in ("single_choice", "multiple_response"):
        for choice in data["choices"]:
            labels[choice["text"]] = choice["text"]
            if choice["fraction"] > 0.999 or (qtype == "multiple_response"
                                              and choice["fraction"] > 0):
                right.add(choice["text"])
    elif qtype == "true_false":
        labels.update({"true": _("True"), "false": _("False")})
        right.add("true" if data["correct"] else "false")
    elif qtype == "select_missing_words":
        from .qtypes.select_missing_words import gaps, offered

        for number, right_index in enumerate(gaps(data), start=1):
            for i in offered(data, right_index):
                key = f"{number}:{data['options'][i]['text']}"
                labels[key] = _("Gap %(number)s: %(word)s") % {
                    "number": number, "word": data["options"][i]["text"]}
                if i == right_index:
                    right.add(key)
    elif qtype == "matching":
        from .qtypes.matching import answer_pairs, prompted

        answers = [data["pairs"][i]["answer"] for i in answer_pairs(data)]
        for i in prompted(data):
            prompt = data["pairs"][i]["prompt"]
            for answer in answers:
                labels[f"{prompt}:{answer}"] = f"{prompt} → {answer}"
            right.add(f"{prompt}:{data['pairs'][i]['answer']}")
    elif qtype == "cloze":
        for number, sub in enumerate(data["subquestions"], start=1):
            # A text names the better of two same-text choices, as in grading.
            for text, i in (indices_by_text(sub) if "choices" in sub else {}).items():
                fraction = sub["choices"][i]["fraction"]
                labels[f"{number}:{text}"] = _("Gap %(number)s: %(word)s") % {
                    "number": number, "word": text}
                if fraction > 0.999 or (sub["kind"] == "multiresponse" and fraction > 0):
                    right.add(f"{number}:{text}")
            for answer in sub.get("answers", []) if sub["kind"] == "short_answer" else []:
                key = f"{number}:{qtypes.base.normalise_text(answer['text']).casefold()[:40]}"
                labels[key] = _("Gap %(number)s: %(word)s") % {
                    "number": number, "word": answer["text"]}
                if answer["fraction"] > 0.999:
                    right.add(key)
    elif qtype == "spot_the_fake":
        for image in data.get("images", []):
            kind = _("generated") if image["fake"] else _("real photo")
            prob = "" if image.get("prob") is None else ", " + _("detector %(p)s") % {
                "p": f"{image['prob']:.2f}"}
            labels[image["id"]] = f"{kind} {image['id'][:8]}{prob}"
            if image["fake"]:
                right.add(image["id"])
    return labels, right


@dataclass
class ItemReport:
    slot: Slot
    qtype: str
    qtype_label: str
    name: str
    stats: ItemStats
    labels: dict[str, str]
    right_keys: set[str]
    rows: list[dict]  # per choice: label, right, all, top, bottom


@dataclass
class QuizReport:
    quiz: Quiz
    attempt_count: int
    mean_percent: float | None
    histogram: list[int]
    items: list[ItemReport]


def _image_usage(rows: list[dict], shown: list[dict], course_id: int) -> None:
    """Add to each spot-the-fake image's row how many of these attempts showed it (`shown`) and
    how many students of the course saw its key in a review (`revealed`: graded quizzes no
    longer draw it)."""
    from collections import Counter

    from inference.models import PoolImageReveal

    uses = Counter(image["id"] for image in shown)
    revealed = Counter(str(pk) for pk in PoolImageReveal.objects.filter(
        course_id=course_id, image_id__in=list(uses)).values_list("image_id", flat=True))
    for row in rows:
        row["shown"], row["revealed"] = uses.get(row["key"], 0), revealed.get(row["key"], 0)
    rows.sort(key=lambda row: (-row.get("shown", 0), row["key"] == "-", row["key"]))


def quiz_report(*, quiz: Quiz) -> QuizReport:
    """Statistics over every submitted attempt (first attempts and later ones alike)."""
    attempts = list(Attempt.objects.filter(quiz=quiz, state=Attempt.State.SUBMITTED)
                    .only("id", "score", "max_score"))
    totals = {a.pk: float(a.score or 0) for a in attempts}
    percents = [a.percent or 0.0 for a in attempts]
    responses = list(Response.objects.filter(attempt__in=attempts)
                     .select_related("version__question")
                     .only("attempt_id", "slot_id", "answer", "fraction", "max_mark", "instance",
                           "version__qtype", "version__data", "version__question__name"))
    by_slot: dict[int, list[Response]] = {}
    for response in responses:
        by_slot.setdefault(response.slot_id, []).append(response)
    items = []
    for slot in quiz.slots.select_related("question").order_by("position"):
        slot_responses = by_slot.get(slot.pk, [])
        version = slot_responses[-1].version if slot_responses else (
            slot.question.latest_version() if slot.question else None)
        if version is None:
            continue
        data = version.data
        if version.qtype == "spot_the_fake":  # every attempt saw its own images
            data = {"images": [image for r in slot_responses
                               for image in (r.instance or {}).get("images", [])]}
        labels, right = choice_labels(version.qtype, data)
        stats = item_statistics(
            slot_id=slot.pk, max_mark=float(slot.mark), totals=totals, right_keys=right,
            responses=[ItemResponse(r.attempt_id, r.fraction or 0.0,
                                    choice_keys(r.version.qtype, r.answer, r.question_data))
                       for r in slot_responses])
        keys = sorted(set(labels) | set(stats.choice_counts_all),
                      key=lambda k: (k == "-", len(k), k))
        rows = [{"key": k, "label": labels.get(k, k), "right": k in right,
                 "all": stats.choice_counts_all.get(k, 0),
                 "top": stats.choice_counts_top.get(k, 0),
                 "bottom": stats.choice_counts_bottom.get(k, 0),
                 "flagged": f"distractor_preferred_by_top:{k}" in stats.flags}
                for k in keys if k != "-" or stats.choice_counts_all.get(k)]
        if version.qtype == "spot_the_fake":
            _image_usage(rows, data["images"], quiz.course_id)
        items.append(ItemReport(slot=slot, qtype=version.qtype,
                                qtype_label=qtype_label(version.qtype),
                                name=slot.question.name if slot.question else version.qtype,
                                stats=stats, labels=labels, right_keys=right, rows=rows))
    return QuizReport(quiz=quiz, attempt_count=len(attempts),
                      mean_percent=sum(percents) / len(percents) if percents else None,
                      histogram=histogram(percents), items=items)
