"""Benchmark the biweekly report and the streamed CSV export on a large demo database.

Run from the repository root::

    .venv/bin/python bench/reports.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_reports --cases 100000   # SCHEMA DROPPED!
    .venv/bin/python bench/reports.py --database-url … --cases 100000 --reuse  # keep data
    .venv/bin/python bench/reports.py --cases 5000                 # a fresh SQLite file

What runs
---------
* the database, reset and seeded with ``lianping_dev.demo`` exactly as ``bench/admin_pages.py``
  does (its ``prepare``: PostgreSQL's ``public`` schema is DROPPED; ``--reuse`` keeps it);
* a private ``redis-server`` and the web app under gunicorn with ONE worker process
  (``--web-threads`` gthread), so the export's memory is that one process's.

What is measured
----------------
* ``lianping.reports.biweekly.build(session, from, to)`` in-process over the last two weeks
  of the seeded data: ``--report-runs`` timed runs (after 2 uncounted), p50/p95, each in a
  fresh session;
* ``GET /admin/exports/cases.csv`` (no filter: every case ``demo-admin`` may see, i.e. all
  but tips, with personal data in full) through the real route, streamed by the client to
  a file: wall time from request to last byte, bytes and rows (the file is parsed after the
  clock stops); the web worker's resident memory is sampled every 20 ms during the stream
  (peak, and the kernel's high-water mark VmHWM), after a small warm-up export.

Targets: report p95 < 1 s; export of 100,000 rows < 5 s with the web process's peak RSS
< 150 MB. Figures go to stdout and, as JSON, to ``bench/results/``. Exit status: 0 pass,
1 fail, 2 could not run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import csv
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, select

from lianping import codes, rocdate
from lianping.reports import biweekly
from lianping.storage.db import make_engine, make_session_factory
from lianping.storage.models import Case
from lianping_dev.processes import Fleet

sys.path.insert(0, str(Path(__file__).resolve().parent))
from admin_pages import (
    SESSION_COOKIE,
    add_database_arguments,
    credentials,
    database_facts,
    prepare,
    start_admin_web,
)
from webhook_pipeline import SetupError, log, machine, percentiles, product_info, start_redis
from webhook_pipeline import run_benchmark as run_with_fleet

TARGET_REPORT_P95_S = 1.0
TARGET_EXPORT_S = 5.0
TARGET_PEAK_MB = 150.0
CONFIG_KEYS = ("cases", "report_runs", "web_threads", "seed", "reuse")


def time_report(url: str, runs: int) -> dict[str, Any]:
    """biweekly.build over the last two weeks of data, ``runs`` times (2 more to warm up)."""
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            last = session.scalar(select(func.max(Case.created_at)))
        if last is None:
            raise SetupError("the database holds no cases")
        end = rocdate.taipei_date(last)
        start = end - timedelta(days=13)
        seconds: list[float] = []
        counts: dict[str, int] = {}
        for i in range(runs + 2):
            with sessions() as session:
                began = time.perf_counter()
                report = biweekly.build(session, start, end)
                elapsed = time.perf_counter() - began
            if i >= 2:
                seconds.append(elapsed)
            counts = {row.key: row.count for row in report.rows}
    finally:
        engine.dispose()
    return {
        "period": [start.isoformat(), end.isoformat()],
        "counts": counts,
        "seconds": percentiles(seconds),
    }


def worker_pid(master_pid: int) -> int:
    """The one gunicorn worker: the master's child process."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    if len(children) != 1:
        raise SetupError(f"expected one gunicorn worker, found {children}")
    return int(children[0])


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak resident set) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


