from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/", views.quiz_detail, name="quiz"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/start/", views.attempt_start,
         name="start"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/results/", views.quiz_results,
         name="results"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/grading/", views.quiz_grading,
         name="grading"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/overrides/", views.quiz_override,
         name="override"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/overrides/<id:override_id>/delete/",
         views.quiz_override_delete, name="override-delete"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/disputes/<id:dispute_id>/answer/",
         views.dispute_answer, name="dispute-answer"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/questions/<id:question_id>/edit/",
         views.question_edit, name="question-edit"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/questions/<id:question_id>/regrade/",
         views.regrade, name="regrade"),
    path("courses/<slug:course_slug>/grades/", views.gradebook, name="gradebook"),
    path("courses/<slug:course_slug>/grades/override/", views.grade_override,
         name="grade-override"),
    path("attempts/<id:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<id:attempt_id>/save/<id:slot_id>/", views.response_autosave,
         name="autosave"),
    path("attempts/<id:attempt_id>/flag/<id:slot_id>/", views.response_flag, name="flag"),
    path("attempts/<id:attempt_id>/page/", views.attempt_goto, name="page"),
    path("attempts/<id:attempt_id>/finish/", views.attempt_summary, name="summary"),
    path("attempts/<id:attempt_id>/submit/", views.attempt_submit, name="submit"),
    path("attempts/<id:attempt_id>/review/", views.attempt_review, name="review"),
    path("attempts/<id:attempt_id>/responses/<id:response_id>/dispute/", views.dispute_create,
         name="dispute"),
]
