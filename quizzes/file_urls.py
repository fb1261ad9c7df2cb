"""Where a question's embedded files are served: the references Moodle writes as
``@@PLUGINFILE@@/name`` point at the access-checked file view. Apart from the import code
(quizzes.interchange), so that rendering a question needs nothing of the services."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

PLUGINFILE = "@@PLUGINFILE@@/"


def question_file_url(*, version_id: int, name: str = "") -> str:
    """The URL of a stored file of a question version (the access-checked view)."""
    base = reverse("bank:question-file", kwargs={"version_id": version_id, "name": "x"})[:-1]
    return base + name


def pluginfile_urls(value: Any, version_id: int | None) -> Any:
    """`value` (a text, or a dict/list holding texts) with every ``@@PLUGINFILE@@/`` reference
    pointing at the question file view of `version_id`. Texts without one are returned as is."""
    if version_id is None:
        return value
    if isinstance(value, str):
        if PLUGINFILE not in value:
            return value
        return value.replace(PLUGINFILE, question_file_url(version_id=version_id))
    if isinstance(value, dict):
        return {k: pluginfile_urls(v, version_id) for k, v in value.items()}
    if isinstance(value, list):
        return [pluginfile_urls(v, version_id) for v in value]
    return value
