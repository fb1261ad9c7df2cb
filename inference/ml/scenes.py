"""Procedural shape scenes with English and Korean captions (numpy + Pillow only, no torch).

A scene holds 1-3 objects, each a shape (circle/square/triangle) with a colour
(red/green/blue/yellow), a size (small/large) and a position (left/right/top/bottom/center);
positions are distinct. Identical objects (same size, colour and shape) are counted:

    a large red circle on the left and a small blue square on the right
    왼쪽에 큰 빨간 원, 오른쪽에 작은 파란 사각형
    two small green triangles at the top and in the center
    위쪽과 가운데에 작은 초록색 삼각형 두 개

Captions list objects in a fixed position order (left, right, top, bottom, center), so a
caption is a function of the picture, not of the order the objects were drawn in.

    img, en, ko = make_scene(seed=7)                       # random scene from a seed
    img, en, ko = make_scene(spec=[{"shape": "circle", "color": "red", "size": "large",
                                    "position": "left"}])  # a composed scene
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "triangle")
COLORS = ("red", "green", "blue", "yellow")
SIZES = ("small", "large")
POSITIONS = ("left", "right", "top", "bottom", "center")  # also the caption order
MAX_OBJECTS = 3

RGB = {
    "red": (215, 40, 40),
    "green": (40, 165, 60),
    "blue": (45, 75, 220),
    "yellow": (235, 200, 30),
}

# centre of each position as a fraction of the image side
CENTERS = {
    "left": (0.2, 0.5),
    "right": (0.8, 0.5),
    "top": (0.5, 0.2),
    "bottom": (0.5, 0.8),
    "center": (0.5, 0.5),
}
RADIUS = {"small": 0.08, "large": 0.14}  # fraction of the image side

EN_POS = {
    "left": "on the left",
    "right": "on the right",
    "top": "at the top",
    "bottom": "at the bottom",
    "center": "in the center",
}
EN_COUNT = {2: "two", 3: "three"}
KO_POS = {"left": "왼쪽", "right": "오른쪽", "top": "위쪽", "bottom": "아래쪽", "center": "가운데"}
KO_SIZE = {"small": "작은", "large": "큰"}
KO_COLOR = {"red": "빨간", "green": "초록색", "blue": "파란", "yellow": "노란"}
KO_SHAPE = {"circle": "원", "square": "사각형", "triangle": "삼각형"}
KO_COUNT = {2: "두 개", 3: "세 개"}


@dataclass(frozen=True)
class SceneObject:
    shape: str
    color: str
    size: str
    position: str

    def __post_init__(self):
        for field, allowed in (
            ("shape", SHAPES),
            ("color", COLORS),
            ("size", SIZES),
            ("position", POSITIONS),
        ):
            if getattr(self, field) not in allowed:
                raise ValueError(f"{field} must be one of {allowed}, got {getattr(self, field)!r}")

    @property
    def kind(self) -> tuple[str, str, str]:
        return (self.size, self.color, self.shape)


def validate_spec(spec) -> tuple[SceneObject, ...]:
    """Accept SceneObjects or dicts; check 1..3 objects at distinct positions; return them sorted
    in caption order."""
    objs = tuple(o if isinstance(o, SceneObject) else SceneObject(**o) for o in spec)
    if not 1 <= len(objs) <= MAX_OBJECTS:
        raise ValueError(f"a scene has 1 to {MAX_OBJECTS} objects, got {len(objs)}")
    pos = [o.position for o in objs]
    if len(set(pos)) != len(pos):
        raise ValueError(f"positions must be distinct, got {pos}")
    return tuple(sorted(objs, key=lambda o: POSITIONS.index(o.position)))


DUP_PROB = 0.25  # share of multi-object scenes that repeat an object (so captions count)


def random_spec(seed: int, dup_prob: float = DUP_PROB) -> tuple[SceneObject, ...]:
    """A random scene; a `dup_prob` share of multi-object scenes repeat an object (counting)."""
    rng = random.Random(seed)
    k = rng.choices((1, 2, 3), weights=(0.25, 0.35, 0.40))[0]
    positions = rng.sample(POSITIONS, k)
    kinds = [(rng.choice(SIZES), rng.choice(COLORS), rng.choice(SHAPES)) for _ in range(k)]
    if k >= 2 and rng.random() < dup_prob:
        n_same = 2 if k == 2 or rng.random() < 0.6 else 3
        for i in range(1, n_same):
            kinds[i] = kinds[0]
    objs = [
        SceneObject(shape=sh, color=c, size=sz, position=p)
        for (sz, c, sh), p in zip(kinds, positions, strict=True)
    ]
    return validate_spec(objs)


def _groups(objs: tuple[SceneObject, ...]) -> list[tuple[tuple[str, str, str], list[str]]]:
    """Group identical objects: [((size, colour, shape), [positions in caption order]), ...],
    groups ordered by their first position."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for o in objs:  # objs are already in caption order
        groups.setdefault(o.kind, []).append(o.position)
    return list(groups.items())


