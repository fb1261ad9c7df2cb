"""What the demo forms show for their option values: the values stay English (the API and the
models use them), the labels are translated."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .services import SCENE_FIELDS

FIELD_LABELS = {"shape": _("Shape"), "color": _("Colour"), "size": _("Size"),
                "position": _("Position")}
VALUE_LABELS = {
    "circle": _("circle"), "square": _("square"), "triangle": _("triangle"),
    "red": _("red"), "green": _("green"), "blue": _("blue"), "yellow": _("yellow"),
    "small": _("small"), "large": _("large"),
    # "right" alone is a quiz word (a right answer): these name where a shape sits.
    "left": pgettext_lazy("position", "left"), "right": pgettext_lazy("position", "right"),
    "top": pgettext_lazy("position", "top"), "bottom": pgettext_lazy("position", "bottom"),
    "center": pgettext_lazy("position", "centre"),
}
# scikit-image's sample photographs, by the name the worker loads them with.
SAMPLE_LABELS = {
    "astronaut": _("astronaut"), "chelsea": _("Chelsea the cat"), "coffee": _("cup of coffee"),
    "camera": _("cameraman"), "rocket": _("rocket launch"), "cat": _("cat"),
}


def scene_choices() -> dict[str, dict]:
    """Per scene field: its label and its options as (value, label)."""
    return {field: {"label": FIELD_LABELS.get(field, field),
                    "options": [(value, VALUE_LABELS.get(value, value)) for value in values]}
            for field, values in SCENE_FIELDS.items()}


def sample_choices() -> list[tuple[str, str]]:
    """The sample photographs as (value, label)."""
    return [(name, SAMPLE_LABELS.get(name, name)) for name in settings.DEMO_SAMPLE_PHOTOS]
