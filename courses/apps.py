from django.apps import AppConfig


class CoursesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courses"
    verbose_name = "Courses"

    def ready(self) -> None:
        # request.user is served from the cache (config.auth_cache); every process that can
        # change a user must drop its cached row, so the receivers are connected at start-up.
        from config import auth_cache

        auth_cache.connect()
