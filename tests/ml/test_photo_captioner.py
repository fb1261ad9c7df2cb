"""The photo captioner: the pretrained encoder, the composed data and its held-out split, the
shipped decoder's captions and attention maps, and the size and figures of its checkpoint."""

import json
import re

import numpy as np
import pytest
import torch
from skimage import data as skdata

from inference.ml import CHECKPOINT_DIR
from inference.ml.photo_captioner import CHECKPOINT_NAME, data
from inference.ml.photo_captioner.model import PhotoCaptioner, PhotoCaptionerConfig, Vocab, decode

HANGUL = re.compile(r"[\uac00-\ud7a3]")
CHECKPOINT = CHECKPOINT_DIR / CHECKPOINT_NAME


@pytest.fixture(scope="module")
def photo_model():
    from inference.ml.photo_captioner.evidence import load_photo_captioner

    return load_photo_captioner(device="cpu")


def test_the_encoder_is_the_pretrained_imagenet_mobilenet(photo_model):
    from inference.ml.photo_captioner.encoder import encode, imagenet_top

    grid, logits = encode(photo_model.encoder, [skdata.chelsea(), skdata.camera()])
    assert grid.shape == (2, 49, 1280)
    top = imagenet_top(logits)
    assert "cat" in top[0][0]["label"]  # Egyptian cat, 0.7
    assert top[0][0]["p"] > 0.5


def test_a_cat_photo_is_captioned_as_a_cat_in_both_languages_with_a_map_per_word(photo_model):
    from inference.ml.photo_captioner.evidence import attention_png, caption_photos

    en = caption_photos(photo_model, [skdata.chelsea()], "en")[0]
    ko = caption_photos(photo_model, [skdata.chelsea()], "ko")[0]
    assert "cat" in en["text"] and not HANGUL.search(en["text"]), en["text"]
    assert "고양이" in ko["text"] and not re.search("[A-Za-z]", ko["text"]), ko["text"]
    for out in (en, ko):
        assert len(out["attention"]) == len(out["tokens"]) >= 2
        for attn in out["attention"]:
            assert attn.shape == (7, 7) and abs(float(attn.sum()) - 1) < 1e-3
    png = attention_png(skdata.chelsea(), en["attention"][0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_grey_photo_of_any_size_is_captioned(photo_model):
    from inference.ml.photo_captioner.evidence import caption_photos

    outs = caption_photos(photo_model, [skdata.camera(), skdata.coffee()[:37, :53]], "en")
    assert all(o["text"] for o in outs)


def test_the_shipped_checkpoint_is_small_and_carries_its_held_out_figures():
    assert CHECKPOINT.stat().st_size < 2_000_000
    meta = json.loads(CHECKPOINT.with_name(CHECKPOINT.name + ".meta.json").read_text())["meta"]
    metrics = meta["metrics"]
    assert metrics["n"] >= 20
    for lang in ("en", "ko"):
        assert metrics[lang]["main_object"] >= 0.8, metrics
        assert 0 < metrics[lang]["bleu4"] <= 1 and 0 < metrics[lang]["rouge_l"] <= 1
    assert len(meta["heldout"]) == metrics["n"]


def test_held_out_pictures_never_appear_in_training(face_gen):
    assert set(data.LFW_TRAIN).isdisjoint(data.LFW_TEST)
    assert data.GEN_TEST_SEED > max(data.GEN_TRAIN_SEEDS)
    sources = data.Sources(face_generator=face_gen)
    train = data.training_set(80, seed=3, sources=sources)
    pairs = {frozenset(ex.objects) for ex in train if ex.group == "pair"}
    assert pairs and not pairs & data.HELDOUT_PAIRS
    for ex in train:
        assert ex.image.shape == (data.CANVAS, data.CANVAS, 3) and ex.image.dtype == np.uint8
        assert not HANGUL.search(ex.en) and HANGUL.search(ex.ko)


def test_captions_are_templated_in_both_languages():
    assert data.caption_for("closeup", ["astronaut"], None) == ("a photo of an astronaut",
                                                                 "우주비행사 사진")
    assert data.caption_for("pair", ["cat", "cup"], "grass") == (
        "a cat on the left and a coffee cup on the right", "왼쪽에 고양이, 오른쪽에 커피잔")
    assert data.caption_for("empty", [], "brick") == ("a brick wall with nothing on it",
                                                      "아무것도 없는 벽돌 벽")


def test_decoding_an_untrained_decoder_stays_in_the_requested_language():
    vocab = Vocab.build(["a cat on grass", "잔디 위의 고양이"])
    model = PhotoCaptioner(PhotoCaptionerConfig(vocab_size=len(vocab)), vocab)
    torch.manual_seed(0)
    feats = torch.randn(3, 49, 1280)
    for out in decode(model, feats, "en"):
        assert not HANGUL.search(out["text"])
        assert len(out["tokens"]) <= model.cfg.max_len
    for out in decode(model, feats, "ko"):
        assert not re.search("[A-Za-z]", out["text"])

