"""Training and test pictures for the photo captioner, made offline, with bilingual captions.

No captioned photo collection can be downloaded here, so the data is composed: objects cut from
the scikit-image sample photographs (a cat, a coffee cup, an astronaut, ...), faces from the
DCGAN generator and real LFW faces, laid as rectangles on backgrounds from other sample photos
(grass, gravel, a brick wall) or on a plain colour, and described with templates in English
and Korean. Four kinds of picture:

- close-up: one object fills the frame            "a photo of a cat" / "고양이 사진"
- one object on a background                      "a cat on grass" / "잔디 위의 고양이"
- two objects, left and right                     "a cat on the left and a rocket on the right"
                                                  / "왼쪽에 고양이, 오른쪽에 로켓"
- the background alone                            "grass with nothing on it" / "아무것도 없는 잔디"

The test set (`heldout_set`) is never trained on; see its docstring for what each group is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

CANVAS = 224


@dataclass(frozen=True)
class Thing:
    key: str
    en: str  # English noun phrase without the article
    ko: str
    source: str  # skimage.data function, or "face"
    box: tuple[int, int, int, int] | None = None  # rows y0:y1, cols x0:x1 of the object


OBJECTS = [
    Thing("cat", "cat", "고양이", "chelsea", (0, 300, 40, 400)),
    Thing("cup", "coffee cup", "커피잔", "coffee", (20, 380, 60, 540)),
    Thing("astronaut", "astronaut", "우주비행사", "astronaut", (0, 512, 50, 450)),
    Thing("photographer", "man with a camera", "카메라를 든 남자", "camera", (30, 420, 80, 380)),
    Thing("rocket", "rocket", "로켓", "rocket", (0, 427, 180, 460)),
    Thing("motorcycle", "motorcycle", "오토바이", "motorcycle", (60, 480, 60, 700)),
    Thing("clock", "clock", "시계", "clock", (0, 300, 30, 370)),
    Thing("coins", "pile of coins", "동전 더미", "coins", None),
    Thing("horse", "horse", "말", "horse", None),
    Thing("face", "face", "얼굴", "face", None),
]
BY_KEY = {t.key: t for t in OBJECTS}
BACKGROUNDS = {  # key: (English, Korean, source photo or None for a plain colour)
    "grass": ("grass", "잔디", "grass"),
    "gravel": ("gravel", "자갈", "gravel"),
    "brick": ("a brick wall", "벽돌 벽", "brick"),
    "plain": ("a plain background", "단색 배경", None),
}
# Pairs never composed for training: the "unseen pairs" test group puts them together.
HELDOUT_PAIRS = {frozenset(p) for p in (("cat", "rocket"), ("cup", "motorcycle"),
                                        ("clock", "face"), ("astronaut", "horse"),
                                        ("photographer", "coins"))}
LFW_TRAIN = range(0, 70)  # real LFW faces 0-69 may be trained on; 80-99 are the test faces
LFW_TEST = range(80, 100)
GEN_TRAIN_SEEDS = range(0, 300)
GEN_TEST_SEED = 9_000_000  # generator seeds from here on are test faces


def _rgb(image: np.ndarray) -> np.ndarray:
    arr = np.asarray(image)
    if arr.dtype == bool:
        arr = np.where(arr, 255, 0).astype(np.uint8)  # the horse: a black silhouette on white
    elif arr.dtype != np.uint8:
        arr = np.clip(arr * 255, 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    return np.ascontiguousarray(arr[..., :3])


def sample_photo(name: str) -> np.ndarray:
    """A scikit-image sample photograph as uint8 RGB (grey ones repeated to three channels)."""
    from skimage import data

    if name == "motorcycle":
        return _rgb(data.stereo_motorcycle()[0])
    return _rgb(getattr(data, name)())


class Sources:
    """The photographs, LFW faces and generator faces, loaded once."""

    def __init__(self, face_generator=None):
        self._photos: dict[str, np.ndarray] = {}
        self._gen = face_generator
        self._lfw = None

    def photo(self, name: str) -> np.ndarray:
        if name not in self._photos:
            self._photos[name] = sample_photo(name)
        return self._photos[name]

    def lfw(self, index: int) -> np.ndarray:
        if self._lfw is None:
            from skimage import data

            self._lfw = data.lfw_subset()
        return _rgb(self._lfw[index])

    def generated(self, seeds) -> list[np.ndarray]:
        from ..dcgan import generate_from_seeds, load_face_generator

        if self._gen is None:
            self._gen = load_face_generator()
        return list(generate_from_seeds(self._gen, list(seeds)))

    def object_crop(self, thing: Thing, rng: np.random.Generator, faces: list[np.ndarray],
                    jitter: float = 0.12) -> np.ndarray:
        """The object's picture, its box jittered (each side by up to `jitter` of its size)."""
        if thing.source == "face":
            return faces[int(rng.integers(len(faces)))]
        img = self.photo(thing.source)
        y0, y1, x0, x1 = thing.box or (0, img.shape[0], 0, img.shape[1])
        h, w = y1 - y0, x1 - x0
        dy = (rng.uniform(-jitter, jitter, 2) * h).astype(int)
        dx = (rng.uniform(-jitter, jitter, 2) * w).astype(int)
        y0, y1 = max(0, y0 + dy[0]), min(img.shape[0], y1 + dy[1])
        x0, x1 = max(0, x0 + dx[0]), min(img.shape[1], x1 + dx[1])
        return img[y0:y1, x0:x1]


