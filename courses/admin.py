from django.contrib import admin

from .models import Course, Enrollment, Lesson, LessonProgress, Module


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    fields = ("number", "slug", "title", "title_en")


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("slug", "title", "updated_at")
    search_fields = ("slug", "title", "title_en")
    inlines = [ModuleInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "role", "created_at")
    list_filter = ("course", "role")
    search_fields = ("user__username",)
    autocomplete_fields = ("course",)
    raw_id_fields = ("user",)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("title", "module", "session", "slug")
    list_filter = ("course", "module")
    search_fields = ("title", "slug")
    readonly_fields = ("body_html",)


admin.site.register(LessonProgress)
