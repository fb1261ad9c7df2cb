"""Instructor authoring pages: question bank, editor with preview, quiz builder, import/export."""


app_name = "bank"
urlpatterns: list = []
