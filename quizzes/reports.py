"""Item statistics and the score histogram of a quiz, from its submitted attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from . import qtype_registry
from .models import Attempt, Quiz, Response, Slot
from .statistics import MIN_ATTEMPTS_TO_FLAG, ItemResponse, ItemStats, histogram, item_statistics


def choice_keys(qtype: str, answer: Any, data: dict | None = None) -> tuple[str, ...]:
    """What a student picked, as short keys for the choice-frequency tables."""
    return qtype_registry.get(qtype).choice_keys(answer, data)


def choice_labels(qtype: str, data: dict) -> tuple[dict[str, str], set[str]]:
    """Readable labels for choice keys, and the keys that are right answers."""
    labels, right = qtype_registry.get(qtype).choice_labels(data)
    return {"-": _("(no answer)"), **labels}, right


@dataclass
class ItemReport:
    slot: Slot
    qtype: str
    qtype_label: str
    name: str
    stats: ItemStats
    labels: dict[str, str]
    right_keys: set[str]
    rows: list[dict]  # per choice: label, right, all, top, bottom, and the `columns`
    columns: list[tuple[str, str]]  # the type's extra columns: (header, row key)
    by_hand: bool = False  # a person grades it (an essay): no answer table


@dataclass
class QuizReport:
    quiz: Quiz
    attempt_count: int  # the submitted attempts the statistics are taken over
    mean_percent: float | None
    histogram: list[int]
    items: list[ItemReport]
    awaiting_grading: int = 0  # submitted attempts left out until a person grades them
    min_attempts_to_flag: int = MIN_ATTEMPTS_TO_FLAG  # an item with fewer is never flagged


def quiz_report(*, quiz: Quiz) -> QuizReport:
    """Statistics over every graded submitted attempt (first attempts and later ones alike)."""
    submitted = list(Attempt.objects.filter(quiz=quiz, state=Attempt.State.SUBMITTED)
                     .only("id", "score", "max_score"))
    # An attempt whose essay awaits a grader has no score yet: counted as 0 it would lower the
    # mean, fill the lowest band and bend every item's facility and discrimination. It joins
    # the statistics once it is graded.
    attempts = [a for a in submitted if a.score is not None]
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
        web = qtype_registry.get(version.qtype)
        if not web.scored:  # a text between questions (description): no answer, no statistics
            continue
        data = web.stats_data(version.data, [r.instance for r in slot_responses])
        labels, right = choice_labels(version.qtype, data)
        # A question a person grades (an essay) has no answers to count: its table listed
        # each essay's first 60 characters, lower-cased, once per student, which says nothing
        # about the item and showed what students wrote. Counting nothing, it has no rows: it
        # keeps its facility and discrimination, without the table.
        by_hand = not web.core.gradable
        stats = item_statistics(
            slot_id=slot.pk, max_mark=float(slot.mark), totals=totals, right_keys=right,
            responses=[ItemResponse(r.attempt_id, r.fraction or 0.0,
                                    () if by_hand else
                                    choice_keys(r.version.qtype, r.answer, r.question_data))
                       for r in slot_responses])
        keys = sorted(set(labels) | set(stats.choice_counts_all),
                      key=lambda k: (k == "-", len(k), k))
        # A key without a label is what a student typed (a short answer, a number): the page
        # shows it as plain text, never as the markup of an authored choice (a link, an image).
        rows = [{"key": k, "label": labels.get(k, k), "typed": k not in labels, "right": k in right,
                 "all": stats.choice_counts_all.get(k, 0),
                 "top": stats.choice_counts_top.get(k, 0),
                 "bottom": stats.choice_counts_bottom.get(k, 0),
                 "flagged": f"distractor_preferred_by_top:{k}" in stats.flags}
                for k in keys if k != "-" or stats.choice_counts_all.get(k)]
        web.stats_rows(rows, data, quiz)
        for row in rows:  # the extra columns' cells, in the columns' order, for the template
            row["extra"] = [row.get(key, "") for _head, key in web.stats_columns]
        items.append(ItemReport(slot=slot, qtype=version.qtype, qtype_label=web.label,
                                columns=[(str(head), key) for head, key in web.stats_columns],
                                name=slot.question.name if slot.question else version.qtype,
                                stats=stats, labels=labels, right_keys=right, rows=rows,
                                by_hand=by_hand))
    return QuizReport(quiz=quiz, attempt_count=len(attempts),
                      mean_percent=sum(percents) / len(percents) if percents else None,
                      histogram=histogram(percents), items=items,
                      awaiting_grading=len(submitted) - len(attempts))
