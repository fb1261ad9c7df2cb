"""Demo pages: generate faces, walk the latent space, detect fakes, caption scenes.

Results reach the page without a reload: a small panel re-requests itself with htmx while the
job is queued or running, and each of those requests waits on the server (long polling, up to
DEMO_PAGE_WAIT_SECONDS) until the job finishes, so the result appears the moment it exists.
Long polling rather than server-sent events: every request is bounded, so it works behind any
proxy and needs no streaming worker; a job takes seconds, not minutes.
"""

from __future__ import annotations

import time
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.errors import ApplicationError
from config.uploads import upload_limit
from courses.access import course_access_get, require_site_model_manager
from courses.models import Course

from . import notify, selectors, services
from .catalog import detector_ood_report, model_card
from .demo_labels import sample_choices, scene_choices
from .images import sheet_png, tile_png
from .live_gan_plot import live_gan_plot
from .models import DemoJob, DemoKind


def _course_for(request: HttpRequest) -> Course | None:
    slug = request.POST.get("course") or request.GET.get("course")
    if not slug:
        return None
    try:
        return course_access_get(user=request.user, course_slug=slug).course
    except (ApplicationError, Http404):
        return None  # a course the user may not see: the demo runs outside any course


# A running live GAN's panel asks again this often (no long wait: it changes all the time). A
# run is about ten seconds, so a student sees some twenty frames of it.
LIVE_POLL_MS = 500
# An unfinished job's panel asks again this soon after an answer (each ask waits on the server).
PANEL_POLL_MS = 50


@login_required
def demo_index(request: HttpRequest) -> HttpResponse:
    cards = {"face": model_card("face_generator"), "detect": model_card("fake_detector"),
             "caption": model_card("captioner"), "caption_photo": model_card("photo_captioner"),
             "live_gan": model_card("toy_gan")}
    return render(request, "inference/index.html", {
        "cards": cards, "scene_choices": scene_choices(),
        "samples": sample_choices(),
        "course": _course_for(request), "broker_ok": selectors.broker_available(),
        "past_runs": selectors.demo_jobs_recent_for_user(user=request.user),
        "examples": EXAMPLES, "detector_ood": detector_ood_report(),
    })


# Clickable examples: each fills and runs its demo's form with these values (keyed by the
# demo's kind, with "_" for "-" so that templates can look them up).
EXAMPLES = {
    "face_generate": [{"seed": 7, "count": 4}, {"seed": 42, "count": 8},
                      {"seed": 2024, "count": 1}],
    "fake_detect": [{"sample": "astronaut"}, {"sample": "cat"}, {"face_seed": 7}],
    "caption": [{"model": "photo", "sample": "chelsea", "lang": "en"},
                {"model": "photo", "sample": "coffee"}, {"model": "photo", "sample": "astronaut"},
                {"model": "photo", "face_seed": 7}, {"model": "shapes", "sample": "chelsea",
                                                     "lang": "en"},
                {"scene_seed": 1}, {"scene_seed": 5}],
    # A seed on which the plain GAN collapses, and the same seed with packing (measured:
    # tests/ml/test_toy_gan.py).
    "live_gan": [{"mode": "gan", "seed": 1, "steps": 2000},
                 {"mode": "pacgan", "seed": 1, "steps": 2000}],
}


