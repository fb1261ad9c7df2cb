from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health
from .converters import IdConverter

register_converter(IdConverter, "id")  # every <id:…> in the apps' URLs

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("quizzes.bank_api_urls")),
    path("api/", include("quizzes.api_urls")),
    path("api/", include("inference.api_urls")),
    path("", include("quizzes.urls")),
    path("", include("quizzes.bank_urls")),
    path("", include("inference.urls")),
    path("", include("courses.urls")),
]

# The benchmark's bare view (config/bench_views.py; its floors are answered by middleware), only
# when BENCH_ENDPOINTS is set. Never on in production.
from django.conf import settings  # noqa: E402

if settings.BENCH_ENDPOINTS:
    from . import bench_views  # noqa: E402

    urlpatterns[:0] = [
        path("bench/bare/", bench_views.bare, name="bench-bare"),
    ]
# A URL under /api/ that matches nothing answers in the API's JSON error shape.
handler404 = "config.api_errors.not_found"
