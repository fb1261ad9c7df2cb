"""`**bold**` that closes before a Korean letter: CommonMark's emphasis rule made CJK-friendly.

CommonMark lets `**` close only if it is "right-flanking"; a run preceded by punctuation counts
only when whitespace or punctuation follows. Korean puts particles straight after a word, so
`**생성자(G)**는` leaves the `**` after `)` open and the page shows literal asterisks. We follow
the CJK-friendly amendment (the `markdown-it-cjk-friendly` plugin's rule): a CJK character next
to the run counts like punctuation for that exception. Only `*` changes: `_` stays word-bound, so
`snake_case` in Korean text is untouched. The content is never rewritten.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Delimiter, StateInline

_CJK = re.compile(
    "[\u1100-\u11ff\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3130-\u318f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def _flanks(last: str, nxt: str) -> tuple[bool, bool]:
    """(left-flanking, right-flanking) of a `*` run between `last` and `nxt`."""
    last_punct = isMdAsciiPunct(ord(last)) or isPunctChar(last)
    next_punct = isMdAsciiPunct(ord(nxt)) or isPunctChar(nxt)
    last_space, next_space = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    last_cjk, next_cjk = bool(_CJK.match(last)), bool(_CJK.match(nxt))
    left = not (next_space or (next_punct and not (last_space or last_punct or last_cjk)))
    right = not (last_space or (last_punct and not (next_space or next_punct or next_cjk)))
    return left, right


def _tokenize(state: StateInline, silent: bool) -> bool:
    start = state.pos
    marker = state.src[start]
    if silent or marker not in ("_", "*"):
        return False
    scanned = state.scanDelims(start, marker == "*")
    can_open, can_close = scanned.can_open, scanned.can_close
    if marker == "*":
        end = start + scanned.length
        last = state.src[start - 1] if start > 0 else " "
        nxt = state.src[end] if end < state.posMax else " "
        # `*` may split words, so a flanking run can both open and close.
        can_open, can_close = _flanks(last, nxt)
    for _ in range(scanned.length):
        token = state.push("text", "", 0)
        token.content = marker
        state.delimiters.append(Delimiter(
            marker=ord(marker), length=scanned.length, token=len(state.tokens) - 1, end=-1,
            open=can_open, close=can_close))
    state.pos += scanned.length
    return True


def cjk_emphasis_plugin(md: MarkdownIt) -> None:
    """Replace the emphasis tokenizer; the pairing and rendering stay markdown-it's own."""
    md.inline.ruler.at("emphasis", _tokenize)
