"""Small helpers for course templates."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
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


@register.simple_tag
def content_lang(obj=None, field: str = "title") -> str:
    """` lang="ko"` (the course's content language) for course content shown on a page in another
    language, so a screen reader reads it with the right voice; nothing when the page is in that
    language. With `obj`, nothing either when `localized` shows its English version."""
    content = settings.COURSE_CONTENT_LANGUAGE
    page = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if page == content.split("-")[0]:
        return ""
    if obj is not None and page == "en" and getattr(obj, f"{field}_en", ""):
        return ""
    return mark_safe(f' lang="{content}"')  # noqa: S308 - a language code from the settings
