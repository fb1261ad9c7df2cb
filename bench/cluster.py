"""The multi-machine deployment of docs/deployment.md, on one machine: each node runs in its own
network namespace with its own address on a bridge, so that the nodes reach each other only over
the network, as separate machines would.

    python -m bench cluster up        # start every node (needs root and `ip netns`)
    python -m bench cluster status
    python -m bench cluster storm [--students N] [--fault web-kill|gpu-cut|redis-restart|
                                   pgbouncer-restart|rolling|none]
    python -m bench cluster down

Nodes (addresses on the bridge `gcbr0`, 10.77.0.0/24; the host itself is 10.77.0.1):

    gc-lb     .10  HAProxy :80, health checks on /health/ready
    gc-web1   .11  granian config.wsgi :8000
    gc-web2   .12  granian config.wsgi :8000
    gc-db     .20  PostgreSQL :5432, PgBouncer :6432 (transaction pooling)
    gc-redis  .30  Redis :6379 (broker db 0, cache db 1)
    gc-cpu    .40  celery worker -Q default, celery beat
    gc-gpu    .41  celery worker -Q gpu -P solo (on the CPU here)

The web nodes and workers use the database through PgBouncer only; the bench process (setup and
the final check of what was stored) talks to PostgreSQL directly, as an operator would. Media
goes to one directory that every node mounts (the same filesystem here): `MEDIA_ROOT` on a
shared volume. State, logs and pid files live under $CLUSTER_DIR (default /tmp/genai-cluster).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from . import common

STATE = Path(os.environ.get("CLUSTER_DIR", "/tmp/genai-cluster"))
BRIDGE = "gcbr0"
NET = "10.77.0"
HOST_IP = f"{NET}.1"
NODES = {"gc-lb": 10, "gc-web1": 11, "gc-web2": 12, "gc-db": 20, "gc-redis": 30,
         "gc-cpu": 40, "gc-gpu": 41}
WEB_NODES = ("gc-web1", "gc-web2")
LB_URL = f"http://{NET}.10"
PG_DIRECT = f"postgres://postgres@{NET}.20:5432/genai"
PG_BOUNCED = f"postgres://postgres@{NET}.20:6432/genai"
REDIS = f"redis://{NET}.30:6379"
SECRET_KEY = "cluster-" + "x" * 50  # a fixed key: every web node must sign sessions alike
PG_BIN = Path(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
              .stdout.strip() or "/usr/lib/postgresql/15/bin") if shutil.which("pg_config") \
    else Path("/usr/lib/postgresql/15/bin")


def ip(node: str) -> str:
    return f"{NET}.{NODES[node]}"


def available() -> str | None:
    """Why the cluster cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    for tool in ("ip", "haproxy", "pgbouncer", "redis-server", "runuser"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            return f"{tool} is not installed (apt-get install -y haproxy pgbouncer redis-server)"
    r = subprocess.run(["ip", "netns", "add", "gc-probe"], capture_output=True, text=True)
    if r.returncode != 0:
        return f"cannot create a network namespace: {r.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", "gc-probe"], capture_output=True)
    return None


def _sh(*cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=check)


