"""The same face generator served by Gradio, for `python -m bench demo-serving --gradio`.

Gradio (the `bench` extra, never a runtime dependency) serves the course's DCGAN with its own
batching: one event with `batch=True`, its queue gathering up to `max_batch_size` waiting
requests into one call of the function (Gradio's "Batch functions" guide), one forward pass for
all their faces. The output is a `gr.Gallery`, which encodes every face as an image file in
Gradio's cache inside the request (WebP as shipped; PNG for the like-for-like comparison).

The clients do what the browser's page does (@gradio/client): `POST /gradio_api/queue/join`
with the session hash, then read the server-sent events of `GET /gradio_api/queue/data` until
`process_completed`; with `fetch`, they then download each face's file, as the page's <img>
tags do.

    python -m bench.gradio_side --port 7861 --format webp --max-batch 16   # the server alone
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def installed() -> bool:
    """Gradio is in the `bench` extra only: the comparison runs where it was installed."""
    return find_spec("gradio") is not None


def serve(port: int, image_format: str, max_batch: int) -> None:
    """Build and launch the Gradio app (blocks this process)."""
    import gradio as gr
    import torch

    from inference.ml.dcgan import generate_from_seeds, load_face_generator

    torch.set_num_threads(os.cpu_count() or 1)
    gen = load_face_generator(device=os.environ.get("INFERENCE_DEVICE", "auto"))
    generate_from_seeds(gen, list(range(8)))  # warm-up, as our worker's preload

    def faces(seeds: list[float], counts: list[float]) -> list[list]:
        """Batched: one list per input, one list per output (a gallery per request). The
        seeds of a request are seed, seed+1, … as in our worker (inference/worker/runners.py)."""
        groups = [[int(s) + i for i in range(int(c))] for s, c in zip(seeds, counts, strict=True)]
        images = generate_from_seeds(gen, [s for group in groups for s in group])
        out, offset = [], 0
        for group in groups:
            out.append(list(images[offset:offset + len(group)]))
            offset += len(group)
        return [out]

    with gr.Blocks(analytics_enabled=False) as demo:
        seed = gr.Number(value=0, precision=0, label="Seed")
        count = gr.Slider(1, 16, value=4, step=1, label="Faces")
        button = gr.Button("Generate")
        gallery = gr.Gallery(format=image_format, label="Faces")
        button.click(faces, [seed, count], gallery, batch=True, max_batch_size=max_batch,
                     api_name="generate")
    # The default queue: one batch at a time for the event (concurrency_limit=1), which is what
    # batch=True is for. No request cap, as our side runs with its queue cap lifted.
    demo.queue(max_size=None).launch(server_name="127.0.0.1", server_port=port, quiet=True,
                                     show_error=True)


class GradioServer:
    """The Gradio app in its own process, on its own port, with its own file cache."""

    def __init__(self, *, port: int, image_format: str, max_batch: int):
        self.port, self.format, self.max_batch = port, image_format, max_batch
        self.dir = Path(tempfile.mkdtemp(prefix="gradio-bench-"))
        self.env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False",
                    "GRADIO_TEMP_DIR": str(self.dir), "HF_HUB_OFFLINE": "1",
                    "PYTHONUNBUFFERED": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}

    def __enter__(self) -> GradioServer:
        self.log = open(self.dir / "server.log", "w")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.gradio_side", "--port", str(self.port),
             "--format", self.format, "--max-batch", str(self.max_batch)],
            cwd=REPO, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        import httpx

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the Gradio server exited:\n"
                                   + (self.dir / "server.log").read_text()[-3000:])
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/config").status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("the Gradio server did not start")

    def pids(self) -> list[int]:
        return [self.proc.pid]

    def __exit__(self, *exc) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        import shutil

        shutil.rmtree(self.dir, ignore_errors=True)


async def _gradio_client(base: str, jobs: int, seed_base: int, faces: int, fetch: bool,
                         latencies: list[float], errors: list[str]) -> None:
    import aiohttp

    async with aiohttp.ClientSession(
            base_url=base, connector=aiohttp.TCPConnector(limit=2, keepalive_timeout=30),
            timeout=aiohttp.ClientTimeout(total=60)) as session:
        session_hash = secrets.token_hex(6)  # one page load: one session
        for i in range(jobs):
            start = time.perf_counter()
            async with session.post("/gradio_api/queue/join", json={
                    "data": [seed_base + i * faces, faces], "fn_index": 0, "trigger_id": None,
                    "event_data": None, "session_hash": session_hash}) as reply:
                if reply.status != 200:
                    errors.append(f"join {reply.status}")
                    continue
                await reply.read()
            output = None
            async with session.get("/gradio_api/queue/data",
                                   params={"session_hash": session_hash}) as stream:
                async for line in stream.content:
                    if not line.startswith(b"data:"):
                        continue
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        output = message.get("output") or {}
                        if not message.get("success", True) or "error" in output:
                            errors.append(f"failed: {output.get('error')}")
                            output = None
                        break
            if output is None:
                if not errors or not errors[-1].startswith("failed"):
                    errors.append("no result")
                continue
            gallery = output["data"][0]
            if len(gallery) != faces:
                errors.append(f"{len(gallery)} faces")
                continue
            if fetch:  # as the page's <img> tags: every face's file
                for item in gallery:
                    async with session.get(item["image"]["url"]) as image:
                        if image.status != 200 or not await image.read():
                            errors.append(f"file {image.status}")
            latencies.append(time.perf_counter() - start)


def gradio_end_to_end(server: GradioServer, clients: int, jobs_per_client: int, faces: int,
                      *, fetch: bool, meter_factory) -> dict:
    """The same shape of row as demo_serving.end_to_end; `meter_factory(groups)` a CpuMeter."""
    latencies: list[float] = []
    errors: list[str] = []
    base = f"http://127.0.0.1:{server.port}"
    seed0 = int(time.time()) % 1_000_000 * 1000

    async def main() -> dict:
        meter = meter_factory({"gradio": server.pids, "clients": lambda: [os.getpid()]})
        start = time.perf_counter()
        await asyncio.gather(*(_gradio_client(base, jobs_per_client,
                                              seed0 + 10_000_000 * (c + 1), faces, fetch,
                                              latencies, errors)
                               for c in range(clients)))
        return {"elapsed": time.perf_counter() - start, "cpu": meter.used()}

    timing = asyncio.run(main())
    elapsed, cpu = timing["elapsed"], timing["cpu"]
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    done = max(1, len(latencies))
    return {"clients": clients, "faces": faces, "jobs": len(latencies), "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5],
            "jobs_s": len(latencies) / elapsed, "images_s": len(latencies) * faces / elapsed,
            "p50_ms": pick(0.5) if latencies else float("nan"),
            "p95_ms": pick(0.95) if latencies else float("nan"),
            "cpu_ms_per_job": {name: 1000 * sec / done for name, sec in cpu.items()},
            "cpu_busy": sum(cpu.values()) / elapsed / (os.cpu_count() or 1)}


def print_comparison(beside: dict[str, dict], *, faces: int, clients: int, gradio_batch: int,
                     ours: str) -> None:
    """The "Beside Gradio" table (docs/performance.md) and the verdict on the targets."""
    print(f"\n## Beside Gradio: {clients} clients, {faces} faces per request\n")
    print(f"Ours: {ours}. Gradio {_version()}: one process, `batch=True`, "
          f"`max_batch_size={gradio_batch}`, its queue (one batch at a time), torch threads "
          f"= cores. Load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.\n")
    print("| server | output | faces/s | % of raw sustained | p50 ms | p95 ms | errors | "
          "CPU ms/job | CPU ms/job by process |\n|---|---|---:|---:|---:|---:|---:|---:|---|")
    encoding = {"ours": "raw pixels stored; URLs returned, nothing fetched",
                "ours, PNG fetched": "raw pixels stored; each face fetched as PNG",
                "Gradio": "each face a WebP file written in the request; nothing fetched",
                "Gradio, PNG fetched": "each face a PNG file written in the request; fetched"}
    for name, row in beside.items():
        cpu = row["cpu_ms_per_job"]
        share = (f"{100 * row['images_s'] / row['raw_sustained']:.0f}%"
                 if row.get("raw_sustained") else "—")
        print(f"| {name.split(',')[0]} | {encoding[name]} | {row['images_s']:.1f} | {share} | "
              f"{row['p50_ms']:.0f} | {row['p95_ms']:.0f} | {row['errors']} | "
              f"{sum(cpu.values()):.1f} | "
              + " · ".join(f"{k} {v:.1f}" for k, v in cpu.items()) + " |")
    for label, ours_key, theirs_key in (("As shipped", "ours", "Gradio"),
                                        ("PNG fetched on both sides", "ours, PNG fetched",
                                         "Gradio, PNG fetched")):
        a, b = beside.get(ours_key), beside.get(theirs_key)
        if not (a and b and b["images_s"]):
            continue
        ahead = a["images_s"] > b["images_s"] and a["p95_ms"] < b["p95_ms"]
        print(f"\n{label}: ours {a['images_s'] / b['images_s']:.2f}× Gradio's faces/s, p95 "
              f"{a['p95_ms']:.0f} against {b['p95_ms']:.0f} ms: "
              + ("ahead in both (target met)." if ahead else "not ahead in both (target missed)."))


def _version() -> str:
    from importlib.metadata import version

    return version("gradio")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.gradio_side")
    parser.add_argument("--port", type=int, default=7861)
    parser.add_argument("--format", default="webp", choices=["webp", "png"])
    parser.add_argument("--max-batch", type=int, default=16,
                        help="max_batch_size: requests gathered into one call")
    args = parser.parse_args()
    serve(args.port, args.format, args.max_batch)
