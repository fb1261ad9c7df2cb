"""What the benchmarks share: the database, the production server, the HTTP client, statistics
and CPU accounting. Nothing here imports Django at module level: the bench process configures
Django for the benchmark database itself (`setup_django`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench")
DEFAULT_CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")
PASSWORD = "bench-pass-1"
SECRET_KEY = "bench-" + secrets.token_urlsafe(40)
EXIT_CANNOT_BIND = 77  # the smoke test skips on this


class CannotBind(RuntimeError):
    pass


# ------------------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------------------


def _pg_admin(url: str):
    import psycopg2

    u = urlparse(url)
    conn = psycopg2.connect(host=u.hostname or "127.0.0.1", port=u.port or 5432,
                            user=u.username or "postgres", password=u.password or None,
                            dbname="postgres", connect_timeout=5)
    conn.autocommit = True
    return conn


def postgres_reachable(url: str = DEFAULT_DB_URL) -> bool:
    try:
        _pg_admin(url).close()
        return True
    except Exception:
        return False


def _with_name(url: str, name: str) -> str:
    u = urlparse(url)
    return u._replace(path="/" + name).geturl()


def _server_env(db_url: str, cache_url: str | None, extra: dict | None = None) -> dict:
    """The production configuration, on plain http on localhost (no TLS here)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0", "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0", "DATABASE_URL": db_url, "CONN_MAX_AGE": "600",
        "BENCH_ENDPOINTS": "1", "BENCH_FAST_PASSWORDS": "1", "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    if cache_url:
        env["CACHE_URL"] = cache_url
    else:
        env.pop("CACHE_URL", None)
    env.update(extra or {})
    return env


def prepare_database(db_url: str, cache_url: str | None) -> None:
    """A fresh, migrated database: PostgreSQL copies a migrated template (fast after the first
    run); SQLite migrates a new file."""
    env = _server_env(db_url, cache_url)
    if db_url.startswith("sqlite"):
        path = Path(urlparse(db_url).path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=REPO, env=env, check=True)
        return
    name = urlparse(db_url).path.lstrip("/")
    template = f"{name}_template"
    admin = _pg_admin(db_url)
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if cur.fetchone() is None:
            cur.execute(f'CREATE DATABASE "{template}"')
    # A no-op in a second or two when the template is already up to date.
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO,
                   env={**env, "DATABASE_URL": _with_name(db_url, template)}, check=True)
    with admin.cursor() as cur:
        for db in (name, template):
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()", [db])
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    admin.close()


def drop_database(db_url: str, *, template: bool = False) -> None:
    """Drop the benchmark database (and its migrated template, if asked)."""
    if db_url.startswith("sqlite"):
        return
    name = urlparse(db_url).path.lstrip("/")
    admin = _pg_admin(db_url)
    with admin.cursor() as cur:
        for db in [name] + ([f"{name}_template"] if template else []):
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid()", [db])
            cur.execute(f'DROP DATABASE IF EXISTS "{db}"')
    admin.close()


def collectstatic_if_needed(db_url: str) -> None:
    """DEBUG=0 serves hashed static names from staticfiles/ (whitenoise); build it once."""
    manifest = REPO / "staticfiles" / "staticfiles.json"
    sources = [p for p in (REPO / "static").rglob("*") if p.is_file()]
    if manifest.exists() and all(p.stat().st_mtime <= manifest.stat().st_mtime for p in sources):
        return
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=REPO, env=_server_env(db_url, None), check=True)


def setup_django(db_url: str, cache_url: str | None) -> None:
    """Configure Django in this process on the benchmark database (setup and the DB check)."""
    os.environ.update({k: v for k, v in _server_env(db_url, cache_url).items()
                       if k not in ("PYTHONUNBUFFERED",)})
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    import django

    django.setup()


# ------------------------------------------------------------------------------------------
# The server
# ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 0))
        except OSError as exc:
            raise CannotBind(str(exc)) from exc
        return s.getsockname()[1]


SERVERS = ("granian", "gunicorn")  # the first as deployed (docs/deployment.md)


# The application the benchmark server serves: config.wsgi's, or the same measured per request.
APPLICATION = "config.wsgi:application"
MEASURED_APPLICATION = "bench.measured_wsgi:application"


def granian_argv(host: str, port: int, workers: int, threads: int, *options: str,
                 application: str = APPLICATION) -> list[str]:
    """granian serving config.wsgi as docs/deployment.md runs it, with the benchmark's
    workers and threads. One Rust runtime thread per worker: on two cores it answered 3000
    instant starts in 2.2-2.4 s against 2.4-2.9 s with granian's default."""
    return [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host,
            "--port", str(port), "--workers", str(workers), "--blocking-threads", str(threads),
            "--runtime-threads", "1", "--http", "1", "--no-ws", "--log-level", "warning",
            # A worker that dies is started again; one that will not stop is killed.
            "--respawn-failed-workers", "--workers-kill-timeout", "30",
            *options, application]