def _tool(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


# ------------------------------------------------------------------------------------------
# The network
# ------------------------------------------------------------------------------------------


def net_up() -> None:
    _sh("ip", "link", "add", BRIDGE, "type", "bridge")
    _sh("ip", "addr", "add", f"{HOST_IP}/24", "dev", BRIDGE)
    _sh("ip", "link", "set", BRIDGE, "up")
    for node, n in NODES.items():
        host_end, node_end = f"gcv{n}", f"gcn{n}"
        _sh("ip", "netns", "add", node)
        _sh("ip", "link", "add", host_end, "type", "veth", "peer", "name", node_end)
        _sh("ip", "link", "set", host_end, "master", BRIDGE)
        _sh("ip", "link", "set", host_end, "up")
        _sh("ip", "link", "set", node_end, "netns", node)
        _sh("ip", "netns", "exec", node, "ip", "link", "set", "lo", "up")
        _sh("ip", "netns", "exec", node, "ip", "link", "set", node_end, "name", "eth0")
        _sh("ip", "netns", "exec", node, "ip", "addr", "add", f"{ip(node)}/24", "dev", "eth0")
        _sh("ip", "netns", "exec", node, "ip", "link", "set", "eth0", "up")


def net_down() -> None:
    for node, n in NODES.items():
        _sh("ip", "netns", "del", node, check=False)
        _sh("ip", "link", "del", f"gcv{n}", check=False)
    _sh("ip", "link", "del", BRIDGE, check=False)


def set_link(node: str, up: bool) -> None:
    """Cut (or heal) a node's network: its only interface goes down."""
    _sh("ip", "netns", "exec", node, "ip", "link", "set", "eth0", "up" if up else "down")


# ------------------------------------------------------------------------------------------
# Processes: each in its node's namespace, in its own process group, pid in STATE/pids/
# ------------------------------------------------------------------------------------------


def _node_env(node: str) -> dict:
    """docs/deployment.md's environment, on plain http (the balancer has no TLS here)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "CELERY_", "CACHE_", "DJANGO_"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "0", "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": f"{NET}.10,{NET}.11,{NET}.12,localhost",
        "CSRF_TRUSTED_ORIGINS": LB_URL,
        "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": PG_BOUNCED, "CONN_MAX_AGE": "600",
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS": "1",
        "CELERY_BROKER_URL": f"{REDIS}/0", "CELERY_RESULT_BACKEND": f"{REDIS}/0",
        "CACHE_URL": f"{REDIS}/1", "MEDIA_ROOT": str(STATE / "media"),
        # MD5 password hashes, as the single-server storm uses, so that 300 logins measure the
        # deployment and not PBKDF2 on shared cores.
        "BENCH_ENDPOINTS": "1", "BENCH_FAST_PASSWORDS": "1", "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "INFERENCE_DEVICE": "cpu", "INFERENCE_TORCH_THREADS": "1",
    })
    return env


def spawn(name: str, node: str, cmd: list[str], *, user: str | None = None,
          env: dict | None = None) -> int:
    (STATE / "logs").mkdir(parents=True, exist_ok=True)
    (STATE / "pids").mkdir(parents=True, exist_ok=True)
    log = open(STATE / "logs" / f"{name}.log", "a")  # noqa: SIM115 - the child keeps it
    full = ["ip", "netns", "exec", node] + (["runuser", "-u", user, "--"] if user else []) + cmd
    proc = subprocess.Popen(full, cwd=common.REPO, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, env=env or _node_env(node),
                            start_new_session=True)
    log.close()
    (STATE / "pids" / name).write_text(str(proc.pid))
    return proc.pid


def kill(name: str, sig: int = signal.SIGTERM, wait: float = 30) -> None:
    """Signal the whole process group of one service (a web server: master and workers)."""
    path = STATE / "pids" / name
    if not path.exists():
        return
    pgid = int(path.read_text())
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        path.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        _reap()
        if not _group_alive(pgid):
            break
        time.sleep(0.1)
    else:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _reap()
    path.unlink(missing_ok=True)


def _group_alive(pgid: int) -> bool:
    """Whether a process of the group still runs. Zombies do not count: a service started by an
    earlier command is an orphan here, and a container's init may never reap it."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _reap() -> None:
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _wait(what: str, ok, timeout: float = 60) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if ok():
                return time.monotonic() - t0
        except Exception:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up in {timeout} s (logs: {STATE / 'logs'})")


def _http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as r:
        return r.status == 200


def _tcp_ok(host: str, port: int) -> bool:
    import socket

    with socket.create_connection((host, port), timeout=1):
        return True


# ------------------------------------------------------------------------------------------
# The services
# ------------------------------------------------------------------------------------------


def start_postgres() -> None:
    data, run = STATE / "pg", STATE / "run"
    run.mkdir(parents=True, exist_ok=True)
    shutil.chown(run, "postgres", "postgres")
    if not data.exists():
        data.mkdir(parents=True)
        shutil.chown(data, "postgres", "postgres")
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D",
                        str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
                       check=True, capture_output=True)
        with open(data / "pg_hba.conf", "a") as f:
            f.write(f"host all all {NET}.0/24 trust\n")
    spawn("postgres", "gc-db", [str(PG_BIN / "postgres"), "-D", str(data),
                                "-c", f"listen_addresses={ip('gc-db')},127.0.0.1",
                                "-c", f"unix_socket_directories={run}",
                                "-c", "max_connections=100"], user="postgres")
    _wait("PostgreSQL", lambda: _tcp_ok(ip("gc-db"), 5432))


