import numpy as np

from inference.ml import hf_captioner as hf
from inference.ml.scenes import make_scene
from tests.ml.hf_builder import make_tiny_vision_encoder_decoder


def test_hf_vision_encoder_decoder_round_trip(tmp_path):
    d = make_tiny_vision_encoder_decoder(tmp_path / "tiny")
    assert (d / "config.json").exists() and (d / "tokenizer.json").exists()
    bundle = hf.load_hf_captioner(d, device="cpu")
    imgs = np.stack([make_scene(seed=s)[0] for s in range(2)])
    caps = hf.hf_caption(bundle, imgs, max_new_tokens=5)
    assert len(caps) == 2 and all(isinstance(c, str) and c for c in caps)
    # the manual (processor-free) preprocessing gives the same pixels, hence the same captions
    bundle.processor = None
    assert hf.hf_caption(bundle, imgs, max_new_tokens=5) == caps
