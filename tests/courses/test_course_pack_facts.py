"""The shipped lessons state what is true: each check reads a lesson page over HTTP, as a student
does, and compares a claim with arithmetic, with the library it describes or with our own demo."""

from __future__ import annotations

import re

import pytest

from tests.course_pages import (
    article,
    formulas,
    lesson_html,
    load_and_log_in,
    plain_text,
    sections_about,
    without_widgets,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def genai_student(make_user, enrol, client):
    return load_and_log_in(make_user, enrol, client)

LESSONS = ["bert", "gpt", "fine-tuning", "interactive-gpt", "rlhf",
           "gan-principle", "image-generation", "generative-architectures",
           "gan-applications-1", "gan-applications-2",
           "style-generation", "art-generation-lab", "celebrity-face-lab",
           "fake-detection-1", "fake-detection-2",
           "encoder-decoder", "encoder-decoder-mechanics", "image-captioning-1",
           "image-captioning-2", "applications"]


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.다요])\s+", text) if s]


def test_fgsm_step_moves_a_fake_towards_real(genai_student):
    """x' = x + ε·sign(∇L(f(x), y_fake)) raises the loss of the label "fake" (or, written with
    −ε, lowers the loss of "real"); the other pairings make the image look more fake."""
    page = article(lesson_html(genai_student, "fake-detection-2"))
    steps = [plain_text(f"<p>{m.all_text()}</p>").replace(" ", "")
             for m in formulas(page) if "sign" in m.all_text()]
    assert steps, "the FGSM formula is on the page"
    signs = [re.search(r"(?:=|^)x([+−-])ϵ.*y(fake|real)", step) for step in steps]
    assert any(signs)
    for step, sign in zip(steps, signs, strict=True):
        if sign:
            assert sign.groups() in {("+", "fake"), ("−", "real"), ("-", "real")}, step
    text = plain_text(page)
    assert "손실을 줄이는 반대 방향" not in text


def test_claims_that_a_kernel_is_not_divisible_by_its_stride_are_true(genai_student):
    claims = []
    for slug in LESSONS:
        text = plain_text(article(lesson_html(genai_student, slug)))
        claims += [(slug, int(k), int(s)) for k, s in re.findall(
            r"커널 크기\(예: (\d+)\)가 (?:스트라이드|보폭)\((\d+)\)으?로 나누어떨어지지 않", text)]
    assert claims, "the lessons explain uneven overlap with an example"
    assert [c for c in claims if c[1] % c[2] == 0] == []


def test_dcgans_own_checkerboard_is_explained_by_zero_insertion(genai_student):
    text = plain_text(article(lesson_html(genai_student, "fake-detection-1")))
    aside = text[text.index("전치 합성곱은 왜 주기적인 무늬를 남길까"):]
    assert "커널 4, 보폭 2" in aside and "0을 끼워" in aside


def test_caption_demo_tasks_name_only_what_the_captioner_can_see(genai_student):
    """The caption demo draws coloured shapes; a task may only quote words the captioner
    knows, and the attention grid it names is the captioner's own."""
    from inference.ml.captioner import CaptionerConfig, WordTokenizer

    vocabulary = set(WordTokenizer.from_grammar().itos)
    grid = CaptionerConfig().grid
    for slug in ("encoder-decoder-mechanics", "image-captioning-1", "image-captioning-2"):
        page = article(lesson_html(genai_student, slug))
        demo = sections_about(page, "데모") + [
            s for s in sentences(plain_text(without_widgets(page))) if "데모" in s]
        assert demo
        # Quoted English is what the captioner is asked to say (Korean quotes are prose).
        quoted = [w for s in demo for q in re.findall(r"\"([^\"]+)\"", s) if q.isascii()
                  for w in re.findall(r"[A-Za-z]+", q)]
        assert [w for w in quoted if w not in vocabulary] == [], slug
        assert not [s for s in demo if "빈 방" in s or "dog" in s or "ball" in s], slug
        for sentence in (x for s in demo for x in sentences(s)):
            for n, m in re.findall(r"(\d+)×(\d+) ?(?:패치 )?(?:격자|지도)", sentence):
                assert (int(n), int(m)) == (grid, grid), sentence


def test_latent_walk_asked_for_is_embedded(genai_student):
    page = lesson_html(genai_student, "celebrity-face-lab")
    assert "두 시드 사이를 보간" in plain_text(article(page))
    assert 'name="seed_a"' in page and 'name="seed_b"' in page  # the latent-walk widget


def test_metrics_are_promised_only_where_they_are_shown(genai_student):
    page = article(lesson_html(genai_student, "fake-detection-2"))
    widget_card = re.search(r'<details class="model-card">.*?</details>', page, re.S).group(0)
    text = plain_text(page)
    if "모델 카드에는" in text:
        assert "Accuracy" in widget_card or "정확도" in widget_card
    assert 'href="/demos/"' in page  # where the held-out metrics are shown


def test_detector_demo_instructions_do_not_doubt_the_spectrum(genai_student):
    page = article(lesson_html(genai_student, "fake-detection-1"))
    assert "스펙트럼을 볼 수 있다면" not in plain_text(page)