def start_pgbouncer() -> None:
    conf = STATE / "run" / "pgbouncer.ini"
    conf.write_text(f"""[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = {ip('gc-db')}
listen_port = 6432
unix_socket_dir =
auth_type = trust
auth_file = {STATE / 'run' / 'userlist.txt'}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 40
ignore_startup_parameters = extra_float_digits,options
""")
    (STATE / "run" / "userlist.txt").write_text('"postgres" ""\n')
    spawn("pgbouncer", "gc-db", [_tool("pgbouncer"), str(conf)], user="postgres")
    _wait("PgBouncer", lambda: _tcp_ok(ip("gc-db"), 6432))


def start_redis() -> None:
    spawn("redis", "gc-redis", [_tool("redis-server"), "--bind", ip("gc-redis"), "--port",
                                "6379", "--save", "", "--appendonly", "no",
                                "--protected-mode", "no"])
    _wait("Redis", lambda: _tcp_ok(ip("gc-redis"), 6379))


def start_web(node: str, *, wait: bool = True) -> float:
    """granian as docs/deployment.md runs it (fewer workers: this machine's cores are shared
    by every node), or gunicorn with as many workers and threads where
    `CLUSTER_WEB_SERVER=gunicorn` (the bench extra's peer, docs/performance.md). Returns the
    seconds until /health/ready answered 200."""
    t0 = time.monotonic()
    if os.environ.get("CLUSTER_WEB_SERVER", common.SERVERS[0]) == "granian":
        command = common.granian_argv(ip(node), 8000, workers=2, threads=8)
    else:
        command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"{ip(node)}:8000",
                   "-k", "gthread", "-w", "2", "--threads", "8", "--keep-alive", "30",
                   "--timeout", "120", "--log-level", "warning"]
    spawn(node, node, command)
    if wait:
        _wait(node, lambda: _http_ok(f"http://{ip(node)}:8000/health/ready"))
    return time.monotonic() - t0


def start_lb() -> None:
    """HAProxy: each web node is checked on /health/ready every second (out of rotation after
    three failures, back after two successes; a check may take 5 s on a busy node). A request
    that cannot connect is sent to the other node (redispatch). The same nodes are also listed
    as backups that follow a check of /health/live only: when the broker or the database blips,
    every node's readiness fails at once, and the backups keep serving what does not need the
    failed service instead of a 503 from the balancer for everything."""
    conf = STATE / "run" / "haproxy.cfg"
    conf.write_text(_haproxy_config())
    spawn("haproxy", "gc-lb", [_tool("haproxy"), "-db", "-f", str(conf)])
    _wait("HAProxy", lambda: _http_ok(f"{LB_URL}/health/ready"))


def _haproxy_config() -> str:
    primaries = "\n".join(
        f"    server {n[3:]} {ip(n)}:8000 check inter 1s fall 3 rise 2" for n in WEB_NODES)
    backups = "\n".join(
        f"    server {n[3:]}-live {ip(n)}:8000 backup track web_live/{n[3:]}" for n in WEB_NODES)
    live = "\n".join(
        f"    server {n[3:]} {ip(n)}:8000 check inter 1s fall 3 rise 2" for n in WEB_NODES)
    return f"""global
    stats socket {STATE / 'run' / 'haproxy.sock'} mode 600 level admin
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    timeout queue 30s
    # A busy node answers the check only after the requests queued before it: a check timeout
    # of the default (`inter`) took both healthy nodes out of rotation in an exam storm.
    timeout check 5s
    retries 3
    option redispatch 1
    option http-server-close

frontend www
    bind {ip('gc-lb')}:80
    default_backend web

backend web
    balance roundrobin
    # HTTP/1.1 with a Host the nodes allow: without one, what the application sees depends on
    # the web server (granian hands Django an empty HTTP_HOST, which it refuses).
    option httpchk
    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
{primaries}
{backups}

backend web_live
    option httpchk
    http-check send meth GET uri /health/live ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
{live}
"""


def start_workers() -> None:
    spawn("cpu-worker", "gc-cpu", [sys.executable, "-m", "celery", "-A", "config", "worker",
                                   "-Q", "default", "-c", "2", "-n", "cpu@%h",
                                   "--loglevel", "warning"])
    spawn("beat", "gc-cpu", [sys.executable, "-m", "celery", "-A", "config", "beat",
                             "-s", str(STATE / "run" / "beat-schedule"),
                             "--loglevel", "warning"])
    spawn("gpu-worker", "gc-gpu", [sys.executable, "-m", "celery", "-A", "config", "worker",
                                   "-Q", "gpu", "-P", "solo", "-n", "gpu0@%h",
                                   "--loglevel", "warning"])


