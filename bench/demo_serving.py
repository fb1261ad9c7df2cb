"""Demo serving benchmark: the face generator's raw throughput against the whole serving path.

    python -m bench demo-serving [--quick] [--clients 1,8,64] [--jobs-per-client N]

1. Raw: one process, the generator alone, batch sizes 1..256 (images/second).
2. End to end: HTTP → DemoJob row → broker → Celery worker (batching on, then off) → result
   visible to the client. Each virtual client creates a face job (a fresh seed, so the cache
   never answers) and polls its status like the page does, then starts the next one.
   Throughput is finished jobs per second over the run; latency is creation → visible result.
3. The same for the detector and the captioner at their natural batch sizes.

The server is the production setup (gunicorn, DEBUG off) on SQLite or, when DATABASE_URL is set,
that database; the broker is the embedded filesystem transport unless CELERY_BROKER_URL is set.
Results are printed as Markdown tables for docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


def raw_generator(batches: list[int], repeats: int) -> list[tuple[int, float, float]]:
    """(batch size, images/s, ms per batch) for the generator alone in this process."""
    import torch

    from inference.ml.dcgan import generate_from_seeds, load_face_generator

    torch.set_num_threads(os.cpu_count() or 1)
    gen = load_face_generator(device=os.environ.get("INFERENCE_DEVICE", "auto"))
    generate_from_seeds(gen, list(range(8)))  # warm-up
    rows = []
    for batch in batches:
        times = []
        for r in range(repeats):
            seeds = list(range(r * batch, (r + 1) * batch))
            start = time.perf_counter()
            generate_from_seeds(gen, seeds)
            times.append(time.perf_counter() - start)
        best = statistics.median(times)
        rows.append((batch, batch / best, best * 1000))
    return rows


def raw_detector_and_captioner(batch: int, repeats: int) -> dict[str, float]:
    import numpy as np

    from inference.ml.captioner import caption, load_captioner
    from inference.ml.fake_detector import load_fake_detector, predict

    images = np.random.default_rng(0).integers(0, 255, (batch, 64, 64, 3), dtype=np.uint8)
    out = {}
    for name, model, run in (
            ("fake detector", load_fake_detector(), lambda m: predict(m, images)),
            ("captioner", load_captioner(), lambda m: caption(m, images, lang="en"))):
        run(model)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            run(model)
            times.append(time.perf_counter() - start)
        out[name] = batch / statistics.median(times)
    return out


class Stack:
    """gunicorn + one Celery worker on a fresh database and broker folder."""

    def __init__(self, *, max_batch: int, port: int, broker: str, workers: int = 3):
        self.dir = Path(tempfile.mkdtemp(prefix="demo-bench-"))
        self.port = port
        self.env = {**os.environ, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(40),
                    "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "0",
                    "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
                    "VAR_DIR": str(self.dir), "DEMO_MAX_BATCH": str(max_batch),
                    "DEMO_MAX_IN_FLIGHT_PER_USER": "1000", "DEMO_RATE_PER_MINUTE": "100000",
                    "DEMO_QUEUE_CAP": "100000", "PYTHONUNBUFFERED": "1"}
        if broker != "filesystem":
            self.env.update(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker)
            import redis

            redis.Redis.from_url(broker).flushdb()  # no messages left from an earlier run
        self.workers = workers
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        run = lambda *a: subprocess.run([PY, "manage.py", *a], cwd=REPO, env=self.env,  # noqa: E731
                                        check=True, capture_output=True)
        run("migrate", "--noinput")
        run("collectstatic", "--noinput")
        run("shell", "-c", "from django.contrib.auth import get_user_model as g; "
                           "g().objects.create_user('bench', password='bench-pass-123')")
        log = open(self.dir / "worker.log", "w")  # noqa: SIM115 - closed with the process
        self.procs.append(subprocess.Popen(
            [PY, "-m", "celery", "-A", "config", "worker", "-Q", "gpu,default", "-P", "threads",
             "-c", "4", "-l", "info", "--without-gossip", "--without-mingle"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        self.procs.append(subprocess.Popen(
            [PY, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{self.port}", "-w",
             str(self.workers), "--threads", "4", "--log-level", "warning"],
            cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        self._wait_up()
        return self

    def _wait_up(self):
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                up = httpx.get(f"http://127.0.0.1:{self.port}/accounts/login/").status_code == 200
                if up and "ready." in (self.dir / "worker.log").read_text():
                    return  # the worker has loaded its models (INFERENCE_PRELOAD)
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError("the bench server did not start")

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


async def _client(base: str, jobs: int, seed_base: int, kind: str, latencies: list[float],
                  errors: list[str]) -> None:
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        # Log in once (a session, as a browser would): Basic auth would hash the password on
        # every request and measure PBKDF2 instead of serving.
        await client.get("/accounts/login/")
        token = client.cookies["csrftoken"]
        await client.post("/accounts/login/", data={
            "username": "bench", "password": "bench-pass-123", "csrfmiddlewaretoken": token})
        client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
        for i in range(jobs):
            params = ({"seed": seed_base + i, "count": 1} if kind == "face-generate" else
                      {"face_seed": seed_base + i} if kind == "fake-detect" else
                      {"scene_seed": seed_base + i, "lang": "en"})
            start = time.perf_counter()
            reply = await client.post("/api/demos/jobs/", json={"kind": kind, "params": params})
            if reply.status_code not in (200, 202):
                errors.append(f"create {reply.status_code}")
                continue
            job = reply.json()
            delay = 0.02  # poll like the page: soon at first, then backing off to 0.5 s
            while job["status"] in ("queued", "running"):
                await asyncio.sleep(delay)
                delay = min(0.5, delay * 1.5)
                job = (await client.get(f"/api/demos/jobs/{job['id']}/")).json()
            if job["status"] != "succeeded":
                errors.append(job["status"])
                continue
            latencies.append(time.perf_counter() - start)


def end_to_end(port: int, clients: int, jobs_per_client: int, kind: str) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    base = f"http://127.0.0.1:{port}"

    async def main():
        await asyncio.gather(*(_client(base, jobs_per_client, 10_000 * (c + 1) + int(time.time()),
                                       kind, latencies, errors) for c in range(clients)))

    start = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"clients": clients, "jobs": len(latencies), "errors": len(errors),
            "throughput": len(latencies) / elapsed,
            "p50_ms": pick(0.5) if latencies else None, "p95_ms": pick(0.95) if latencies else None}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench demo-serving")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and jobs")
    parser.add_argument("--clients", default="1,8,64")
    parser.add_argument("--jobs-per-client", type=int, default=0)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12",
                        help="the production-like default; 'filesystem' for the embedded one")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    repeats = 3 if args.quick else 7
    clients = [int(c) for c in args.clients.split(",")]
    print(f"# Demo serving benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"broker {args.broker})\n")
    raw = raw_generator([1, 4, 16, 64, 256], repeats)
    print("## Raw face generator (one process)\n\n| batch | images/s | ms/batch |\n|---|---|---|")
    for batch, rate, ms in raw:
        print(f"| {batch} | {rate:.0f} | {ms:.1f} |")
    best_raw = max(rate for _, rate, _ in raw)
    single_ms = raw[0][2]
    others = raw_detector_and_captioner(16, repeats)
    print("\n## Raw detector and captioner (batch 16)\n\n| model | images/s |\n|---|---|")
    for name, rate in others.items():
        print(f"| {name} | {rate:.0f} |")
    print("\n## End to end, face generation (HTTP → job → broker → worker → visible result)\n")
    print("| batching | clients | jobs | errors | jobs/s | % of raw batched | p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|---|---|")
    results = {}
    for max_batch, label in ((64, "on"), (1, "off")):
        with Stack(max_batch=max_batch, port=args.port, broker=args.broker):
            for n in clients:
                jobs = args.jobs_per_client or max(2, (40 if args.quick else 160) // n)
                row = end_to_end(args.port, n, jobs, "face-generate")
                results[(label, n)] = row
                print(f"| {label} | {n} | {row['jobs']} | {row['errors']} | "
                      f"{row['throughput']:.1f} | {100 * row['throughput'] / best_raw:.0f}% | "
                      f"{row['p50_ms']:.0f} | {row['p95_ms']:.0f} |", flush=True)
            if label == "on":
                for kind in ("fake-detect", "caption"):
                    row = end_to_end(args.port, 8, 4 if args.quick else 12, kind)
                    print(f"| on ({kind}) | 8 | {row['jobs']} | {row['errors']} | "
                          f"{row['throughput']:.1f} | — | {row['p50_ms']:.0f} | "
                          f"{row['p95_ms']:.0f} |", flush=True)
    single = results.get(("on", 1))
    if single and single["p50_ms"] is not None:
        print(f"\nSingle request: end-to-end p50 {single['p50_ms']:.0f} ms vs raw model "
              f"{single_ms:.1f} ms (overhead {single['p50_ms'] - single_ms:.0f} ms; target ≤ 150).")
    top = results.get(("on", max(clients)))
    if top:
        print(f"At {max(clients)} clients with batching: {100 * top['throughput'] / best_raw:.0f}% "
              f"of the raw batched throughput (target ≥ 70%).")


if __name__ == "__main__":
    main()
