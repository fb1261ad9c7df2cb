"""The shipped checkpoints load exactly: the weights are the stored tensors, the outputs on a
fixed input are the recorded ones, and a save/load round trip changes no bit of the output.

The recorded outputs were taken from the shipped files when the detector and captioner were
single modules, before they became packages (model / data / train / checkpoint); a change that
alters how a checkpoint is rebuilt (layer order, names, tied weights, dtype) fails here."""

import numpy as np
import pytest
import torch

from inference.ml import CHECKPOINT_DIR, scenes
from inference.ml import captioner as cap
from inference.ml import fake_detector as fd
from inference.ml.captioner.decode import greedy_decode
from inference.ml.dcgan import generate_from_seeds

# Logits of the shipped detector for DCGAN seeds 1, 2, 3 and three noise images.
DETECTOR_LOGITS = [11.529572486877441, 8.176495552062988, 3.1495981216430664,
                   -38.48236846923828, -35.36278533935547, -35.01640701293945]
# The shipped captioner's greedy tokens for held-out scenes 5_000_000 and 5_000_001 (English).
CAPTION_TOKENS = [[3, 6, 21, 9, 22, 8, 24, 26, 7, 6, 16, 14, 22, 15, 24, 11, 2],
                  [3, 6, 16, 14, 27, 8, 24, 26, 7, 6, 16, 30, 22, 15, 24, 11, 2]]
CAPTION_MAX_LOGITS = [12.066316, 12.975475, 13.525823, 13.356586,
                      11.807549, 13.070011, 13.392497, 13.654202]


@pytest.fixture(scope="module")
def detector_input(face_gen):
    noise = np.random.default_rng(0).integers(0, 256, (3, 64, 64, 3), dtype=np.uint8)
    return fd.preprocess(np.concatenate([generate_from_seeds(face_gen, [1, 2, 3]), noise]))


@pytest.fixture(scope="module")
def scene_images():
    return np.stack([scenes.make_scene(seed=s)[0] for s in (5_000_000, 5_000_001)])


def _logits(model, x):
    with torch.inference_mode():
        return model(x)


def test_detector_weights_are_the_stored_tensors():
    stored = torch.load(CHECKPOINT_DIR / "fake_detector.pt", weights_only=True)["state_dict"]
    loaded = fd.load_fake_detector(device="cpu").state_dict()
    assert loaded.keys() == stored.keys()
    for name, tensor in stored.items():
        assert torch.equal(loaded[name], tensor), name


def test_detector_outputs_on_a_fixed_input_are_the_recorded_ones(detector_input):
    logits = _logits(fd.load_fake_detector(device="cpu"), detector_input)
    np.testing.assert_allclose(logits.numpy(), DETECTOR_LOGITS, rtol=1e-5, atol=1e-4)


def test_detector_save_load_round_trip_is_bit_identical(tmp_path, detector_input):
    model = fd.load_fake_detector(device="cpu")
    fd.save_checkpoint(model, model.meta, tmp_path / "det.pt")
    again = fd.load_fake_detector(tmp_path / "det.pt", device="cpu")
    assert again.cfg == model.cfg and again.meta == model.meta
    assert torch.equal(_logits(again, detector_input), _logits(model, detector_input))


def test_captioner_weights_are_the_stored_tensors_and_the_head_is_tied():
    stored = torch.load(CHECKPOINT_DIR / "captioner.pt", weights_only=True)["state_dict"]
    loaded = cap.load_captioner(device="cpu").state_dict()
    assert set(loaded) == set(stored) | {"lm_head.weight"}
    for name, tensor in stored.items():
        assert torch.equal(loaded[name], tensor), name
    assert torch.equal(loaded["lm_head.weight"], stored["tok_emb.weight"])


def test_captioner_outputs_on_a_fixed_input_are_the_recorded_ones(scene_images):
    model = cap.load_captioner(device="cpu")
    seq, _ = greedy_decode(model, scene_images, "en")
    assert seq.tolist() == CAPTION_TOKENS
    x = torch.from_numpy(scene_images).permute(0, 3, 1, 2).float() / 255.0
    with torch.inference_mode():
        logits, _ = model(x, seq)
    np.testing.assert_allclose(logits[:, :4].amax(-1).flatten().numpy(), CAPTION_MAX_LOGITS,
                               rtol=1e-5, atol=1e-4)


def test_captioner_save_load_round_trip_is_bit_identical(tmp_path, scene_images):
    model = cap.load_captioner(device="cpu")
    cap.save_checkpoint(model, tmp_path / "cap.pt")
    again = cap.load_captioner(tmp_path / "cap.pt", device="cpu")
    assert again.cfg == model.cfg and again.tokenizer.itos == model.tokenizer.itos
    first, second = greedy_decode(model, scene_images, "ko"), greedy_decode(again, scene_images, "ko")
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    assert (tmp_path / "cap.pt.meta.json").exists()