def migrate() -> None:
    """Once per release, from one node, through PgBouncer like everything else."""
    env = _node_env("gc-web1")
    subprocess.run(["ip", "netns", "exec", "gc-web1", sys.executable, "manage.py", "migrate",
                    "--noinput", "-v", "0"], cwd=common.REPO, env=env, check=True)


def _alive(pid_file: Path) -> bool:
    try:
        os.kill(int(pid_file.read_text()), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def up(*, workers: bool = True) -> dict:
    # Pid files whose processes are all gone are what a run killed before `down` leaves behind
    # (its namespaces die with it); only a living process means a cluster is really up.
    if (STATE / "pids").exists() and any(_alive(f) for f in (STATE / "pids").iterdir()):
        raise RuntimeError(f"a cluster is already up ({STATE}); `python -m bench cluster down`")
    if "gc-lb" in _sh("ip", "netns", "list").stdout.split():
        raise RuntimeError("the cluster's namespaces exist (another cluster, maybe with another "
                           "CLUSTER_DIR): `python -m bench cluster down` first")
    t0 = time.monotonic()
    net_down()  # a bridge or veth left by a run that died before `down`
    shutil.rmtree(STATE, ignore_errors=True)
    (STATE / "media").mkdir(parents=True)
    net_up()
    start_postgres()
    subprocess.run(["ip", "netns", "exec", "gc-db", "runuser", "-u", "postgres", "--",
                    str(PG_BIN / "createdb"), "-h", str(STATE / "run"), "genai"], check=True)
    start_pgbouncer()
    start_redis()
    migrate()
    common.collectstatic_if_needed(PG_DIRECT)
    for node in WEB_NODES:
        start_web(node, wait=False)
    for node in WEB_NODES:
        _wait(node, lambda node=node: _http_ok(f"http://{ip(node)}:8000/health/ready"))
    start_lb()
    if workers:
        start_workers()
    return {"up_s": round(time.monotonic() - t0, 1)}


def down() -> None:
    pids = STATE / "pids"
    order = ["haproxy", "gc-web1", "gc-web2", "beat", "cpu-worker", "gpu-worker", "pgbouncer",
             "redis", "postgres"]
    if pids.exists():
        for name in order + sorted(p.name for p in pids.iterdir() if p.name not in order):
            # PostgreSQL: fast shutdown (SIGINT); SIGTERM would wait for every client to leave.
            kill(name, signal.SIGINT if name == "postgres" else signal.SIGTERM, wait=20)
    net_down()


def status() -> dict:
    out = {}
    for node in WEB_NODES:
        try:
            out[node] = _http_ok(f"http://{ip(node)}:8000/health/ready")
        except Exception as exc:
            out[node] = f"down: {exc}"
    try:
        out["lb"] = _http_ok(f"{LB_URL}/health/ready")
    except Exception as exc:
        out["lb"] = f"down: {exc}"
    return out


def haproxy_cmd(command: str) -> str:
    import socket

    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(STATE / "run" / "haproxy.sock"))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


# ------------------------------------------------------------------------------------------
# Faults, each a blocking function run in a thread while the storm runs; each returns its
# figures (recovery times in seconds).
# ------------------------------------------------------------------------------------------


def _lb_ready() -> bool:
    return _http_ok(f"{LB_URL}/health/ready")


def fault_web_kill(down_for: float = 3.0) -> dict:
    t0 = time.monotonic()
    kill("gc-web1", signal.SIGKILL)
    time.sleep(down_for)
    back = start_web("gc-web1")
    # Back in rotation: HAProxy saw two good checks.
    _wait("web1 in rotation", lambda: _server_up("web1"), 30)
    return {"fault": f"kill -9 web node 1, restart after {down_for:.0f} s",
            "node_ready_after_restart_s": round(back, 1),
            "recovered_s": round(time.monotonic() - t0, 1)}


def _server_up(name: str) -> bool:
    for line in haproxy_cmd("show stat").splitlines():
        fields = line.split(",")
        if len(fields) > 17 and fields[0] == "web" and fields[1] == name:
            return fields[17] == "UP"
    return False


