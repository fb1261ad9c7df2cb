from django.urls import path

from . import api

urlpatterns = [
    path("demos/jobs/", api.DemoJobCreateApi.as_view(), name="api-demo-create"),
    path("demos/jobs/<uuid:job_id>/", api.DemoJobDetailApi.as_view(), name="api-demo-job"),
    path("demos/jobs/<uuid:job_id>/cancel/", api.DemoJobCancelApi.as_view(),
         name="api-demo-cancel"),
]
