import numpy as np
import torch

from inference.ml import dcgan


def test_loads_strict_and_shapes(face_gen):
    sd = torch.load(dcgan.package_weights_path(), map_location="cpu", weights_only=True)[
        "netG_state_dict"
    ]
    fresh = dcgan.Generator(dcgan.GeneratorConfig())
    missing = fresh.load_state_dict(sd, strict=True)
    assert not missing.missing_keys and not missing.unexpected_keys
    assert dcgan.n_params() == 3_576_704
    imgs = dcgan.generate_from_seeds(face_gen, [0, 1, 2])
    assert imgs.shape == (3, 64, 64, 3) and imgs.dtype == np.uint8
    assert imgs.std() > 10  # not a blank image


def test_latent_is_per_seed():
    z = dcgan.latent([7, 3, 7])
    assert z.shape == (3, 100, 1, 1)
    assert torch.equal(z[0], z[2])
    assert torch.equal(dcgan.latent([3])[0], z[1])


def test_same_seed_same_face_regardless_of_batch(face_gen):
    alone = dcgan.generate_from_seeds(face_gen, [42])[0]
    batch = dcgan.generate_from_seeds(face_gen, [1, 2, 42, 99, 1000])
    big = dcgan.generate_from_seeds(face_gen, list(range(40)) + [42])
    # BatchNorm is in eval mode, so rows are independent; allow at most 1 grey level of
    # floating-point noise from batch-size-dependent kernels
    assert np.abs(alone.astype(int) - batch[2]).max() <= 1
    assert np.abs(alone.astype(int) - big[-1]).max() <= 1
    assert not np.array_equal(batch[0], batch[1])


def test_interpolation_endpoints_equal_the_seeds(face_gen):
    z = dcgan.interpolate(5, 9, 6)
    assert z.shape == (6, 100, 1, 1)
    ends = dcgan.latent([5, 9])
    assert torch.allclose(z[0], ends[0]) and torch.allclose(z[-1], ends[1])
    imgs = dcgan.generate(face_gen, z)
    assert np.array_equal(imgs, dcgan.interpolate_images(face_gen, 5, 9, 6))
    faces = dcgan.generate_from_seeds(face_gen, [5, 9])
    assert np.abs(imgs[0].astype(int) - faces[0]).max() <= 1
    assert np.abs(imgs[-1].astype(int) - faces[1]).max() <= 1
    # slerp keeps the norm near the endpoints' (lerp's midpoint would shrink it)
    norms = z.flatten(1).norm(dim=1)
    assert norms.min() > 0.9 * min(norms[0], norms[-1])


def test_png_bytes(face_gen):
    png = dcgan.to_png_bytes(dcgan.generate_from_seeds(face_gen, [1])[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
