"""Image pools for "spot the fake" items (web side, no torch).

Starting an attempt never waits on a model: it draws from images the `gpu` worker generated
earlier (`inference.tasks.spot_pool_refill` keeps the pool filled). If the pool is short, the
item says so and the rest of the quiz goes on.
"""

from __future__ import annotations

import logging
import random

from django.conf import settings
from django.db import transaction

from .models import PoolImage

log = logging.getLogger(__name__)


def spot_instance(*, data: dict, rng: random.Random) -> dict:
    """Draw `fakes` generated and `count - fakes` real images for one attempt."""
    count, fakes = data["count"], data["fakes"]
    generated = list(PoolImage.objects.filter(kind=PoolImage.Kind.GENERATED, active=True)
                     .values_list("pk", "detector_prob"))
    real = list(PoolImage.objects.filter(kind=PoolImage.Kind.REAL, active=True)
                .values_list("pk", "detector_prob"))
    if len(generated) < settings.SPOT_POOL_TARGET // 2:
        transaction.on_commit(request_refill)
    if len(generated) < fakes or len(real) < count - fakes:
        return {"count": count, "fakes": fakes, "images": []}
    chosen = [{"id": str(pk), "fake": True, "prob": prob}
              for pk, prob in rng.sample(generated, fakes)]
    chosen += [{"id": str(pk), "fake": False, "prob": prob}
               for pk, prob in rng.sample(real, count - fakes)]
    rng.shuffle(chosen)
    return {"count": count, "fakes": fakes, "images": chosen}


def request_refill() -> None:
    """Ask the gpu queue to top the pool up; a missing broker is logged, never raised."""
    from .tasks import spot_pool_refill

    try:
        spot_pool_refill.apply_async(queue="gpu", expires=600, retry=False)
    except Exception as exc:  # broker down: the quiz must still start
        log.warning("could not request a spot-the-fake pool refill: %s", exc)