def _join_en(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _en_group(kind, positions) -> str:
    size, color, shape = kind
    where = _join_en([EN_POS[p] for p in positions])
    if len(positions) == 1:
        return f"a {size} {color} {shape} {where}"
    return f"{EN_COUNT[len(positions)]} {size} {color} {shape}s {where}"


def _ko_and(word: str) -> str:
    """Attach the Korean 'and' particle: 과 after a final consonant, 와 after a vowel."""
    code = ord(word[-1]) - 0xAC00
    has_batchim = 0 <= code <= 11171 and code % 28 != 0
    return word + ("과" if has_batchim else "와")


def _ko_group(kind, positions) -> str:
    size, color, shape = kind
    names = [KO_POS[p] for p in positions]
    if len(names) == 1:
        where = names[0]
    else:  # 왼쪽과 오른쪽 / 왼쪽, 위쪽과 가운데
        where = ", ".join(names[:-2] + [_ko_and(names[-2])]) + " " + names[-1]
    text = f"{where}에 {KO_SIZE[size]} {KO_COLOR[color]} {KO_SHAPE[shape]}"
    if len(positions) > 1:
        text += " " + KO_COUNT[len(positions)]
    return text


def caption_en(spec) -> str:
    return _join_en([_en_group(k, p) for k, p in _groups(validate_spec(spec))])


def caption_ko(spec) -> str:
    return ", ".join(_ko_group(k, p) for k, p in _groups(validate_spec(spec)))


def caption(spec, lang: str = "en") -> str:
    if lang not in ("en", "ko"):
        raise ValueError("lang must be 'en' or 'ko'")
    return caption_en(spec) if lang == "en" else caption_ko(spec)


def render(spec, size: int = 64, seed: int | None = 0, supersample: int = 4) -> np.ndarray:
    """Draw the scene -> (size, size, 3) uint8. `seed` drives small jitter (background shade,
    colour, position, radius); seed=None draws the canonical, unjittered scene."""
    objs = validate_spec(spec)
    rng = np.random.default_rng(seed) if seed is not None else None
    jit = (lambda lo, hi: float(rng.uniform(lo, hi))) if rng is not None else (lambda lo, hi: 0.0)
    S = size * supersample
    shade = 245 + int(jit(-15, 10))
    bg = tuple(int(np.clip(shade + jit(-8, 8), 0, 255)) for _ in range(3))
    im = Image.new("RGB", (S, S), bg)
    draw = ImageDraw.Draw(im)
    for o in objs:
        cx, cy = CENTERS[o.position]
        cx, cy = (cx + jit(-0.03, 0.03)) * S, (cy + jit(-0.03, 0.03)) * S
        r = RADIUS[o.size] * S * (1 + jit(-0.08, 0.08))
        fill = tuple(int(np.clip(c + jit(-18, 18), 0, 255)) for c in RGB[o.color])
        if o.shape == "circle":
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
        elif o.shape == "square":
            h = r * 0.89  # same area as the circle
            draw.rectangle([cx - h, cy - h, cx + h, cy + h], fill=fill)
        else:  # upright equilateral triangle, centroid at (cx, cy)
            R = r * 1.25
            pts = [(cx, cy - R), (cx - R * 0.866, cy + R * 0.5), (cx + R * 0.866, cy + R * 0.5)]
            draw.polygon(pts, fill=fill)
    return np.asarray(im.resize((size, size), Image.Resampling.LANCZOS))


def make_scene(seed: int | None = None, spec=None, size: int = 64):
    """-> (image (size, size, 3) uint8, caption_en, caption_ko).

    Either `seed` (random scene, jitter from the same seed) or `spec` (a list of SceneObject or
    dicts with shape/color/size/position; jitter from `seed`, or none when seed is None)."""
    if spec is None:
        if seed is None:
            raise ValueError("give a seed or a spec")
        spec = random_spec(seed)
    objs = validate_spec(spec)
    return render(objs, size=size, seed=seed), caption_en(objs), caption_ko(objs)


def all_group_phrases() -> list[str]:
    """Every phrase the grammar can produce for one group, in both languages (for vocabularies)."""
    out = []
    for kind in [(s, c, sh) for s in SIZES for c in COLORS for sh in SHAPES]:
        for k in range(1, MAX_OBJECTS + 1):
            for pos in combinations(POSITIONS, k):
                out += [_en_group(kind, list(pos)), _ko_group(kind, list(pos))]
    return out + ["and ,"]  # the joiners between groups
