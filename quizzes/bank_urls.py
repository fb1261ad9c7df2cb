"""Instructor authoring pages: question bank, editor with preview, quiz builder, import/export."""

from django.urls import path

from . import bank_views as views

app_name = "bank"
_BANK = "courses/<slug:course_slug>/bank/"
_QUIZ = _BANK + "quizzes/<slug:quiz_slug>/"
urlpatterns: list = [
    path(_BANK, views.bank_index, name="index"),
    path(_BANK + "questions/new/", views.question_new, name="question-new"),
    path(_BANK + "questions/preview/", views.question_preview, name="question-preview"),
    path(_BANK + "questions/move/", views.questions_move, name="questions-move"),
    path(_BANK + "questions/<id:question_id>/", views.question_edit, name="question-edit"),
    path(_BANK + "questions/<id:question_id>/delete/", views.question_delete,
         name="question-delete"),
    path(_BANK + "categories/", views.categories_page, name="categories"),
    path(_BANK + "categories/<id:category_id>/", views.category_update,
         name="category-update"),
    path(_BANK + "tags/rename/", views.tag_rename, name="tag-rename"),
    path(_BANK + "import/", views.import_page, name="import"),
    path(_BANK + "export/", views.export_download, name="export"),
    path(_BANK + "quizzes/", views.quiz_list, name="quizzes"),
    path(_QUIZ, views.quiz_builder, name="quiz-builder"),
    path(_QUIZ + "settings/", views.quiz_settings, name="quiz-settings"),
    path(_QUIZ + "duplicate/", views.quiz_duplicate, name="quiz-duplicate"),
    path(_QUIZ + "publish/", views.quiz_publish, name="quiz-publish"),
    path(_QUIZ + "slots/add/", views.slots_add, name="slots-add"),
    path(_QUIZ + "slots/random/", views.slots_add_random, name="slots-random"),
    path(_QUIZ + "slots/reorder/", views.slots_reorder, name="slots-reorder"),
    path(_QUIZ + "slots/<id:slot_id>/move/", views.slot_move, name="slot-move"),
    path(_QUIZ + "slots/<id:slot_id>/remove/", views.slot_remove, name="slot-remove"),
    path(_QUIZ + "slots/<id:slot_id>/mark/", views.slot_mark, name="slot-mark"),
    path("question-files/<id:version_id>/<path:name>", views.question_file,
         name="question-file"),
]
