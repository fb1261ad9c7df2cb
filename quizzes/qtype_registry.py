"""Every question type the site offers, with its web side (see docs/question-types.md).

The registry imports each module of `quizzes.qtypes_django` and registers its ``TYPE`` (a
`QTypeWeb`), which also puts the type's pure core into `quizzes.qtypes.TYPES`, where grading,
importers and the API look types up. A core without a web module gets the defaults of
`QTypeWeb`. Pages, statistics and services ask the registry what a type does instead of
comparing type names.

>>> from quizzes import qtype_registry
>>> qtype_registry.get("description").scored
False
"""

from __future__ import annotations

import importlib
import pkgutil

from . import qtypes, qtypes_django
from .qtypes_django.base import QTypeWeb

_WEB: dict[str, QTypeWeb] = {}


def register(web: QTypeWeb) -> QTypeWeb:
    """Offer the type ``web`` describes: its core joins `qtypes.TYPES` (after the types already
    there) and its web side joins the registry. A name taken by another type is refused."""
    if not isinstance(web, QTypeWeb):
        raise TypeError(f"register() takes a QTypeWeb instance, got {web!r}")
    current = _WEB.get(web.name)
    if current is not None and type(current) is not type(web):
        raise ValueError(f"question type {web.name!r} is already registered as {current!r}")
    qtypes.register(web.core)
    _WEB[web.name] = web
    return web


def unregister(name: str) -> None:
    """Withdraw the type called ``name`` (tests that register a type of their own)."""
    _WEB.pop(name, None)
    qtypes.unregister(name)


def _load() -> None:
    for module in pkgutil.iter_modules(qtypes_django.__path__):
        if module.name.startswith("_") or module.name == "base":
            continue
        web = getattr(importlib.import_module(f"{qtypes_django.__name__}.{module.name}"),
                      "TYPE", None)
        if web is None:
            raise ImportError(f"{qtypes_django.__name__}.{module.name} defines no TYPE; "
                              "export the type's QTypeWeb instance as TYPE")
        register(web)
    for name, core in qtypes.TYPES.items():
        _WEB.setdefault(name, QTypeWeb(core))


def get(name: str) -> QTypeWeb:
    """The type called ``name``; `qtypes.QuestionDataError` ("qtype") if there is none."""
    web = _WEB.get(name) if isinstance(name, str) else None
    if web is None:
        qtypes.get(name)  # raises the error that lists the known types
        raise qtypes.QuestionDataError("qtype", f"unknown question type {name!r}")
    return web


def types() -> list[QTypeWeb]:
    """Every type, in the order authoring menus list them (built-in types first)."""
    return [_WEB[name] for name in qtypes.TYPES if name in _WEB]


def qtype_label(name: str) -> str:
    """The translated label of the type called ``name`` (the name itself if unknown)."""
    web = _WEB.get(name) if isinstance(name, str) else None
    return web.label if web is not None else str(name)


_load()
