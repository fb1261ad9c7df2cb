import numpy as np
import pytest

from inference.ml import scenes


def test_deterministic_per_seed():
    a = scenes.make_scene(seed=123)
    b = scenes.make_scene(seed=123)
    assert np.array_equal(a[0], b[0]) and a[1:] == b[1:]
    c = scenes.make_scene(seed=124)
    assert not np.array_equal(a[0], c[0])
    assert a[0].shape == (64, 64, 3) and a[0].dtype == np.uint8
    assert scenes.make_scene(seed=1, size=96)[0].shape == (96, 96, 3)


def test_example_captions_from_spec():
    spec = [
        {"shape": "square", "color": "blue", "size": "small", "position": "right"},
        {"shape": "circle", "color": "red", "size": "large", "position": "left"},
    ]
    img, en, ko = scenes.make_scene(spec=spec)
    assert en == "a large red circle on the left and a small blue square on the right"
    assert ko == "왼쪽에 큰 빨간 원, 오른쪽에 작은 파란 사각형"
    # colours are where the spec says: reddish pixels on the left, bluish on the right
    r, g, b = (img[..., i].astype(int) for i in range(3))
    red, blue = (r - g > 100) & (r - b > 100), (b - r > 100) & (b - g > 60)
    ys, xs = np.nonzero(red)
    assert xs.mean() < 24
    ys, xs = np.nonzero(blue)
    assert xs.mean() > 40


def test_counts_and_particles():
    spec = [scenes.SceneObject("triangle", "green", "small", p) for p in ("center", "top", "left")]
    _, en, ko = scenes.make_scene(spec=spec)
    assert en == "three small green triangles on the left, at the top and in the center"
    assert ko == "왼쪽, 위쪽과 가운데에 작은 초록색 삼각형 세 개"
    spec = [
        scenes.SceneObject("circle", "yellow", "large", "center"),
        scenes.SceneObject("circle", "yellow", "large", "bottom"),
        scenes.SceneObject("square", "red", "small", "left"),
    ]
    assert scenes.caption_en(spec) == (
        "a small red square on the left and two large yellow circles "
        "at the bottom and in the center"
    )
    assert scenes.caption_ko(spec) == "왼쪽에 작은 빨간 사각형, 아래쪽과 가운데에 큰 노란 원 두 개"


def test_random_specs_are_valid_and_consistent():
    for seed in range(200):
        spec = scenes.random_spec(seed)
        assert 1 <= len(spec) <= 3
        en = scenes.caption_en(spec)
        for o in spec:
            assert o.color in en and o.shape in en and scenes.EN_POS[o.position] in en
            assert scenes.KO_SHAPE[o.shape] in scenes.caption_ko(spec)


def test_spec_validation():
    with pytest.raises(ValueError):
        scenes.make_scene(
            spec=[{"shape": "hexagon", "color": "red", "size": "small", "position": "left"}]
        )
    with pytest.raises(ValueError):
        scenes.make_scene(
            spec=[{"shape": "circle", "color": "red", "size": "small", "position": "left"}] * 2
        )
    with pytest.raises(ValueError):
        scenes.make_scene(spec=[])
