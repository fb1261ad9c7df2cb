"""Authoring API routes (included under /api/ by config/urls.py)."""

from django.urls import path

from . import bank_api

urlpatterns = [
    path("courses/<slug:course_slug>/questions/import/", bank_api.QuestionImportApi.as_view(),
         name="api-questions-import"),
    path("courses/<slug:course_slug>/questions/export/", bank_api.QuestionExportApi.as_view(),
         name="api-questions-export"),
    path("courses/<slug:course_slug>/questions/preview/",
         bank_api.QuestionPreviewApi.as_view(), name="api-question-preview"),
]
