from django.urls import path

from . import views

app_name = "inference"
urlpatterns = [
    path("demos/", views.demo_index, name="index"),
    path("demos/jobs/", views.demo_job_create, name="create"),
    path("demos/jobs/<uuid:job_id>/", views.demo_job_detail, name="job"),
    path("demos/jobs/<uuid:job_id>/cancel/", views.demo_job_cancel, name="cancel"),
    path("demos/jobs/<uuid:job_id>/files/<str:name>", views.demo_job_file, name="file"),
    path("demos/jobs/<uuid:job_id>/hide/", views.demo_job_hide, name="hide"),
    path("demos/status/", views.demo_status, name="status"),
    path("pool-images/<uuid:image_id>.png", views.pool_image, name="pool-image"),
]