def _background(sources: Sources, key: str, rng: np.random.Generator) -> np.ndarray:
    source = BACKGROUNDS[key][2]
    if source is None:
        colour = rng.integers(40, 230, 3).astype(np.uint8)
        return np.broadcast_to(colour, (CANVAS, CANVAS, 3)).copy()
    img = sources.photo(source)
    side = int(rng.integers(min(img.shape[:2]) // 2, min(img.shape[:2]) + 1))
    y = int(rng.integers(0, img.shape[0] - side + 1))
    x = int(rng.integers(0, img.shape[1] - side + 1))
    return _resize(img[y:y + side, x:x + side], CANVAS, CANVAS)


def _resize(img: np.ndarray, w: int, h: int) -> np.ndarray:
    return np.array(Image.fromarray(img).resize((max(1, w), max(1, h)), Image.Resampling.BILINEAR))


def _paste(canvas: np.ndarray, obj: np.ndarray, cx: int, cy: int, height: int) -> None:
    """Paste `obj` scaled to `height` px tall (keeping its aspect) centred at (cx, cy)."""
    width = min(CANVAS, max(8, int(obj.shape[1] * height / obj.shape[0])))
    patch = _resize(obj, width, height)
    y0 = int(np.clip(cy - height // 2, 0, CANVAS - height))
    x0 = int(np.clip(cx - width // 2, 0, CANVAS - width))
    canvas[y0:y0 + height, x0:x0 + width] = patch


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def caption_for(kind: str, objects: list[str], background: str | None) -> tuple[str, str]:
    """(English, Korean) caption of a composed picture."""
    things = [BY_KEY[k] for k in objects]
    if kind == "closeup":
        return f"a photo of {_a(things[0].en)}", f"{things[0].ko} 사진"
    assert background is not None, "every composed picture but a close-up has a background"
    bg_en, bg_ko, _ = BACKGROUNDS[background]
    on_en = f"in front of {bg_en}" if background == "brick" else f"on {bg_en}"
    on_ko = f"{bg_ko} 앞의" if background == "brick" else f"{bg_ko} 위의"
    if kind == "empty":
        return f"{bg_en} with nothing on it", f"아무것도 없는 {bg_ko}"
    if kind == "single":
        return f"{_a(things[0].en)} {on_en}", f"{on_ko} {things[0].ko}"
    left, right = things
    return (f"{_a(left.en)} on the left and {_a(right.en)} on the right",
            f"왼쪽에 {left.ko}, 오른쪽에 {right.ko}")


def compose(sources: Sources, kind: str, objects: list[str], background: str | None,
            rng: np.random.Generator, faces: list[np.ndarray], scale=(0.4, 0.7)) -> np.ndarray:
    """One CANVAS x CANVAS uint8 picture of the given kind."""
    if kind == "closeup":
        return _resize(sources.object_crop(BY_KEY[objects[0]], rng, faces), CANVAS, CANVAS)
    assert background is not None, "every composed picture but a close-up has a background"
    canvas = _background(sources, background, rng)
    if kind == "single":
        height = int(CANVAS * rng.uniform(*scale))
        cx = int(rng.integers(height // 3, CANVAS - height // 3))
        cy = int(rng.integers(height // 2, CANVAS - height // 2 + 1))
        _paste(canvas, sources.object_crop(BY_KEY[objects[0]], rng, faces), cx, cy, height)
    elif kind == "pair":
        for obj, cx in zip(objects, (CANVAS // 4, 3 * CANVAS // 4), strict=True):
            height = int(CANVAS * rng.uniform(0.35, 0.55))
            crop = sources.object_crop(BY_KEY[obj], rng, faces)
            crop = crop[:, : max(1, int(crop.shape[0] * 0.9))]  # keep it within its half
            cy = int(rng.integers(height // 2, CANVAS - height // 2 + 1))
            _paste(canvas, crop, cx + int(rng.integers(-12, 13)), cy, height)
    return canvas


@dataclass
class Example:
    image: np.ndarray
    en: str
    ko: str
    main: str | None  # the key of the object the caption must name first (None: empty scene)
    group: str
    objects: tuple[str, ...] = ()
    background: str | None = None


def training_set(n: int, seed: int = 0, sources: Sources | None = None) -> list[Example]:
    """`n` composed pictures: 25 % close-ups, 35 % one object on a background, 30 % two
    objects (never a HELDOUT_PAIRS pair), 10 % an empty background."""
    rng = np.random.default_rng(seed)
    sources = sources or Sources()
    faces = sources.generated(GEN_TRAIN_SEEDS) + [sources.lfw(i) for i in LFW_TRAIN]
    keys = [t.key for t in OBJECTS]
    out = []
    for _ in range(n):
        r = rng.random()
        background = str(rng.choice(list(BACKGROUNDS)))
        if r < 0.25:
            kind, objects = "closeup", [str(rng.choice(keys))]
        elif r < 0.60:
            kind, objects = "single", [str(rng.choice(keys))]
        elif r < 0.90:
            while True:
                objects = [str(k) for k in rng.choice(keys, 2, replace=False)]
                if frozenset(objects) not in HELDOUT_PAIRS:
                    break
            kind = "pair"
        else:
            kind, objects = "empty", []
        en, ko = caption_for(kind, objects, background)
        image = compose(sources, kind, objects, background, rng, faces)
        out.append(Example(image, en, ko, objects[0] if objects else None, kind,
                           tuple(objects), background))
    return out


def heldout_set(sources: Sources | None = None) -> list[Example]:
    """The test pictures, none of them in training, with reference captions we wrote:

    - "lfw": 20 real LFW faces (80-99; training uses 0-69), whole frame, 25x25 grey upscaled;
    - "generated": 8 generator faces from seeds never trained on;
    - "photo": the 9 sample photographs as whole frames. Crops of them (their object box,
      jittered) are in training, so this group tests a new framing, not a new photograph;
    - "altered": 6 of those photographs made different: grey, JPEG quality 15, mirrored,
      shrunk to 48 px and back;
    - "pair": 10 two-object pictures of pairs never composed for training (HELDOUT_PAIRS).
    """
    sources = sources or Sources()
    rng = np.random.default_rng(12345)
    out = []
    for i in LFW_TEST:
        out.append(Example(_resize(sources.lfw(i), CANVAS, CANVAS), "a photo of a face",
                           "얼굴 사진", "face", "lfw"))
    for face in sources.generated(range(GEN_TEST_SEED, GEN_TEST_SEED + 8)):
        out.append(Example(_resize(face, CANVAS, CANVAS), "a photo of a face", "얼굴 사진",
                           "face", "generated"))
    for thing in OBJECTS:
        if thing.source == "face":
            continue
        en, ko = caption_for("closeup", [thing.key], None)
        out.append(Example(sources.photo(thing.source), en, ko, thing.key, "photo"))
    for key, change in (("cat", "grey"), ("cup", "grey"), ("cat", "jpeg"), ("astronaut", "mirror"),
                        ("rocket", "jpeg"), ("motorcycle", "small")):
        img = sources.photo(BY_KEY[key].source)
        en, ko = caption_for("closeup", [key], None)
        out.append(Example(alter(img, change), en, ko, key, "altered"))
    faces = sources.generated(range(GEN_TEST_SEED + 100, GEN_TEST_SEED + 110))
    backgrounds = list(BACKGROUNDS)
    for i, pair in enumerate(sorted(sorted(p) for p in HELDOUT_PAIRS)):
        for order in (pair, pair[::-1]):
            en, ko = caption_for("pair", list(order), backgrounds[i % len(backgrounds)])
            img = compose(sources, "pair", list(order), backgrounds[i % len(backgrounds)], rng,
                          faces)
            out.append(Example(img, en, ko, order[0], "pair", tuple(order),
                               backgrounds[i % len(backgrounds)]))
    return out


def alter(img: np.ndarray, change: str) -> np.ndarray:
    """A photograph made different: "grey", "jpeg" (quality 15), "mirror", "small" (48 px)."""
    import io

    if change == "grey":
        return _rgb(np.asarray(Image.fromarray(img).convert("L")))
    if change == "jpeg":
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=15)
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    if change == "mirror":
        return np.ascontiguousarray(img[:, ::-1])
    if change == "small":
        return _resize(_resize(img, 48, 48), img.shape[1], img.shape[0])
    raise ValueError(change)
