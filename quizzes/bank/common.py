"""What the bank's pages share: the course's categories as a tree, URLs back to the bank and
the builder, the one parser of integer parameters.

Every page of the bank first calls `courses.access.teacher_access_get` (the course's teachers
only; 403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse

from .. import qtype_registry
from ..models import Category, Quiz


def category_list(course) -> list[Category]:
    """Every category of the course, parents linked in memory (no query per path)."""
    categories = list(Category.objects.filter(course=course))
    by_id = {c.pk: c for c in categories}
    for category in categories:
        if category.parent_id:
            category.parent = by_id[category.parent_id]
    return sorted(categories, key=lambda c: c.path.casefold())


def category_tree(categories: list[Category], counts: dict[int, int]) -> list[dict]:
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[dict] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for category in sorted(children.get(parent_id, []), key=lambda c: c.name.casefold()):
            rows.append({"category": category, "depth": depth, "indent": depth * 1.25,
                         "count": counts.get(category.pk, 0)})
            walk(category.pk, depth + 1)

    walk(None, 0)
    return rows


def back_url(request: HttpRequest, default: str) -> str:
    """The `next` the form carried when it is a path on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


def bank_url(course_slug: str, **params: Any) -> str:
    url = reverse("bank:index", args=[course_slug])
    query = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return f"{url}?{query}" if query else url


def parse_int(value: Any, default: int | None = None) -> int | None:
    """`value` (a query or form parameter) as an int, or `default` when absent or not a
    whole number: a tampered or stale parameter selects nothing rather than failing."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def parse_ids(values: list[str]) -> list[int]:
    """The ticked ids of a form (`getlist`): each through `parse_int`, so a tampered value
    ("²", which str.isdigit() accepts but int() refuses, or 5,000 digits) is left out rather
    than failing the request."""
    return [number for number in map(parse_int, values) if number is not None]


def qtype_choices() -> list[tuple[str, str]]:
    """Every registered question type, in the registry's order, with its label."""
    return [(web.name, web.label) for web in qtype_registry.types()]


def quiz_for(access, quiz_slug: str) -> Quiz:
    return get_object_or_404(Quiz, course=access.course, slug=quiz_slug)


def builder_url(course_slug: str, quiz_slug: str, anchor: str = "") -> str:
    return reverse("bank:quiz-builder", args=[course_slug, quiz_slug]) + anchor
