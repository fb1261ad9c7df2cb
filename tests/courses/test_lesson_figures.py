"""Every lesson shows at least one figure with alt text; the figures are SVGs drawn by
scripts/figures.py (Korean and English, each with a <title> and <desc>), and the files in the
repository are what the script draws."""

from __future__ import annotations

import html
import re
import runpy
from pathlib import Path

import pytest
import yaml
from django.contrib.staticfiles import finders

from tests.course_pages import PACK, article, lesson_html, load_and_log_in

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FIGURES = runpy.run_path(str(ROOT / "scripts" / "figures.py"))
LESSON_SLUGS = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1])["slug"]
                for p in sorted(PACK.glob("week*/*.md"))]
# The figures the course asked for, and the lesson each belongs in.
REQUIRED = {
    "bert-input-sum": "bert", "causal-mask": "gpt", "gan-training-loop": "gan-principle",
    "dcgan-pyramid": "generative-architectures", "seq2seq-attention": "encoder-decoder",
    "cross-attention-map": "image-captioning-1", "unet": "midterm-review",
    "rlhf-stages": "rlhf", "spectra-real-fake": "fake-detection-1", "roc-curve": "fake-detection-2",
}


@pytest.fixture
def genai_student(make_user, enrol, client):
    return load_and_log_in(make_user, enrol, client)


def figures_of(page: str) -> list[tuple[str, str]]:
    """(src, alt) of every figure image in a lesson's body."""
    found = []
    for tag in re.findall(r"<img\b[^>]*>", article(page)):
        src = re.search(r'src="([^"]+)"', tag)
        alt = re.search(r'alt="([^"]*)"', tag)
        if src and src.group(1).startswith("/static/figures/"):
            found.append((src.group(1), html.unescape(alt.group(1)) if alt else ""))
    return found


def test_every_lesson_has_a_figure_with_alt_text(genai_student):
    shown = {}
    for slug in LESSON_SLUGS:
        figures = figures_of(lesson_html(genai_student, slug))
        assert figures, f"lesson {slug} has no figure"
        for src, alt in figures:
            assert len(alt) >= 20, f"{slug}: {src} needs alt text that says what it shows"
            path = finders.find(src.removeprefix("/static/"))
            assert path, f"{slug}: {src} is not a static file"
            svg = Path(path).read_text(encoding="utf-8")
            assert re.search(r"<title[^>]*>[^<]{5,}</title>", svg), src
            assert re.search(r"<desc[^>]*>[^<]{20,}</desc>", svg), src
            shown.setdefault(Path(src).name.removesuffix(".svg"), set()).add(slug)
    for name, slug in REQUIRED.items():
        assert slug in shown.get(name, set()), f"{name} belongs in lesson {slug}"


def test_figures_are_drawn_by_the_script_in_both_languages():
    for name in FIGURES["FIGURES"]:
        for lang in FIGURES["LANGS"]:
            path = FIGURES["OUT"] / FIGURES["filename"](name, lang)
            assert path.is_file(), f"{path.name} is missing: run python scripts/figures.py"
            assert path.read_text(encoding="utf-8") == FIGURES["draw"](name, lang), \
                f"{path.name} differs from what scripts/figures.py draws; run it"
    ko, en = FIGURES["draw"]("gan-training-loop", "ko"), FIGURES["draw"]("gan-training-loop", "en")
    assert "생성자" in ko and "generator" in en and "생성자" not in en
