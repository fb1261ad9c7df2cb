"""The shape captioner's decoding: the requested language only, no runaway repeats."""

import numpy as np
import pytest
import torch
from skimage import data

from inference.ml.scenes import make_scene
from inference.ml.shape_decoding import banned_next, caption, language_mask, word_language

HANGUL = "\uac00-\ud7a3"


@pytest.fixture(scope="module")
def shape_model():
    from inference.ml.captioner import load_captioner

    return load_captioner(device="cpu")


def _runs(tokens):
    """Longest run of one token in a row."""
    best = run = 1 if tokens else 0
    for a, b in zip(tokens, tokens[1:], strict=False):
        run = run + 1 if a == b else 1
        best = max(best, run)
    return best


def test_a_cat_photo_in_english_has_no_korean_words_and_no_repeats(shape_model):
    out = caption(shape_model, data.chelsea()[None], lang="en")[0]
    assert out["tokens"], "a caption"
    assert not any(word_language(w) == "ko" for w in out["tokens"]), out["text"]
    assert _runs(out["tokens"]) < 2, out["text"]
    assert len(out["tokens"]) <= 24
    assert len(out["attention"]) == len(out["tokens"])


def test_a_cat_photo_in_korean_has_no_english_words_and_no_repeats(shape_model):
    out = caption(shape_model, data.chelsea()[None], lang="ko")[0]
    assert not any(word_language(w) == "en" for w in out["tokens"]), out["text"]
    assert _runs(out["tokens"]) < 2 and len(out["tokens"]) <= 24, out["text"]


def test_no_word_is_used_more_than_four_times_on_any_photo(shape_model):
    photos = np.stack([np.asarray(p) for p in (data.coffee()[:300, :300],
                                                data.astronaut()[:300, :300],
                                                data.chelsea()[:300, :300])])
    for lang in ("en", "ko"):
        for out in caption(shape_model, photos, lang=lang):
            counts = {w: out["tokens"].count(w) for w in out["tokens"]}
            assert max(counts.values()) <= 4, out["text"]


def test_held_out_scenes_get_as_many_exact_captions_as_plain_greedy_decoding(shape_model):
    from inference.ml.captioner import caption as plain_caption

    seeds = range(5_000_001, 5_000_041)
    scenes = [make_scene(seed=s) for s in seeds]
    images = np.stack([s[0] for s in scenes])
    for lang, truth in (("en", 1), ("ko", 2)):
        guarded = [o["text"] for o in caption(shape_model, images, lang=lang)]
        plain = [o["text"] for o in plain_caption(shape_model, images, lang=lang)]
        exact = sum(t == s[truth] for t, s in zip(guarded, scenes, strict=True))
        before = sum(t == s[truth] for t, s in zip(plain, scenes, strict=True))
        assert exact >= before >= 25, (lang, exact, before)


def test_language_mask_keeps_eos_and_punctuation_and_drops_the_other_script():
    itos = ["<pad>", "<unk>", "<eos>", "<en>", "<ko>", ",", "red", "빨간", "3"]
    en = language_mask(itos, "en").tolist()
    ko = language_mask(itos, "ko").tolist()
    assert en == [False, False, True, False, False, True, True, False, True]
    assert ko == [False, False, True, False, False, True, False, True, True]
    with pytest.raises(ValueError):
        language_mask(itos, "fr")


def test_banned_next_stops_an_immediate_repeat_a_fifth_use_and_a_repeated_five_gram():
    assert banned_next([3], 10)[3]
    assert not banned_next([3, 4], 10)[3]
    assert banned_next([1, 2, 1, 2, 1, 2, 1, 5], 10)[1]  # "1" used four times already
    history = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4]
    assert banned_next(history, 10)[5]  # would repeat 1 2 3 4 5
    assert not banned_next(history, 10)[6]
    assert banned_next([], 10).sum() == 0
    assert isinstance(banned_next([1], 4), torch.Tensor)
