"""Retraining the fake detector on an instructor's own real photos, as a background job.

    archive    the uploaded ZIP: every photo checked, re-encoded, collected into a ZIP we wrote
    stages     the training's stage messages, translated for the page
    versions   which detector serves the demos (the shipped one or an activated run); no torch
    selectors  reads: who may train, the runs, the comparison shown when a run is done
    services   writes: start, cancel, activate, go back to the shipped model
    views      the pages (htmx-polled progress)
    tasks      the Celery tasks (gpu queue); they import `worker` only inside the task
    worker     claim, train, save through storage, report progress (torch)
    detectors  the fake detectors a worker process has loaded, by version (torch)

Only `tasks`, `worker` and `detectors` run in the worker process; the rest is web side and never
imports torch (tests/inference/test_web_has_no_torch.py).
"""
