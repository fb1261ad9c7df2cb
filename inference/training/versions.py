"""Which fake detector serves the demos: the shipped checkpoint, or the activated run.

Web side and worker side both ask here; no torch. "Which one is active" is one small query
(a unique partial index on `active`); everything derived from a version (its model card, its
loaded weights on the worker) is cached per version, and a version is the digest of the
checkpoint's bytes, so a cached thing can never be stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..models import DetectorTraining
from ..shipped import shipped_version


@dataclass(frozen=True)
class DetectorSource:
    version: str
    run_id: int | None = None  # None: the checkpoint shipped in inference/checkpoints/
    checkpoint_file: str = ""  # the run's checkpoint, a name in Django's default storage

    @property
    def shipped(self) -> bool:
        return self.run_id is None


def shipped_detector() -> DetectorSource:
    return DetectorSource(version=shipped_version("fake_detector"))


def active_detector() -> DetectorSource:
    """The activated run's checkpoint, else the shipped one (one query)."""
    row = DetectorTraining.objects.filter(active=True).values_list(
        "pk", "version", "checkpoint_file").first()
    if row is None:
        return shipped_detector()
    return DetectorSource(version=row[1], run_id=row[0], checkpoint_file=row[2])


def detector_for_version(version: str) -> DetectorSource | None:
    """The detector with this version (active or not), None if no such version exists."""
    if not version:
        return None
    shipped = shipped_detector()
    if version == shipped.version:
        return shipped
    row = DetectorTraining.objects.filter(
        version=version, status=DetectorTraining.Status.SUCCEEDED).exclude(
        checkpoint_file="").values_list("pk", "checkpoint_file").first()
    return DetectorSource(version=version, run_id=row[0], checkpoint_file=row[1]) if row else None


def detector_card(source: DetectorSource) -> dict:
    """The model card of a detector (a copy: callers may add to it)."""
    return dict(_detector_card(source))


@lru_cache(maxsize=16)
def _detector_card(source: DetectorSource) -> dict:
    from ..ml.registry import model_card, model_card_from_info

    if source.shipped:
        card = model_card("fake_detector")
    else:
        info = DetectorTraining.objects.filter(pk=source.run_id).values_list(
            "result", flat=True).first() or {}
        card = model_card_from_info("fake_detector", info, source.checkpoint_file)
        photos = (info.get("meta", {}).get("data", {}).get("instructor_photos") or {})
        card["name"] = f"{card['name']} (retrained, run {source.run_id})"
        card["trained_on"] = (
            f"{card['trained_on']}; plus {photos.get('total', 0)} real photos an instructor "
            f"uploaded, split by photo: {photos.get('train', 0)} for training, "
            f"{photos.get('heldout', 0)} held out")
        card["source"] = f"retrained on this site (run {source.run_id})"
        card["run_id"] = source.run_id
    card["version"] = source.version
    return card
