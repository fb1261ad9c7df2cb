"""The quiz REST API: one view per operation, input and output serializers beside it.

Answers travel as display values (positions in the order the student sees), never as stored
indices: see "Display values" in docs/question-types.md.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from config.api_errors import ErrorSerializer, error_responses
from courses.access import course_access_get, teacher_access_get
from courses.selectors import course_list_for_user

from . import attempt_runtime, limits, qtypes, reports, selectors, services
from .models import Attempt, Dispute, Question, Response

GRADE_STATES = [selectors.GradeState.GRADED, selectors.GradeState.HIDDEN,
                selectors.GradeState.AWAITING, selectors.GradeState.NOT_ATTEMPTED]

# --------------------------------------------------------------------------------------------
# Output shapes shared by several views
# --------------------------------------------------------------------------------------------


class QuizOut(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    title_en = serializers.CharField()
    kind = serializers.CharField()
    week = serializers.IntegerField()
    time_limit = serializers.IntegerField(help_text="seconds; 0 = none")
    attempts_allowed = serializers.IntegerField()
    grading_method = serializers.CharField()
    open_at = serializers.DateTimeField(allow_null=True)
    close_at = serializers.DateTimeField(allow_null=True)


class AttemptOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class QuestionOut(serializers.Serializer):
    slot_id = serializers.IntegerField()
    number = serializers.IntegerField()
    qtype = serializers.CharField()
    stem = serializers.CharField()
    text_format = serializers.CharField()
    view = serializers.JSONField(help_text="what the student sees; answer with its values")
    answer = serializers.JSONField(allow_null=True, help_text="the saved answer, display values")
    sequence = serializers.IntegerField()
    state = serializers.CharField(allow_null=True)
    mark = serializers.FloatField(allow_null=True)
    max_mark = serializers.FloatField()
    feedback = serializers.ListField(child=serializers.CharField())
    general_feedback = serializers.CharField()
    grader_comment = serializers.CharField(
        help_text="a grader's comment on an answer graded by hand, when feedback is shown")
    right_answer = serializers.CharField()
    review = serializers.JSONField(allow_null=True)


# One bound instance for the exam's start: a serializer built per request deep-copies its
# fields, a tenth of a prepared start's CPU. Reading through it keeps no state.
_ATTEMPT_OUT = AttemptOut()


class AttemptDetailOut(AttemptOut):
    score = serializers.FloatField(allow_null=True, help_text="only when marks may be shown")
    max_score = serializers.FloatField()
    questions = QuestionOut(many=True)


def _attempt_payload(attempt: Attempt, *, can_teach: bool, user,
                     just_graded: list[Response] | None = None) -> dict:
    """The attempt as its viewer may see it; a review that shows spot-the-fake keys to the
    student is recorded (services.attempt_review_reveal). `just_graded`: the responses as the
    submit of this request wrote them (services.attempt_submit_own), shown without reading
    them again; no dispute can be on them yet."""
    now = timezone.now()
    items = None if attempt.is_open else selectors.review_items(attempt=attempt,
                                                                viewer_can_teach=can_teach,
                                                                now=now)
    if just_graded is not None:
        fetched, disputes = just_graded, {}
    else:
        fetched, disputes = selectors.attempt_responses(attempt=attempt), None
        if services.attempt_images_redraw(attempt=attempt, responses=fetched):
            fetched = selectors.attempt_responses(attempt=attempt)
    questions_shown = selectors.attempt_questions(attempt=attempt, items=items,
                                                  responses=fetched, disputes=disputes)
    questions = selectors.question_payloads(questions_shown, fetched)
    if items is not None:
        services.attempt_review_reveal(attempt=attempt, user=user, can_teach=can_teach,
                                       questions=questions_shown)
    show_marks = not attempt.is_open and selectors.attempt_marks_visible(
        attempt=attempt, viewer_can_teach=can_teach, now=now)
    return {
        **AttemptOut(attempt).data,
        "score": float(attempt.score) if show_marks and attempt.score is not None else None,
        "max_score": float(attempt.max_score), "questions": questions,
    }


# --------------------------------------------------------------------------------------------
# Courses and quizzes
# --------------------------------------------------------------------------------------------


class CourseListApi(APIView):
    class CourseListOutputSerializer(serializers.Serializer):
        slug = serializers.CharField()
        title = serializers.CharField()
        title_en = serializers.CharField()

    @extend_schema(responses={200: CourseListOutputSerializer(many=True), **error_responses(403)})
    def get(self, request):
        courses = course_list_for_user(user=request.user)
        return ApiResponse(self.CourseListOutputSerializer(courses, many=True).data)


class QuizListApi(APIView):
    @extend_schema(responses={200: QuizOut(many=True), **error_responses(403, 404)})
    def get(self, request, course_slug: str):
        access = course_access_get(user=request.user, course_slug=course_slug)
        return ApiResponse(QuizOut(selectors.quiz_list_for_course(access=access), many=True).data)


class QuizDetailApi(APIView):
    class QuizDetailOutputSerializer(QuizOut):
        attempts = AttemptOut(many=True)
        grade = serializers.FloatField(
            allow_null=True, help_text="percent, by grading method; null unless grade_status "
                                       "is graded")
        grade_status = serializers.ChoiceField(
            choices=GRADE_STATES, help_text="hidden: the review policy does not show the "
                                            "marks of an attempt yet")

    @extend_schema(responses={200: QuizDetailOutputSerializer, **error_responses(403, 404)})
    def get(self, request, course_slug: str, quiz_slug: str):
        access, quiz = selectors.quiz_get_for_user(user=request.user, course_slug=course_slug,
                                                   quiz_slug=quiz_slug)
        attempts = list(quiz.attempts.filter(user=request.user).order_by("number"))
        grade = selectors.user_quiz_grade(
            quiz=quiz, attempts=attempts, viewer_can_teach=access.can_teach,
            override=selectors.grade_overrides_current(
                quizzes=[quiz], user_ids=[request.user.pk]).get((request.user.pk, quiz.pk)))
        # The requester's own close, time limit and attempts (their override applied).
        terms = services.quiz_terms_for(quiz=quiz, user=request.user)
        data = {**QuizOut(quiz).data, "time_limit": terms.time_limit,
                "attempts_allowed": terms.attempts_allowed,
                "close_at": serializers.DateTimeField().to_representation(terms.close_at)
                if terms.close_at else None,
                "attempts": AttemptOut(attempts, many=True).data,
                "grade": grade.percent, "grade_status": grade.state}
        return ApiResponse(data)


# Set on the request by the API's fast path (quizzes.api_fast) when it has tried the prepared
# claim: the attempt it claimed, or None. The view does not claim again.
START_CLAIMED = "start_claimed"


class AttemptStartApi(APIView):
    @extend_schema(request=None, responses={201: AttemptDetailOut, 200: AttemptDetailOut,
                                            **error_responses(400, 403, 404)})
    def post(self, request, course_slug: str, quiz_slug: str):
        # An exam's opening is thousands of these in seconds: the student's prepared attempt is
        # claimed first (the claim checks the enrolment, the quiz and its dates itself), and
        # its questions were rendered when it was built. Anything else reads the quiz, checks
        # each rule with its own message, and builds or resumes the attempt.
        if hasattr(request, START_CLAIMED):
            claimed = getattr(request, START_CLAIMED)
        else:
            claimed = services.attempt_prepared_claim(user=request.user,
                                                      slugs=(course_slug, quiz_slug))
        if claimed is not None and claimed.prepared_questions_text is not None:
            if _plain_json(request):
                return HttpResponse(prepared_start_body(claimed), status=status.HTTP_201_CREATED,
                                    content_type=_JSON.media_type)
            return ApiResponse({**_prepared_start_fields(claimed), "questions": json.loads(
                claimed.prepared_questions_text)}, status=status.HTTP_201_CREATED)
        access, quiz = selectors.quiz_get_for_user(user=request.user, course_slug=course_slug,
                                                   quiz_slug=quiz_slug)
        if claimed is not None:
            attempt, created = claimed, True
        else:
            attempt, created = services.attempt_start_or_resume(user=request.user, quiz=quiz)
        return ApiResponse(_attempt_payload(attempt, can_teach=access.can_teach,
                                            user=request.user),
                           status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


_JSON = JSONRenderer()


def prepared_start_body(claimed: Attempt) -> bytes:
    """The start's answer, as DRF's JSON renderer writes it, for an attempt just claimed with
    the questions rendered when it was prepared (`claimed.prepared_questions_text` is not
    None). Those are spliced in as the database's JSON text rather than decoded and encoded
    again: they are most of the reply, and an exam's opening sends thousands at once."""
    head = _JSON.render(_prepared_start_fields(claimed))
    questions = claimed.prepared_questions_text
    # As the renderer does, for a reply that a page may put in a script.
    questions = questions.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return head[:-1] + b',"questions":' + questions.encode() + b"}"


