from django.urls import path

from . import pool_views, views
from .training import views as training

app_name = "inference"
urlpatterns = [
    path("demos/", views.demo_index, name="index"),
    path("demos/jobs/", views.demo_job_create, name="create"),
    path("demos/jobs/<uuid:job_id>/", views.demo_job_detail, name="job"),
    path("demos/jobs/<uuid:job_id>/cancel/", views.demo_job_cancel, name="cancel"),
    path("demos/jobs/<uuid:job_id>/files/<str:name>", views.demo_job_file, name="file"),
    path("demos/jobs/<uuid:job_id>/download/", views.demo_job_download, name="download"),
    path("demos/jobs/<uuid:job_id>/hide/", views.demo_job_hide, name="hide"),
    path("demos/status/", views.demo_status, name="status"),
    path("demos/training/", training.training_index, name="training"),
    path("demos/training/shipped/", training.training_use_shipped, name="training-shipped"),
    path("demos/training/<id:run_id>/", training.training_run, name="training-run"),
    path("demos/training/<id:run_id>/cancel/", training.training_run_cancel,
         name="training-cancel"),
    path("demos/training/<id:run_id>/activate/", training.training_run_activate,
         name="training-activate"),
    path("courses/<slug:course_slug>/pool-photos/", pool_views.pool_photos, name="pool-photos"),
    path("pool-images/<uuid:image_id>.png", views.pool_image, name="pool-image"),
]