@dataclass
class ServerConfig:
    workers: int = 2
    threads: int = 4
    worker_class: str = "gthread"
    backlog: int = 4096
    extra_env: dict = field(default_factory=dict)
    # CPU and SQL per request, measured in the workers (bench/request_cpu.py): ≈ 19 µs a
    # request in a loop, 0.1-0.3 ms a save in the ceiling's closed loop, which therefore runs
    # without them.
    measure_requests: bool = True
    # granian, as deployed (docs/deployment.md); or gunicorn's gthread workers (the bench
    # extra), the peer whose HTTP handling is Python.
    server: str = SERVERS[0]

    def describe(self) -> str:
        if self.server == "granian":
            return (f"granian --interface wsgi config.wsgi:application --workers {self.workers} "
                    f"--blocking-threads {self.threads} --runtime-threads 1 "
                    f"--backlog {self.backlog}")
        return (f"gunicorn config.wsgi -k {self.worker_class} -w {self.workers} "
                f"--threads {self.threads} --backlog {self.backlog}")

    def command(self, port: int) -> list[str]:
        application = MEASURED_APPLICATION if self.measure_requests else APPLICATION
        if self.server == "granian":
            return granian_argv("127.0.0.1", port, self.workers, self.threads,
                                "--backlog", str(self.backlog), application=application)
        return [sys.executable, "-m", "gunicorn", application, "-b", f"127.0.0.1:{port}",
                "-k", self.worker_class, "-w", str(self.workers), "--threads", str(self.threads),
                "--backlog", str(self.backlog), "--timeout", "120", "--keep-alive", "75",
                "--worker-connections", "10000", "--log-level", "warning"]


class Server:
    """config.wsgi with DEBUG=0 under the web server `ServerConfig.server` names, as in
    production (without TLS), on a free port."""

    def __init__(self, db_url: str, cache_url: str | None, config: ServerConfig,
                 log_path: Path):
        self.db_url, self.cache_url, self.config, self.log_path = db_url, cache_url, config, \
            log_path
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.requests_dir: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        c = self.config
        cmd = c.command(self.port)
        env = _server_env(self.db_url, self.cache_url, c.extra_env)
        self.requests_dir = None
        if c.measure_requests:
            import tempfile

            self.requests_dir = Path(tempfile.mkdtemp(prefix="bench-requests-"))
            env["BENCH_REQUEST_CPU_DIR"] = str(self.requests_dir)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=env)
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.log_path.read_text()
                if "Address already in use" in log or "Can't connect" in log \
                        or "Permission denied" in log:
                    raise CannotBind(log[-2000:])
                raise RuntimeError(f"{c.server} exited early:\n{log[-4000:]}")
            try:
                probe = urllib.request.Request(self.base_url + "/bench/bare/",
                                               headers={"X-Bench-Warmup": "1"})
                with urllib.request.urlopen(probe, timeout=2) as r:
                    if r.status == 200:
                        self._warm_up()
                        return self
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.config.server} did not answer in {timeout} s:\n"
                           f"{self.log_path.read_text()[-4000:]}")

    def _warm_up(self) -> None:
        """A few requests per thread (templates compiled, connections opened), as a server that
        has been up for a while before the exam opens."""
        import urllib.request
        from concurrent.futures import ThreadPoolExecutor

        def get(path):
            # Not counted in the per-request figures (bench/request_cpu.py).
            req = urllib.request.Request(self.base_url + path, headers={"X-Bench-Warmup": "1"})
            with urllib.request.urlopen(req, timeout=30) as r:
                r.read()

        n = self.config.workers * self.config.threads
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(get, ["/accounts/login/", "/bench/bare/"] * n * 2))

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.proc is None:
            return []
        found = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            found += [int(p) for p in children.split()]
        except OSError:
            pass
        return found

    def request_figures(self) -> dict[str, dict]:
        """Per kind of request: CPU and SQL per request as the workers measured them
        (bench/request_cpu.py); complete once the server has stopped."""
        if self.requests_dir is None:
            return {}
        from .request_cpu import collect

        return collect(self.requests_dir)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            if self.requests_dir is not None:
                from .request_cpu import FLUSH_SECONDS

                time.sleep(2 * FLUSH_SECONDS)  # the workers' last figures on disk
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ------------------------------------------------------------------------------------------
# The HTTP client: aiohttp, one connection pool (like a proxy's upstream pool), cookies per
# student. httpx was measured first: at 64 concurrent requests its pool cost 8 ms of client CPU
# per request (1 ms at concurrency 1), which on 2 cores would have benchmarked the client.
# ------------------------------------------------------------------------------------------


class HTTPError(Exception):
    """A transport failure (connection reset, timeout): the request may be retried."""