def _prepared_start_fields(claimed: Attempt) -> dict:
    return {**_ATTEMPT_OUT.to_representation(claimed), "score": None,
            "max_score": float(claimed.max_score)}


def _plain_json(request) -> bool:
    """DRF's negotiation chose its JSON renderer, to write compact JSON (no `; indent=`)."""
    return (type(request.accepted_renderer) is JSONRenderer
            and _JSON.get_indent(request.accepted_media_type, {}) is None)


# --------------------------------------------------------------------------------------------
# Attempts
# --------------------------------------------------------------------------------------------


class AttemptDetailApi(APIView):
    @extend_schema(responses={200: AttemptDetailOut, **error_responses(403, 404)})
    def get(self, request, attempt_id: int):
        access, attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        attempt = attempt_runtime.attempt_close_if_overdue(attempt=attempt)
        return ApiResponse(_attempt_payload(attempt, can_teach=access.can_teach,
                                            user=request.user))


def _own_attempt(request, attempt_id: int) -> Attempt:
    attempt = attempt_runtime.attempt_get_own(user=request.user, attempt_id=attempt_id)
    return attempt_runtime.attempt_close_if_overdue(attempt=attempt)


# Set on a request whose one-statement save quizzes/api_fast.py already tried in vain.
SAVE_KNOWN_TRIED = "save_known_tried"


