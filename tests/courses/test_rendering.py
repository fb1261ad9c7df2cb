"""Markdown, math and sanitising: what a lesson author writes and what reaches a page."""

import pytest

from courses.rendering import render_markdown, render_text, sanitize_html


def test_inline_and_display_math_become_mathml():
    html = render_markdown("둘레 $2\\pi r$ 입니다.\n\n$$\n\\frac{a}{b}\n$$\n")
    assert '<math display="inline">' in html
    assert '<math display="block">' in html and "<mfrac>" in html
    assert "$" not in html


def test_display_math_inside_a_paragraph_stays_valid_html():
    html = render_markdown("before\n$$\nx^2\n$$\nafter")
    assert '<span class="math display" tabindex="0"><math display="block">' in html
    assert "<div" not in html


def test_code_is_highlighted_with_language_class():
    html = render_markdown("```python\ndef f():\n    return 1\n```\n")
    assert '<code class="language-python">' in html
    assert '<span class="k">def</span>' in html


def test_details_aside_is_collapsible_with_its_title():
    html = render_markdown("::: details 더보기: 위치 인코딩\n숨은 *내용*\n:::\n")
    assert '<details class="aside">' in html
    assert "<summary>더보기: 위치 인코딩</summary>" in html
    assert "<em>내용</em>" in html


def test_script_handlers_and_javascript_urls_never_survive():
    html = render_markdown(
        '<script>alert(1)</script>\n\n<img src="a.png" onerror="alert(2)">\n\n'
        '[x](javascript:alert(3)) <a href="javascript:alert(4)">y</a> '
        '<iframe src="https://evil"></iframe><svg onload="alert(5)"></svg>'
    )
    lowered = html.lower()
    # markdown-it leaves a javascript: link as inert text; what matters is that no href has it.
    assert "href=\"javascript" not in lowered
    for needle in ("<script", "onerror", "<iframe", "onload", "<svg"):
        assert needle not in lowered, needle


def test_tables_render():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<table>" in html and "<td>1</td>" in html


def test_bad_latex_is_shown_as_source_not_an_error():
    html = render_markdown("$\\frac{a}{$ end")
    assert "end" in html


def test_html_format_is_sanitised_and_plain_is_escaped():
    assert "<script" not in render_text('<p>hi<script>x</script></p>', "html")
    assert render_text("<b>x</b>", "plain", inline=True) == "&lt;b&gt;x&lt;/b&gt;"


def test_data_urls_kept_for_images_but_not_links():
    html = sanitize_html('<img src="data:image/png;base64,AAAA"><a href="data:text/html,x">l</a>')
    assert 'src="data:image/png;base64,AAAA"' in html
    assert 'href="data:' not in html


def test_korean_emphasis_closes_after_punctuation_before_a_particle():
    # CommonMark leaves `**` after `)` open when a letter follows; Korean particles always do.
    assert render_markdown("**생성자(G)**는 가짜를 만든다").strip() == (
        "<p><strong>생성자(G)</strong>는 가짜를 만든다</p>")
    assert "<em>잠재 벡터(z)</em>를" in render_markdown("*잠재 벡터(z)*를 뽑는다")
    assert "가<strong>(괄호)</strong>" in render_markdown("가**(괄호)**")


def test_emphasis_outside_korean_text_follows_commonmark():
    assert "<p>**a)**b</p>" in render_markdown("**a)**b")
    assert "snake_case_name" in render_markdown("변수 snake_case_name 이름")
    assert "<p>2 * 3 * 4</p>" in render_markdown("2 * 3 * 4")
    assert "<strong>bold</strong> text" in render_markdown("**bold** text")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_no_literal_bold_markers_in_the_course_pack():
    """Every lesson and every quiz text of the shipped course renders its `**` as bold."""
    import re
    from pathlib import Path

    import yaml

    pack = Path(__file__).resolve().parents[2] / "content" / "genai-intro"
    texts = [p.read_text() for p in pack.rglob("*.md")]
    for path in (pack / "quizzes").glob("*.yaml"):
        texts += [s for s in _strings(yaml.safe_load(path.read_text())) if "**" in s]
    assert len(texts) > 20
    leftovers = []
    for text in texts:
        html = re.sub(r"<(pre|code)\b.*?</\1>", "", render_markdown(text), flags=re.S)
        leftovers += [line for line in html.splitlines() if "**" in line]
    assert leftovers == []


@pytest.mark.parametrize("latex", [r"\arg\min_G f", r"\operatorname{arg\,min}_G f",
                                   r"\operatorname*{arg\,min}_G f", r"\argmin_G f"])
def test_arg_min_renders_as_one_operator(latex):
    html = render_markdown(f"${latex}$")
    assert "<mo movablelimits=\"true\">arg\u2009min</mo>" in html
    assert "\\arg" not in html and "<mo></mo>" not in html


def test_arg_alone_is_an_operator():
    html = render_markdown(r"$\arg z$")
    assert "<mo>arg</mo>" in html and "\\arg" not in html