def fault_gpu_cut(down_for: float = 10.0, jobs_per_student: int = 4, students: int = 4) -> dict:
    """Cut the GPU worker's network, queue demo jobs (face generation) from a few students
    through the balancer, heal it, and follow every job to its end through the API, as the
    demo page does. A job that is still queued or running two minutes after the heal is
    stuck."""
    t0 = time.monotonic()
    set_link("gc-gpu", False)
    try:
        created = asyncio.run(_demo_jobs(_CONTEXT["usernames"][-students:], jobs_per_student))
        time.sleep(max(0.0, down_for - (time.monotonic() - t0)))
    finally:
        set_link("gc-gpu", True)
    healed = time.monotonic()
    outcome = asyncio.run(_follow_jobs(created, timeout=120))
    statuses: dict[str, int] = {}
    for status, _message in outcome["final"].values():
        statuses[status] = statuses.get(status, 0) + 1
    return {"fault": f"GPU worker's network cut for {down_for:.0f} s with demo jobs queued",
            "demo_jobs": len(outcome["final"]), "demo_create_errors": created["errors"],
            "demo_statuses": statuses,
            "demo_stuck": sum(n for st, n in statuses.items() if st in ("queued", "running")),
            "demo_failed_without_message": sum(
                1 for st, msg in outcome["final"].values() if st == "failed" and not msg),
            "demo_done_after_heal_s": outcome["done_s"],
            "recovered_s": round(time.monotonic() - healed, 1)}


_CONTEXT: dict = {}


async def _demo_jobs(usernames: list[str], per_student: int) -> dict:
    from .client import Student

    rec = common.Recorder()
    out = {"jobs": [], "errors": 0}
    async with common.make_client(LB_URL, 16) as client:
        for i, name in enumerate(usernames):
            student = Student(client, rec, name)
            await student.login()
            for j in range(per_student):
                r = await client.request("POST", "/api/demos/jobs/", headers=student._headers(),
                                         json={"kind": "face-generate",
                                               "params": {"seed": 7000 + i * 100 + j,
                                                          "count": 1}})
                if r.status_code in (200, 201, 202):
                    out["jobs"].append((student.cookies.copy(), r.json()["id"]))
                else:
                    out["errors"] += 1
    return out


