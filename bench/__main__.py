"""python -m bench [exam-storm|ceiling|all] [--students N] [--quick] [options]
   python -m bench demo-serving [--quick] [--clients 1,8,64]
   python -m bench cluster up|status|storm|down [--students N] [--fault KIND]

The full run is 3000 students with 10–30 s of thinking per answer (minutes); --quick is the
bounded run of `make bench`: 300 students thinking 1–3 s, the same request rate in a tenth of
the time. Results print as Markdown tables and are written as JSON under var/bench/.
Exit status 1 when a request failed, an answer was lost or an attempt was graded wrongly;
with --strict also when a latency or ceiling target is not met.
"""

from __future__ import annotations

import argparse
import sys

from . import common


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", nargs="?", default="all", choices=["exam-storm", "ceiling", "all"])
    p.add_argument("--students", type=int, help="default 3000, or 300 with --quick")
    p.add_argument("--quick", action="store_true", help="the bounded run (think times / 10)")
    p.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--think-min", type=float)
    p.add_argument("--think-max", type=float)
    p.add_argument("--login-rate", type=float, default=50.0, help="students logging in per s")
    p.add_argument("--start-spread", type=float, default=0.0,
                   help="seconds over which students click start (0: all at once)")
    p.add_argument("--revisit", type=float, default=0.2)
    p.add_argument("--connections", type=int, default=64, help="client connection pool")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    p.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    p.add_argument("--duration", type=float, help="ceiling: seconds per phase (20; quick 8)")
    p.add_argument("--db-url", default=common.DEFAULT_DB_URL)
    p.add_argument("--cache-url", default=common.DEFAULT_CACHE_URL,
                   help="the server's CACHE_URL ('none': per-process memory)")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="extra environment for the server (e.g. SESSION_ENGINE=...)")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--json", help="write the JSON result here (all: a suffix per benchmark)")
    p.add_argument("--strict", action="store_true")
    return p.parse_args(argv)


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
    from .exam_storm import StormParams

    if args.smoke:
        students, tmin, tmax, duration = args.students or 5, 0.05, 0.2, args.duration or 2
    elif args.quick:
        students, tmin, tmax, duration = args.students or 300, 1.0, 3.0, args.duration or 8
    else:
        students, tmin, tmax, duration = args.students or 3000, 10.0, 30.0, args.duration or 20
    cache_url = None if args.cache_url in ("", "none") else args.cache_url
    extra = dict(item.split("=", 1) for item in args.server_env)
    config = common.ServerConfig(workers=args.workers, threads=args.threads, extra_env=extra)
    failed = unmet = False
    try:
        if args.command in ("exam-storm", "all"):
            from . import exam_storm

            params = StormParams(
                students=students, think_min=args.think_min if args.think_min is not None
                else tmin, think_max=args.think_max if args.think_max is not None else tmax,
                login_rate=args.login_rate, start_spread=args.start_spread,
                revisit=args.revisit, connections=args.connections)
            result = exam_storm.run(params, db_url=args.db_url, cache_url=cache_url,
                                    server_config=config, keep_db=args.keep_db,
                                    drop_template=args.smoke)
            print(exam_storm.report(result), flush=True)
            path = common.write_result("exam-storm", result, _json(args, "exam-storm"))
            print(f"\n(JSON: {path})\n", flush=True)
            t = result["targets"]
            failed |= not (t["zero_errors"] and t["zero_lost_answers"]
                           and t["graded_exactly_once"])
            unmet |= not all(t["p95_below_500ms"].values())
        if args.command in ("ceiling", "all"):
            from . import ceiling

            if args.command == "all":
                import django.db

                django.db.connections.close_all()
            result = ceiling.run(concurrency=args.connections, duration=duration,
                                 warmup=min(3.0, duration / 4), db_url=args.db_url,
                                 cache_url=cache_url, server_config=config,
                                 keep_db=args.keep_db)
            print(ceiling.report(result), flush=True)
            path = common.write_result("ceiling", result, _json(args, "ceiling"))
            print(f"\n(JSON: {path})", flush=True)
            failed |= result["lost_answers"] != 0 or result["save"]["errors"] != 0
            unmet |= not result["target_ratio_met"]
    except common.CannotBind as exc:
        print(f"cannot bind a local port for the server: {exc}", file=sys.stderr)
        return common.EXIT_CANNOT_BIND
    return 1 if failed or (args.strict and unmet) else 0


def _json(args, name: str) -> str | None:
    if not args.json:
        return None
    return args.json if args.command != "all" else args.json.replace(".json", f"-{name}.json")


if __name__ == "__main__":
    sys.exit(main())
