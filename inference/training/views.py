"""Pages for retraining the fake detector: the runs and the upload form, one run's progress.

Instructors (of any course) and staff only. The run's panel is polled by htmx every second
while the run is queued or running, so the progress bar moves without a reload; the buttons are
plain forms, so everything also works without JavaScript.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config.errors import ApplicationError

from ..models import DetectorTraining
from ..pool_photos import pool_courses
from . import selectors, services
from .stages import stage_label
from .versions import active_detector, detector_card


def _page(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    active = active_detector()
    return render(request, "inference/training_index.html", {
        "runs": selectors.training_runs(), "active": active, "card": detector_card(active),
        "error": error, "max_epochs": settings.DETECTOR_TRAINING_MAX_EPOCHS,
        "default_epochs": services.DEFAULT_EPOCHS,
        "min_photos": settings.DETECTOR_TRAINING_MIN_PHOTOS,
        "max_photos": settings.DETECTOR_TRAINING_MAX_PHOTOS,
        "max_zip_mb": settings.DETECTOR_TRAINING_MAX_ZIP_BYTES // 1_000_000,
        "in_progress": selectors.in_progress_run(),
        "pool_courses": pool_courses(user=request.user),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def training_index(request: HttpRequest) -> HttpResponse:
    """GET: the runs and the form. POST: check the ZIP and start a run (or say what is wrong)."""
    selectors.require_trainer(request.user)
    if request.method == "GET":
        return _page(request)
    try:
        run = services.detector_training_start(
            user=request.user, photos=request.FILES.get("photos"),
            epochs=request.POST.get("epochs"),
            start_from_active=request.POST.get("start_from_active") == "1")
    except ApplicationError as exc:
        return _page(request, error=exc.message, status=exc.status_code)
    return redirect("inference:training-run", run_id=run.pk)


def _panel_context(run: DetectorTraining) -> dict:
    stale = timezone.now() - timedelta(seconds=settings.DETECTOR_TRAINING_STALE_SECONDS)
    if run.status == DetectorTraining.Status.RUNNING and run.heartbeat_at and \
            run.heartbeat_at < stale:  # its worker is gone: say so now, not at the next beat
        from ..recovery import detector_trainings_recover

        detector_trainings_recover()
        run.refresh_from_db()
    active = active_detector()
    return {
        "run": run, "stage": stage_label(run.message), "active": active,
        "columns": selectors.comparison(run=run, active=active)
        if run.status == DetectorTraining.Status.SUCCEEDED else [],
        "percent": round(run.progress * 100),
    }


def _panel(request: HttpRequest, run: DetectorTraining) -> HttpResponse:
    return render(request, "inference/_training_panel.html", _panel_context(run))


@login_required
def training_run(request: HttpRequest, run_id: int) -> HttpResponse:
    selectors.require_trainer(request.user)
    run = selectors.training_run_get(run_id=run_id)
    if request.htmx:
        return _panel(request, run)
    return render(request, "inference/training_run.html", _panel_context(run))


@login_required
@require_POST
def training_run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    selectors.require_trainer(request.user)
    run = services.detector_training_cancel(run=selectors.training_run_get(run_id=run_id),
                                            user=request.user)
    if request.htmx:
        return _panel(request, run)
    return redirect("inference:training-run", run_id=run.pk)


@login_required
@require_POST
def training_run_activate(request: HttpRequest, run_id: int) -> HttpResponse:
    selectors.require_trainer(request.user)
    run = selectors.training_run_get(run_id=run_id)
    try:
        services.detector_training_activate(run=run, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The detector demos and the spot-the-fake pool now use "
                                    "the model of training run %(id)s.") % {"id": run.pk})
    return redirect("inference:training-run", run_id=run.pk)


@login_required
@require_POST
def training_use_shipped(request: HttpRequest) -> HttpResponse:
    selectors.require_trainer(request.user)
    services.detector_use_shipped(user=request.user)
    messages.success(request, _("The demos use the shipped detector again."))
    return redirect("inference:training")
