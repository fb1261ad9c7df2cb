"""{{ qtype|qtype_label }}: a question type's translated label."""

from django import template

from ..qtype_registry import qtype_label as label_of

register = template.Library()


@register.filter
def qtype_label(name: str) -> str:
    return label_of(name)