class ResponseSaveApi(APIView):
    class ResponseSaveInputSerializer(serializers.Serializer):
        answer = serializers.JSONField(allow_null=True, help_text="display values; null clears")
        sequence = serializers.IntegerField(min_value=0, max_value=limits.SEQUENCE_MAX,
                                            help_text="the sequence you last received")

    class ResponseSaveOutputSerializer(serializers.Serializer):
        sequence = serializers.IntegerField()
        saved_at = serializers.DateTimeField(allow_null=True)
        answer = serializers.JSONField(allow_null=True)
        conflict = serializers.BooleanField()

    @extend_schema(request=ResponseSaveInputSerializer, responses={
        200: ResponseSaveOutputSerializer,
        **error_responses(400, 403, 404, 415),
        # A stale sequence answers with the stored answer; a closed attempt, with an error.
        409: OpenApiResponse(PolymorphicProxySerializer(
            component_name="ResponseSaveConflict",
            serializers=[ResponseSaveOutputSerializer, ErrorSerializer],
            resource_type_field_name=None),
            description="Stale `sequence` (the stored answer comes back, `conflict` true), "
                        "or the attempt is closed (time up, submitted): the error shape."),
    })
    def put(self, request, attempt_id: int, slot_id: int):
        # The hottest request of an exam: the save service checks access, the attempt, the
        # deadline and the sequence in the statement that writes (attempt_runtime).
        display, sequence = self._body(request, attempt_id)
        result = attempt_runtime.response_save_for_user(
            user=request.user, attempt_id=attempt_id, slot_id=slot_id,
            base_sequence=sequence,
            parse=lambda shape: shape.qtype.from_display(shape.question_data, shape.layout,
                                                         display),
            known_tried=getattr(request, SAVE_KNOWN_TRIED, False))
        return ApiResponse(save_reply(result),
                           status=status.HTTP_409_CONFLICT if result.conflict else 200)

    def _body(self, request, attempt_id: int) -> tuple[object, int]:
        """(answer, sequence) from the body. A body as the quiz page's script sends it (an
        integer sequence in range) is taken as it is: the input serializer, which deep-copies
        its fields for every request, would return it unchanged. Anything else is the
        serializer's to accept or to refuse with its message, after the attempt's own 404 or
        403 (a student learns nothing about others' attempts from a malformed body)."""
        data = request.data
        as_sent = save_body_as_sent(data)
        if as_sent is not None:
            return as_sent
        body = self.ResponseSaveInputSerializer(data=data)
        if not body.is_valid():
            attempt_runtime.attempt_get_own(user=request.user, attempt_id=attempt_id)
            body.is_valid(raise_exception=True)
        return body.validated_data["answer"], body.validated_data["sequence"]


