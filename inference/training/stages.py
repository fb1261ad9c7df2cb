"""The training's stage message, shown in the reader's language.

The worker stores the stage in English (the model code's progress messages, or a sentence
marked with gettext_noop), because it has no reader; the page translates it when it shows it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Sentences the worker and the recovery write (marked here so makemessages collects them).
READING_PHOTOS = gettext_noop("Reading the photos")
SAVING = gettext_noop("Saving the new model")
DONE = gettext_noop("Done")
CANCELLED = gettext_noop("Cancelled.")
TIMED_OUT = gettext_noop("The training took longer than its time limit and was stopped. Start "
                         "it again with fewer epochs.")
WORKER_LOST = gettext_noop("The worker running this training stopped (no sign of life for "
                           "several minutes). Start the training again.")
BROKER_DOWN = gettext_noop("The GPU worker cannot be reached right now. Try again later.")

_PATTERNS = [
    (re.compile(r"generating fakes"), lambda m: _("Generating training data")),
    (re.compile(r"generating the held-out"), lambda m: _("Generating the held-out images")),
    (re.compile(r"generating the first epoch"), lambda m: _("Preparing the first epoch")),
    (re.compile(r"epoch (\d+)/(\d+) loss ([\d.]+)"),
     lambda m: _("Epoch %(epoch)s/%(epochs)s, loss %(loss)s") % {
         "epoch": m[1], "epochs": m[2], "loss": f"{float(m[3]):.3f}"}),
    (re.compile(r"epoch (\d+): held-out accuracy ([\d.]+)"),
     lambda m: _("Epoch %(epoch)s: held-out accuracy %(acc)s") % {"epoch": m[1], "acc": m[2]}),
    (re.compile(r"evaluating"), lambda m: _("Evaluating on held-out images")),
    (re.compile(r"scoring the current model"),
     lambda m: _("Scoring the current model on the same images")),
    (re.compile(r"done: "), lambda m: _("Saving the new model")),
    (re.compile(r"Training failed: (.*)", re.S),
     lambda m: _("Training failed: %(reason)s") % {"reason": m[1]}),
]


def stage_label(message: str) -> str:
    """The stored message in the active language (unknown messages are shown as they are)."""
    for pattern, label in _PATTERNS:
        found = pattern.match(message)
        if found:
            return label(found)
    return _(message) if message else ""
