"""Reads for retraining: who may, the runs, and what a finished run is compared with."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404
from django.utils.translation import gettext as _

from courses.access import can_manage_site_models, require_site_model_manager

from ..models import DetectorTraining
from .versions import DetectorSource, active_detector, detector_card


def can_train(user: AbstractBaseUser) -> bool:
    """The detector serves the whole site: `courses.access.can_manage_site_models` decides."""
    return can_manage_site_models(user=user)


def require_trainer(user: AbstractBaseUser) -> None:
    require_site_model_manager(user=user,
                               message=_("Only instructors can retrain the fake detector."))


def training_runs(limit: int = 50) -> list[DetectorTraining]:
    return list(DetectorTraining.objects.select_related("started_by").defer("result")
                .order_by("-created_at")[:limit])


def training_run_get(*, run_id: int) -> DetectorTraining:
    run = DetectorTraining.objects.select_related("started_by").filter(pk=run_id).first()
    if run is None:
        raise Http404(_("No such training run."))
    return run


def in_progress_run() -> DetectorTraining | None:
    return DetectorTraining.objects.filter(
        status__in=(DetectorTraining.Status.QUEUED, DetectorTraining.Status.RUNNING)).first()


def comparison(*, run: DetectorTraining, active: DetectorSource | None = None) -> list[dict]:
    """Columns for the finished run's page: the run itself and the model that was active when
    it trained, both on the run's held-out images (the same images); and the model active now
    with its own card's numbers, when that is yet another model."""
    meta = (run.result or {}).get("meta", {})
    columns = [{"label": _("This run"), "version": run.version,
                "metrics": meta.get("metrics", {}), "instructor": meta.get("instructor_heldout"),
                "same_images": True}]
    baseline = meta.get("baseline")
    if baseline:
        columns.append({"label": _("Model active when it trained"),
                        "version": baseline.get("version", ""),
                        "metrics": baseline.get("metrics", {}),
                        "instructor": baseline.get("instructor_heldout"), "same_images": True})
    active = active or active_detector()
    if active.version not in {c["version"] for c in columns}:
        card = detector_card(active)
        columns.append({"label": _("Model active now"), "version": active.version,
                        "metrics": card.get("metrics", {}).get("metrics", {}),
                        "instructor": card.get("metrics", {}).get("instructor_heldout"),
                        "same_images": False})
    return columns