_SAVE_OUT = ResponseSaveApi.ResponseSaveOutputSerializer()  # bound once, as _ATTEMPT_OUT


def save_body_as_sent(data: object) -> tuple[object, int] | None:
    """(answer, sequence) from a body as the quiz page sends it: an object with an answer and
    an integer sequence in range. None for anything else (the input serializer's to judge)."""
    if isinstance(data, dict) and "answer" in data:
        sequence = data.get("sequence")
        if type(sequence) is int and 0 <= sequence <= limits.SEQUENCE_MAX:
            return data["answer"], sequence
    return None


def save_reply(result: attempt_runtime.SaveResult) -> dict:
    """The save's answer body: the stored answer in the student's display values."""
    shape = result.shape
    shown = None if result.answer is None else shape.qtype.to_display(
        shape.question_data, shape.layout, result.answer)
    return _SAVE_OUT.to_representation({"sequence": result.sequence,
                                        "saved_at": result.saved_at, "answer": shown,
                                        "conflict": result.conflict})


class AttemptSubmitApi(APIView):
    @extend_schema(request=None, responses={200: AttemptDetailOut,
                                            **error_responses(403, 404)})
    def post(self, request, attempt_id: int):
        attempt, graded = services.attempt_submit_own(user=request.user, attempt_id=attempt_id)
        return ApiResponse(_attempt_payload(attempt, can_teach=False, user=request.user,
                                            just_graded=graded))


