"""Markdown with math to safe HTML: markdown-it-py → MathML (latex2mathml) → nh3.

Every lesson body, question stem, choice and feedback goes through `render_markdown` (or
`render_inline`), and every HTML fragment from outside (Moodle XML) through `sanitize_html`.
Nothing reaches a page without passing nh3, so a `<script>` or an `onerror=` in content never
runs in a student's browser.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable
from functools import lru_cache

import nh3
from latex2mathml.converter import convert as latex_to_mathml
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .cjk_emphasis import cjk_emphasis_plugin

MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "menclose", "mpadded", "mphantom", "merror",
}
MATHML_ATTRIBUTES = {
    "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent",
    "accentunder", "columnalign", "rowspacing", "columnspacing", "linethickness", "width",
    "height", "depth", "minsize", "maxsize", "movablelimits", "displaystyle", "scriptlevel",
    "notation", "encoding",
}
ALLOWED_TAGS = (
    nh3.ALLOWED_TAGS
    | MATHML_TAGS
    | {"details", "summary", "aside", "figure", "figcaption", "section", "div", "span", "audio",
       "source", "video"}
)
_GLOBAL_ATTRIBUTES = {"class", "id", "lang", "title", "aria-label", "role"}
ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS},
    "*": _GLOBAL_ATTRIBUTES,
    "img": {"src", "alt", "width", "height", "loading"},
    "a": {"href", "title"},
    "details": {"open"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "audio": {"src", "controls"},
    "video": {"src", "controls", "width", "height"},
    "source": {"src", "type"},
}
# data: URIs are allowed for images only because imported Moodle questions embed pictures that
# way; nh3 drops javascript: and every other scheme.
URL_SCHEMES = {"http", "https", "mailto", "data"}
_CALLOUTS = {"note": "참고", "warning": "주의", "tip": "팁"}


def sanitize_html(fragment: str) -> str:
    """Return `fragment` with every tag, attribute and URL scheme not on the allow-list removed."""
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A data: URL is only acceptable as an image; nh3 cannot scope schemes per tag.
    return re.sub(r'(<a\b[^>]*?)\shref="data:[^"]*"', r"\1", cleaned)


# latex2mathml knows \argmin and \argmax, but prints the standard \arg\min as a literal "\arg"
# and drops an \operatorname whose name holds a spacing command (arg\,min): spell both its way.
_ARG_MIN_MAX_RE = re.compile(
    r"\\arg\s*\\(min|max)(?![A-Za-z])"
    r"|\\operatorname\*?\{\s*arg\s*(?:\\[,;:! ]|~|\s)*(min|max)\s*\}")
_ARG_RE = re.compile(r"\\arg(?![A-Za-z])")


def _operators_for_latex2mathml(latex: str) -> str:
    latex = _ARG_MIN_MAX_RE.sub(lambda m: "\\arg" + (m.group(1) or m.group(2)), latex)
    return _ARG_RE.sub(r"\\operatorname{arg}", latex)


def _math(content: str, display: bool) -> str:
    try:
        return latex_to_mathml(_operators_for_latex2mathml(content.strip()),
                               display="block" if display else "inline")
    except Exception:  # latex2mathml raises assorted errors on unsupported input
        # Show the source instead of failing the whole page; authors see it in the preview.
        return f'<code class="math-error">{html.escape(content)}</code>'


def _highlight(code: str, lang: str, _attrs: str) -> str:
    if not lang:
        return ""
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    # nowrap: markdown-it adds the <pre><code class="language-…"> wrapper itself.
    return highlight(code, lexer, HtmlFormatter(nowrap=True))


def _render_container(kind: str) -> Callable:
    def render(self, tokens, idx, _options, env):
        token = tokens[idx]
        if token.nesting != 1:
            return "</details>\n" if kind == "details" else "</aside>\n"
        title = token.info.strip()[len(kind):].strip()
        if kind == "details":
            summary = md_inline(title or "더보기")
            return f'<details class="aside">\n<summary>{summary}</summary>\n'
        label = md_inline(title or _CALLOUTS[kind])
        return (f'<aside class="callout callout-{kind}" role="note">\n'
                f'<p class="callout-title">{label}</p>\n')

    return render


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"highlight": _highlight, "html": True}).enable("table")
    md.enable("strikethrough")
    cjk_emphasis_plugin(md)
    dollarmath_plugin(md, double_inline=True, renderer=lambda c, o: _math(c, o["display_mode"]))
    # `$$…$$` inside a paragraph: MathML may sit in a <p>, a <div> may not.
    md.add_render_rule(
        "math_inline_double",
        lambda self, tokens, idx, options, env: (
            f'<span class="math display">{_math(tokens[idx].content, True)}</span>'
        ),
    )
    for kind in ("details", *_CALLOUTS):
        container_plugin(md, kind, render=_render_container(kind))
    return md


def md_inline(text: str) -> str:
    return _parser().renderInline(text)


FenceRenderer = Callable[[str, str], str]
_fence_renderers: dict[str, FenceRenderer] = {}


class DirectiveError(ValueError):
    """A fenced directive (e.g. ```demo face-generate) is wrong; `line` is 1-based in the text."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line


def register_fence(prefix: str, renderer: FenceRenderer) -> None:
    """Let another app render fenced blocks whose info string starts with `prefix` (demos)."""
    _fence_renderers[prefix] = renderer


def render_markdown(text: str) -> str:
    """Render block Markdown (with $math$, code, asides) to sanitised HTML."""
    md = _parser()
    tokens = md.parse(text)
    # A directive's markup (a demo placeholder) is ours: it goes in after sanitising, where a
    # slot with an unguessable id stands, so raw HTML in the text cannot forge one (the
    # allow-list has no data-demo attributes).
    nonce, directives = secrets.token_hex(8), {}
    for token in tokens:
        if token.type == "fence":
            prefix = token.info.strip().split(" ", 1)[0]
            if prefix in _fence_renderers:
                try:
                    html_text = _fence_renderers[prefix](token.info.strip(), token.content)
                except DirectiveError as exc:
                    # Report the line in the whole text: the fence's first line plus the
                    # line inside the block.
                    exc.line = (token.map[0] if token.map else 0) + exc.line
                    raise
                slot = f'<div id="directive-{nonce}-{len(directives)}"></div>'
                directives[slot] = html_text
                token.type = "html_block"
                token.content = slot + "\n"
    html_text = sanitize_html(md.renderer.render(tokens, md.options, {}))
    for slot, html_fragment in directives.items():
        html_text = html_text.replace(slot, html_fragment.rstrip("\n"), 1)
    # Wide formulas scroll sideways inside their box; a scrolling box must be reachable by
    # keyboard (WCAG 2.1.1), so it gets a tab stop. Added after sanitising: our markup, not
    # the author's.
    return html_text.replace('<div class="math block">', '<div class="math block" tabindex="0">'
                             ).replace('<span class="math display">',
                                       '<span class="math display" tabindex="0">'
                                       ).replace("<pre>", '<pre tabindex="0">')


def render_inline(text: str) -> str:
    """Render one line of Markdown (a choice, a title) without a wrapping paragraph."""
    return sanitize_html(md_inline(text))


# What a student's own text (an essay answer) may contain: structure and emphasis, code and math,
# no attributes at all. No class, id or style means it cannot borrow the page's own markup
# (a fake "Correct" banner, a fake button); no links or images means nothing to follow or load.
STUDENT_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "s", "del", "sub", "sup", "code",
                "pre", "blockquote", "ul", "ol", "li", "h3", "h4", "h5", "h6", "hr", "table",
                "thead", "tbody", "tr", "th", "td", "span"} | MATHML_TAGS
STUDENT_ATTRIBUTES = {tag: set(MATHML_ATTRIBUTES) - {"width", "height"} for tag in MATHML_TAGS}


def render_student_text(text: str, text_format: str = "plain") -> str:
    """A student's answer (plain or Markdown) as HTML restricted to STUDENT_TAGS, without
    attributes; headings h1/h2 become h3 so the answer cannot outrank the page's own."""
    if text_format == "markdown":
        rendered = _parser().render(text)
        rendered = re.sub(r"<(/?)h[12]\b", r"<\1h3", rendered)
    else:
        rendered = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
    return nh3.clean(rendered, tags=STUDENT_TAGS, attributes=STUDENT_ATTRIBUTES, url_schemes=set(),
                     strip_comments=True)


def render_text(text: str, text_format: str = "markdown", *, inline: bool = False) -> str:
    """Render question text in its declared format: markdown, html, moodle or plain."""
    if text_format == "html":
        return sanitize_html(text)
    if text_format == "plain":
        escaped = html.escape(text)
        return escaped if inline else "<p>" + escaped.replace("\n", "<br>") + "</p>"
    if text_format == "moodle":  # Moodle's auto-format: plain text whose newlines are breaks
        return sanitize_html(text.replace("\n", "<br>"))
    return render_inline(text) if inline else render_markdown(text)
