"""BLEU and ROUGE-L against values worked out by hand."""

import math

import pytest

from inference.ml.metrics import corpus_bleu, lcs_length, modified_precision, rouge_l, sentence_bleu


def test_perfect_match_is_one():
    s = "a large red circle on the left".split()
    assert sentence_bleu([s], s) == pytest.approx(1.0)
    assert rouge_l(s, s) == pytest.approx(1.0)


def test_modified_precision_clips_counts():
    # Papineni et al.'s example: "the the the the the the the" vs a ref with two "the"
    hyp = "the the the the the the the".split()
    ref = "the cat is on the mat".split()
    assert modified_precision([ref], hyp, 1) == (2, 7)


def test_bleu_hand_computed():
    ref = "a large red circle on the left".split()  # 7 tokens
    hyp = "a large blue circle on the left".split()  # 7 tokens, one substitution
    # 1-grams: 6/7; 2-grams: (a large)(circle on)(on the)(the left) = 4/6;
    # 3-grams: (circle on the)(on the left) = 2/5; 4-grams: (circle on the left) = 1/4; BP = 1
    expected = math.exp((math.log(6 / 7) + math.log(4 / 6) + math.log(2 / 5) + math.log(1 / 4)) / 4)
    assert sentence_bleu([ref], hyp) == pytest.approx(expected)  # = (4/70)^(1/4) ~= 0.4889
    assert expected == pytest.approx((4 / 70) ** 0.25)
    assert expected == pytest.approx(0.4889, abs=1e-4)


def test_bleu_brevity_penalty():
    ref = "a small blue square on the right".split()  # 7
    hyp = "a small blue square".split()  # 4: all n-grams match, BP = exp(1 - 7/4)
    assert sentence_bleu([ref], hyp) == pytest.approx(math.exp(1 - 7 / 4))


def test_bleu_zero_without_4gram_match_and_smoothing():
    ref = "a b c d e".split()
    hyp = "a b x c d".split()  # no 4-gram in common
    assert sentence_bleu([ref], hyp) == 0.0
    # BLEU+1: p1 = 4/5, p2 = (2+1)/(4+1), p3 = (0+1)/(3+1), p4 = (0+1)/(2+1)
    expected = math.exp((math.log(4 / 5) + math.log(3 / 5) + math.log(1 / 4) + math.log(1 / 3)) / 4)
    assert sentence_bleu([ref], hyp, smooth=True) == pytest.approx(expected)


def test_corpus_bleu_sums_counts_before_dividing():
    refs = [["a b c d".split()], ["e f g h".split()]]
    hyps = ["a b c d".split(), "e f g x".split()]
    # p1 = 7/8, p2 = 5/6, p3 = 3/4, p4 = 1/2
    expected = math.exp((math.log(7 / 8) + math.log(5 / 6) + math.log(3 / 4) + math.log(1 / 2)) / 4)
    assert corpus_bleu(refs, hyps) == pytest.approx(expected)


def test_lcs_and_rouge_l_hand_computed():
    ref = "the cat sat on the mat".split()  # 6
    hyp = "the cat was on the mat today".split()  # 7
    assert lcs_length(ref, hyp) == 5  # the cat on the mat
    p, r = 5 / 7, 5 / 6
    assert rouge_l(ref, hyp) == pytest.approx(2 * p * r / (p + r))
    assert rouge_l(ref, []) == 0.0
    assert rouge_l("a b".split(), "c d".split()) == 0.0
