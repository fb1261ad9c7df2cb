"""The fake detectors a worker process has loaded, by version (worker side: imports torch).

inference.worker's model cache hands the fake detector over to this one: instructors can retrain
it, so there may be several versions, and the one in use changes without a restart. A version is
the digest of the checkpoint's bytes, so a loaded model is never stale; retrained checkpoints
are read through Django's storage, never from a local path the web side wrote.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections import OrderedDict

from django.core.files.storage import default_storage

from .versions import DetectorSource, active_detector, detector_for_version

log = logging.getLogger(__name__)


def checkpoint_bytes(source: DetectorSource) -> bytes:
    """A detector checkpoint's bytes: a retrained one from storage, or the shipped file."""
    if source.shipped:
        from ..ml import CHECKPOINT_DIR

        return (CHECKPOINT_DIR / "fake_detector.pt").read_bytes()
    with default_storage.open(source.checkpoint_file, "rb") as handle:
        return handle.read()


def load_detector(source: DetectorSource, device: str):
    from ..ml.fake_detector import load_fake_detector

    model = load_fake_detector(io.BytesIO(checkpoint_bytes(source)), device=device)
    model.version = source.version
    return model


class DetectorCache:
    """Fake detectors loaded at most once per process, keyed by version: a demo job names the
    version it was promised (no query when that one is loaded), no version means the active
    one (one small query). The few most recent stay loaded."""

    def __init__(self, keep: int = 3) -> None:
        self._lock = threading.Lock()
        self._models: OrderedDict[str, object] = OrderedDict()
        self.keep = keep

    def get(self, version: str | None, device: str):
        if version and version in self._models:
            return self._models[version]
        source = (detector_for_version(version) if version else None) or active_detector()
        with self._lock:
            model = self._models.get(source.version)
            if model is None:
                started = time.perf_counter()
                model = self._models[source.version] = load_detector(source, device)
                log.info("loaded fake detector %s in %.2f s", source.version,
                         time.perf_counter() - started)
                while len(self._models) > self.keep:
                    self._models.popitem(last=False)
            return model


DETECTORS = DetectorCache()


