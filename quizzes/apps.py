from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from . import prepared_signals

        prepared_signals.connect()
