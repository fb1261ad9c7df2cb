"""A throwaway stand-in for courses/templatetags/rich_text.py, for the template smoke test
only: it escapes the text and tags the output so the test can see the filter ran."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def rich(text, text_format="markdown"):
    return mark_safe(f'<div class="rich">{escape(text)}</div>')


@register.filter
def rich_inline(text, text_format="markdown"):
    return mark_safe(f'<span class="rich">{escape(text)}</span>')


@register.filter
def student_text(text, text_format="plain"):
    return mark_safe(f'<div class="student-text">{escape(text)}</div>')


@register.simple_tag
def content_lang(obj=None, field="title"):
    """courses' `content_lang`: the smoke test renders in the content's own language."""
    return ""
