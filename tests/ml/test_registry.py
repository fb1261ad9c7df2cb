import subprocess
import sys

from inference.ml import registry


def test_cards_have_the_fields():
    cards = registry.all_model_cards()
    assert [c["key"] for c in cards] == ["face_generator", "fake_detector", "captioner",
                                         "photo_captioner", "toy_gan"]
    for c in cards:
        for k in ("name", "architecture", "trained_on", "licence", "n_params", "metrics"):
            assert k in c
    gen = registry.model_card("face_generator")
    assert gen["n_params"] == 3_576_704 and "MIT" in gen["licence"]


def test_metrics_come_from_checkpoint_meta():
    # Both checkpoints ship in inference/checkpoints/, so their cards must read them.
    det = registry.model_card("fake_detector")
    assert det["available"]
    assert 0.5 < det["metrics"]["metrics"]["accuracy"] <= 1.0
    assert det["n_params"] > 0
    capt = registry.model_card("captioner")
    assert capt["available"]
    assert capt["metrics"]["metrics"]["en"]["bleu4"] > 0
    photo = registry.model_card("photo_captioner")
    assert photo["available"] and photo["n_params"] > 0
    assert photo["metrics"]["metrics"]["en"]["main_object"] >= 0.8


def test_registry_does_not_import_torch():
    code = (
        "import sys; from inference.ml import registry; registry.all_model_cards(); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=str(registry.CHECKPOINT_DIR.parent.parent),
    )
    assert out.stdout.strip() == "False", out.stderr