@login_required
def demo_job_download(request: HttpRequest, job_id) -> HttpResponse:
    """A finished run's result as a file: the faces (or the walk's frames) as one PNG, the
    detector's report or the caption as JSON. Storage paths never leave the server."""
    job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
    if job.status != DemoJob.Status.SUCCEEDED or not job.result:
        raise Http404(_("This run has no result to download: it has not finished, or it "
                        "failed. Open the run to see its state."))
    result = job.result
    stem = f"{job.kind}-{str(job.pk)[:8]}"
    if job.kind in (DemoKind.FACE_GENERATE, DemoKind.LATENT_WALK) and result.get("sheet"):
        sheet = result["sheet"]
        with default_storage.open(result["files"][sheet["file"]], "rb") as handle:
            response = HttpResponse(sheet_png(handle.read()), content_type="image/png")
        response["Content-Disposition"] = f'attachment; filename="{stem}.png"'
        return response
    report = {"kind": job.kind, "job": str(job.pk), "params": job.params,
              "model": job.model_name, "model_version": job.model_version,
              "finished_at": job.finished_at.isoformat() if job.finished_at else None}
    if job.kind == DemoKind.FAKE_DETECT:
        report.update({"probability_fake": result.get("probability"),
                       "label": result.get("label"), "source": result.get("source")})
    elif job.kind == DemoKind.LIVE_GAN:
        report.update({key: result.get(key) for key in (
            "mode", "steps", "modes_covered", "quality", "per_mode", "centres", "samples",
            "data", "history", "train_ms")})
    elif job.kind == DemoKind.CAPTION:
        report.update({"caption": result.get("caption"), "truth": result.get("truth"),
                       "words": [w.get("word") for w in result.get("words") or []],
                       **({"imagenet": result["imagenet"]} if result.get("imagenet") else {})})
    else:  # a run stored without a sheet (before sheets existed): its seeds and frames
        report.update({"faces": [{"seed": f.get("seed")} for f in result.get("faces") or []],
                       "frames": [{"t": f.get("t")} for f in result.get("frames") or []]})
    response = JsonResponse(report, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    return response


@upload_limit("DEMO_MAX_UPLOAD_BYTES")
@login_required
@require_POST
def demo_job_create(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    params = {key: value for key, value in request.POST.items()
              if key not in ("kind", "csrfmiddlewaretoken", "course", "share", "lesson")}
    # A scene row counts when its shape is chosen, whichever row it is (row 1 may be left "—").
    if kind == DemoKind.CAPTION and any(request.POST.get(f"shape-{i}") for i in (1, 2, 3)):
        params["scene"] = [
            {field: request.POST.get(f"{field}-{i}") for field in services.SCENE_FIELDS}
            for i in (1, 2, 3) if request.POST.get(f"shape-{i}")]
        params = {k: v for k, v in params.items() if k[-2:] not in ("-1", "-2", "-3")}
    upload = request.FILES.get("image")
    course = _course_for(request)
    lesson = (course.lessons.filter(slug=request.POST.get("lesson")).first()
              if course and request.POST.get("lesson") else None)
    try:
        job = services.demo_job_create(
            user=request.user, kind=kind, params=params,
            image=upload.read() if upload else None, course=course, lesson=lesson,
            share_in_gallery=request.POST.get("share") == "1")
    except ApplicationError as exc:
        return render(request, "inference/_error.html", {"message": exc.message},
                      status=exc.status_code)
    if request.htmx:
        return _panel(request, job)
    return redirect("inference:job", job_id=job.pk)


def _panel(request: HttpRequest, job: DemoJob, *, poll_ms: int | None = None) -> HttpResponse:
    if not job.is_finished:
        job = services.demo_job_mark_lost(job=job)
    card = model_card(job.model_name) if job.model_name else None
    plot = (live_gan_plot(job.result) if job.kind == DemoKind.LIVE_GAN and job.result
            and job.status in (DemoJob.Status.RUNNING, DemoJob.Status.SUCCEEDED) else None)
    return render(request, "inference/_job_panel.html", {
        "job": job, "position": selectors.queue_position(job=job), "card": card,
        "plot": plot, "live_poll_ms": LIVE_POLL_MS, "poll_ms": poll_ms or PANEL_POLL_MS,
        "wait_s": settings.DEMO_PAGE_WAIT_SECONDS,
        "file_url": lambda name: reverse("inference:file", args=[job.pk, name]),
    })


@login_required
def demo_job_detail(request: HttpRequest, job_id) -> HttpResponse:
    if not request.htmx:
        job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
        return render(request, "inference/job.html", {"job": job})
    # The panel's request waits (up to DEMO_PAGE_WAIT_SECONDS) for the job to finish, so the
    # result shows the moment it exists and a class of 64 does not poll 4 times a second each;
    # the queue position and progress still refresh every wait.
    try:
        wait = max(0.0, min(float(request.GET.get("wait", 0)), settings.DEMO_PAGE_WAIT_SECONDS))
    except ValueError:
        wait = 0
    started = time.monotonic()
    # Watching before the row is read: a finish right after the read cannot be missed.
    with notify.Watch(job_id) if wait else nullcontext() as watch:
        job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
        job = selectors.demo_job_wait(job=job, seconds=wait, user=request.user, watch=watch)
    # An unfinished job back well before the wait ended: the wait was refused (the user holds
    # DEMO_MAX_WAITS_PER_USER already: another tab, a job's own page). The panel asks again
    # after the rest of the wait, not 50 ms later in a loop of requests.
    left = wait - (time.monotonic() - started)
    poll_ms = int(left * 1000) if not job.is_finished and left > 0.2 else PANEL_POLL_MS
    return _panel(request, job, poll_ms=poll_ms)


@login_required
def demo_job_file(request: HttpRequest, job_id, name: str) -> FileResponse:
    job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
    files = {**((job.result or {}).get("files") or {})}
    if job.input_file and name == "upload.png":
        files[name] = job.input_file
    sheet = (job.result or {}).get("sheet") or {}
    if name in files and files[name].endswith(".ppm"):  # a sheet: raw pixels as stored
        with default_storage.open(files[name], "rb") as handle:
            response = HttpResponse(sheet_png(handle.read()), content_type="image/png")
    elif name in files:
        response = FileResponse(default_storage.open(files[name], "rb"),
                                content_type="image/png")
    elif name in sheet.get("tiles", []):
        with default_storage.open(files[sheet["file"]], "rb") as handle:
            png = tile_png(handle.read(), sheet["tiles"].index(name), sheet["tile"],
                           sheet["columns"])
        response = HttpResponse(png, content_type="image/png")
    else:
        raise Http404("No such file.")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def demo_job_cancel(request: HttpRequest, job_id) -> HttpResponse:
    job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
    # A refusal (not the maker) keeps its own status and sentence: config.page_errors.
    job = services.demo_job_cancel(job=job, user=request.user)
    return _panel(request, job) if request.htmx else redirect("inference:job", job_id=job.pk)


@login_required
def pool_image(request: HttpRequest, image_id) -> FileResponse:
    """A spot-the-fake image. Its URL says nothing about whether it is generated."""
    from .models import PoolImage

    image = PoolImage.objects.filter(pk=image_id).first()
    if image is None:
        raise Http404("No such image.")
    response = FileResponse(default_storage.open(image.file, "rb"), content_type="image/png")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
@require_POST
def demo_job_hide(request: HttpRequest, job_id) -> HttpResponse:
    """A teacher hides a result from the class gallery with one click."""
    job = selectors.demo_job_get_for_user(user=request.user, job_id=job_id)
    services.demo_job_hide(job=job, user=request.user)
    return redirect(request.META.get("HTTP_REFERER") or "inference:index")


@login_required
def demo_status(request: HttpRequest) -> HttpResponse:
    """Queue, worker health and timings: for instructors and staff."""
    require_site_model_manager(user=request.user,
                               message=_("Only instructors see the demo status board."))
    return render(request, "inference/status.html", {
        "board": selectors.status_board(), "worker": worker_health(),
    })


def worker_health(timeout: float = 3.0) -> dict:
    """Send the health task to the gpu queue and wait for a worker's answer.

    A task round trip rather than `control.ping`: the embedded filesystem broker has no
    broadcast, and this also proves the gpu queue itself is being consumed.
    """
    from config.celery import health

    try:
        reply = health.apply_async(queue="gpu", expires=timeout, retry=False).get(
            timeout=timeout)
    except Exception as exc:  # broker down or no worker: kombu/celery errors vary by transport
        return {"ok": False, "workers": [], "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"ok": True, "workers": [f"{reply['host']} (pid {reply['pid']})"], "error": "",
            "device": reply.get("device", "")}
