"""Template filters that render content through the one sanitising renderer."""

from django import template
from django.utils.safestring import mark_safe

from courses.rendering import render_student_text, render_text

register = template.Library()


@register.filter
def rich(text: str, text_format: str = "markdown") -> str:
    """Block text (stem, explanation) in its format, sanitised."""
    return mark_safe(render_text(text or "", text_format or "markdown"))  # noqa: S308 - sanitised


@register.filter
def rich_inline(text: str, text_format: str = "markdown") -> str:
    """Inline text (a choice, a gap option) in its format, sanitised."""
    return mark_safe(  # noqa: S308 - render_text sanitises with nh3
        render_text(text or "", text_format or "markdown", inline=True)
    )


@register.filter
def student_text(text: str, text_format: str = "plain") -> str:
    """A student's own text (an essay answer), restricted to a few tags without attributes."""
    return mark_safe(  # noqa: S308 - render_student_text sanitises with nh3
        render_student_text(text or "", text_format or "plain"))
