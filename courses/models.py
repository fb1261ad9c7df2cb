"""Course → Module (week) → Lesson (차시), enrolments with roles, and reading progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True, editable=False)
    # Where the pack came from, so a reload updates this course and nothing else.
    source_path = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Enrollment(models.Model):
    class Role(models.TextChoices):
        STUDENT = "student", _("Student")
        TA = "ta", _("Teaching assistant")
        INSTRUCTOR = "instructor", _("Instructor")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="enrollments")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="one_enrollment_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.course} as {self.role}"

    @property
    def is_staff_role(self) -> bool:
        """Instructors and TAs see everyone's progress and the item statistics."""
        return self.role in (self.Role.INSTRUCTOR, self.Role.TA)


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    number = models.PositiveIntegerField(help_text=_("Week number"))
    slug = models.SlugField()
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["course", "number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="one_module_per_week"),
            models.UniqueConstraint(fields=["course", "slug"], name="unique_module_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Lesson(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    slug = models.SlugField()
    session = models.PositiveIntegerField(help_text=_("차시 number within the week"))
    title = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200, blank=True)
    summary = models.TextField(blank=True)
    minutes = models.PositiveIntegerField(default=15)
    body = models.TextField(help_text=_("Markdown source"))
    body_html = models.TextField(editable=False, help_text=_("Rendered and sanitised HTML"))
    position = models.PositiveIntegerField(default=0, help_text=_("Order within the course"))
    source_file = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="unique_lesson_slug"),
            models.UniqueConstraint(fields=["module", "session"], name="one_lesson_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.module.number}-{self.session} {self.title}"


class LessonProgress(models.Model):
    """A lesson the user has marked as read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="lesson_progress")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="progress")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_progress_per_lesson")
        ]
