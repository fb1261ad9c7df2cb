"""What a demo job says about itself, stored in English and shown in the reader's language.

The sentence is written by whoever changes the job — a request in some user's language, the
worker or the recovery that have no reader at all — and read later by the job's owner, or a
teacher, in their own language. So it is stored as the English msgid (marked here with
gettext_noop so makemessages collects it) and translated only when shown:
`job_message_display` for templates and the API.
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

# Requests and services.
CACHED = gettext_noop("Same request as before: the stored result.")
CANCELLED = gettext_noop("Cancelled.")
WORKER_STOPPED = gettext_noop("The worker running this demo stopped. Run it again.")
UNAVAILABLE = gettext_noop("The demos are temporarily unavailable. Quizzes and lessons work as "
                           "usual; try the demo again later.")
EXPIRED = gettext_noop("No worker picked this demo up in time. Run it again.")

# Recovery after a worker start.
WORKER_LOST_REPEATEDLY = gettext_noop("The worker running this demo stopped several times. "
                                      "Try it again later.")
REQUEUED = gettext_noop("The worker restarted; your demo is queued again.")

# The worker's stages, as the progress line shows them.
LOADING_MODEL = gettext_noop("loading model")
GENERATING = gettext_noop("generating")
WALKING = gettext_noop("walking the latent space")
SAVING = gettext_noop("saving")
CHECKING = gettext_noop("checking")
CAPTIONING = gettext_noop("captioning")
DRAWING_ATTENTION = gettext_noop("drawing attention maps")

# The worker's failures.
TIMED_OUT = gettext_noop("The demo took too long and was stopped.")
_MODEL_FAILED = gettext_noop("The model failed: %(reason)s")
_MODEL_FAILED_PREFIX = "The model failed: "


def model_failed(reason: object) -> str:
    """The stored message of a job whose model raised: the English sentence with the reason
    (the exception's own text, which has no translation) at its end."""
    return f"{_MODEL_FAILED_PREFIX}{reason}"[:290]


def job_message_display(message: str) -> str:
    """The stored message in the active language; a message with no translation (an older
    row, already in some language) is shown as it is."""
    if not message:
        return ""
    if message.startswith(_MODEL_FAILED_PREFIX):
        return gettext(_MODEL_FAILED) % {"reason": message[len(_MODEL_FAILED_PREFIX):]}
    return gettext(message)