class Sampler(threading.Thread):
    """The peak VmRSS of a process, sampled every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, memory_mb(self.pid)["VmRSS"])
            self.done.wait(0.02)


def stream_export(base: str, cookie: str, path: str, target: Path) -> tuple[float, int, int]:
    """GET ``path`` streamed to ``target``: (seconds to the last byte, status, bytes)."""
    http = requests.Session()
    http.cookies.set(SESSION_COOKIE, cookie, domain="127.0.0.1", path="/")
    size = 0
    began = time.perf_counter()
    with http.get(base + path, stream=True, timeout=120) as response, target.open("wb") as out:
        for chunk in response.iter_content(chunk_size=256 * 1024):
            out.write(chunk)
            size += len(chunk)
    return time.perf_counter() - began, response.status_code, size


def csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def time_export(base: str, cookie: str, pid: int, workdir: Path) -> dict[str, Any]:
    # Warm the worker (imports, pools, templates) with a small export first.
    stream_export(base, cookie, "/admin/exports/cases.csv?status=closed&q=路燈", workdir / "w.csv")
    before = memory_mb(pid)
    sampler = Sampler(pid)
    sampler.start()
    seconds, status, size = stream_export(
        base, cookie, "/admin/exports/cases.csv", workdir / "cases.csv"
    )
    sampler.done.set()
    sampler.join()
    after = memory_mb(pid)
    return {
        "status": status,
        "seconds": round(seconds, 2),
        "bytes": size,
        "rows": csv_rows(workdir / "cases.csv"),
        "rss_before_mb": round(before["VmRSS"], 1),
        "rss_peak_sampled_mb": round(sampler.peak, 1),
        "rss_after_mb": round(after["VmRSS"], 1),
        "hwm_mb": round(after["VmHWM"], 1),
    }


def run(args: argparse.Namespace, workdir: Path, fleet: Fleet) -> dict[str, Any]:
    host = machine()
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    seeding = prepare(args, url)
    db = database_facts(url)
    log(f"database {db['kind']} {db.get('version', '')}: {db['cases']:,} cases")
    log(f"biweekly.build: {args.report_runs} runs")
    report = time_report(url, args.report_runs)
    cookie, _token = credentials(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            visible = session.scalar(
                select(func.count()).select_from(Case).where(Case.nature != codes.TIP)
            )
    finally:
        engine.dispose()
    redis_url = start_redis(fleet, workdir)
    base = start_admin_web(args, workdir, url, redis_url, fleet)
    pid = worker_pid(fleet.processes["web"].pid)
    log(f"up: web {base} (1×{args.web_threads} gthread, worker pid {pid}); exporting CSV")
    export = time_export(base, cookie, pid, workdir)
    peak = max(export["rss_peak_sampled_mb"], export["hwm_mb"])
    seconds_p95 = report["seconds"]["p95"] or float("inf")
    checks = {
        f"biweekly.build p95 < {TARGET_REPORT_P95_S:g} s": seconds_p95 < TARGET_REPORT_P95_S,
        "CSV export answered 200 with every visible case": export["status"] == 200
        and export["rows"] == visible,
        f"CSV export < {TARGET_EXPORT_S:g} s": export["seconds"] < TARGET_EXPORT_S,
        f"web process peak RSS < {TARGET_PEAK_MB:g} MB": peak < TARGET_PEAK_MB,
    }
    return {
        "benchmark": "reports",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {k: getattr(args, k) for k in CONFIG_KEYS},
        "machine": host,
        "product": product_info(),
        "database": db,
        "seeding": seeding,
        "report": report,
        "export": {**export, "visible_cases": visible, "peak_mb": peak},
        "checks": checks,
        "passed": all(checks.values()),
    }


def render(result: dict[str, Any]) -> str:
    m, db, r, e = result["machine"], result["database"], result["report"], result["export"]
    s = r["seconds"]
    lines = [
        "",
        f"machine   {m['cores']} cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, "
        f"{m['platform']}, Python {m['python']}, busy before {m['busy_before']:.0%}",
        f"database  {db['kind']} {db.get('version', '')}: {db['cases']:,} cases",
        "",
        f"biweekly.build {r['period'][0]}..{r['period'][1]} {r['counts']}",
        f"  p50 {s['p50']:.3f} s  p95 {s['p95']:.3f} s  max {s['max']:.3f} s  (n={s['n']})"
        f"  ratio p95/target {s['p95'] / TARGET_REPORT_P95_S:.2f}",
        f"CSV export of {e['rows']:,} rows ({e['bytes'] / 1e6:.1f} MB)",
        f"  {e['seconds']:.2f} s  ratio {e['seconds'] / TARGET_EXPORT_S:.2f}"
        f"  ({e['rows'] / e['seconds']:,.0f} rows/s)",
        f"  web worker RSS {e['rss_before_mb']} MB before, peak {e['peak_mb']} MB"
        f" (sampled {e['rss_peak_sampled_mb']}, VmHWM {e['hwm_mb']}), {e['rss_after_mb']} after"
        f"  ratio {e['peak_mb'] / TARGET_PEAK_MB:.2f}",
        "",
    ]
    lines += [f"  [{'PASS' if ok else 'FAIL'}] {name}" for name, ok in result["checks"].items()]
    lines.append(f"\nRESULT: {'PASS' if result['passed'] else 'FAIL'}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_database_arguments(parser)
    parser.add_argument("--report-runs", type=int, default=20, help="timed biweekly.build runs")
    parser.add_argument("--web-threads", type=int, default=4, help="threads of the web worker")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the demo data")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    args.web_workers = 1  # one process: its memory is the export's
    if args.cases < 1 or args.report_runs < 1:
        parser.error("cases and report-runs must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_with_fleet(
        "lianping-bench-reports-", "reports-", args.keep,
        lambda workdir, fleet: run(args, workdir, fleet), render,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
