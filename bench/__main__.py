"""python -m bench [exam-storm|instant-starts|ceiling|all] [--students N] [--quick] [options]
   python -m bench demo-serving [--quick] [--clients 1,8,64]
   python -m bench cluster up|status|storm|down [--students N] [--fault KIND]

The full run is 3000 students with 10–30 s of thinking per answer, clicking "start" over 10 s
(minutes); --quick is the bounded run of `make bench`: 300 students thinking 1–3 s and
clicking over 1 s, the same request rate in a tenth of the time. instant-starts: 3000 logged-in
students press "start" at one instant (also with --quick). Results print as Markdown tables,
then the targets table, and are written as JSON under var/bench/. Exit status 1 when a request
failed, an answer was lost or an attempt was graded wrongly; with --strict also when a target
is not met.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from . import common, request_cpu


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="all",
                   choices=["exam-storm", "exam", "instant-starts", "ceiling", "all"],
                   help="exam is exam-storm")
    p.add_argument("--students", type=int, help="default 3000, or 300 with --quick")
    p.add_argument("--quick", action="store_true", help="the bounded run (think times / 10)")
    p.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--think-min", type=float)
    p.add_argument("--think-max", type=float)
    p.add_argument("--login-rate", type=float, default=50.0, help="students logging in per s")
    p.add_argument("--start-spread", type=float,
                   help="seconds over which students click start (0: all at once; "
                        "default 10, or 1 with --quick)")
    p.add_argument("--starts", type=int, help="instant-starts: students (default 3000)")
    p.add_argument("--revisit", type=float, default=0.2)
    # Not the batched floor: its statement runs in a writer thread, which the per-request
    # figures (the request thread and its own connection) do not see.
    p.add_argument("--floor-beside-saves",
                   choices=[f for f in request_cpu.FLOORS if f != "answer-rows-batched"],
                   help="exam-storm only: send each save's request to this floor of the "
                        "ceiling right after it, to read the floor's CPU per request in the "
                        "storm (the run's figures are then not the targets')")
    p.add_argument("--connections", type=int, default=64, help="client connection pool")
    p.add_argument("--workers", type=int, default=2, help="web server worker processes")
    p.add_argument("--threads", type=int, default=4, help="threads per web server worker")
    p.add_argument("--server", choices=common.SERVERS, default=common.SERVERS[0],
                   help="the web server: granian as deployed, or gunicorn (the bench extra) as "
                        "a peer")
    p.add_argument("--no-request-figures", action="store_true",
                   help="run the server without the per-request figures (bench/request_cpu.py): "
                        "CPU by process only, as the ceiling always runs")
    p.add_argument("--duration", type=float, help="ceiling: seconds per phase (20; quick 8)")
    p.add_argument("--db-url", default=common.DEFAULT_DB_URL)
    p.add_argument("--cache-url", default=common.DEFAULT_CACHE_URL,
                   help="the server's CACHE_URL ('none': per-process memory)")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra environment for the server (e.g. SESSION_ENGINE=...)")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--json", help="write the JSON result here (all: a suffix per benchmark)")
    p.add_argument("--strict", action="store_true")
    args = p.parse_args(argv)
    if args.floor_beside_saves and args.command not in ("exam-storm", "exam"):
        p.error("--floor-beside-saves adds requests to the storm: run it with exam-storm "
                "alone, not with the targets of `all`")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["cluster"]:  # its own options: python -m bench cluster --help
        from . import cluster

        return cluster.main(argv[1:])
    if argv[:1] == ["demo-serving"]:  # its own options: python -m bench demo-serving --help
        from . import demo_serving

        demo_serving.main(argv[1:])
        return 0
    args = parse(argv)
    if args.command == "exam":
        args.command = "exam-storm"
    from .exam_storm import StormParams

    if args.smoke:
        students, tmin, tmax, duration = args.students or 5, 0.05, 0.2, args.duration or 2
        spread, starts = 0.0, args.starts or 5
    elif args.quick:
        students, tmin, tmax, duration = args.students or 300, 1.0, 3.0, args.duration or 8
        spread, starts = 1.0, args.starts or 3000
    else:
        students, tmin, tmax, duration = args.students or 3000, 10.0, 30.0, args.duration or 20
        spread, starts = 10.0, args.starts or 3000
    if args.start_spread is not None:
        spread = args.start_spread
    cache_url = None if args.cache_url in ("", "none") else args.cache_url
    extra = dict(item.split("=", 1) for item in args.server_env)
    if args.server == "granian" and importlib.util.find_spec("granian") is None:
        print("--server granian: granian is not installed; it is in the bench extra "
              "(pip install -e '.[bench]', which make bench runs).", file=sys.stderr)
        return 2
    config = common.ServerConfig(workers=args.workers, threads=args.threads, extra_env=extra,
                                 server=args.server,
                                 measure_requests=not args.no_request_figures)
    failed = False
    results: dict[str, dict] = {}
    try:
        if args.command in ("exam-storm", "all"):
            from . import exam_storm

            params = StormParams(
                students=students, think_min=args.think_min if args.think_min is not None
                else tmin, think_max=args.think_max if args.think_max is not None else tmax,
                login_rate=args.login_rate, start_spread=spread,
                revisit=args.revisit, connections=args.connections,
                floor_beside_saves=args.floor_beside_saves)
            result = exam_storm.run(params, db_url=args.db_url, cache_url=cache_url,
                                    server_config=config, keep_db=args.keep_db,
                                    drop_template=args.smoke)
            print(exam_storm.report(result), flush=True)
            path = common.write_result("exam-storm", result, _json(args, "exam-storm"))
            print(f"\n(JSON: {path})\n", flush=True)
            results["exam-storm"] = result
            t = result["targets"]
            failed |= not (t["zero_errors"] and t["zero_lost_answers"]
                           and t["graded_exactly_once"])
        if args.command in ("instant-starts", "all"):
            from . import instant_starts

            _close_connections()
            result = instant_starts.run(students=starts, connections=args.connections,
                                        db_url=args.db_url, cache_url=cache_url,
                                        server_config=config, keep_db=args.keep_db,
                                        drop_template=args.smoke)
            print(instant_starts.report(result), flush=True)
            path = common.write_result("instant-starts", result,
                                       _json(args, "instant-starts"))
            print(f"\n(JSON: {path})\n", flush=True)
            results["instant-starts"] = result
            c = result["db_check"]
            failed |= bool(result["students_failed"] or c["attempts_missing"]
                           or c["students_with_two_attempts"])
        if args.command in ("ceiling", "all"):
            from . import ceiling

            _close_connections()
            result = ceiling.run(concurrency=args.connections, duration=duration,
                                 warmup=min(3.0, duration / 4), db_url=args.db_url,
                                 cache_url=cache_url, server_config=config,
                                 keep_db=args.keep_db)
            print(ceiling.report(result), flush=True)
            path = common.write_result("ceiling", result, _json(args, "ceiling"))
            print(f"\n(JSON: {path})\n", flush=True)
            results["ceiling"] = result
            failed |= result["lost_answers"] != 0 or result["save"]["errors"] != 0
    except common.CannotBind as exc:
        print(f"cannot bind a local port for the server: {exc}", file=sys.stderr)
        return common.EXIT_CANNOT_BIND
    from . import targets

    if args.floor_beside_saves:  # a storm with more requests than an exam: no targets read
        return 1 if failed else 0
    rows = targets.evaluate(results)
    print(targets.table(rows), flush=True)
    path = common.write_result("targets", {"targets": rows, "machine": common.machine_info()},
                               _json(args, "targets") if args.command == "all" else None)
    print(f"\n(JSON: {path})", flush=True)
    unmet = any(r["status"] == targets.NOT_MET for r in rows)
    return 1 if failed or (args.strict and unmet) else 0


def _close_connections() -> None:
    """A benchmark before this one may have left Django connected to its dropped database."""
    if "django" in sys.modules:
        import django.db

        django.db.connections.close_all()


def _json(args, name: str) -> str | None:
    if not args.json:
        return None
    return args.json if args.command != "all" else args.json.replace(".json", f"-{name}.json")


if __name__ == "__main__":
    sys.exit(main())