class DisputeCreateApi(APIView):
    class DisputeCreateInputSerializer(serializers.Serializer):
        comment = serializers.CharField(max_length=limits.COMMENT_MAX)

    class DisputeCreateOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        comment = serializers.CharField()
        reply = serializers.CharField()

    @extend_schema(request=DisputeCreateInputSerializer,
                   responses={201: DisputeCreateOutputSerializer,
                              **error_responses(400, 403, 404, 409, 415)})
    def post(self, request, attempt_id: int, slot_id: int):
        _, attempt = selectors.attempt_get_for_user(user=request.user, attempt_id=attempt_id)
        attempt = attempt_runtime.attempt_close_if_overdue(attempt=attempt)
        body = self.DisputeCreateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        response = get_object_or_404(Response.objects.select_related("version", "attempt"),
                                     attempt=attempt, slot_id=slot_id)
        dispute = services.dispute_create(user=request.user, response=response,
                                          comment=body.validated_data["comment"])
        return ApiResponse(self.DisputeCreateOutputSerializer(dispute).data,
                           status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------
# Teachers
# --------------------------------------------------------------------------------------------


class GradebookApi(APIView):
    class GradebookOutputSerializer(serializers.Serializer):
        quizzes = serializers.ListField(child=serializers.CharField())
        weights = serializers.ListField(child=serializers.FloatField(),
                                        help_text="each quiz's weight in the average")
        rows = inline_serializer("GradebookRow", fields={
            "username": serializers.CharField(),
            "name": serializers.CharField(help_text="full name, or the username"),
            "grades": serializers.ListField(
                child=serializers.FloatField(allow_null=True),
                help_text="percent per quiz; null unless its state is graded"),
            "states": serializers.ListField(child=serializers.ChoiceField(choices=GRADE_STATES)),
            "overridden": serializers.ListField(
                child=serializers.BooleanField(),
                help_text="per quiz: the grade is a teacher's override, not the attempts'"),
            "total": serializers.FloatField(
                allow_null=True, help_text="mean of the graded quizzes' percentages, "
                                           "each weighted by its quiz's weight; quizzes not "
                                           "attempted, awaiting grading or hidden are left out"),
            "counted": serializers.IntegerField(help_text="how many quizzes the total averages"),
        }, many=True)

    @extend_schema(responses={200: GradebookOutputSerializer, **error_responses(403, 404)})
    def get(self, request, course_slug: str):
        access = course_access_get(user=request.user, course_slug=course_slug)
        quizzes, rows = selectors.gradebook(
            access=access, only_user=None if access.can_teach else request.user)
        return ApiResponse({"quizzes": [q.slug for q in quizzes],
                            "weights": [float(q.weight) for q in quizzes],
                            "rows": [{"username": r.username, "name": r.name,
                                      "grades": [g.percent for g in r.grades],
                                      "states": [g.state for g in r.grades],
                                      "overridden": [g.overridden for g in r.grades],
                                      "total": r.total, "counted": r.counted} for r in rows]})


class QuizStatisticsApi(APIView):
    class QuizStatisticsOutputSerializer(serializers.Serializer):
        attempt_count = serializers.IntegerField()
        awaiting_grading = serializers.IntegerField(
            help_text="submitted attempts left out until a person grades them")
        mean_percent = serializers.FloatField(allow_null=True)
        histogram = serializers.ListField(child=serializers.IntegerField())
        min_attempts_to_flag = serializers.IntegerField(
            help_text="an item answered in fewer graded attempts is never flagged")
        items = inline_serializer("ItemStatistics", many=True, fields={
            "position": serializers.IntegerField(), "question_id": serializers.IntegerField(),
            "name": serializers.CharField(), "qtype": serializers.CharField(),
            "count": serializers.IntegerField(),
            "facility": serializers.FloatField(allow_null=True),
            "discrimination": serializers.FloatField(allow_null=True),
            "flags": serializers.ListField(child=serializers.CharField()),
            "choices": serializers.JSONField()})

    @extend_schema(responses={200: QuizStatisticsOutputSerializer,
                              **error_responses(403, 404)})
    def get(self, request, course_slug: str, quiz_slug: str):
        _, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                 quiz_slug=quiz_slug)
        report = reports.quiz_report(quiz=quiz)
        return ApiResponse({
            "attempt_count": report.attempt_count, "awaiting_grading": report.awaiting_grading,
            "mean_percent": report.mean_percent,
            "histogram": report.histogram, "min_attempts_to_flag": report.min_attempts_to_flag,
            "items": [{"position": i.slot.position, "question_id": i.slot.question_id or 0,
                       "name": i.name, "qtype": i.qtype, "count": i.stats.count,
                       "facility": i.stats.facility, "discrimination": i.stats.discrimination,
                       "flags": i.stats.flags, "choices": i.rows} for i in report.items],
        })


