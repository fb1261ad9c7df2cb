from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("", views.course_list, name="list"),
    path("courses/<slug:course_slug>/", views.course_detail, name="detail"),
    path("courses/<slug:course_slug>/lessons/<slug:lesson_slug>/", views.lesson_detail,
         name="lesson"),
    path("courses/<slug:course_slug>/lessons/<slug:lesson_slug>/read/", views.lesson_toggle_read,
         name="lesson-read"),
    path("courses/<slug:course_slug>/participants/", views.participants, name="participants"),
    path("courses/<slug:course_slug>/participants/import/", views.participants_import,
         name="participants-import"),
    path("courses/<slug:course_slug>/participants/<id:enrollment_id>/role/",
         views.participant_role, name="participant-role"),
    path("courses/<slug:course_slug>/participants/<id:enrollment_id>/remove/",
         views.participant_remove, name="participant-remove"),
]
