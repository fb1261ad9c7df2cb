"""Running a live-GAN job: train the toy GAN, writing each snapshot to the job's row.

The page re-reads the row about twice a second while the job runs (templates/inference/
_job_panel.html), so a snapshot stored in `result` is what the student sees move. Each write
is an UPDATE … WHERE status='running': when it touches no row, the job was cancelled (or
marked lost) and training stops at once, freeing the worker. That write happens every
`report_every` generator steps (a fraction of a second), so it doubles as the cancel check.

Imported only by worker processes (it imports torch through the model code).
"""

from __future__ import annotations

import logging
import time

import numpy as np
import torch
from django.utils import timezone

from ..ml.toy_gan import Snapshot, ToyGANConfig, mode_centres, sample_data, train_iter
from ..models import DemoJob

log = logging.getLogger(__name__)
# Points of the real data drawn beside the generator's (a fixed draw: the same picture for
# every run, so runs can be compared).
DATA_POINTS = 256
HISTORY_MAX = 200  # loss points kept for the plot (a 3000-step run reports 120)


class Cancelled(Exception):
    """The job's row is no longer running: cancelled by its owner, or failed as lost."""


def live_gan_config(params: dict) -> ToyGANConfig:
    """The model's config from a job's cleaned params (inference.services bounds them)."""
    steps = int(params["steps"])
    # About 40 snapshots a run, none closer than 10 steps: frequent enough to look live and to
    # stop within a fraction of a second, few enough that writing them costs little.
    return ToyGANConfig(mode=params["mode"], steps=steps, seed=int(params["seed"]),
                        report_every=max(10, steps // 40))


def _data_points(config: ToyGANConfig) -> list:
    rng = torch.Generator().manual_seed(12345)
    return np.round(sample_data(config, DATA_POINTS, rng).numpy(), 3).tolist()


def live_result(config: ToyGANConfig, snap: Snapshot, history: list[dict],
                data: list) -> dict:
    """The JSON stored on the row: the latest samples, the real data, the loss history."""
    latest = snap.as_dict()
    return {"live": True, "mode": config.mode, "n_modes": config.n_modes,
            "radius": config.radius, "step": snap.step, "steps": snap.steps,
            "modes_covered": snap.modes_covered, "quality": snap.quality,
            "per_mode": snap.per_mode, "seconds": latest["seconds"],
            "samples": latest["samples"], "data": data,
            "centres": np.round(mode_centres(config), 3).tolist(),
            "history": history[-HISTORY_MAX:]}


def _store(job: DemoJob, result: dict, fraction: float, message: str) -> None:
    """Write a snapshot to the row while it is still running; raise Cancelled if it is not."""
    now = timezone.now()
    if not DemoJob.objects.filter(pk=job.pk, status=DemoJob.Status.RUNNING).update(
            progress=fraction, message=message, result=result, heartbeat_at=now):
        raise Cancelled()
    job.heartbeat_at = now


def live_gan_train(job: DemoJob, deadline: float) -> dict:
    """Train for the job, storing each snapshot; return the final result.

    Raises Cancelled when the row stops being 'running', and TimeoutError past `deadline`
    (time.monotonic()).
    """
    config = live_gan_config(job.params)
    data = _data_points(config)
    history: list[dict] = []
    result: dict = {}
    started = time.perf_counter()
    for snap in train_iter(config):
        history.append({"step": snap.step, "d_loss": round(snap.d_loss, 4),
                        "g_loss": round(snap.g_loss, 4), "modes": snap.modes_covered})
        result = live_result(config, snap, history, data)
        if time.monotonic() > deadline:
            raise TimeoutError("live GAN ran past the demo time limit")
        if snap.step < snap.steps:
            # Progress from 0.1 (claimed) to 0.95; the final write is the job's finish.
            _store(job, result, 0.1 + 0.85 * snap.step / snap.steps,
                   f"step {snap.step} of {snap.steps}")
    result["train_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result
