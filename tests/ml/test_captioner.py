import numpy as np
import pytest
import torch

from inference.ml import CHECKPOINT_DIR, scenes
from inference.ml import captioner as cap
from inference.ml.metrics import corpus_bleu

SHIPPED = CHECKPOINT_DIR / "captioner.pt"


def test_tokenizer_covers_grammar_and_round_trips():
    tok = cap.WordTokenizer.from_grammar()
    for seed in range(100):
        _, en, ko = scenes.make_scene(seed=seed)
        for text in (en, ko):
            ids = tok.encode(text)
            assert tok.unk_id not in ids
            assert tok.decode(ids) == text
    assert cap.WordTokenizer.from_dict(tok.to_dict()).itos == tok.itos


def test_tiny_captioner_trains_and_decodes(tmp_path):
    cfg = cap.CaptionerConfig(enc_channels=[8, 8, 16], d_model=32, n_layer=1, n_head=2)
    out = tmp_path / "cap.pt"
    meta = cap.train_captioner(
        out, n_train=32, epochs=1, seed=0, lang="both", n_eval=4, cfg=cfg, batch_size=16
    )
    assert set(meta["metrics"]) == {"en", "ko"}
    model = cap.load_captioner(out, device="cpu")
    assert model.cfg.d_model == 32 and len(model.tokenizer) == model.cfg.vocab_size
    img = scenes.make_scene(seed=1)[0]
    res = cap.caption(model, np.stack([img, img]), lang="en")
    assert len(res) == 2 and isinstance(res[0]["text"], str)
    assert len(res[0]["attention"]) == len(res[0]["tokens"])
    for a in res[0]["attention"]:
        assert a.shape == (8, 8) and a.sum() == pytest.approx(1.0, abs=1e-4)


@pytest.fixture(scope="module")
def shipped():
    if not SHIPPED.exists():
        pytest.skip("shipped captioner checkpoint missing")
    return cap.load_captioner(SHIPPED, device="cpu")


def test_shipped_captioner_on_held_out_scenes(shipped):
    seeds = range(cap.HELDOUT_SEED_OFFSET + 777, cap.HELDOUT_SEED_OFFSET + 777 + 40)
    imgs, ens, kos = cap.make_dataset(seeds, 64)
    for lang, refs in (("en", ens), ("ko", kos)):
        if lang not in shipped.meta.get("langs", ["en", "ko"]):
            continue
        hyps = [r["text"] for r in cap.caption(shipped, imgs, lang=lang)]
        split = cap.WordTokenizer.split
        bleu = corpus_bleu([[split(r)] for r in refs], [split(h) for h in hyps])
        assert bleu > 0.6, (lang, bleu, list(zip(refs, hyps, strict=True))[:3])


def test_shipped_captioner_on_a_composed_scene(shipped):
    spec = [
        {"shape": "circle", "color": "red", "size": "large", "position": "left"},
        {"shape": "square", "color": "blue", "size": "small", "position": "right"},
    ]
    img, en, ko = scenes.make_scene(spec=spec, seed=3, size=96)  # 96 px: resized by caption()
    out = cap.caption(shipped, img, lang="en")[0]
    assert "red" in out["tokens"] and "blue" in out["tokens"]
    # the word "red" should attend to the left half of the 8x8 grid
    att = out["attention"][out["tokens"].index("red")]
    assert att[:, :4].sum() > att[:, 4:].sum()
    png = cap.attention_overlay_png(img, att)
    assert png[:4] == b"\x89PNG"
    if "ko" in shipped.meta.get("langs", ["en", "ko"]):
        assert "빨간" in cap.caption(shipped, img, lang="ko")[0]["tokens"]


def test_checkpoint_loads_weights_only():
    if not SHIPPED.exists():
        pytest.skip("shipped captioner checkpoint missing")
    ckpt = torch.load(SHIPPED, weights_only=True)
    assert {"config", "state_dict", "tokenizer", "meta"} <= set(ckpt)


def test_a_captioner_without_a_tokenizer_says_how_to_get_one():
    model = cap.Captioner(cap.CaptionerConfig(d_model=8, n_layer=1, n_head=2, enc_channels=[4, 4, 4]))
    image = np.zeros((64, 64, 3), np.uint8)
    with pytest.raises(ValueError, match="load_captioner"):
        cap.caption(model, image)
