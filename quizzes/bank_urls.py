"""Instructor authoring pages: question bank, editor with preview, quiz builder, import/export."""

from django.urls import path

app_name = "bank"
urlpatterns: list = []
