"""Small helpers for course templates."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def localized(obj, field: str = "title") -> str:
    """`obj.<field>_en` when the page is in English and it exists, else `obj.<field>`."""
    if (get_language() or "ko").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")
