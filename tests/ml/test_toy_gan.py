"""The live GAN's model code: the coverage measure, determinism, and that training learns."""

import numpy as np
import pytest
import torch

from inference.ml.toy_gan import MODES, ToyGANConfig, coverage, mode_centres, train, train_iter
from inference.models import LIVE_GAN_MODES


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # the worker's setting, and the one the determinism holds for
    yield
    torch.set_num_threads(before)


def test_the_web_and_the_model_agree_on_the_modes():
    assert tuple(MODES) == tuple(LIVE_GAN_MODES)


def test_coverage_counts_a_collapsed_generator_as_one_mode_and_the_data_as_all():
    config = ToyGANConfig()
    centres = mode_centres(config)
    rng = np.random.default_rng(0)
    everywhere = centres[rng.integers(0, 8, 800)] + config.std * rng.standard_normal((800, 2))
    collapsed = centres[3] + config.std * rng.standard_normal((800, 2))
    nowhere = rng.uniform(-0.5, 0.5, (800, 2))  # the ring's middle: near no mode
    assert coverage(everywhere, config)["modes_covered"] == 8
    assert coverage(everywhere, config)["quality"] > 0.95
    assert coverage(collapsed, config)["modes_covered"] == 1
    assert coverage(collapsed, config)["per_mode"][3] > 750
    assert coverage(nowhere, config) == {"modes_covered": 0, "quality": 0.0,
                                         "per_mode": [0] * 8}


def test_the_card_counts_the_plain_gans_parameters():
    from inference.ml.registry import model_card
    from inference.ml.toy_gan import Discriminator, _mlp

    config = ToyGANConfig()
    count = sum(p.numel() for net in (_mlp(config.z_dim, config.hidden, 2),
                                      Discriminator(config)) for p in net.parameters())
    assert model_card("toy_gan")["n_params"] == count


def test_a_bad_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        ToyGANConfig(mode="wgan")


def test_the_same_seed_trains_the_same_run():
    first = train(ToyGANConfig(steps=60, seed=5, report_every=20))
    second = train(ToyGANConfig(steps=60, seed=5, report_every=20))
    assert [s.step for s in first] == [20, 40, 60]
    assert np.array_equal(first[-1].samples, second[-1].samples)
    assert first[-1].d_loss == second[-1].d_loss


def test_stopping_early_is_just_not_asking_for_more():
    run = train_iter(ToyGANConfig(steps=1000, report_every=10))
    assert next(run).step == 10
    run.close()  # what the worker does on a cancel: no further step is trained


def test_learning_puts_the_samples_on_the_ring():
    """The losses of a GAN do not fall to a minimum (the two players chase each other), so
    what is checked is the point of training: the share of samples on a mode rises."""
    snaps = train(ToyGANConfig(mode="gan", steps=600, seed=2, report_every=100))
    assert snaps[0].quality < 0.1
    assert snaps[-1].quality > 0.3
    assert snaps[-1].modes_covered >= 3


def test_on_a_seed_where_the_plain_gan_collapses_packing_covers_more_modes():
    """Seed 1, 2000 steps (the demo's default and the lesson's example): the plain GAN puts
    most samples on modes but on two or three of them (collapse); packing covers more.

    How many more depends on the processor: the same seed and thread count give other floating
    point results on other vector units (2 -> 6 modes measured on an AMD EPYC, 3 -> 4 on an
    Intel Xeon), so the test asserts the direction, not the margin."""
    plain = train(ToyGANConfig(mode="gan", steps=2000, seed=1, report_every=500))[-1]
    packed = train(ToyGANConfig(mode="pacgan", steps=2000, seed=1, report_every=500))[-1]
    assert plain.quality > 0.5 and plain.modes_covered <= 3, plain.per_mode
    assert packed.modes_covered > plain.modes_covered, (plain.per_mode, packed.per_mode)