def test_dcgan_is_cited_one_way(genai_student):
    citations = set()
    for slug in LESSONS:
        text = plain_text(article(lesson_html(genai_student, slug)))
        citations |= set(re.findall(r"Radford[^)]*\)", text))
    assert len(citations) == 1 and "2015" in next(iter(citations)), citations


def test_rlhf_state_is_the_prompt_and_the_tokens_so_far(genai_student):
    text = plain_text(article(lesson_html(genai_student, "rlhf")))
    assert "프롬프트가 상태" not in text
    assert "프롬프트와 지금까지 생성한 토큰" in text


def test_gpt_growth_factors_match_the_table(genai_student):
    text = plain_text(article(lesson_html(genai_student, "gpt")))
    size = {}  # in units of 10,000 parameters (만)
    for name, eok, man in re.findall(r"(GPT-[123]) \d{4} 약 ([\d,]+)억(?: ([\d,]+)만)?", text):
        size[name] = int(eok.replace(",", "")) * 10_000 + int((man or "0").replace(",", ""))
    said = re.findall(r"(GPT-\d)에서 (GPT-\d)로 약 (\d+)배", text)
    assert len(size) == 3 and ("GPT-2", "GPT-3") in [(a, b) for a, b, _ in said]
    for a, b, factor in said:
        assert int(factor) == round(size[b] / size[a]), (a, b, factor)


def test_lbfgs_default_evaluations_match_pytorch(genai_student):
    import torch

    text = plain_text(article(lesson_html(genai_student, "art-generation-lab")))
    (said,) = re.findall(r"기본값으로는 최대 (\d+)번", text)
    assert int(said) == torch.optim.LBFGS([torch.zeros(1, requires_grad=True)]
                                          ).defaults["max_eval"]


def test_unet_output_is_smaller_than_its_input(genai_student):
    text = plain_text(article(lesson_html(genai_student, "encoder-decoder")))
    assert "572" in text and "388" in text
    assert "같은 크기의 이미지" not in text


def test_gan_principle_cites_dcgan_as_a_later_session(genai_student):
    text = plain_text(without_widgets(article(lesson_html(genai_student, "gan-principle"))))
    mentions = [s for s in sentences(text) if "DCGAN" in s]
    assert mentions and all("3차시" in s for s in mentions), mentions


# Two-letter subscripts of this course that are words (x_in, W_up, L_tv, n_gf), not products
# such as the DFT's um and vn or double indices such as ij and tk.
TWO_LETTER_WORDS = {"in", "up", "tv", "gf"}


def _letter_runs(node, *, upright: bool) -> list[str]:
    """Words spelt as single-letter <mi>s side by side in one row (how `_{data}` renders);
    italic letters only, or upright ones too. Only a row's children sit side by side (a
    <msub>'s are a base and its script)."""
    if node.tag not in ("math", "mrow", "mstyle", "mtd", "mpadded"):
        return []
    runs, run = [], ""
    for child in node.children:
        letter = child.all_text()
        if child.tag == "mi" and len(letter) == 1 and letter.isascii() and letter.isalpha() \
                and (upright or child.attrs.get("mathvariant") != "normal"):
            run += letter
            continue
        runs.append(run)
        run = ""
    return [r for r in runs + [run] if len(r) > 1]


def _descendants(node):
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack += node.children


def _is_word(run: str) -> bool:
    return len(run) > 2 or not run.islower() or run in TWO_LETTER_WORDS


def _formula_problems(name: str, fragment: str) -> list[tuple[str, str]]:
    problems = []
    for math in formulas(fragment):
        for node in _descendants(math):
            if node.tag == "mi" and node.all_text().startswith("\\"):
                problems.append((name, f"unknown command {node.all_text()}"))
            problems += [(name, f"arg spelt as letters: {run}")
                         for run in _letter_runs(node, upright=True) if "arg" in run]
            if node.tag in ("msub", "msup", "msubsup", "munder", "mover"):
                for script in node.children[1:]:
                    for part in [script, *_descendants(script)]:
                        problems += [(name, f"italic word in a script: {run}")
                                     for run in _letter_runs(part, upright=False)
                                     if _is_word(run)]
    return problems


def test_formulas_set_words_upright_and_argmin_as_an_operator(genai_student):
    """A subscript such as `data` or `cGAN` is a word, not a product of italic variables, and
    arg min is one operator; double indices such as ij or tk stay italic."""
    import yaml

    from courses.rendering import render_markdown
    from tests.course_pages import PACK

    problems = []
    for slug in LESSONS:
        problems += _formula_problems(slug, article(lesson_html(genai_student, slug)))
    for path in sorted((PACK / "quizzes").glob("*.yaml")):
        stack = [yaml.safe_load(path.read_text())]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack += value.values()
            elif isinstance(value, list):
                stack += value
            elif isinstance(value, str) and "$" in value:
                problems += _formula_problems(path.name, render_markdown(value))
    assert problems == []
