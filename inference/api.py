"""The demo API: create a job (202 + its id), read its status and result, cancel it."""

from __future__ import annotations

import re
import uuid
from contextlib import nullcontext

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api_errors import error_responses
from config.api_fields import UploadField
from config.parsers import JSONParser

from . import notify, selectors, services
from .models import DemoJob, DemoKind

PREFER_WAIT = re.compile(r"(?:^|[,;\s])wait\s*=\s*([0-9]+)", re.IGNORECASE | re.ASCII)
WAIT_DOC = ("Send `Prefer: wait=N` (RFC 7240; N seconds, at most DEMO_MAX_WAIT_SECONDS) to get "
            "the finished job in this reply when it finishes within N seconds; otherwise the "
            "reply is the job as it stands and you poll or wait again.")


def requested_wait(request) -> float:
    """Seconds the client is willing to wait for the result (0: answer at once)."""
    found = PREFER_WAIT.search(request.headers.get("Prefer", ""))
    if not found:
        return 0
    # A value with more digits than the cap is the cap: int() refuses thousands of digits.
    digits = found.group(1).lstrip("0") or "0"
    cap = settings.DEMO_MAX_WAIT_SECONDS
    return cap if len(digits) > len(str(cap)) else min(int(digits), cap)


def _with_preference(response: Response, waited: float) -> Response:
    if waited:
        response["Preference-Applied"] = f"wait={int(waited)}"
    return response


class DemoJobOutSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.CharField()
    status = serializers.CharField()
    progress = serializers.FloatField()
    message = serializers.CharField()
    queue_position = serializers.IntegerField(allow_null=True)
    params = serializers.JSONField()
    result = serializers.JSONField(allow_null=True, help_text="with absolute file URLs")
    model_name = serializers.CharField()
    model_version = serializers.CharField()
    timings = serializers.JSONField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


def job_payload(request, job: DemoJob) -> dict:
    result = job.result
    names = job.result_names
    if names:
        # One reverse() for all the names (a 16-face job has 17): the rest is string work.
        base = request.build_absolute_uri(reverse("inference:file", args=[job.pk, "x.png"]))
        base = base.removesuffix("x.png")
        result = {**result, "urls": {name: base + name for name in names}}
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress,
        "message": job.message_display, "queue_position": selectors.queue_position(job=job),
        "params": job.params, "result": result, "model_name": job.model_name,
        "model_version": job.model_version, "timings": job.timings,
        "created_at": job.created_at, "finished_at": job.finished_at,
    }


class DemoJobCreateApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    upload_limit_setting = "DEMO_MAX_UPLOAD_BYTES"  # config.uploads: refused while it streams

    class DemoJobCreateInputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=DemoKind.values)
        params = serializers.JSONField(required=False, default=dict)
        image = UploadField(required=False, help_text="JPEG, PNG or WebP")

    @extend_schema(request=DemoJobCreateInputSerializer, description=WAIT_DOC,
                   responses={202: DemoJobOutSerializer, 200: DemoJobOutSerializer,
                              **error_responses(400, 403, 404, 413, 415, 429, 503)})
    def post(self, request):
        body = self.DemoJobCreateInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        image = body.validated_data.get("image")
        wait = requested_wait(request)
        job_id = uuid.uuid4()
        # Watching before the job is enqueued: its finish cannot be missed, and the wait reads
        # the row once, when woken. No wait slot: the in-flight limit already bounds how many
        # of these one user can have (each waits for the job it just created).
        with notify.Watch(job_id) if wait else nullcontext() as watch:
            job = services.demo_job_create(user=request.user, kind=body.validated_data["kind"],
                                           params=body.validated_data["params"],
                                           image=image.read() if image else None,
                                           job_id=job_id)
            job = selectors.demo_job_wait(job=job, seconds=wait, watch=watch)
        code = status.HTTP_200_OK if job.is_finished else status.HTTP_202_ACCEPTED
        return _with_preference(
            Response(DemoJobOutSerializer(job_payload(request, job)).data, status=code), wait)


class DemoJobDetailApi(APIView):
    @extend_schema(description=WAIT_DOC,
                   responses={200: DemoJobOutSerializer, **error_responses(403, 404)})
    def get(self, request, job_id):
        wait = requested_wait(request)
        # Watching before the row is read: a finish right after the read cannot be missed.
        with notify.Watch(job_id) if wait else nullcontext() as watch:
            job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
            job = selectors.demo_job_wait(job=job, seconds=wait, user=request.user, watch=watch)
        if not job.is_finished:
            job = services.demo_job_mark_lost(job=job)
        return _with_preference(Response(DemoJobOutSerializer(job_payload(request, job)).data),
                                wait)


class DemoJobCancelApi(APIView):
    @extend_schema(request=None, responses={200: DemoJobOutSerializer,
                                            **error_responses(403, 404)})
    def post(self, request, job_id):
        job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
        job = services.demo_job_cancel(job=job, user=request.user)
        return Response(DemoJobOutSerializer(job_payload(request, job)).data)
