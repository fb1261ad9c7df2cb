"""The lesson directive that embeds a live demo: a fenced block such as

    ```demo face-generate
    count: 4
    seed: 7
    ```

It renders to an inert placeholder (which survives sanitising); the lesson page replaces each
placeholder with the live widget. Options are checked when the course pack loads, so an author
sees a wrong option as "week09/03-celebrity-face-lab.md, line 42: …", not a broken page.
"""

from __future__ import annotations

import html
import json
import re

import yaml

from config.json_depth import json_loads
from courses.rendering import DirectiveError

from .models import LIVE_GAN_MODES, LIVE_GAN_STEPS, SEED_MAX, DemoKind

# kind -> {option: (type, low, high)}; every widget also takes `title` and `gallery`.
OPTIONS = {
    DemoKind.FACE_GENERATE: {"count": (int, 1, 16), "seed": (int, 0, 2**31 - 2)},
    DemoKind.LATENT_WALK: {"seed_a": (int, 0, 2**31 - 2), "seed_b": (int, 0, 2**31 - 2),
                           "steps": (int, 2, 16)},
    DemoKind.FAKE_DETECT: {"face_seed": (int, 0, 2**31 - 2), "sample": (str, None, None)},
    DemoKind.CAPTION: {"lang": (str, None, None), "scene_seed": (int, 0, 2**31 - 2)},
    DemoKind.LIVE_GAN: {"mode": (str, None, None), "seed": (int, 0, SEED_MAX),
                        "steps": (int, *LIVE_GAN_STEPS)},
}
COMMON = {"title": (str, None, None), "gallery": (bool, None, None)}
PLACEHOLDER_RE = re.compile(
    r'<div class="demo-widget" data-demo="([a-z-]+)" data-demo-options="([^"]*)"></div>')


def parse_demo_directive(info: str, content: str) -> dict:
    """Validate the directive and return {"kind": ..., "options": {...}}."""
    parts = info.split()
    if len(parts) != 2:
        raise DirectiveError(f"write the demo's kind after 'demo', one of: "
                             f"{', '.join(OPTIONS)} (got {info!r})")
    kind = parts[1]
    if kind not in OPTIONS:
        raise DirectiveError(f"unknown demo {kind!r}; use one of: {', '.join(OPTIONS)}")
    try:
        options = yaml.safe_load(content) if content.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DirectiveError(f"demo options are not valid YAML: {getattr(exc, 'problem', exc)}",
                             (mark.line + 2) if mark else 1) from None
    if not isinstance(options, dict):
        raise DirectiveError("demo options must be 'key: value' lines")
    check_demo_options(kind, options, content.splitlines())
    return {"kind": kind, "options": options}


def check_demo_options(kind: str, options: dict, lines: list[str] = ()) -> None:
    """Raise DirectiveError unless `options` are what demo `kind` takes (`lines`: the
    directive's text, to say on which line a bad option is)."""
    if kind not in OPTIONS:
        raise DirectiveError(f"unknown demo {kind!r}; use one of: {', '.join(OPTIONS)}")
    if not isinstance(options, dict):
        raise DirectiveError("demo options must be 'key: value' lines")
    allowed = {**OPTIONS[kind], **COMMON}
    for key, value in options.items():
        line = next((i + 2 for i, text in enumerate(lines) if text.strip().startswith(f"{key}:")),
                    1)
        if key not in allowed:
            raise DirectiveError(f"demo {kind} has no option {key!r}; it takes "
                                 f"{', '.join(sorted(allowed))}", line)
        kind_type, low, high = allowed[key]
        if kind_type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise DirectiveError(f"option {key!r} must be a whole number, got {value!r}", line)
        if kind_type is not int and not isinstance(value, kind_type):
            raise DirectiveError(f"option {key!r} must be {kind_type.__name__}, got {value!r}",
                                 line)
        if low is not None and not low <= value <= high:
            raise DirectiveError(f"option {key!r} must be between {low} and {high}, got {value}",
                                 line)
    if kind == DemoKind.CAPTION and options.get("lang", "ko") not in ("ko", "en"):
        raise DirectiveError("option 'lang' must be ko or en")
    if kind == DemoKind.LIVE_GAN and options.get("mode", "gan") not in LIVE_GAN_MODES:
        raise DirectiveError(f"option 'mode' must be one of {', '.join(LIVE_GAN_MODES)}")


def render_demo_directive(info: str, content: str) -> str:
    spec = parse_demo_directive(info, content)
    return ('<div class="demo-widget" data-demo="{}" data-demo-options="{}"></div>\n'.format(
        spec["kind"], html.escape(json.dumps(spec["options"], ensure_ascii=False))))


def demo_placeholders(body_html: str) -> list[tuple[str, dict | None]]:
    """(kind, options) of each placeholder in stored lesson HTML, in order; options are None
    for one that does not pass the directive's checks (HTML stored before raw placeholders
    were sanitised away), which is then left out of the page."""
    found = []
    for kind, raw in PLACEHOLDER_RE.findall(body_html):
        try:
            options = json_loads(html.unescape(raw))
            check_demo_options(kind, options)
        except (ValueError, TypeError):  # DirectiveError and bad JSON are ValueErrors
            options = None
        found.append((kind, options))
    return found
