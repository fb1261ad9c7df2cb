import json

import numpy as np
import pytest
import torch

from inference.ml import CHECKPOINT_DIR, dcgan
from inference.ml import fake_detector as fd

SHIPPED = CHECKPOINT_DIR / "fake_detector.pt"


def test_tiny_training_end_to_end_and_round_trip(tmp_path):
    out = tmp_path / "det.pt"
    calls = []
    cfg = fd.DetectorConfig(width=4, spec_width=2)
    meta = fd.train_fake_detector(
        out,
        n_fake=24,
        n_real=24,
        epochs=1,
        seed=3,
        n_test=12,
        cfg=cfg,
        batch_size=16,
        progress=lambda f, m: calls.append((f, m)),
    )
    assert out.exists() and (tmp_path / "det.pt.meta.json").exists()
    m = meta["metrics"]
    for k in ("accuracy", "precision", "recall", "f1"):
        assert 0.0 <= m[k] <= 1.0
    assert np.array(m["confusion"]).sum() == m["n"] == 24
    assert set(meta["robustness"]) >= {"jpeg_q90", "jpeg_q70", "jpeg_q50", "resize_0.5x"}
    assert calls[0][0] == 0.0 and calls[-1][0] == 1.0
    assert all(0.0 <= f <= 1.0 for f, _ in calls)

    ckpt = torch.load(out, weights_only=True)
    assert ckpt["config"]["width"] == 4 and ckpt["meta"]["train"]["seed"] == 3
    model = fd.load_fake_detector(out, device="cpu")
    assert model.cfg == cfg  # config rebuilt from the file
    imgs = np.random.default_rng(0).integers(0, 256, (3, 80, 100, 3), dtype=np.uint8)
    p = fd.predict(model, imgs)
    assert p.shape == (3,) and p.dtype == np.float32
    assert json.loads((tmp_path / "det.pt.meta.json").read_text())["meta"]["n_params"] > 0


def test_split_photos_puts_each_photo_on_one_side():
    for n in (2, 5, 20, 101):
        train, held = fd.split_photos(n, 0.2, np.random.default_rng(n))
        assert set(train).isdisjoint(held) and sorted([*train, *held]) == list(range(n))
        assert len(held) >= 1 and len(train) >= 1
    with pytest.raises(ValueError):
        fd.split_photos(1, 0.2, np.random.default_rng(0))


def test_tiny_training_with_instructor_photos(tmp_path):
    rng = np.random.default_rng(5)
    photos = [rng.integers(0, 256, (int(rng.integers(30, 120)), int(rng.integers(30, 120)), 3),
                           dtype=np.uint8) for _ in range(10)]
    photos.append(rng.integers(0, 256, (40, 50), dtype=np.uint8))  # grayscale works too
    base = tmp_path / "base.pt"
    kw = dict(n_fake=24, n_real=24, epochs=1, seed=3, n_test=12, batch_size=16,
              cfg=fd.DetectorConfig(width=4, spec_width=2))
    fd.train_fake_detector(base, **kw)
    meta = fd.train_fake_detector(tmp_path / "new.pt", **{**kw, "cfg": None}, extra_real=photos,
                                  baseline=base, init_from=base)
    data = meta["data"]["instructor_photos"]
    assert data["total"] == 11 == data["train"] + data["heldout"] and data["heldout"] == 2
    assert meta["train"]["instructor_photos"] == 11 and meta["train"]["init_from_checkpoint"]
    assert meta["instructor_heldout"]["n"] == 2
    assert 0 <= meta["instructor_heldout"]["accuracy"] <= 1
    assert meta["baseline"]["metrics"]["n"] == meta["metrics"]["n"]  # the same held-out images
    assert meta["baseline"]["instructor_heldout"]["n"] == 2
    crops = fd.photo_crops(photos, 5, None)
    assert crops.shape == (5, 64, 64, 3) and crops.dtype == np.uint8


def test_preprocess_shapes():
    x = fd.preprocess(np.zeros((30, 50, 3), np.uint8))
    assert x.shape == (1, 3, 64, 64)
    x = fd.preprocess(np.zeros((2, 25, 25), np.uint8))
    assert x.shape == (2, 3, 64, 64)


@pytest.fixture(scope="module")
def shipped():
    if not SHIPPED.exists():
        pytest.skip("shipped detector checkpoint missing")
    return fd.load_fake_detector(SHIPPED, device="cpu")


def test_shipped_detector_separates_fakes_from_held_out_reals(shipped, face_gen):
    fakes = dcgan.generate_from_seeds(
        face_gen, list(range(fd.HELDOUT_SEED_OFFSET + 5000, fd.HELDOUT_SEED_OFFSET + 5032))
    )
    faces = np.repeat(fd.lfw_faces(fd.LFW_HELDOUT)[..., None], 3, axis=3)  # (20, 25, 25, 3)
    photos = fd.real_photo_crops(fd.HELDOUT_PHOTOS, 16, np.random.default_rng(7))  # (16, 64, 64, 3)
    p_fake = fd.predict(shipped, fakes)
    p_real = np.concatenate([fd.predict(shipped, faces), fd.predict(shipped, photos)])
    for p in (p_fake, p_real):
        assert ((p >= 0) & (p <= 1)).all()
    assert p_fake.mean() > p_real.mean() + 0.3
    assert (p_fake > 0.5).mean() >= 0.8 and (p_real < 0.5).mean() >= 0.8
    meta = shipped.meta
    assert meta["metrics"]["accuracy"] > 0.85
    assert set(fd.HELDOUT_PHOTOS).isdisjoint(meta["data"]["real_train"]["photos"])


def test_evidence_pngs(shipped, face_gen):
    img = dcgan.generate_from_seeds(face_gen, [11])[0]
    ev = fd.evidence(shipped, img)
    assert 0.0 <= ev["prob"] <= 1.0 and ev["label"] in ("fake", "real")
    for key in ("spectrum_png", "saliency_png", "input_png"):
        assert ev[key][:8] == b"\x89PNG\r\n\x1a\n"
    assert fd.mean_spectrum_png(dcgan.generate_from_seeds(face_gen, [1, 2, 3]))[:4] == b"\x89PNG"
    # evidence must also work when the caller is inside inference_mode
    with torch.inference_mode():
        assert 0.0 <= fd.evidence(shipped, img)["prob"] <= 1.0
