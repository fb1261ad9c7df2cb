"""Quiz pages."""

from django.http import HttpRequest


def course_quiz_section(request: HttpRequest, access) -> str:
    """The course page's quiz list (empty until the quiz engine lands)."""
    return ""
