from django.urls import path

from . import api

urlpatterns = [
    path("courses/", api.CourseListApi.as_view(), name="api-courses"),
    path("courses/<slug:course_slug>/quizzes/", api.QuizListApi.as_view(), name="api-quizzes"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/", api.QuizDetailApi.as_view(),
         name="api-quiz"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/attempts/",
         api.AttemptStartApi.as_view(), name="api-attempt-start"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/statistics/",
         api.QuizStatisticsApi.as_view(), name="api-statistics"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/disputes/",
         api.DisputeListApi.as_view(), name="api-disputes"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/disputes/<id:dispute_id>/answer/",
         api.DisputeAnswerApi.as_view(), name="api-dispute-answer"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/questions/<id:question_id>/"
         "regrade/", api.RegradeApi.as_view(), name="api-regrade"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/grading/",
         api.GradingListApi.as_view(), name="api-grading"),
    path("courses/<slug:course_slug>/quizzes/<slug:quiz_slug>/grading/<id:response_id>/",
         api.GradingApi.as_view(), name="api-grading-answer"),
    path("courses/<slug:course_slug>/grades/", api.GradebookApi.as_view(), name="api-grades"),
    path("courses/<slug:course_slug>/questions/", api.QuestionBankApi.as_view(),
         name="api-questions"),
    path("attempts/<id:attempt_id>/", api.AttemptDetailApi.as_view(), name="api-attempt"),
    path("attempts/<id:attempt_id>/responses/<id:slot_id>/", api.ResponseSaveApi.as_view(),
         name="api-response"),
    path("attempts/<id:attempt_id>/submit/", api.AttemptSubmitApi.as_view(),
         name="api-attempt-submit"),
    path("attempts/<id:attempt_id>/responses/<id:slot_id>/disputes/",
         api.DisputeCreateApi.as_view(), name="api-dispute-create"),
]