async def _follow_jobs(created: dict, timeout: float) -> dict:
    t0 = time.monotonic()
    final: dict[str, tuple[str, str]] = {}
    async with common.make_client(LB_URL, 16) as client:
        pending = list(created["jobs"])
        while pending and time.monotonic() - t0 < timeout:
            still = []
            for cookies, job_id in pending:
                r = await client.request("GET", f"/api/demos/jobs/{job_id}/", headers={
                    "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                    "Accept": "application/json"})
                body = r.json() if r.status_code == 200 else {"status": f"http {r.status_code}"}
                final[job_id] = (body.get("status"), body.get("error") or body.get("message"))
                if body.get("status") in ("queued", "running") or r.status_code >= 500:
                    still.append((cookies, job_id))
            pending = still
            if pending:
                await asyncio.sleep(1.0)
    return {"final": final, "done_s": None if pending else round(time.monotonic() - t0, 1)}


def fault_redis_restart() -> dict:
    t0 = time.monotonic()
    kill("redis", signal.SIGTERM)
    start_redis()
    _wait("the balancer's readiness", _lb_ready, 60)
    return {"fault": "Redis restarted", "recovered_s": round(time.monotonic() - t0, 1)}


def fault_pgbouncer_restart() -> dict:
    t0 = time.monotonic()
    kill("pgbouncer", signal.SIGTERM)
    start_pgbouncer()
    _wait("the balancer's readiness", _lb_ready, 60)
    return {"fault": "PgBouncer restarted", "recovered_s": round(time.monotonic() - t0, 1)}


def fault_rolling() -> dict:
    """A release: migrate, then each web node in turn leaves the rotation (drain), finishes
    its requests, restarts, and comes back once ready."""
    t0 = time.monotonic()
    migrate()
    per_node = {}
    for node in WEB_NODES:
        name = node[3:]
        t = time.monotonic()
        haproxy_cmd(f"set server web/{name} state drain")
        haproxy_cmd(f"set server web/{name}-live state maint")
        time.sleep(1.0)  # requests already routed to it finish; the server waits for them too
        kill(node, signal.SIGTERM)
        start_web(node)
        haproxy_cmd(f"set server web/{name} state ready")
        haproxy_cmd(f"set server web/{name}-live state ready")
        _wait(f"{name} in rotation", lambda name=name: _server_up(name), 30)
        per_node[name] = round(time.monotonic() - t, 1)
    return {"fault": "rolling release (migrate, restart web nodes one at a time)",
            "per_node_s": per_node, "recovered_s": round(time.monotonic() - t0, 1)}


FAULTS = {"none": None, "web-kill": fault_web_kill, "gpu-cut": fault_gpu_cut,
          "redis-restart": fault_redis_restart, "pgbouncer-restart": fault_pgbouncer_restart,
          "rolling": fault_rolling}


def storm(*, students: int = 100, fault: str = "web-kill", think_min: float = 0.5,
          think_max: float = 1.5, fault_after: float = 2.0, connections: int = 64) -> dict:
    """An exam storm through the balancer, with one fault injected `fault_after` seconds after
    the exam opens; then the database is checked against what the students were told."""
    from .exam_storm import StormParams, _run_students, verify_database

    common.setup_django(PG_DIRECT, None)
    from django.core.management import call_command
    from django.db import connections as dbs

    from .fixture import create_exam

    # Each storm starts from an empty database (the cluster's own, migrated).
    call_command("flush", interactive=False, verbosity=0)
    exam = create_exam(students)
    _CONTEXT["usernames"] = exam["usernames"]
    dbs.close_all()
    params = StormParams(students=students, think_min=think_min, think_max=think_max,
                         login_rate=100.0, connections=connections)
    fault_fn = FAULTS[fault]

    async def main():
        t_start = time.perf_counter()
        storm_task = asyncio.create_task(_run_students(LB_URL, params, exam["usernames"],
                                                       exam["course"], exam["quiz"]))
        figures = {}
        if fault_fn is not None:
            opens = students / params.login_rate + 2.0
            await asyncio.sleep(opens + fault_after - (time.perf_counter() - t_start))
            figures = await asyncio.to_thread(fault_fn)
        return await storm_task, figures

    out, figures = asyncio.run(main())
    check = verify_database(out["students"], exam["course"], exam["quiz"])
    dbs.close_all()
    rec = out["rec"]
    errors_by_kind = {f"{step}: {kind}": n for step, kinds in rec.errors.items()
                      for kind, n in kinds.items()}
    return {"fault": fault, "students": students, "requests": rec.total(),
            "failed_tries": rec.total_errors(), "failed_tries_by_kind": errors_by_kind,
            "students_failed": len(out["failures"]), "failures": out["failures"][:10],
            "lost_answers": check["lost_answers"],
            "graded_twice_or_wrong": check["grading_problems"],
            "students_with_two_attempts": check["students_with_two_attempts"],
            "submitted": check["submitted"], "acknowledged_saves": check["acknowledged_saves"],
            "problems": check["problems"][:10], "wall_s": round(out["t_end"] - out["t0"], 1),
            **{k: v for k, v in figures.items()}}


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench cluster")
    p.add_argument("command", choices=["up", "down", "status", "storm"])
    p.add_argument("--students", type=int, default=300)
    p.add_argument("--fault", choices=list(FAULTS), default="web-kill")
    p.add_argument("--think-min", type=float, default=1.0)
    p.add_argument("--think-max", type=float, default=3.0)
    p.add_argument("--no-workers", action="store_true", help="up: web, database, broker only")
    p.add_argument("--json", help="storm: also write the result to this file")
    args = p.parse_args(argv)
    if args.command in ("up", "storm") and (why := available()):
        print(f"cannot run the cluster here: {why}", file=sys.stderr)
        return 2
    if args.command == "up":
        print(json.dumps(up(workers=not args.no_workers)))
    elif args.command == "down":
        down()
    elif args.command == "status":
        print(json.dumps(status(), indent=1))
    else:
        result = storm(students=args.students, fault=args.fault, think_min=args.think_min,
                       think_max=args.think_max)
        print(json.dumps(result, indent=1, ensure_ascii=False))
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=1, ensure_ascii=False))
        return 0 if (result["lost_answers"] == 0 and result["graded_twice_or_wrong"] == 0
                     and result["students_failed"] == 0) else 1
    return 0