class RegradeApi(APIView):
    class RegradeOutputSerializer(serializers.Serializer):
        version = serializers.IntegerField()
        committed = serializers.BooleanField()
        changes = inline_serializer("RegradeChange", many=True, fields={
            "attempt_id": serializers.IntegerField(), "username": serializers.CharField(),
            "old_score": serializers.FloatField(allow_null=True),
            "new_score": serializers.FloatField(allow_null=True)})
        skipped = serializers.ListField(child=serializers.CharField())

    class RegradeInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def _context(self, request, course_slug, quiz_slug, question_id):
        access, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                      quiz_slug=quiz_slug)
        return quiz, get_object_or_404(Question, pk=question_id, course=access.course)

    @staticmethod
    def _plan_data(plan, committed: bool) -> dict:
        return {"version": plan.version.number, "committed": committed, "skipped": plan.skipped,
                "changes": [{"attempt_id": c.attempt_id, "username": c.username,
                             "old_score": c.old_score, "new_score": c.new_score}
                            for c in plan.changes]}

    @extend_schema(responses={200: RegradeOutputSerializer, **error_responses(403, 404)},
                   description="Dry run: what a regrade would change.")
    def get(self, request, course_slug: str, quiz_slug: str, question_id: int):
        quiz, question = self._context(request, course_slug, quiz_slug, question_id)
        return ApiResponse(self._plan_data(services.regrade_plan(quiz=quiz, question=question),
                                           False))

    @extend_schema(request=RegradeInputSerializer,
                   responses={200: RegradeOutputSerializer,
                              **error_responses(400, 403, 404, 415)})
    def post(self, request, course_slug: str, quiz_slug: str, question_id: int):
        quiz, question = self._context(request, course_slug, quiz_slug, question_id)
        body = self.RegradeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = services.regrade_plan(quiz=quiz, question=question)
        services.regrade_commit(quiz=quiz, question=question, user=request.user,
                                reason=body.validated_data.get("reason", ""))
        return ApiResponse(self._plan_data(plan, True))


class DisputeListApi(APIView):
    class DisputeListOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        question_id = serializers.IntegerField()
        student = serializers.CharField(source="student.username")
        comment = serializers.CharField()
        status = serializers.CharField()
        reply = serializers.CharField()

    @extend_schema(responses={200: DisputeListOutputSerializer(many=True),
                              **error_responses(403, 404)})
    def get(self, request, course_slug: str, quiz_slug: str):
        _, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                 quiz_slug=quiz_slug)
        return ApiResponse(self.DisputeListOutputSerializer(selectors.disputes_for_quiz(quiz=quiz),
                                                 many=True).data)


class DisputeAnswerApi(APIView):
    class DisputeAnswerInputSerializer(serializers.Serializer):
        reply = serializers.CharField(max_length=limits.COMMENT_MAX)
        accept = serializers.BooleanField(default=False)

    @extend_schema(request=DisputeAnswerInputSerializer,
                   responses={200: DisputeListApi.DisputeListOutputSerializer,
                              **error_responses(400, 403, 404, 415)})
    def post(self, request, course_slug: str, quiz_slug: str, dispute_id: int):
        _, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                 quiz_slug=quiz_slug)
        body = self.DisputeAnswerInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        dispute = get_object_or_404(Dispute, pk=dispute_id, quiz=quiz)
        services.dispute_answer(dispute=dispute, user=request.user, **body.validated_data)
        return ApiResponse(DisputeListApi.DisputeListOutputSerializer(dispute).data)


class GradedByHandOut(serializers.Serializer):
    """An answer a person grades (an essay) as the grading page shows it."""
    id = serializers.IntegerField()
    student = serializers.CharField(source="attempt.user.username")
    attempt_id = serializers.IntegerField()
    attempt_number = serializers.IntegerField(source="attempt.number")
    question_id = serializers.IntegerField(source="version.question_id")
    position = serializers.IntegerField(help_text="the question's number in the attempt")
    state = serializers.CharField(help_text="needs_grading until a mark is given")
    answer = serializers.JSONField(help_text="the student's answer as stored, e.g. {text}")
    mark = serializers.FloatField(allow_null=True)
    max_mark = serializers.FloatField()
    comment = serializers.CharField(source="manual_comment",
                                    help_text="the grader's comment the student reads")
    grader_info = serializers.SerializerMethodField(
        help_text="the question's information for graders")

    def get_grader_info(self, response: Response) -> str:
        return str((response.version.data or {}).get("grader_info", ""))


