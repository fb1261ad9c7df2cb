"""Caption metrics, small and dependency-free: BLEU (Papineni et al., 2002) and ROUGE-L (Lin, 2004).

Inputs are token lists (e.g. WordTokenizer.split(text)); nothing here lower-cases or tokenizes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

Tokens = Sequence[str]


def ngrams(tokens: Tokens, n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def modified_precision(references: Sequence[Tokens], hypothesis: Tokens, n: int) -> tuple[int, int]:
    """Clipped n-gram matches and the number of hypothesis n-grams (numerator, denominator)."""
    hyp = ngrams(hypothesis, n)
    max_ref: Counter = Counter()
    for ref in references:
        for g, c in ngrams(ref, n).items():
            max_ref[g] = max(max_ref[g], c)
    return sum(min(c, max_ref[g]) for g, c in hyp.items()), sum(hyp.values())


def _closest_ref_len(references: Sequence[Tokens], hyp_len: int) -> int:
    return min((abs(len(r) - hyp_len), len(r)) for r in references)[1]


def corpus_bleu(
    list_of_references: Sequence[Sequence[Tokens]],
    hypotheses: Sequence[Tokens],
    max_n: int = 4,
    smooth: bool = False,
) -> float:
    """Corpus-level BLEU-max_n with uniform weights, in [0, 1].

    Clipped n-gram counts are summed over the corpus before dividing; brevity penalty
    BP = exp(1 - r/c) when the total hypothesis length c is below the total closest-reference
    length r. Without smoothing, any n-gram order with zero matches gives 0; smooth=True adds 1
    to numerator and denominator for orders n > 1 (Lin & Och 2004, "BLEU+1").
    """
    if len(list_of_references) != len(hypotheses):
        raise ValueError("one list of references per hypothesis")
    num, den = [0] * max_n, [0] * max_n
    c = r = 0
    for refs, hyp in zip(list_of_references, hypotheses, strict=True):
        for n in range(1, max_n + 1):
            m, t = modified_precision(refs, hyp, n)
            num[n - 1] += m
            den[n - 1] += t
        c += len(hyp)
        r += _closest_ref_len(refs, len(hyp))
    if c == 0:
        return 0.0
    log_p = 0.0
    for n in range(max_n):
        nn, dd = num[n], den[n]
        if smooth and n > 0:
            nn, dd = nn + 1, dd + 1
        if nn == 0 or dd == 0:
            return 0.0
        log_p += math.log(nn / dd) / max_n
    bp = 1.0 if c > r else math.exp(1 - r / c)
    return bp * math.exp(log_p)


def sentence_bleu(
    references: Sequence[Tokens], hypothesis: Tokens, max_n: int = 4, smooth: bool = False
) -> float:
    return corpus_bleu([references], [hypothesis], max_n=max_n, smooth=smooth)


def lcs_length(a: Tokens, b: Tokens) -> int:
    """Length of the longest common subsequence (O(len(a) * len(b)) dynamic programme)."""
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge_l(reference: Tokens, hypothesis: Tokens, beta: float = 1.0) -> float:
    """ROUGE-L F-measure: P = LCS/len(hyp), R = LCS/len(ref),
    F = (1 + beta^2) P R / (R + beta^2 P). beta=1 gives the harmonic mean (F1)."""
    if not reference or not hypothesis:
        return 0.0
    lcs = lcs_length(reference, hypothesis)
    if lcs == 0:
        return 0.0
    p, r = lcs / len(hypothesis), lcs / len(reference)
    return (1 + beta**2) * p * r / (r + beta**2 * p)
