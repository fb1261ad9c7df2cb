"""Django's `{# … #}` comment ends on its own line: one that spans lines is printed on the page
as text (the attempt page showed one to every student). A comment over several lines is
`{% comment %}`."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNCLOSED = re.compile(r"\{#(?![^\n]*#\})")


def test_no_template_has_a_line_comment_that_spans_lines():
    templates = [p for root in ("templates", "courses", "quizzes", "inference", "config")
                 for p in (REPO / root).glob("**/*.html")]
    assert len(templates) > 20
    found = [f"{p.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}"
             for p in templates for text in [p.read_text(encoding="utf-8")]
             for m in UNCLOSED.finditer(text)]
    assert not found, f"multi-line {{# #}} comments (use {{% comment %}}): {found}"
