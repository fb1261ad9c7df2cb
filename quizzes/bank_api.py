"""Authoring API: import and export question files, preview a question as a student sees it.

Only the course's teachers may call these (403 otherwise); errors use the API's one error shape
(config/api_errors.py).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from config.api_errors import error_responses
from config.api_fields import UploadField
from config.errors import ApplicationError
from courses.access import teacher_access_get

from . import authoring, interchange, limits, qtypes
from .bank.editor import preview_question
from .models import Category, Question

FORMAT_CHOICES = list(interchange.FORMATS)


def _teacher(request, course_slug: str):
    return teacher_access_get(user=request.user, course_slug=course_slug,
                              message=_("Only the course's teachers can use the question bank."))


def _category_by_path(course, path: str) -> Category | None:
    parts = [p.strip() for p in (path or "").split("/") if p.strip()]
    if not parts:
        return None
    parent = None
    for name in parts:
        parent = Category.objects.filter(course=course, parent=parent, name=name).first()
        if parent is None:
            raise ApplicationError(
                _("No category %(path)s in this course.") % {"path": repr(path)},
                code="not_found", status_code=404,
                fields={"category": [_("No such category.")]})
    return parent


class _ReportItem(serializers.Serializer):
    name = serializers.CharField()
    qtype = serializers.CharField()
    position = serializers.CharField(help_text="where in the file: 'line 12', 'question[3]'")
    category = serializers.CharField()
    question_id = serializers.IntegerField(allow_null=True)
    version = serializers.IntegerField(allow_null=True)
    key = serializers.CharField()
    files = serializers.IntegerField()
    reason = serializers.CharField(help_text="why it was skipped, or what changed")


class QuestionImportApi(APIView):
    """Import a GIFT or Moodle XML file (multipart field `file`), all or nothing."""

    parser_classes = [MultiPartParser, FormParser]
    # config.uploads: a file past the import's limit is refused while it streams, unread.
    upload_limit_setting = "QUESTION_IMPORT_MAX_BYTES"
    upload_limit_refusal = staticmethod(interchange.import_too_large)

    class QuestionImportInputSerializer(serializers.Serializer):
        file = UploadField()
        format = serializers.ChoiceField(choices=FORMAT_CHOICES, required=False,
                                         help_text="default: from the file name or content")
        category = serializers.CharField(required=False, allow_blank=True, default="",
                                         help_text="put the file's categories inside this path")
        quiz = serializers.SlugField(required=False, allow_blank=True, default="",
                                     help_text="also add the questions to this quiz")

    class QuestionImportReportSerializer(serializers.Serializer):
        format = serializers.CharField()
        filename = serializers.CharField()
        created = _ReportItem(many=True)
        updated = _ReportItem(many=True)
        unchanged = _ReportItem(many=True)
        skipped = _ReportItem(many=True)
        warnings = serializers.ListField(child=serializers.CharField())
        categories = serializers.ListField(child=serializers.CharField())
        files_stored = serializers.IntegerField()
        quiz = serializers.CharField()

    @extend_schema(request={"multipart/form-data": QuestionImportInputSerializer},
                   responses={201: QuestionImportReportSerializer,
                              **error_responses(400, 403, 404, 409, 413, 415)})
    def post(self, request, course_slug: str):
        access = _teacher(request, course_slug)
        limit = interchange.max_import_bytes()
        upload = request.FILES.get("file")
        if upload is not None and upload.size > limit:
            raise ApplicationError(
                _("The file is %(size)s bytes; the limit is %(limit)s bytes.")
                % {"size": f"{upload.size:,}", "limit": f"{limit:,}"},
                code="file_too_large", status_code=413)
        body = self.QuestionImportInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        quiz = None
        if values["quiz"]:
            quiz = access.course.quizzes.filter(slug=values["quiz"]).first()
            if quiz is None:
                raise ApplicationError(_("No such quiz in this course."), code="not_found",
                                       status_code=404, fields={"quiz": [_("No such quiz.")]})
        report = interchange.questions_import(
            course=access.course, content=values["file"].read(limit + 1),
            fmt=values.get("format"), filename=values["file"].name,
            parent=_category_by_path(access.course, values["category"]), quiz=quiz,
            user=request.user)
        return ApiResponse(report.as_dict(), status=status.HTTP_201_CREATED)


class QuestionExportApi(APIView):
    """Download questions as GIFT or Moodle XML: a category (with subcategories), a quiz's
    questions, or the whole bank."""

    def perform_content_negotiation(self, request, force=False):
        # `format` names the file format here, not DRF's renderer override.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=FORMAT_CHOICES, required=True),
            OpenApiParameter("category", str, description="category path, e.g. Week 6/BERT"),
            OpenApiParameter("quiz", str, description="quiz slug"),
        ],
        # GIFT is served as text/plain, Moodle XML as application/xml (both as attachments).
        responses={(200, "text/plain"): OpenApiTypes.STR,
                   (200, "application/xml"): OpenApiTypes.STR,
                   **error_responses(400, 403, 404)})
    def get(self, request, course_slug: str):
        access = _teacher(request, course_slug)
        fmt = request.query_params.get("format", "")
        if fmt not in interchange.FORMATS:
            raise ApplicationError(
                _("Unknown format %(f)s; use gift or moodle-xml.") % {"f": fmt or "-"},
                code="invalid", fields={"format": [_("Choose gift or moodle-xml.")]})
        quiz = None
        if request.query_params.get("quiz"):
            quiz = access.course.quizzes.filter(slug=request.query_params["quiz"]).first()
            if quiz is None:
                raise ApplicationError(_("No such quiz in this course."), code="not_found",
                                       status_code=404)
        result = interchange.questions_export(
            course=access.course, fmt=fmt, quiz=quiz,
            category=_category_by_path(access.course, request.query_params.get("category", "")))
        response = HttpResponse(result.content, content_type=result.content_type)
        response["Content-Disposition"] = content_disposition_header(True, result.filename)
        response["X-Exported-Questions"] = str(result.count)
        response["X-Skipped-Questions"] = str(len(result.skipped))
        return response


class QuestionPreviewApi(APIView):
    """Validate question data and return what a student would see (no keys, no feedback)."""

    class QuestionPreviewInputSerializer(serializers.Serializer):
        qtype = serializers.ChoiceField(choices=list(qtypes.TYPES))
        stem = serializers.CharField(allow_blank=True, default="")
        text_format = serializers.ChoiceField(choices=list(authoring.TEXT_FORMATS),
                                              default="markdown")
        data = serializers.JSONField()
        default_mark = serializers.FloatField(
            min_value=0, max_value=float(limits.MARK_MAX), default=1.0,
            help_text="0 to 1000; a description is always worth 0")
        question = serializers.IntegerField(required=False,
                                            help_text="an existing question, for its files")

    class QuestionPreviewOutputSerializer(serializers.Serializer):
        view = serializers.JSONField(help_text="the type's student view")
        html = serializers.CharField(help_text="the question as the quiz page renders it")

    @extend_schema(request=QuestionPreviewInputSerializer,
                   responses={200: QuestionPreviewOutputSerializer,
                              **error_responses(400, 403, 404, 415)})
    def post(self, request, course_slug: str):
        access = _teacher(request, course_slug)
        body = self.QuestionPreviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = body.validated_data
        data = authoring.question_validate(qtype=values["qtype"], stem=values["stem"],
                                           data=values["data"])
        version_id = None
        if values.get("question"):
            question = Question.objects.filter(course=access.course,
                                               pk=values["question"]).first()
            version_id = question.latest_version().pk if question else None
        q = preview_question(qtype=values["qtype"], stem=values["stem"],
                             text_format=values["text_format"], data=data,
                             default_mark=values["default_mark"], version_id=version_id)
        html = render_to_string("quizzes/bank/_preview.html", {"q": q, "oob": False},
                                request=request)
        return ApiResponse({"view": q.view, "html": html})