class GradingListApi(APIView):
    @extend_schema(responses={200: GradedByHandOut(many=True), **error_responses(403, 404)})
    def get(self, request, course_slug: str, quiz_slug: str):
        """The quiz's submitted answers a person grades, those awaiting a grade first."""
        _, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                 quiz_slug=quiz_slug)
        return ApiResponse(GradedByHandOut(selectors.responses_graded_by_hand(quiz=quiz),
                                           many=True).data)


class GradingApi(APIView):
    class GradingInputSerializer(serializers.Serializer):
        # Checked by the service, as the grading page's mark is: one message for both.
        mark = serializers.JSONField(help_text="a number from 0 to the question's max_mark")
        comment = serializers.CharField(max_length=limits.COMMENT_MAX, allow_blank=True,
                                        default="", trim_whitespace=False)

    @extend_schema(request=GradingInputSerializer,
                   responses={200: GradedByHandOut, **error_responses(400, 403, 404, 415)})
    def put(self, request, course_slug: str, quiz_slug: str, response_id: int):
        """Grade one answer: its attempt's score and the quiz grade follow."""
        # The body first, as a POST's is read by the CSRF check: a malformed one is a 400 for
        # anyone, which tells nothing of the answer.
        body = self.GradingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _, quiz = selectors.quiz_get_for_teacher(user=request.user, course_slug=course_slug,
                                                 quiz_slug=quiz_slug)
        response = selectors.response_graded_by_hand_get(quiz=quiz, response_id=response_id)
        services.response_grade_manually(response=response, **body.validated_data)
        return ApiResponse(GradedByHandOut(response).data)


class QuestionBankApi(APIView):
    class QuestionBankInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=255)
        category = serializers.CharField(max_length=500, help_text="path, e.g. Week 6/BERT")
        qtype = serializers.ChoiceField(choices=list(qtypes.TYPES))
        stem = serializers.CharField()
        text_format = serializers.ChoiceField(choices=["markdown", "html", "plain"],
                                              default="markdown")
        data = serializers.JSONField()
        general_feedback = serializers.CharField(allow_blank=True, default="")
        default_mark = serializers.FloatField(
            min_value=0, max_value=float(limits.MARK_MAX), default=1.0,
            help_text="0 to 1000; a description is always worth 0")
        tags = serializers.ListField(child=serializers.CharField(max_length=50), default=list)

    class QuestionBankOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        key = serializers.CharField()
        category = serializers.CharField(source="category.path")
        tags = serializers.ListField(child=serializers.CharField())
        version = serializers.SerializerMethodField()

        def get_version(self, question) -> dict:
            latest = question.latest_version()
            return {"number": latest.number, "qtype": latest.qtype, "stem": latest.stem,
                    "text_format": latest.text_format, "data": latest.data,
                    "general_feedback": latest.general_feedback,
                    "default_mark": float(latest.default_mark)}

    def _access(self, request, course_slug):
        return teacher_access_get(
            user=request.user, course_slug=course_slug,
            message=_("Only the course's teachers can use the question bank."))

    @extend_schema(responses={200: QuestionBankOutputSerializer(many=True),
                              **error_responses(403, 404)})
    def get(self, request, course_slug: str):
        access = self._access(request, course_slug)
        questions = (Question.objects.filter(course=access.course)
                     .select_related("category__parent__parent").prefetch_related("versions"))
        return ApiResponse(self.QuestionBankOutputSerializer(questions, many=True).data)

    @extend_schema(request=QuestionBankInputSerializer,
                   responses={201: QuestionBankOutputSerializer,
                              **error_responses(400, 403, 404, 415)})
    def post(self, request, course_slug: str):
        access = self._access(request, course_slug)
        body = self.QuestionBankInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        values = dict(body.validated_data)
        path = [part for part in values.pop("category").split("/") if part.strip()]
        # One transaction: a question that is refused leaves no new category behind.
        with transaction.atomic():
            category = services.category_get_or_create_path(course=access.course, path=path)
            question = services.question_create(course=access.course, category=category,
                                                user=request.user, **values)
        return ApiResponse(self.QuestionBankOutputSerializer(question).data,
                           status=status.HTTP_201_CREATED)



