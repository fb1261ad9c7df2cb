"""Turn a lesson's demo placeholders into live widgets (and their class galleries)."""

from __future__ import annotations

import itertools

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .catalog import MODEL_FOR_KIND, model_card
from .demo_labels import sample_choices, scene_choices
from .directives import PLACEHOLDER_RE, demo_placeholders
from .selectors import broker_available, gallery


def expand_demo_widgets(request: HttpRequest, body_html: str, *, access, lesson) -> str:
    """Replace each placeholder in the sanitised lesson HTML with its rendered widget."""
    if 'class="demo-widget"' not in body_html:
        return body_html
    specs = iter(demo_placeholders(body_html))
    counter = itertools.count(1)

    def widget(_match) -> str:
        kind, options = next(specs)
        if options is None:
            return ""
        shown = list(gallery(course=access.course, kind=kind)) if options.get("gallery") else []
        return render_to_string("inference/_widget.html", {
            "kind": kind, "options": options, "n": (n := next(counter)), "n_str": str(n),
            "course": access.course,
            "lesson": lesson, "card": model_card(MODEL_FOR_KIND[kind]), "gallery": shown,
            "can_teach": access.can_teach, "scene_choices": scene_choices(),
            "samples": sample_choices(), "broker_ok": broker_available(),
        }, request=request)

    return mark_safe(PLACEHOLDER_RE.sub(widget, body_html))  # noqa: S308 - our own templates
