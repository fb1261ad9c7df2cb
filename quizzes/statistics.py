"""Item statistics for a quiz, computed from plain numbers (no Django).

Definitions follow Moodle's quiz statistics report:
- facility index: mean item score as a percentage of the item's maximum;
- discrimination index: Pearson correlation (×100) between the item's score and the score on
  the rest of the test (the total minus this item), so an item does not correlate with itself;
- top/bottom groups: the upper and lower thirds of attempts by total score (an attempt tied
  with the other group's score in neither), with how often each choice was picked in each
  group.
An item is flagged when its discrimination is negative, or when a wrong choice (of an item with
known right choices; not "no answer") is picked more often by the top group than by the bottom
group and more often than the key by the top group; but not before it has
`MIN_ATTEMPTS_TO_FLAG` graded attempts.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

#: The fewest graded attempts at an item before it may be flagged ("⚠ Check the key"). With two
#: attempts the correlation with the rest of the test can only be +100 or -100 (two students
#: could flag a right key), and with three to five one student's answers can turn its sign while
#: each third of the class (the top and bottom groups) is a single attempt. From six on each third
#: holds two attempts. Moodle's quiz statistics say little below a handful of attempts either.
#: The page still shows the facility and the discrimination, and says why the item is not judged.
MIN_ATTEMPTS_TO_FLAG = 6


@dataclass(frozen=True)
class ItemResponse:
    attempt_id: int
    fraction: float  # 0..1 for this item (unanswered counts as 0)
    choice_keys: tuple[str, ...]  # what the student picked, e.g. ("2",), for choice tables


@dataclass
class ItemStats:
    slot_id: int
    count: int
    facility: float | None
    discrimination: float | None
    sd: float | None
    choice_counts_top: dict[str, int] = field(default_factory=dict)
    choice_counts_bottom: dict[str, int] = field(default_factory=dict)
    choice_counts_all: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    too_few_to_judge: bool = False  # fewer than MIN_ATTEMPTS_TO_FLAG: never flagged


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation, or None when either side has no variance."""
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def groups(totals: dict[int, float]) -> tuple[set[int], set[int]]:
    """The top and bottom thirds of attempts by total score. An attempt whose total equals a
    total of the other group belongs to neither: which of two equal scores is "top" would be
    decided by attempt id, and a class where everyone scored the same has no top or bottom."""
    ordered = sorted(totals, key=lambda a: (totals[a], a))
    size = len(ordered) // 3
    if size == 0:
        return set(), set()
    top, bottom = ordered[-size:], ordered[:size]
    lowest_top, highest_bottom = totals[top[0]], totals[bottom[-1]]
    return ({a for a in top if totals[a] > highest_bottom},
            {a for a in bottom if totals[a] < lowest_top})


def item_statistics(*, slot_id: int, max_mark: float, responses: list[ItemResponse],
                    totals: dict[int, float], right_keys: set[str]) -> ItemStats:
    """Statistics of one item. `totals` maps attempt id → total marks of that attempt."""
    n = len(responses)
    stats = ItemStats(slot_id=slot_id, count=n, facility=None, discrimination=None, sd=None,
                      too_few_to_judge=n < MIN_ATTEMPTS_TO_FLAG)
    if n == 0:
        return stats
    scores = [r.fraction for r in responses]
    stats.facility = 100 * mean(scores)
    stats.sd = 100 * math.sqrt(sum((s - mean(scores)) ** 2 for s in scores) / (n - 1)) if n > 1 \
        else None
    rest = [totals[r.attempt_id] - r.fraction * max_mark for r in responses]
    # Where every attempt has the same total nothing can discriminate: the rest of the test is
    # that total minus the item, and its correlation with the item would always be -100.
    same_total = len({totals[r.attempt_id] for r in responses}) == 1
    corr = None if same_total else pearson(scores, rest)
    stats.discrimination = None if corr is None else 100 * corr
    top, bottom = groups(totals)
    for response in responses:
        for key in response.choice_keys:
            stats.choice_counts_all[key] = stats.choice_counts_all.get(key, 0) + 1
            if response.attempt_id in top:
                stats.choice_counts_top[key] = stats.choice_counts_top.get(key, 0) + 1
            if response.attempt_id in bottom:
                stats.choice_counts_bottom[key] = stats.choice_counts_bottom.get(key, 0) + 1
    if stats.too_few_to_judge:
        return stats
    if stats.discrimination is not None and stats.discrimination < 0:
        stats.flags.append("negative_discrimination")
    key_top = max((stats.choice_counts_top.get(k, 0) for k in right_keys), default=0)
    for key, top_count in stats.choice_counts_top.items():
        # Only an item whose right keys are known has wrong choices: a typed answer or an
        # essay has none, so the right text strong students type would read as a distractor.
        # No answer ("-") is not a choice either.
        if not right_keys or key in right_keys or key == "-":
            continue
        if top_count > stats.choice_counts_bottom.get(key, 0) and top_count > key_top:
            stats.flags.append(f"distractor_preferred_by_top:{key}")
    return stats


def histogram(values: list[float], *, bins: int = 10, top: float = 100.0) -> list[int]:
    """Counts of `values` (0..top) in `bins` equal bins; the top value falls in the last bin."""
    counts = Counter(min(int(v / top * bins), bins - 1) for v in values)
    return [counts.get(i, 0) for i in range(bins)]
