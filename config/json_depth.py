"""JSON with a bounded nesting depth, for the API's parser (config.parsers) and every service
or view that reads JSON itself. No DRF here, so services may use it.

Python's decoder recurses once per level: a body nested a hundred thousand deep raises
RecursionError (a 500), and one just under the interpreter's limit would still make every
function that walks the value afterwards (validation, storing as jsonb) recurse as deep. No
value this platform reads needs more than a few levels, so anything deeper than
`MAX_JSON_DEPTH` is refused as a client error.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

MAX_JSON_DEPTH = 32


class JSONTooDeep(ValueError):
    """The JSON text is nested deeper than MAX_JSON_DEPTH (a ValueError, as a syntax error
    is, so callers that catch bad JSON catch this too)."""

    def __init__(self) -> None:
        super().__init__(_("The JSON is nested too deeply: at most %(n)s levels of arrays and "
                           "objects are accepted.") % {"n": MAX_JSON_DEPTH})


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when `value` has more than `limit` levels of lists and dicts (iterative: it cannot
    itself recurse too deep)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_loads(text: str | bytes, **kwargs: Any) -> Any:
    """`json.loads`, raising JSONTooDeep (a ValueError) for a value nested too deeply."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise JSONTooDeep() from None
    if json_depth_exceeds(value):
        raise JSONTooDeep()
    return value
