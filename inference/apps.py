from django.apps import AppConfig


class InferenceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inference"
    verbose_name = "Model demos"

    def ready(self) -> None:
        # Lessons may embed demos with ```demo <kind> fenced blocks.
        from courses.rendering import register_fence

        from .directives import render_demo_directive

        register_fence("demo", render_demo_directive)
