from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "quizzes"
    verbose_name = "Quizzes"

    def ready(self) -> None:
        from django.core import checks

        from . import prepared_signals

        prepared_signals.connect()
        checks.register(_fast_path_middleware_check, checks.Tags.security)


def _fast_path_middleware_check(app_configs=None, **kwargs):
    # Imported when the checks run: the API's modules need every app loaded.
    from .api_fast import fast_path_middleware_check

    return fast_path_middleware_check(app_configs, **kwargs)
