"""Draw the course's figures as SVG: `python scripts/figures.py` writes every figure of
content/genai-intro to static/figures/genai-intro/<name>.svg (Korean) and <name>.en.svg (English).

Each figure is a small function of the language, so a label is changed or translated here and the
files are regenerated, never edited by hand. Every SVG carries a <title> and a <desc> (read by
screen readers); the lessons embed them as images with their own alt text.

Two figures show measurements rather than diagrams: the averaged spectra of real photographs and
of the course's DCGAN faces, and the captioner's cross-attention for one scene. Those numbers are
kept in scripts/figure_data.json so that drawing needs only Python and Pillow;
`python scripts/figures.py --measure` recomputes them with the shipped models (needs torch and the
DCGAN weights; a few seconds on a CPU).

`python scripts/figures.py --check` exits 1 if a file on disk differs from what the code draws.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "static" / "figures" / "genai-intro"
DATA = Path(__file__).resolve().parent / "figure_data.json"
LANGS = ("ko", "en")

INK, MUTED, LINE = "#1f2933", "#52606d", "#9aa5b1"
BLUE, ORANGE, GREEN, PURPLE, RED = "#dbeafe", "#ffedd5", "#dcfce7", "#ede9fe", "#fee2e2"
FONT = "'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif"


class Svg:
    """A figure under construction: shapes in user units, then `render()`."""

    def __init__(self, width: int, height: int, title: str, desc: str):
        self.width, self.height, self.title, self.desc = width, height, title, desc
        self.parts: list[str] = []

    def rect(self, x, y, w, h, *, fill=BLUE, stroke=LINE, rx=6, width=1.2) -> None:
        self.parts.append(f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{rx:g}" '
                          f'fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"/>')

    def text(self, x, y, s, *, size=14, anchor="middle", weight="normal", fill=INK,
             italic=False) -> None:
        style = ' font-style="italic"' if italic else ""
        self.parts.append(f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" text-anchor="{anchor}" '
                          f'font-weight="{weight}" fill="{fill}"{style}>{html.escape(s)}</text>')

    def box(self, x, y, w, h, label, *, fill=BLUE, size=14, sub=None, weight="bold") -> None:
        self.rect(x, y, w, h, fill=fill)
        if sub is None:
            self.text(x + w / 2, y + h / 2 + size * 0.35, label, size=size, weight=weight)
        else:
            self.text(x + w / 2, y + h / 2 - 2, label, size=size, weight=weight)
            self.text(x + w / 2, y + h / 2 + size, sub, size=size - 3, fill=MUTED)

    def arrow(self, x1, y1, x2, y2, *, color=MUTED, dashed=False, width=1.6) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" '
                          f'stroke="{color}" stroke-width="{width:g}"{dash} '
                          f'marker-end="url(#arrow)"/>')

    def line(self, x1, y1, x2, y2, *, color=LINE, width=1.2, dashed=False) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" '
                          f'stroke="{color}" stroke-width="{width:g}"{dash}/>')

    def path(self, d, *, stroke=MUTED, fill="none", width=1.6, arrow=False, dashed=False) -> None:
        end = ' marker-end="url(#arrow)"' if arrow else ""
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(f'<path d="{d}" stroke="{stroke}" fill="{fill}" '
                          f'stroke-width="{width:g}"{dash}{end}/>')

    def circle(self, cx, cy, r, *, fill=BLUE, stroke=LINE) -> None:
        self.parts.append(f'<circle cx="{cx:g}" cy="{cy:g}" r="{r:g}" fill="{fill}" '
                          f'stroke="{stroke}"/>')

    def image(self, x, y, w, h, png: bytes) -> None:
        data = base64.b64encode(png).decode()
        self.parts.append(f'<image x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" '
                          f'style="image-rendering:pixelated" '
                          f'href="data:image/png;base64,{data}"/>')

    def render(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
                f'width="{self.width}" height="{self.height}" role="img" '
                f'aria-labelledby="title desc" font-family="{FONT}">\n'
                f'<title id="title">{html.escape(self.title)}</title>\n'
                f'<desc id="desc">{html.escape(self.desc)}</desc>\n'
                '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
                f'fill="{MUTED}"/></marker></defs>\n'
                f'<rect width="{self.width}" height="{self.height}" fill="#ffffff"/>\n')
        return head + "\n".join(self.parts) + "\n</svg>\n"


def png_gray(rows: list[list[float]], *, lo: float | None = None, hi: float | None = None,
             colormap: Callable[[float], tuple[int, int, int]] | None = None) -> bytes:
    """A small PNG of a 2-D array, scaled to lo..hi (default: its range), grey or coloured."""
    from PIL import Image

    flat = [v for row in rows for v in row]
    lo = min(flat) if lo is None else lo
    hi = max(flat) if hi is None else hi
    span = (hi - lo) or 1.0
    h, w = len(rows), len(rows[0])
    img = Image.new("RGB", (w, h))
    cmap = colormap or (lambda t: (round(255 * t),) * 3)
    img.putdata([cmap(min(1.0, max(0.0, (v - lo) / span))) for v in flat])
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def png_rgb(pixels: list[list[list[int]]]) -> bytes:
    from PIL import Image

    h, w = len(pixels), len(pixels[0])
    img = Image.new("RGB", (w, h))
    img.putdata([tuple(px) for row in pixels for px in row])
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def heat(t: float) -> tuple[int, int, int]:
    """Dark blue -> yellow, readable in greyscale print too."""
    stops = [(0.0, (23, 37, 84)), (0.5, (190, 65, 90)), (1.0, (253, 231, 37))]
    for (t0, c0), (t1, c1) in zip(stops, stops[1:], strict=False):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return tuple(round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True))
    return stops[-1][1]


# ------------------------------------------------------------------------------- the figures
# Each takes t(ko, en) -> the label in the figure's language and returns an Svg.


def bert_input_sum(t) -> Svg:
    tokens = ["[CLS]", "my", "dog", "[SEP]", "he", "runs", "[SEP]"]
    s = Svg(720, 300, t("BERT의 입력 표현: 세 임베딩의 합", "BERT's input: the sum of three embeddings"),
            t("문장 A(my dog)와 문장 B(he runs)의 토큰 일곱 개마다 토큰 임베딩, 세그먼트 임베딩(A 또는 B), "
              "위치 임베딩(0부터 6)을 더해 입력 벡터를 만든다.",
              "For each of seven tokens of sentence A (my dog) and B (he runs), the token, segment "
              "(A or B) and position (0 to 6) embeddings are added to give the input vector."))
    x0, cw = 140, 80
    rows = [(t("입력", "Input"), tokens, "#ffffff"),
            (t("토큰 임베딩", "Token"), [f"E[{w}]" for w in tokens], BLUE),
            (t("세그먼트 임베딩", "Segment"), ["E_A"] * 4 + ["E_B"] * 3, GREEN),
            (t("위치 임베딩", "Position"), [f"E_{i}" for i in range(7)], ORANGE)]
    for r, (label, cells, fill) in enumerate(rows):
        y = 20 + r * 62
        s.text(x0 - 12, y + 27, label, anchor="end", size=13, weight="bold")
        for i, c in enumerate(cells):
            s.rect(x0 + i * cw, y, cw - 10, 40, fill=fill)
            s.text(x0 + i * cw + (cw - 10) / 2, y + 25, c, size=12)
        if r >= 2:
            s.text(x0 + 7 * cw + 4, y - 4, "+", size=22, anchor="start", weight="bold")
    s.text(360, 286, t("세 벡터를 위치마다 더한 것이 트랜스포머 인코더의 입력이 된다",
                       "The three vectors are added at each position and fed to the encoder"),
           size=13, fill=MUTED)
    return s


def causal_mask(t) -> Svg:
    words = ["<s>", t("나는", "I"), t("오늘", "walk"), t("학교에", "to"), t("간다", "school")]
    n = len(words)
    s = Svg(520, 330, t("GPT의 인과 마스크", "GPT's causal mask"),
            t("5×5 격자에서 행은 질의 위치, 열은 볼 수 있는 위치다. 대각선과 그 아래(자기 자신과 앞 토큰)만 "
              "채워져 있고 위쪽(미래 토큰)은 가려져 있다.",
              "A 5 by 5 grid: rows are query positions, columns the positions they may attend to. "
              "Only the diagonal and below (itself and earlier tokens) are open; the future is masked."))
    x0, y0, c = 150, 60, 48
    s.text(x0 + n * c / 2, 30, t("볼 수 있는 위치 (키)", "positions attended to (keys)"), size=13,
           weight="bold")
    for i, w in enumerate(words):
        s.text(x0 + i * c + c / 2, y0 - 8, w, size=12)
        s.text(x0 - 10, y0 + i * c + c / 2 + 5, w, size=12, anchor="end")
        for j in range(n):
            open_ = j <= i
            s.rect(x0 + j * c, y0 + i * c, c - 4, c - 4, rx=3,
                   fill=GREEN if open_ else "#e5e7eb")
            s.text(x0 + j * c + (c - 4) / 2, y0 + i * c + c / 2 + 3, "✓" if open_ else "−∞",
                   size=12, fill=INK if open_ else MUTED)
    s.text(40, y0 + n * c / 2, t("질의", "query"), size=13, weight="bold")
    s.text(x0 + n * c / 2, y0 + n * c + 28,
           t("위쪽 삼각형에 −∞를 더해 소프트맥스 뒤 가중치를 0으로 만든다",
             "−∞ is added above the diagonal, so the softmax weight there is 0"),
           size=12, fill=MUTED)
    return s


def fine_tuning_flow(t) -> Svg:
    s = Svg(720, 250, t("사전 학습에서 미세 조정까지", "From pre-training to fine-tuning"),
            t("대규모 텍스트로 사전 학습한 모델에 작은 출력층을 더하고 과제 데이터로 추가 학습한다. "
              "LoRA는 원래 가중치 W0을 고정하고 작은 행렬 B와 A만 학습한다.",
              "A model pre-trained on large text gets a small output head and is trained further on "
              "task data. LoRA freezes W0 and trains only the small matrices B and A."))
    s.box(20, 40, 170, 70, t("사전 학습", "Pre-training"), sub=t("라벨 없는 대규모 텍스트", "large unlabelled text"))
    s.box(270, 40, 170, 70, t("사전 학습 모델", "Pre-trained model"), sub=t("일반 언어 지식", "general knowledge"), fill=GREEN)
    s.box(520, 40, 180, 70, t("미세 조정된 모델", "Fine-tuned model"), sub=t("+ 출력층 (과제용)", "+ task head"), fill=ORANGE)
    s.arrow(190, 75, 268, 75)
    s.arrow(440, 75, 518, 75)
    s.text(480, 132, t("과제 데이터(레이블)", "labelled task data"), size=12, fill=MUTED)
    s.rect(150, 160, 420, 70, fill="#f8fafc")
    s.text(360, 188, t("LoRA: W = W0 + B·A", "LoRA: W = W0 + B·A"), size=15, weight="bold")
    s.text(360, 212, t("W0 고정, 낮은 랭크의 B와 A만 학습 (파라미터 1% 미만)",
                       "W0 frozen; only the low-rank B and A are trained (under 1% of parameters)"),
           size=12, fill=MUTED)
    return s


def chat_context(t) -> Svg:
    s = Svg(720, 230, t("대화는 하나의 토큰 열로 이어 붙여진다", "A chat is one token sequence"),
            t("system, user, assistant 메시지가 역할 표시와 함께 하나의 토큰 열로 이어지고, 모델은 매 차례 "
              "문맥 창 안의 전체를 다시 읽는다. 창을 넘어선 앞부분은 보이지 않는다.",
              "System, user and assistant messages are joined, with role markers, into one token "
              "sequence that the model rereads every turn; what falls outside the context window is "
              "not seen."))
    msgs = [("system", PURPLE, t("친절한 조수", "helpful assistant")),
            ("user", BLUE, t("질문 1", "question 1")), ("assistant", GREEN, t("답 1", "answer 1")),
            ("user", BLUE, t("질문 2", "question 2")), ("assistant", GREEN, "…")]
    x = 20
    for role, fill, text in msgs:
        w = 130
        s.box(x, 60, w - 8, 56, role, sub=text, fill=fill, size=13)
        x += w + 2
    s.path("M 152 140 L 152 150 L 680 150 L 680 140", stroke=RED, width=2)
    s.text(416, 172, t("문맥 창: 이 안의 토큰만 보인다", "context window: only these tokens are seen"),
           size=13, fill="#b91c1c", weight="bold")
    s.text(85, 172, t("창 밖", "outside"), size=12, fill=MUTED)
    s.text(360, 210, t("대화 중에 가중치는 바뀌지 않는다: 기억은 입력에 다시 넣은 대화뿐",
                       "No weights change during the chat: the only memory is the replayed text"),
           size=12, fill=MUTED)
    return s


def rlhf_stages(t) -> Svg:
    s = Svg(760, 260, t("RLHF의 세 단계", "The three stages of RLHF"),
            t("1단계 지도 미세 조정: 사람이 쓴 모범 답안으로 학습. 2단계: 사람이 두 답을 비교한 데이터로 보상 모델 "
              "학습. 3단계: 보상 모델의 점수에서 KL 페널티를 뺀 값을 PPO로 최대화.",
              "Stage 1, supervised fine-tuning on demonstrations written by people. Stage 2, a reward "
              "model trained on people's comparisons of two answers. Stage 3, PPO maximises the "
              "reward minus a KL penalty."))
    stages = [(t("1. 지도 미세 조정", "1. Supervised fine-tuning"), t("사람: 모범 답안 작성", "people write answers"), "π_SFT", BLUE),
              (t("2. 보상 모델", "2. Reward model"), t("사람: 두 답 중 선택", "people pick the better"), "r(x, y)", ORANGE),
              (t("3. PPO", "3. PPO"), t("보상 − β·KL 최대화", "maximise r − β·KL"), "π_RL", GREEN)]
    for i, (head, who, out, fill) in enumerate(stages):
        x = 20 + i * 250
        s.rect(x, 40, 220, 150, fill=fill)
        s.text(x + 110, 72, head, size=15, weight="bold")
        s.text(x + 110, 110, who, size=13)
        s.text(x + 110, 160, t("결과: ", "gives: ") + out, size=13, fill=MUTED)
        if i < 2:
            s.arrow(x + 222, 115, x + 248, 115)
    s.text(380, 230, t("보상 모델은 3단계에서 사람 대신 답에 점수를 매긴다",
                       "In stage 3 the reward model scores answers in place of people"),
           size=13, fill=MUTED)
    return s


def gan_training_loop(t) -> Svg:
    s = Svg(760, 320, t("GAN의 학습 순환", "The GAN training loop"),
            t("잡음 z가 생성자 G를 거쳐 가짜 G(z)가 되고, 판별자 D는 진짜 x와 가짜를 받아 진짜일 확률을 낸다. "
              "판별자는 진짜 1·가짜 0으로, 생성자는 판별자가 가짜를 1로 믿도록 번갈아 갱신된다.",
              "Noise z goes through the generator G to a fake G(z); the discriminator D takes real x "
              "and fakes and outputs the probability of real. D is updated with real 1 and fake 0, "
              "then G so that D calls the fake 1, in turn."))
    s.box(20, 60, 110, 56, t("잡음 z", "noise z"), fill="#f1f5f9")
    s.box(180, 60, 140, 56, t("생성자 G", "generator G"), fill=GREEN)
    s.box(370, 60, 110, 56, "G(z)", fill="#f1f5f9")
    s.box(370, 170, 110, 56, t("진짜 x", "real x"), fill="#f1f5f9")
    s.box(540, 110, 150, 66, t("판별자 D", "discriminator D"), fill=ORANGE)
    s.arrow(130, 88, 178, 88)
    s.arrow(320, 88, 368, 88)
    s.arrow(480, 88, 538, 128)
    s.arrow(480, 198, 538, 160)
    s.text(615, 205, t("진짜일 확률", "P(real)"), size=13)
    s.text(615, 240, t("① D 갱신: 진짜→1, 가짜→0", "① update D: real→1, fake→0"), size=13,
           fill="#9a3412")
    s.path("M 615 255 C 615 300, 250 300, 250 120", stroke="#15803d", arrow=True, dashed=True)
    s.text(420, 310, t("② G 갱신: D가 가짜를 1로 믿도록 (D는 고정)",
                       "② update G so that D calls the fake 1 (D held fixed)"),
           size=13, fill="#15803d")
    return s


def latent_walk(t) -> Svg:
    s = Svg(620, 300, t("잠재 공간의 보간", "Interpolating in latent space"),
            t("잠재 공간의 두 점 z1과 z2 사이를 구면 보간(slerp)으로 잇는 호와, 그 위의 점마다 만들어지는 "
              "얼굴을 나타낸 그림. 직선 보간의 중간점은 원점 쪽으로 짧아진다.",
              "Two points z1 and z2 of the latent space joined by a spherical (slerp) arc, each "
              "point of which the generator turns into a face; the midpoint of a straight line is "
              "shorter, nearer the origin."))
    cx, cy, r = 180, 230, 170
    s.path(f"M {cx - r} {cy} A {r} {r} 0 0 1 {cx + r} {cy}", stroke=LINE, dashed=True)
    s.circle(cx, cy, 4, fill=INK, stroke=INK)
    s.text(cx, cy + 20, t("원점", "origin"), size=12, fill=MUTED)
    a1, a2 = math.radians(150), math.radians(30)
    p1 = (cx + r * math.cos(a1), cy - r * math.sin(a1))
    p2 = (cx + r * math.cos(a2), cy - r * math.sin(a2))
    s.path(f"M {p1[0]:.1f} {p1[1]:.1f} A {r} {r} 0 0 1 {p2[0]:.1f} {p2[1]:.1f}", stroke="#2563eb",
           width=2.5)
    s.line(p1[0], p1[1], p2[0], p2[1], color="#b91c1c", dashed=True)
    for k in range(5):
        a = a1 + (a2 - a1) * k / 4
        s.circle(cx + r * math.cos(a), cy - r * math.sin(a), 6, fill="#2563eb", stroke="#1e3a8a")
    s.text(p1[0] - 14, p1[1] - 4, "z1", size=14, weight="bold", anchor="end")
    s.text(p2[0] + 14, p2[1] - 4, "z2", size=14, weight="bold", anchor="start")
    s.text(cx, 40, t("slerp: 길이를 유지하며 호를 따라 이동", "slerp: along the arc, length kept"),
           size=12, fill="#1d4ed8")
    s.text(cx, cy - 30, t("직선 보간의 중간점은 더 짧다", "a straight line's midpoint is shorter"),
           size=12, fill="#b91c1c")
    for k in range(5):
        x = 400 + (k % 3) * 70
        y = 60 + (k // 3) * 90
        shade = ["#fde68a", "#fcd34d", "#fbbf24", "#f59e0b", "#d97706"][k]
        s.circle(x + 25, y + 30, 26, fill=shade, stroke=LINE)
        s.text(x + 25, y + 76, f"t={k / 4:.2g}", size=11, fill=MUTED)
    s.text(505, 270, t("각 점 → 생성자 → 얼굴이 조금씩 바뀐다", "each point → generator → a gradually changing face"),
           size=12, fill=MUTED)
    return s


def dcgan_pyramid(t) -> Svg:
    layers = [("z", 100, 1, 1), ("4×4×512", 512, 4, 4), ("8×8×256", 256, 8, 8),
              ("16×16×128", 128, 16, 16), ("32×32×64", 64, 32, 32), ("64×64×3", 3, 64, 64)]
    s = Svg(780, 300, t("DCGAN 생성자의 모양 변화", "The shapes inside a DCGAN generator"),
            t("100차원 잡음 z가 4×4×512 특징 맵이 되고, 보폭 2의 전치 합성곱을 지날 때마다 가로세로는 두 배, "
              "채널은 절반이 되어 8×8×256, 16×16×128, 32×32×64를 거쳐 64×64×3 이미지가 된다.",
              "The 100-dimensional noise z becomes a 4×4×512 feature map; each stride-2 transposed "
              "convolution doubles height and width and halves the channels: 8×8×256, 16×16×128, "
              "32×32×64, then the 64×64×3 image."))
    x = 30
    for i, (label, ch, h, _w) in enumerate(layers):
        side = 10 + h * 2.6 if i else 10
        d = 3 + ch / 512 * 12  # the stacked back face stands for the channels
        y = 160 - side / 2
        if i:
            s.rect(x + d, y - d, side, side, fill="#e0e7ff", rx=2)
        s.rect(x, y, side, side, fill=GREEN if i == len(layers) - 1 else BLUE, rx=2)
        s.text(x + side / 2, 160 + max(side, 20) / 2 + 24, label, size=12, weight="bold")
        nxt = x + side + d + 42
        if i < len(layers) - 1:
            s.arrow(x + side + d + 6, 160, nxt - 6, 160)
        x = nxt
    s.text(390, 36, t("전치 합성곱(커널 4, 보폭 2) + 배치 정규화 + ReLU, 마지막 층은 tanh",
                      "transposed conv (kernel 4, stride 2) + batch norm + ReLU; tanh at the end"),
           size=13, fill=MUTED)
    return s


def cyclegan_cycle(t) -> Svg:
    s = Svg(700, 300, t("CycleGAN의 순환 일관성", "CycleGAN's cycle consistency"),
            t("도메인 X의 이미지 x를 생성자 G로 Y로 바꾸고 생성자 F로 되돌린 F(G(x))가 x와 같아야 한다. "
              "판별자 D_Y는 G(x)가 진짜 Y처럼 보이는지, D_X는 F(y)가 진짜 X처럼 보이는지 본다.",
              "An image x of domain X is mapped to Y by G and back by F; F(G(x)) should equal x. "
              "D_Y judges whether G(x) looks like a real Y, D_X whether F(y) looks like a real X."))
    s.box(40, 110, 120, 70, t("도메인 X", "domain X"), sub=t("예: 낮 사진", "e.g. day"), fill=BLUE)
    s.box(540, 110, 120, 70, t("도메인 Y", "domain Y"), sub=t("예: 밤 사진", "e.g. night"), fill=PURPLE)
    s.path("M 160 125 C 280 40, 420 40, 540 125", arrow=True)
    s.path("M 540 165 C 420 250, 280 250, 160 165", arrow=True)
    s.text(350, 58, t("G: X → Y", "G: X → Y"), size=14, weight="bold")
    s.text(350, 250, t("F: Y → X", "F: Y → X"), size=14, weight="bold")
    s.box(560, 20, 90, 40, "D_Y", fill=ORANGE, size=13)
    s.box(50, 230, 90, 40, "D_X", fill=ORANGE, size=13)
    s.text(350, 146, t("순환 일관성 손실", "cycle-consistency loss"), size=13, weight="bold",
           fill="#15803d")
    s.text(350, 168, "‖F(G(x)) − x‖₁ + ‖G(F(y)) − y‖₁", size=13, fill="#15803d")
    return s


def stylegan_mapping(t) -> Svg:
    s = Svg(760, 300, t("StyleGAN의 매핑 네트워크와 스타일 주입", "StyleGAN's mapping network and styles"),
            t("잡음 z가 8층 완전연결 매핑 네트워크를 거쳐 w가 되고, w는 합성 네트워크의 해상도마다 AdaIN으로 "
              "주입된다. 층마다 더해지는 잡음은 머리카락 같은 무작위 세부를 만든다.",
              "Noise z passes an 8-layer fully connected mapping network to become w, which is "
              "injected by AdaIN at every resolution of the synthesis network; per-layer noise adds "
              "random detail such as hair."))
    s.box(20, 40, 80, 50, "z", fill="#f1f5f9")
    s.box(20, 120, 80, 120, t("매핑", "mapping"), sub=t("FC × 8", "FC × 8"), fill=PURPLE)
    s.box(20, 262, 80, 30, "w", fill="#f1f5f9", size=13)
    s.arrow(60, 90, 60, 118)
    s.arrow(60, 240, 60, 260)
    res = ["4×4", "8×8", "16×16", "…", "1024×1024"]
    for i, r in enumerate(res):
        x = 190 + i * 110
        s.box(x, 150, 90, 60, r, fill=BLUE if r != "…" else "#ffffff", size=13)
        if i:
            s.arrow(x - 20, 180, x - 2, 180)
        if r != "…":
            s.arrow(x + 45, 240, x + 45, 212, color="#7c3aed")
            s.text(x + 45, 258, "AdaIN(w)", size=11, fill="#6d28d9")
            s.arrow(x + 45, 110, x + 45, 148, color="#15803d", dashed=True)
            s.text(x + 45, 104, t("잡음", "noise"), size=11, fill="#15803d")
    s.path("M 100 277 L 700 277", stroke="#7c3aed", width=1.2)
    s.text(470, 40, t("합성 네트워크: 거친 층은 자세·얼굴형, 세밀한 층은 색·질감",
                      "synthesis network: coarse layers set pose and shape, fine layers colour and texture"),
           size=13, fill=MUTED)
    return s


def style_transfer_losses(t) -> Svg:
    s = Svg(760, 300, t("스타일 전환의 두 손실", "The two losses of style transfer"),
            t("콘텐츠 이미지와 결과 이미지의 깊은 층 특징을 비교해 콘텐츠 손실을, 스타일 이미지와 결과 이미지의 "
              "여러 층 그람 행렬을 비교해 스타일 손실을 구하고, 가중합을 줄이도록 결과 이미지를 바꾼다.",
              "The content loss compares deep-layer features of the content and result images; the "
              "style loss compares Gram matrices of several layers of the style and result images; "
              "the result image is changed to reduce their weighted sum."))
    s.box(20, 30, 150, 60, t("콘텐츠 이미지", "content image"), sub=t("무엇을 그릴지", "what to draw"), fill=BLUE)
    s.box(20, 210, 150, 60, t("스타일 이미지", "style image"), sub=t("어떻게 그릴지", "how to draw"), fill=PURPLE)
    s.box(20, 120, 150, 60, t("결과 이미지 x", "result image x"), sub=t("픽셀을 최적화", "pixels optimised"), fill=GREEN)
    s.box(240, 100, 150, 100, "VGG", sub=t("가중치 고정", "frozen"), fill="#f1f5f9")
    for y in (60, 150, 240):
        s.arrow(170, y, 238, 150 + (y - 150) * 0.3)
    s.box(470, 40, 260, 70, t("콘텐츠 손실 α·L_c", "content loss α·L_c"), sub=t("깊은 층 특징의 차이", "deep features differ"), fill=BLUE)
    s.box(470, 190, 260, 70, t("스타일 손실 β·L_s", "style loss β·L_s"), sub=t("그람 행렬 G = F·Fᵀ의 차이", "Gram matrices G = F·Fᵀ differ"), fill=PURPLE)
    s.arrow(390, 130, 468, 80)
    s.arrow(390, 170, 468, 222)
    s.path("M 600 260 C 600 300, 95 300, 95 182", stroke="#15803d", arrow=True, dashed=True)
    s.text(350, 292, t("기울기로 x를 갱신", "update x by the gradient"), size=12, fill="#15803d")
    return s


def nst_loop(t) -> Svg:
    s = Svg(700, 260, t("스타일 전환 실습의 최적화 루프", "The optimisation loop of the lab"),
            t("결과 이미지 x를 고정된 VGG-19에 넣어 콘텐츠 손실과 스타일 손실을 계산하고, L-BFGS가 x의 픽셀을 "
              "고친다. 이 과정을 정해진 횟수만큼 반복한다.",
              "The result image x goes through the frozen VGG-19, the content and style losses are "
              "computed, and L-BFGS changes the pixels of x; this repeats a set number of times."))
    steps = [(t("결과 이미지 x", "result image x"), GREEN), (t("VGG-19 (고정)", "VGG-19 (frozen)"), "#f1f5f9"),
             ("α·L_c + β·L_s", ORANGE), (t("L-BFGS 한 단계", "one L-BFGS step"), BLUE)]
    pos = [(40, 40), (390, 40), (390, 170), (40, 170)]
    for (label, fill), (x, y) in zip(steps, pos, strict=True):
        s.box(x, y, 250, 56, label, fill=fill, size=14)
    s.arrow(290, 68, 388, 68)
    s.arrow(515, 96, 515, 168)
    s.arrow(388, 198, 292, 198)
    s.arrow(165, 168, 165, 98)
    s.text(350, 135, t("반복", "repeat"), size=14, weight="bold", fill=MUTED)
    s.text(350, 250, t("바뀌는 것은 x의 픽셀뿐: 신경망의 가중치는 그대로",
                       "Only the pixels of x change; the network's weights stay"),
           size=12, fill=MUTED)
    return s


def dcgan_labels(t) -> Svg:
    s = Svg(720, 270, t("DCGAN 실습의 두 단계와 레이블", "The two steps of the DCGAN lab and their labels"),
            t("판별자 단계에서는 진짜 배치에 레이블 1, 생성 배치에 0을 주어 BCE를 줄인다. 생성자 단계에서는 "
              "생성 배치에 레이블 1을 주어 판별자가 가짜를 진짜로 보도록 생성자를 갱신한다.",
              "In the discriminator step the real batch is labelled 1 and the generated batch 0 and "
              "the BCE is reduced; in the generator step the generated batch is labelled 1 so that the "
              "generator is updated to make D call it real."))
    s.rect(20, 20, 330, 220, fill="#fff7ed")
    s.text(185, 50, t("① 판별자 단계", "① discriminator step"), size=15, weight="bold")
    s.box(40, 75, 130, 48, t("진짜 배치", "real batch"), fill=BLUE, size=13)
    s.box(40, 150, 130, 48, t("생성 배치", "fake batch"), fill=GREEN, size=13)
    s.text(250, 105, t("레이블 1", "label 1"), size=14, weight="bold")
    s.text(250, 180, t("레이블 0", "label 0"), size=14, weight="bold")
    s.arrow(170, 99, 210, 99)
    s.arrow(170, 174, 210, 174)
    s.text(185, 228, "log D(x) + log(1 − D(G(z)))", size=12, fill=MUTED)
    s.rect(370, 20, 330, 220, fill="#f0fdf4")
    s.text(535, 50, t("② 생성자 단계", "② generator step"), size=15, weight="bold")
    s.box(390, 110, 130, 48, t("생성 배치", "fake batch"), fill=GREEN, size=13)
    s.text(610, 140, t("레이블 1", "label 1"), size=14, weight="bold")
    s.arrow(520, 134, 570, 134)
    s.text(535, 200, t("D는 고정, G만 갱신", "D fixed, only G updated"), size=12, fill=MUTED)
    s.text(535, 228, "log D(G(z))", size=12, fill=MUTED)
    return s


def spectra(t) -> Svg:
    data = json.loads(DATA.read_text(encoding="utf-8"))["spectra"]
    real, fake = data["real"], data["fake"]
    lo = min(min(map(min, real)), min(map(min, fake)))
    hi = max(max(map(max, real)), max(map(max, fake)))
    # The ratio on a log scale shows where the generated images carry more energy than photographs.
    ratio = [[math.log((f + 1e-3) / (r + 1e-3)) for f, r in zip(fr, rr, strict=True)]
             for fr, rr in zip(fake, real, strict=True)]
    s = Svg(760, 330, t("진짜 사진과 생성 이미지의 평균 주파수 스펙트럼",
                        "Averaged spectra of real photographs and generated images"),
            t(f"진짜 사진 조각 {data['n_real']}장과 강좌의 DCGAN이 만든 얼굴 {data['n_fake']}장(모두 64×64 흑백)의 "
              "중심 로그 진폭 스펙트럼 평균. 가운데가 저주파, 바깥쪽이 고주파다. 오른쪽은 생성 이미지 대 진짜 사진의 "
              "비율로, 모서리(가로·세로 모두 2픽셀 주기인 가장 높은 주파수)와 가로·세로 축에서 생성 이미지가 더 밝다.",
              f"Mean centred log-magnitude spectra of {data['n_real']} real photograph crops and "
              f"{data['n_fake']} faces from the course's DCGAN (all 64×64 greyscale); the centre is "
              "low frequency, the edges high. Right: the ratio of generated to real, brightest in "
              "the corner (a 2-pixel period both ways, the highest frequency) and along the axes."))
    for i, (label, rows, kw) in enumerate([
            (t("진짜 사진", "real photographs"), real, {"lo": lo, "hi": hi}),
            (t("생성 이미지 (DCGAN)", "generated (DCGAN)"), fake, {"lo": lo, "hi": hi}),
            (t("비율 (생성 ÷ 진짜, 로그)", "ratio (fake ÷ real, log)"), ratio, {"lo": 0.0})]):
        x = 20 + i * 250
        s.image(x, 40, 230, 230, png_gray(rows, colormap=heat, **kw))
        s.rect(x, 40, 230, 230, fill="none", rx=0)
        s.text(x + 115, 295, label, size=14, weight="bold")
    s.text(380, 24, t("가운데 = 저주파, 바깥쪽 = 고주파", "centre = low frequencies, edges = high"),
           size=12, fill=MUTED)
    s.text(380, 320, t("측정: scripts/figures.py --measure", "measured by scripts/figures.py --measure"),
           size=10, fill=MUTED)
    return s


def roc_curve(t) -> Svg:
    rng = random.Random(7)
    fakes = [rng.gauss(1.4, 1.0) for _ in range(400)]
    reals = [rng.gauss(0.0, 1.0) for _ in range(400)]
    thresholds = sorted(set(fakes + reals), reverse=True)
    points = [(0.0, 0.0)]
    for th in thresholds:
        points.append((sum(r >= th for r in reals) / len(reals),
                       sum(f >= th for f in fakes) / len(fakes)))
    points.append((1.0, 1.0))
    auc = sum((x2 - x1) * (y1 + y2) / 2 for (x1, y1), (x2, y2) in zip(points, points[1:],
                                                                         strict=False))
    s = Svg(520, 430, t("ROC 곡선과 AUC", "A ROC curve and its AUC"),
            t(f"가짜 점수와 진짜 점수를 각각 정규분포에서 400개씩 뽑은 예시 탐지기의 ROC 곡선. 가로축은 거짓 양성률, "
              f"세로축은 참 양성률이며 곡선 아래 넓이(AUC)는 {auc:.2f}이다. 대각선은 무작위 추측이다.",
              f"ROC curve of an example detector whose fake and real scores are 400 draws each from "
              f"two normal distributions; x is the false positive rate, y the true positive rate; "
              f"the area under the curve (AUC) is {auc:.2f}. The diagonal is random guessing."))
    x0, y0, w = 80, 360, 320
    s.rect(x0, y0 - w, w, w, fill="#ffffff", rx=0)
    for k in range(1, 5):
        s.line(x0 + w * k / 5, y0, x0 + w * k / 5, y0 - w, color="#e5e7eb")
        s.line(x0, y0 - w * k / 5, x0 + w, y0 - w * k / 5, color="#e5e7eb")
    d = "M " + " L ".join(f"{x0 + px * w:.1f} {y0 - py * w:.1f}" for px, py in points[::4] +
                          [points[-1]])
    area = d + f" L {x0 + w} {y0} L {x0} {y0} Z"
    s.path(area, stroke="none", fill="#dbeafe")
    s.line(x0, y0, x0 + w, y0 - w, dashed=True, color=MUTED)
    s.path(d, stroke="#1d4ed8", width=2.5)
    s.text(x0 + w / 2, y0 + 40, t("거짓 양성률 (FPR)", "false positive rate (FPR)"), size=13)
    s.parts.append(f'<text x="30" y="{y0 - w / 2}" font-size="13" text-anchor="middle" '
                   f'fill="{INK}" transform="rotate(-90 30 {y0 - w / 2})">'
                   f'{html.escape(t("참 양성률 (TPR, 재현율)", "true positive rate (TPR, recall)"))}</text>')
    for k in range(6):
        s.text(x0 + w * k / 5, y0 + 18, f"{k / 5:.1f}", size=11, fill=MUTED)
        s.text(x0 - 8, y0 - w * k / 5 + 4, f"{k / 5:.1f}", size=11, fill=MUTED, anchor="end")
    s.text(x0 + w * 0.62, y0 - w * 0.3, f"AUC = {auc:.2f}", size=16, weight="bold", fill="#1d4ed8")
    s.text(x0 + w * 0.78, y0 - w * 0.62, t("무작위 추측", "random guess"), size=12, fill=MUTED)
    s.text(x0 + w * 0.06, y0 - w - 10, t("완벽한 탐지기: (0, 1)", "perfect detector: (0, 1)"),
           size=12, fill=MUTED, anchor="start")
    return s


def seq2seq_attention(t) -> Svg:
    s = Svg(760, 345, t("어텐션이 있는 seq2seq", "seq2seq with attention"),
            t("인코더가 입력 단어마다 은닉 상태 h1부터 h4를 만들고, 디코더는 출력 단어마다 어텐션 가중치 α로 "
              "그 상태들의 가중 평균인 문맥 벡터 c_t를 새로 계산해 다음 단어를 만든다.",
              "The encoder makes a hidden state h1 to h4 for each input word; for each output word "
              "the decoder computes a new context vector c_t, the attention-weighted (α) average of "
              "those states, and produces the next word."))
    words = [t("나는", "I"), t("학교에", "to"), t("걸어서", "school"), t("간다", "walk")]
    weights = [0.1, 0.65, 0.15, 0.1]
    for i, (w, a) in enumerate(zip(words, weights, strict=True)):
        x = 40 + i * 110
        s.box(x, 230, 90, 44, f"h{i + 1}", fill=BLUE, size=14)
        s.text(x + 45, 300, w, size=13)
        if i:
            s.arrow(x - 20, 252, x - 2, 252)
        s.line(x + 45, 228, 560, 110, color="#7c3aed", width=0.8 + 6 * a)
        s.text(x + 45 + (560 - x - 45) * 0.35, 228 - 118 * 0.35 - 6, f"α={a:.2f}", size=11,
               fill="#6d28d9")
    s.text(245, 334, t("인코더: 입력 단어마다 은닉 상태", "encoder: a hidden state per input word"),
           size=13, weight="bold", fill=MUTED)
    s.box(540, 80, 80, 44, "c_t", fill=PURPLE, size=14)
    s.box(650, 80, 90, 44, "s_t", fill=GREEN, size=14)
    s.arrow(620, 102, 648, 102)
    s.text(695, 60, t("디코더", "decoder"), size=14, weight="bold", fill=MUTED)
    s.text(695, 150, t("→ 다음 단어", "→ next word"), size=13)
    s.text(560, 30, "c_t = Σ_j α_tj · h_j", size=14, weight="bold")
    return s


def scaled_dot_attention(t) -> Svg:
    s = Svg(760, 200, t("스케일드 닷-프로덕트 어텐션", "Scaled dot-product attention"),
            t("Q와 K의 행렬 곱을 √d_k로 나누고, 필요하면 마스크를 더한 뒤 소프트맥스로 가중치를 만들어 V에 곱한다.",
              "Q times K transposed is divided by √d_k, a mask is added if needed, a softmax gives "
              "the weights, and they multiply V."))
    steps = [("Q · Kᵀ", BLUE), ("÷ √d_k", "#f1f5f9"), (t("+ 마스크", "+ mask"), "#f1f5f9"),
             ("softmax", ORANGE), ("· V", GREEN)]
    for i, (label, fill) in enumerate(steps):
        x = 30 + i * 145
        s.box(x, 70, 120, 56, label, fill=fill, size=15)
        if i:
            s.arrow(x - 25, 98, x - 2, 98)
    s.text(380, 40, "softmax(QKᵀ/√d_k + M)·V", size=16, weight="bold")
    s.text(380, 165, t("마스크는 볼 수 없는 위치에 −∞를 더한다 (인과 마스크, 패딩 마스크)",
                       "the mask adds −∞ where a position may not look (causal or padding mask)"),
           size=12, fill=MUTED)
    return s


def cross_attention_map(t) -> Svg:
    data = json.loads(DATA.read_text(encoding="utf-8"))["caption"]
    words, maps = data["tokens"], data["attention"]
    image = data["image"]
    keep = [i for i, w in enumerate(words) if w.strip(",") and not w.startswith("<")][:8]
    s = Svg(780, 330, t("단어마다의 교차 어텐션 지도", "Cross-attention map per word"),
            t(f"강좌의 캡션 모델이 장면 {data['scene_seed']}번에 대해 만든 캡션 '{data['text']}'의 단어마다, 디코더 "
              "마지막 층이 8×8 이미지 격자의 어디를 보았는지(헤드 평균) 밝기로 나타낸 지도. 모양과 색 단어는 "
              "해당 도형이 있는 칸에 모이는 경향이 있다.",
              f"For each word of the caption '{data['text']}' that the course's captioner wrote for "
              f"scene {data['scene_seed']}, where the last decoder layer looked on the 8×8 image grid "
              "(mean over heads), as brightness; shape and colour words tend to gather on the "
              "shape's cells."))
    s.image(20, 50, 160, 160, png_rgb(image))
    s.text(100, 235, t("입력 장면", "input scene"), size=13, weight="bold")
    s.text(100, 255, t(f"장면 {data['scene_seed']}번", f"scene {data['scene_seed']}"), size=12, fill=MUTED)
    for k, i in enumerate(keep):
        x = 210 + (k % 4) * 140
        y = 20 + (k // 4) * 145
        s.image(x, y, 110, 110, png_gray(maps[i], lo=0, colormap=heat))
        s.text(x + 55, y + 128, f"'{words[i]}'", size=14, weight="bold")
    s.text(390, 322, t("밝을수록 그 단어를 고를 때 많이 본 칸 (마지막 층, 헤드 평균)",
                       "brighter = looked at more when choosing the word (last layer, head mean)"),
           size=12, fill=MUTED)
    return s


def vit_gpt2(t) -> Svg:
    s = Svg(760, 280, t("ViT 인코더와 GPT-2 디코더", "A ViT encoder and a GPT-2 decoder"),
            t("이미지를 16×16 패치로 나눠 ViT 인코더가 패치마다 벡터를 만들고, GPT-2 디코더의 각 블록은 새로 "
              "추가한 교차 어텐션으로 그 벡터들을 참조하며 캡션을 한 단어씩 만든다.",
              "The image is cut into 16×16 patches, the ViT encoder makes a vector per patch, and "
              "each GPT-2 decoder block looks at them through a newly added cross-attention while "
              "writing the caption word by word."))
    for r in range(3):
        for c in range(3):
            s.rect(30 + c * 34, 60 + r * 34, 30, 30, fill="#e0f2fe", rx=2)
    s.text(80, 185, t("패치", "patches"), size=13)
    s.box(170, 60, 150, 100, t("ViT 인코더", "ViT encoder"), sub=t("사전 학습", "pre-trained"), fill=BLUE)
    s.arrow(132, 110, 168, 110)
    s.box(430, 40, 300, 140, "", fill=GREEN)
    s.text(580, 64, t("GPT-2 디코더 블록", "GPT-2 decoder block"), size=14, weight="bold")
    s.box(450, 78, 120, 40, t("셀프 어텐션", "self-attention"), fill="#ffffff", size=12, weight="normal")
    s.box(590, 78, 125, 40, t("교차 어텐션 (새로)", "cross-attn (new)"), fill=ORANGE, size=12, weight="normal")
    s.box(520, 130, 130, 36, "MLP", fill="#ffffff", size=12, weight="normal")
    s.path("M 320 110 C 380 110, 560 160, 640 120", arrow=True, stroke="#c2410c")
    s.text(375, 95, "K, V", size=12, fill="#c2410c")
    s.text(580, 215, t("<s> → 'a' → 'red' → 'circle' …", "<s> → 'a' → 'red' → 'circle' …"), size=13)
    s.arrow(580, 180, 580, 198)
    return s


def stable_diffusion(t) -> Svg:
    s = Svg(760, 250, t("Stable Diffusion의 구성", "The parts of Stable Diffusion"),
            t("텍스트 인코더가 프롬프트를 벡터로 바꾸고, 잠재 공간의 잡음에서 시작해 교차 어텐션이 있는 U-Net이 "
              "잡음을 여러 단계에 걸쳐 걷어 내며, VAE 디코더가 잠재 표현을 이미지로 바꾼다.",
              "A text encoder turns the prompt into vectors; starting from noise in latent space a "
              "U-Net with cross-attention removes noise over many steps; the VAE decoder turns the "
              "latent into an image."))
    s.box(20, 30, 160, 56, t("텍스트 인코더", "text encoder"), sub=t("프롬프트", "prompt"), fill=PURPLE)
    s.box(20, 140, 160, 56, t("잠재 잡음", "latent noise"), sub="z_T", fill="#f1f5f9")
    s.box(260, 110, 200, 110, "U-Net", sub=t("교차 어텐션 · T단계 반복", "cross-attn · T steps"), fill=BLUE)
    s.box(540, 140, 180, 56, t("VAE 디코더", "VAE decoder"), sub=t("잠재 → 이미지", "latent → image"), fill=GREEN)
    s.arrow(180, 58, 300, 108)
    s.arrow(180, 168, 258, 168)
    s.arrow(460, 168, 538, 168)
    s.path("M 420 110 C 440 60, 300 60, 320 108", arrow=True)
    s.text(370, 52, t("잡음을 조금씩 제거", "remove a little noise"), size=12, fill=MUTED)
    s.text(380, 240, t("분류기 없는 가이던스로 프롬프트를 따르는 정도를 조절한다",
                       "classifier-free guidance sets how closely the prompt is followed"),
           size=12, fill=MUTED)
    return s


def unet(t) -> Svg:
    s = Svg(760, 340, t("U-Net: 스킵 연결을 가진 U자형 인코더–디코더", "U-Net: a U-shaped encoder-decoder with skips"),
            t("왼쪽 인코더가 해상도를 줄이며 채널을 늘리고, 오른쪽 디코더가 해상도를 다시 키운다. 같은 단계의 "
              "인코더 특징 맵이 스킵 연결로 디코더에 이어 붙여져, 출력은 픽셀마다 클래스를 할당한 분할 지도가 된다.",
              "The encoder on the left lowers the resolution and adds channels; the decoder on the "
              "right raises it again. Skip connections concatenate each encoder level's feature map "
              "into the decoder at the same level; the output assigns a class to every pixel."))
    h, gap = 36, 52
    left, right = [], []
    for k in range(4):
        w = 26 + k * 12
        y = 40 + k * gap
        xl = 60 + k * 75
        xr = 700 - k * 75 - w
        s.rect(xl, y, w, h, fill=BLUE, rx=3)
        s.rect(xr, y, w, h, fill=GREEN, rx=3)
        s.arrow(xl + w + 2, y + h / 2, xr - 2, y + h / 2, color="#7c3aed", dashed=True)
        left.append((xl, y, w))
        right.append((xr, y, w))
    by = 40 + 4 * gap
    s.rect(255, by, 210, h, fill=PURPLE, rx=3)
    s.text(360, by + 23, t("가장 낮은 해상도, 가장 많은 채널", "lowest resolution, most channels"), size=12)
    for k in range(4):
        xl, y, w = left[k]
        xr, _, wr = right[k]
        nxl, nxr = (left[k + 1][0] + left[k + 1][2] / 2, right[k + 1][0] + right[k + 1][2] / 2) \
            if k < 3 else (300, 420)
        s.arrow(xl + w / 2, y + h + 1, nxl, y + gap - 1)  # down: pool
        s.arrow(nxr, y + gap - 1, xr + wr / 2, y + h + 1)  # up: upsample
    s.text(360, 28, t("스킵 연결: 같은 단계의 인코더 특징을 디코더에 이어 붙인다",
                      "skip connections: each encoder level is concatenated into the decoder"),
           size=13, fill="#6d28d9", weight="bold")
    s.text(120, 300, t("↓ 다운샘플링", "↓ downsampling"), size=12, fill=MUTED)
    s.text(600, 300, t("↑ 업샘플링", "↑ upsampling"), size=12, fill=MUTED)
    s.text(120, 325, t("인코더: 무엇이 있나", "encoder: what is there"), size=13, weight="bold")
    s.text(600, 325, t("디코더: 픽셀마다 클래스", "decoder: a class per pixel"), size=13, weight="bold")
    return s


def padding_stride(t) -> Svg:
    s = Svg(720, 300, t("패딩과 보폭", "Padding and stride"),
            t("5×5 입력 둘레에 0을 한 칸 덧붙이면(패딩 1) 3×3 커널을 보폭 1로 움직여도 출력이 5×5로 유지되고, "
              "보폭 2로 움직이면 출력이 3×3이 된다.",
              "With one ring of zeros around a 5×5 input (padding 1), a 3×3 kernel at stride 1 keeps "
              "a 5×5 output; at stride 2 the output is 3×3."))
    c = 26
    x0, y0 = 40, 50
    for r in range(7):
        for q in range(7):
            pad = r in (0, 6) or q in (0, 6)
            s.rect(x0 + q * c, y0 + r * c, c - 2, c - 2, rx=2, fill="#f3f4f6" if pad else BLUE)
            if pad:
                s.text(x0 + q * c + 12, y0 + r * c + 17, "0", size=10, fill=MUTED)
    s.rect(x0, y0, 3 * c - 2, 3 * c - 2, fill="none", stroke="#dc2626", rx=2, width=2.5)
    s.rect(x0 + 2 * c, y0, 3 * c - 2, 3 * c - 2, fill="none", stroke="#ea580c", rx=2, width=2,)
    s.text(x0 + 91, y0 + 7 * c + 24, t("입력 5×5 + 패딩 1", "5×5 input + padding 1"), size=13,
           weight="bold")
    s.text(x0 + 91, y0 + 7 * c + 44, t("빨강 → 주황: 보폭 2만큼 이동", "red → orange: a stride-2 move"),
           size=12, fill=MUTED)
    for k, (n, label) in enumerate([(5, t("보폭 1 → 출력 5×5", "stride 1 → 5×5 output")),
                                    (3, t("보폭 2 → 출력 3×3", "stride 2 → 3×3 output"))]):
        bx = 320 + k * 210
        for r in range(n):
            for q in range(n):
                s.rect(bx + q * c, y0 + 26 + r * c, c - 2, c - 2, rx=2, fill=GREEN)
        s.text(bx + n * c / 2, y0 + 26 + 5 * c + 24, label, size=13, weight="bold")
    s.text(470, 30, t("출력 크기 = ⌊(W − K + 2P) / S⌋ + 1", "output = ⌊(W − K + 2P) / S⌋ + 1"),
           size=14)
    return s


def glossary_map(t) -> Svg:
    s = Svg(720, 220, t("용어 지도: GAN의 한 바퀴", "A map of terms: one turn of a GAN"),
            t("잡음이 잠재 공간의 한 점이 되어 생성자를 거쳐 가짜 이미지가 되고, 판별자가 진짜와 가짜를 가린다. "
              "그림의 말은 모두 용어집의 쓰는 말이다.",
              "Noise is a point of the latent space; the generator turns it into a fake image and the "
              "discriminator tells real from fake. Every word is the glossary's preferred term."))
    items = [(t("잡음", "noise"), "noise", "#f1f5f9"), (t("잠재 공간", "latent space"), "latent space", PURPLE),
             (t("생성자", "generator"), "generator", GREEN), (t("판별자", "discriminator"), "discriminator", ORANGE)]
    for i, (ko, en, fill) in enumerate(items):
        x = 20 + i * 175
        s.box(x, 60, 150, 70, ko, sub=en if t("ko", "en") == "ko" else None, fill=fill)
        if i:
            s.arrow(x - 23, 95, x - 2, 95)
    s.text(360, 175, t("내시 균형에 이르면 판별자는 진짜와 가짜를 가리지 못한다 (D = 1/2)",
                       "At the Nash equilibrium the discriminator cannot tell them apart (D = 1/2)"),
           size=13, fill=MUTED)
    return s


FIGURES: dict[str, Callable] = {
    "bert-input-sum": bert_input_sum,
    "causal-mask": causal_mask,
    "fine-tuning-flow": fine_tuning_flow,
    "chat-context": chat_context,
    "rlhf-stages": rlhf_stages,
    "gan-training-loop": gan_training_loop,
    "latent-walk": latent_walk,
    "dcgan-pyramid": dcgan_pyramid,
    "cyclegan-cycle": cyclegan_cycle,
    "stylegan-mapping": stylegan_mapping,
    "style-transfer-losses": style_transfer_losses,
    "nst-loop": nst_loop,
    "dcgan-labels": dcgan_labels,
    "spectra-real-fake": spectra,
    "roc-curve": roc_curve,
    "seq2seq-attention": seq2seq_attention,
    "scaled-dot-attention": scaled_dot_attention,
    "cross-attention-map": cross_attention_map,
    "vit-gpt2": vit_gpt2,
    "stable-diffusion": stable_diffusion,
    "unet": unet,
    "padding-stride": padding_stride,
    "glossary-map": glossary_map,
}


def draw(name: str, lang: str) -> str:
    def t(ko: str, en: str) -> str:
        return ko if lang == "ko" else en

    return FIGURES[name](t).render()


def filename(name: str, lang: str) -> str:
    return f"{name}.svg" if lang == "ko" else f"{name}.{lang}.svg"


def measure() -> None:
    """Recompute scripts/figure_data.json from the shipped models (torch, DCGAN weights)."""
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import torch

    from inference.ml import captioner as cap
    from inference.ml import dcgan, fake_detector, scenes

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n = 512
    gen = dcgan.load_face_generator()
    # Held-out seeds and all the sample photographs, the detector's own evaluation material.
    fakes = dcgan.generate_from_seeds(
        gen, [fake_detector.HELDOUT_SEED_OFFSET + i for i in range(n)])
    reals = fake_detector.real_photo_crops(
        fake_detector.TRAIN_PHOTOS + fake_detector.HELDOUT_PHOTOS, n, rng)

    def mean_spectrum(images: np.ndarray) -> list[list[float]]:
        rgb = torch.from_numpy(images[..., :3].astype(np.float32))
        gray = (rgb @ torch.tensor(fake_detector.LUMA)) / 127.5 - 1.0
        spec = fake_detector.log_spectrum(gray[:, None]).mean(0)[0]
        return [[round(float(v), 3) for v in row] for row in spec]

    model = cap.load_captioner(device="cpu")
    seed = 16  # two shapes, so the maps can be told apart
    image, _, _ = scenes.make_scene(seed=seed)  # the scene the lesson's demo shows
    result = cap.caption(model, image[None], lang="ko")[0]
    data = {
        "spectra": {"n_real": n, "n_fake": n, "real": mean_spectrum(reals),
                    "fake": mean_spectrum(fakes)},
        "caption": {"scene_seed": seed, "text": result["text"], "tokens": result["tokens"],
                    "image": [[[int(v) for v in px] for px in row] for row in image[..., :3]],
                    "attention": [[[round(float(v), 3) for v in row] for row in m]
                                  for m in result["attention"]]},
    }
    DATA.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--measure" in argv:
        measure()
    stale = []
    OUT.mkdir(parents=True, exist_ok=True)
    for name in FIGURES:
        for lang in LANGS:
            path = OUT / filename(name, lang)
            svg = draw(name, lang)
            if "--check" in argv:
                if not path.is_file() or path.read_text(encoding="utf-8") != svg:
                    stale.append(str(path.relative_to(ROOT)))
            else:
                path.write_text(svg, encoding="utf-8")
    if stale:
        print("out of date (run python scripts/figures.py):\n  " + "\n  ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
