"""Instructor authoring pages: question bank, editor with preview, quiz builder, import/export."""

from django.urls import path

from .bank import builder, categories, editor, files, index, slots, transfer

app_name = "bank"
_BANK = "courses/<slug:course_slug>/bank/"
_QUIZ = _BANK + "quizzes/<slug:quiz_slug>/"
urlpatterns: list = [
    path(_BANK, index.bank_index, name="index"),
    path(_BANK + "questions/new/", editor.question_new, name="question-new"),
    path(_BANK + "questions/preview/", editor.question_preview, name="question-preview"),
    path(_BANK + "questions/move/", index.questions_move, name="questions-move"),
    path(_BANK + "questions/<id:question_id>/", editor.question_edit, name="question-edit"),
    path(_BANK + "questions/<id:question_id>/delete/", index.question_delete,
         name="question-delete"),
    path(_BANK + "categories/", categories.categories_page, name="categories"),
    path(_BANK + "categories/<id:category_id>/", categories.category_update,
         name="category-update"),
    path(_BANK + "tags/rename/", index.tag_rename, name="tag-rename"),
    path(_BANK + "import/", transfer.import_page, name="import"),
    path(_BANK + "export/", transfer.export_download, name="export"),
    path(_BANK + "quizzes/", builder.quiz_list, name="quizzes"),
    path(_QUIZ, builder.quiz_builder, name="quiz-builder"),
    path(_QUIZ + "settings/", builder.quiz_settings, name="quiz-settings"),
    path(_QUIZ + "duplicate/", builder.quiz_duplicate, name="quiz-duplicate"),
    path(_QUIZ + "publish/", builder.quiz_publish, name="quiz-publish"),
    path(_QUIZ + "slots/add/", slots.slots_add, name="slots-add"),
    path(_QUIZ + "slots/random/", slots.slots_add_random, name="slots-random"),
    path(_QUIZ + "slots/reorder/", slots.slots_reorder, name="slots-reorder"),
    path(_QUIZ + "slots/<id:slot_id>/move/", slots.slot_move, name="slot-move"),
    path(_QUIZ + "slots/<id:slot_id>/remove/", slots.slot_remove, name="slot-remove"),
    path(_QUIZ + "slots/<id:slot_id>/mark/", slots.slot_mark, name="slot-mark"),
    path("question-files/<id:version_id>/<path:name>", files.question_file,
         name="question-file"),
]