@dataclass
class HttpResponse:
    status_code: int
    headers: object  # multidict: getall("Set-Cookie")
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


class Client:
    """A small async HTTP client over one aiohttp session; no cookie jar (cookies travel in
    each student's own headers)."""

    def __init__(self, base_url: str, connections: int, timeout: float = 120.0):
        self.base_url, self.connections, self.timeout = base_url, connections, timeout

    async def __aenter__(self) -> Client:
        import aiohttp

        self.session = aiohttp.ClientSession(
            base_url=self.base_url, cookie_jar=aiohttp.DummyCookieJar(),
            connector=aiohttp.TCPConnector(limit=self.connections, keepalive_timeout=30),
            timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()

    async def request(self, method: str, url: str, *, headers=None, data=None,
                      json=None) -> HttpResponse:
        import aiohttp

        try:
            async with self.session.request(method, url, headers=headers, data=data, json=json,
                                            allow_redirects=False) as r:
                return HttpResponse(r.status, r.headers, await r.read())
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise HTTPError(f"{type(exc).__name__}: {exc}") from exc

    async def get(self, url: str, **kw) -> HttpResponse:
        return await self.request("GET", url, **kw)


def make_client(base_url: str, connections: int, timeout: float = 120.0) -> Client:
    return Client(base_url, connections, timeout)


def run_clients(main):
    """`asyncio.run(main)`, the load generator's cyclic garbage collector paused meanwhile.

    One process plays every student and keeps what each was told (3000 attempts with their
    questions: about a million objects), and each full collection walks all of it, on the two
    cores the server needs: in 3000 instant starts the collector took a quarter of the load
    generator's CPU. A browser holds one student's page. Reference counting still frees what
    the run lets go of; the few cycles it leaves are collected once the run is over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return asyncio.run(main)
    finally:
        if enabled:
            gc.enable()
        gc.collect()


_COOKIE = re.compile(r"^\s*([^=;\s]+)=([^;]*)")


def set_cookies(response: HttpResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.getall("Set-Cookie", []):
        m = _COOKIE.match(header)
        if m:
            found[m.group(1)] = m.group(2).strip('"')
    return found


# ------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return None
    rank = max(1, min(len(sorted_values), int(-(-q * len(sorted_values) // 100))))
    return sorted_values[rank - 1]


class Recorder:
    """Latency (ms) and outcome of every request, per step, with its completion time."""

    def __init__(self):
        self.samples: dict[str, list[tuple[float, float, bool]]] = {}
        self.errors: dict[str, dict[str, int]] = {}

    def add(self, step: str, started: float, ms: float, ok: bool, error: str | None = None):
        self.samples.setdefault(step, []).append((started, ms, ok))
        if not ok:
            kinds = self.errors.setdefault(step, {})
            kinds[error or "error"] = kinds.get(error or "error", 0) + 1

    def summary(self, steps: list[str] | None = None) -> dict[str, dict]:
        out = {}
        for step in steps or list(self.samples):
            rows = self.samples.get(step, [])
            ms = sorted(r[1] for r in rows)
            times = [r[0] for r in rows]
            span = (max(times) - min(times)) if len(times) > 1 else 0.0
            out[step] = {
                "count": len(rows), "errors": sum(1 for r in rows if not r[2]),
                "error_kinds": self.errors.get(step, {}),
                "p50_ms": percentile(ms, 50), "p95_ms": percentile(ms, 95),
                "p99_ms": percentile(ms, 99), "max_ms": ms[-1] if ms else None,
                "mean_ms": sum(ms) / len(ms) if ms else None,
                "rps": len(rows) / span if span > 0 else None,
            }
        return out

    def total(self) -> int:
        return sum(len(v) for v in self.samples.values())

    def total_errors(self) -> int:
        return sum(1 for v in self.samples.values() for r in v if not r[2])


# ------------------------------------------------------------------------------------------
# CPU accounting from /proc (no psutil needed)
# ------------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def pids_named(name: str) -> list[int]:
    """Pids of the processes whose command name is `name` (/proc, Linux)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


class CpuMeter:
    """CPU seconds used between start() and stop() by the load generator (this process),
    the server's processes, PostgreSQL, Redis and the whole machine."""

    def __init__(self, server_pids):
        self.server_pids = server_pids  # a callable: workers can be replaced

    def _snapshot(self) -> dict:
        import resource

        ru = resource.getrusage(resource.RUSAGE_SELF)
        busy, total = _machine_cpu()
        pg = {pid: _proc_cpu(pid) for pid in pids_named("postgres")}
        return {
            "wall": time.monotonic(), "loadgen": ru.ru_utime + ru.ru_stime,
            "server": {pid: _proc_cpu(pid) for pid in self.server_pids()},
            "postgres": pg, "redis": sum(_proc_cpu(p) for p in pids_named("redis-server")),
            "machine_busy": busy, "machine_total": total,
        }

    def start(self) -> None:
        self.a = self._snapshot()

    def stop(self) -> dict:
        b = self._snapshot()
        a = self.a
        wall = b["wall"] - a["wall"]

        def delta_map(key):
            # Processes that appeared during the run (new PostgreSQL backends) count from 0.
            return sum(v - a[key].get(pid, 0.0) for pid, v in b[key].items())

        used = {
            "load_generator": b["loadgen"] - a["loadgen"],
            "server": delta_map("server"),
            "postgres": delta_map("postgres"),
            "redis": b["redis"] - a["redis"],
            "machine": b["machine_busy"] - a["machine_busy"],
        }
        used["other"] = max(0.0, used["machine"] - sum(v for k, v in used.items()
                                                         if k != "machine"))
        cores = os.cpu_count() or 1
        return {"wall_s": wall, "cores": cores,
                "cpu_s": {k: round(v, 2) for k, v in used.items()},
                "cores_used": {k: round(v / wall, 2) if wall else None for k, v in used.items()},
                "share_of_machine": {k: round(v / (wall * cores), 3) if wall else None
                                     for k, v in used.items()}}


class LoopLag:
    """How late the client's event loop wakes up: if it is late, latencies are the client's."""

    def __init__(self):
        self.lags: list[float] = []
        self._stop = False

    async def run(self, interval: float = 0.05):
        import asyncio

        while not self._stop:
            t = time.perf_counter()
            await asyncio.sleep(interval)
            self.lags.append((time.perf_counter() - t - interval) * 1000)

    def stop(self) -> dict:
        self._stop = True
        lags = sorted(self.lags)
        return {"p50_ms": percentile(lags, 50), "p99_ms": percentile(lags, 99),
                "max_ms": lags[-1] if lags else None}


# ------------------------------------------------------------------------------------------
# Machine and reports
# ------------------------------------------------------------------------------------------


def machine_info() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    load = os.getloadavg()
    return {"nproc": os.cpu_count(), "cpu_model": model, "ram_gib": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "date_utc": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "loadavg_before": [round(x, 2)
                                                                         for x in load]}


def fmt_ms(v) -> str:
    return "–" if v is None else (f"{v:.0f}" if v >= 10 else f"{v:.1f}")


PER_REQUEST_NOTE = ("CPU ms per request, measured in the server (bench/request_cpu.py): "
                    "server = the web server's thread that handled it, db = its PostgreSQL "
                    "backend; SQL = statements per request (mean / max).")


def step_table(summary: dict[str, dict], target_ms: float | None = None,
               per_request: dict[str, dict] | None = None) -> str:
    """Latencies per step; with `per_request` (bench/request_cpu.py's figures), the server's
    CPU, the database's CPU and the SQL statements per request beside them."""
    cost = per_request is not None
    lines = ["| step | requests | errors | p50 ms | p95 ms | p99 ms | max ms |"
             + (" server CPU ms | db CPU ms | SQL |" if cost else "")
             + (" p95 target |" if target_ms else ""),
             "|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|---:|" if cost else "")
             + ("---|" if target_ms else "")]
    for step, s in summary.items():
        row = (f"| {step} | {s['count']} | {s['errors']} | {fmt_ms(s['p50_ms'])} | "
               f"{fmt_ms(s['p95_ms'])} | {fmt_ms(s['p99_ms'])} | {fmt_ms(s['max_ms'])} |")
        if cost:
            row += " " + cost_cells(per_request.get(step)) + " |"
        if target_ms:
            met = s["p95_ms"] is not None and s["p95_ms"] < target_ms
            row += f" {'met' if met else 'NOT met'} |"
        lines.append(row)
    return "\n".join(lines)


def cost_cells(c: dict | None) -> str:
    """'server | db | SQL mean / max' cells of one kind of request."""
    if not c:
        return "– | – | –"

    def ms(v):
        return "–" if v is None else f"{v:.2f}"

    return (f"{ms(c['server_cpu_ms'])} | {ms(c['db_cpu_ms'])} | "
            f"{c['sql_mean']:g} / {c['sql_max']}")


def cpu_table(cpu: dict) -> str:
    lines = ["| process | CPU s | cores (avg) | share of machine |", "|---|---:|---:|---:|"]
    for k in ("load_generator", "server", "postgres", "redis", "other", "machine"):
        lines.append(f"| {k} | {cpu['cpu_s'][k]} | {cpu['cores_used'][k]} | "
                     f"{cpu['share_of_machine'][k] * 100:.0f}% |")
    return "\n".join(lines)


def write_result(name: str, result: dict, path: str | None = None) -> Path:
    out = Path(path) if path else REPO / "var" / "bench" / (
        time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    return out
