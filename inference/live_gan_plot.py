"""The live GAN's two plots as SVG coordinates, for templates/inference/_live_gan.html.

Web side, no torch: it reads the snapshot the worker stored in the job's `result`
(inference/worker/live_gan.py). Drawn on the server as inline SVG, so the plots need no
script, work under the Content-Security-Policy, and print.
"""

from __future__ import annotations

SCATTER = 240  # px, square
LOSS_W, LOSS_H, PAD = 320, 200, 28


def _scale(value: float, low: float, high: float, size: float) -> float:
    return round((value - low) / (high - low) * size, 1) if high > low else size / 2


def live_gan_plot(result: dict) -> dict:
    """Points and polylines in pixel coordinates, and the figures the page states in words."""
    extent = float(result.get("radius", 2.0)) * 1.4  # the ring plus room for stray samples

    def xy(point) -> tuple[float, float]:
        # Clamp strays to the frame's edge: a diverging generator should still be visible.
        x = min(max(float(point[0]), -extent), extent)
        y = min(max(float(point[1]), -extent), extent)
        return (_scale(x, -extent, extent, SCATTER), _scale(-y, -extent, extent, SCATTER))

    history = result.get("history") or []
    losses = [h[k] for h in history for k in ("d_loss", "g_loss")]
    low, high = (min(losses), max(losses)) if losses else (0.0, 1.0)
    if high - low < 1e-6:
        low, high = low - 0.5, high + 0.5
    steps = max(int(result.get("steps") or 1), 1)

    def line(key: str) -> str:
        return " ".join(
            f"{PAD + _scale(h['step'], 0, steps, LOSS_W - PAD - 4)},"
            f"{4 + LOSS_H - PAD - 4 - _scale(h[key], low, high, LOSS_H - PAD - 8)}"
            for h in history)

    last = history[-1] if history else {}
    return {
        "size": SCATTER, "loss_w": LOSS_W, "loss_h": LOSS_H, "pad": PAD,
        "data": [xy(p) for p in result.get("data") or []],
        "samples": [xy(p) for p in result.get("samples") or []],
        "centres": [xy(p) for p in result.get("centres") or []],
        "d_line": line("d_loss"), "g_line": line("g_loss"),
        "loss_low": round(low, 2), "loss_high": round(high, 2),
        "step": result.get("step", 0), "steps": steps,
        "modes_covered": result.get("modes_covered", 0), "n_modes": result.get("n_modes", 8),
        "d_loss": last.get("d_loss"), "g_loss": last.get("g_loss"),
        "quality_pct": round(100 * float(result.get("quality", 0.0))),
        "mode": result.get("mode", "gan"),
    }
