"""description: text only; nothing to edit beyond the stem, and never scored."""

from __future__ import annotations

from ..qtypes.description import Description
from .base import QTypeWeb


class DescriptionWeb(QTypeWeb):
    core = Description()  # answerable is False, so `scored` is False


TYPE = DescriptionWeb()
