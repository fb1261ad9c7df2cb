"""The detector measured on pictures unlike its training data: views, variants, the report."""

import numpy as np

from inference.ml import detector_ood


def test_views_are_the_whole_frame_and_four_corners():
    img = np.zeros((100, 150, 3), np.uint8)
    shapes = [v.shape for v in detector_ood.views(img)]
    assert shapes == [(100, 150, 3)] + [(50, 75, 3)] * 4


def test_a_variant_is_square_at_its_size_and_grey_when_asked():
    img = (np.random.default_rng(0).random((80, 120, 3)) * 255).astype(np.uint8)
    grey = detector_ood.variant(img, 32, 20, "grey")
    assert grey.shape == (32, 32, 3)
    assert (grey[..., 0] == grey[..., 1]).all()
    colour = detector_ood.variant(img, 64, None, "colour")
    assert colour.shape == (64, 64, 3) and not (colour[..., 0] == colour[..., 1]).all()


def test_the_report_counts_every_variant_of_the_photos_and_the_faces(face_gen):
    from inference.ml.fake_detector import load_fake_detector

    report = detector_ood.evaluate_detector_ood(load_fake_detector(device="cpu"), face_gen,
                                                n_faces=4, photos=["coffee"])
    per_photo = 5 * len(detector_ood.SIZES) * len(detector_ood.QUALITIES) * 2
    assert report["real"]["all"]["n"] == per_photo
    assert set(report["real"]["by_size"]) == {str(s) for s in detector_ood.SIZES}
    for rate in report["faces"]["by_size"].values():
        assert rate["n"] == 4 and 0 <= rate["called_fake"] <= 1
    assert report["worst"][0]["p_fake"] >= report["worst"][-1]["p_fake"]

