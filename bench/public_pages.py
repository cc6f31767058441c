"""Benchmark the public site (清廉共同監督專區) and its Open311 API on a large demo database.

Run from the repository root::

    .venv/bin/python bench/public_pages.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_public --cases 100000   # SCHEMA DROPPED!
    .venv/bin/python bench/public_pages.py --database-url … --cases 100000 --reuse  # keep data
    .venv/bin/python bench/public_pages.py --cases 5000             # a fresh SQLite file

What runs
---------
The same set-up as ``bench/admin_pages.py`` (whose helpers it uses): the database at
``--database-url`` reset, migrated and seeded with ``lianping_dev.demo`` (about 30 % of the
reports agree to publication and half of those that have an outcome are published; six
library entries), a private ``redis-server`` and the web app under gunicorn, loopback only.
Nobody signs in: the public pages need no session.

What is measured
----------------
Each scenario sends ``--warmup`` uncounted requests, then ``--requests`` one at a time
(``seq``) and ``--requests`` more from ``--concurrency`` threads (``c4``). A request counts
as an error unless it answers 200.

* the pages as the public asks for them: the front page, 成果統計 (default, last year),
  案件成果 (first page and random later pages), a random published case, the library (all,
  and a keyword search), 宣導, the feeds, the open data and Open311 (list and one request).
  These are answered from the page cache once built: the targets apply to them;
* ``cold``: the same pages with a query parameter no request repeats, so every one misses the
  cache and is built from the database: what the first visitor waits for after staff publish
  (the case pages) or a period closes (成果統計). Reported for information: the target is for
  the pages as served, and a cold page is built once per change, not per visitor;
* ``service``: ``reports.public_statistics.build`` in-process (the dashboard's queries for the
  default and the one-year period): the product's own cost without HTTP and templates.

Target (PostgreSQL, 100,000 cases): every public page p95 < 100 ms, in both modes, and no
errors. Figures go to stdout and, as JSON, to ``bench/results/`` (git-ignored). Exit status:
0 pass, 1 fail, 2 could not run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lianping import rocdate
from lianping.reports import public_statistics
from lianping.services import content, published_cases, report_periods
from lianping.storage.db import make_engine, make_session_factory
from lianping.storage.models import CasePublication, MisconductPattern

sys.path.insert(0, str(Path(__file__).resolve().parent))
from admin_pages import (  # the staff pages' benchmark: the same database and web set-up
    Client,
    add_database_arguments,
    database_facts,
    measure,
    prepare,
    start_admin_web,
)
from webhook_pipeline import log, machine, percentiles, product_info, run_benchmark, start_redis

TARGET_P95_MS = 100.0
KEYWORDS = ("採購", "驗收", "補助", "經費", "招待")
CONFIG_KEYS = ("cases", "requests", "cold_requests", "warmup", "concurrency", "web_workers",
               "web_threads", "seed", "reuse", "service_requests")  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    """A named stream of request paths; ``cold`` ones never hit the page cache."""

    name: str
    paths: Callable[[random.Random], str]
    cold: bool = False
    api: bool = False  # Client's flag (a bearer token): never for these pages


@dataclass(frozen=True)
class Samples:
    """Published case numbers, library ids and the number of list pages."""

    numbers: list[str]
    patterns: list[int]
    pages: int


def load_samples(url: str) -> Samples:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            numbers = [c.number for c in published_cases.listed(session, limit=100_000)]
            patterns = list(
                session.scalars(
                    select(MisconductPattern.id).where(MisconductPattern.status == "approved")
                )
            )
            total = len(session.scalars(select(CasePublication.case_id)).all())
    finally:
        engine.dispose()
    log(f"{len(numbers):,} published cases ({total:,} publication rows), "
        f"{len(patterns)} library entries")  # fmt: skip
    return Samples(numbers, patterns, max(1, len(numbers) // published_cases.PAGE))


def scenarios(samples: Samples) -> list[Scenario]:
    """The public pages, warm (as asked) and cold (a unique query parameter each)."""
    unique = iter(range(10**9))

    def fixed(path: str) -> Callable[[random.Random], str]:
        return lambda _rng: path

    warm = [
        Scenario("home", fixed("/public/")),
        Scenario("statistics", fixed("/public/statistics")),
        Scenario("statistics_year", fixed("/public/statistics?period=year")),
        Scenario("cases", fixed("/public/cases")),
        Scenario("cases_page", lambda r: f"/public/cases?page={r.randint(1, samples.pages)}"),
        Scenario("case", lambda r: f"/public/cases/{r.choice(samples.numbers)}"),
        Scenario("patterns", fixed("/public/patterns")),
        Scenario("patterns_search", lambda r: f"/public/patterns?q={r.choice(KEYWORDS)}"),
        Scenario("promotions", fixed("/public/promotions")),
        Scenario("cases_feed", fixed("/public/cases.atom")),
        Scenario("statistics_feed", fixed("/public/statistics.atom")),
        Scenario("statistics_json", fixed("/public/data/statistics.json")),
        Scenario("cases_csv", fixed("/public/data/cases.csv")),
        Scenario("cases_json", fixed("/public/data/cases.json")),
        Scenario("open311_requests", fixed("/open311/v2/requests.json")),
        Scenario(
            "open311_request", lambda r: f"/open311/v2/requests/{r.choice(samples.numbers)}.json"
        ),
    ]

    def cold(path: str) -> Callable[[random.Random], str]:
        joiner = "&" if "?" in path else "?"
        return lambda _rng: f"{path}{joiner}nocache={next(unique)}"

    cold_ones = [
        Scenario("home", cold("/public/")),
        Scenario("statistics", cold("/public/statistics")),
        Scenario("statistics_year", cold("/public/statistics?period=year")),
        Scenario("cases", cold("/public/cases")),
        Scenario("case", lambda r: f"/public/cases/{r.choice(samples.numbers)}?n={next(unique)}"),
        Scenario("patterns", cold("/public/patterns")),
        Scenario("promotions", cold("/public/promotions")),
        Scenario("open311_requests", cold("/open311/v2/requests.json")),
    ]
    return warm + [Scenario(f"cold_{s.name}", s.paths, cold=True) for s in cold_ones]


def service_level(url: str, count: int) -> dict[str, Any]:
    """``public_statistics.build`` in-process for the default period and the last year."""
    engine = make_engine(url)
    out: dict[str, Any] = {}
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
        for choice in public_statistics.choices(rocdate.taipei_today(), anchor):
            timings = []
            for i in range(count + 2):
                with sessions() as session:
                    began = time.perf_counter()
                    public_statistics.build(session, choice.period_from, choice.period_to)
                    if i >= 2:  # the first warm the pool and the database's caches
                        timings.append((time.perf_counter() - began) * 1000)
            out[choice.key] = percentiles(timings)
    finally:
        engine.dispose()
    return out


def run(args: argparse.Namespace, workdir: Path, fleet: Any) -> dict[str, Any]:
    host = machine()
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    seeding = prepare(args, url)
    samples = load_samples(url)
    db = database_facts(url)
    log(f"database {db['kind']} {db.get('version', '')}: {db['cases']:,} cases")
    redis_url = start_redis(fleet, workdir)
    base = start_admin_web(args, workdir, url, redis_url, fleet)
    log(f"up: web {base} ({args.web_workers}×{args.web_threads} gthread), redis {redis_url}")
    client = Client(base, "", "")
    rng = random.Random(args.seed)
    results: dict[str, Any] = {}
    checks: dict[str, bool] = {}
    for scenario in scenarios(samples):
        _, status, _ = client.get(scenario.paths(rng), False)
        if status != 200:
            checks[f"{scenario.name}: answers 200 (got {status})"] = False
            continue
        if not scenario.cold:  # a cold page has nothing to warm
            measure(client, scenario, args.warmup, 1, args.seed + 1)  # type: ignore[arg-type]
        row: dict[str, Any] = {"cold": scenario.cold}
        count = args.cold_requests if scenario.cold else args.requests
        for mode, threads in (("seq", 1), (f"c{args.concurrency}", args.concurrency)):
            fleet.check_alive()
            stats = measure(client, scenario, count, threads, args.seed)  # type: ignore[arg-type]
            row[mode] = stats
            log(
                f"{scenario.name:22s} {mode:4s} p50 {stats['p50']} p95 {stats['p95']} "
                f"p99 {stats['p99']} max {stats['max']} ms, errors {stats['errors'] or 0}"
            )
            ok = bool(stats["n"]) and not stats["errors"] and stats["p95"] < TARGET_P95_MS
            if scenario.cold:  # information only, but an error is an error
                checks[f"{scenario.name} {mode}: no errors"] = not stats["errors"]
            else:
                checks[f"{scenario.name} {mode}: p95 < {TARGET_P95_MS:g} ms, no errors"] = ok
        results[scenario.name] = row
    log("service level: public_statistics.build in-process")
    service = service_level(url, args.service_requests)
    return {
        "benchmark": "public_pages",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {k: getattr(args, k) for k in CONFIG_KEYS},
        "machine": host,
        "product": product_info(),
        "database": db,
        "seeding": seeding,
        "published": len(samples.numbers),
        "scenarios": results,
        "service": service,
        "checks": checks,
        "passed": bool(checks) and all(checks.values()),
    }


def render(result: dict[str, Any]) -> str:
    m, db, config = result["machine"], result["database"], result["config"]
    conc = f"c{config['concurrency']}"
    lines = [
        "",
        f"machine   {m['cores']} cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, load {m['load_average_before'][0]:.2f}",
        f"database  {db['kind']} {db.get('version', '')}: {db['cases']:,} cases, "
        f"{result['published']:,} published",
        f"web       gunicorn {config['web_workers']}×{config['web_threads']} gthread; "
        f"{config['requests']} requests per mode (seq, {conc}), {config['cold_requests']} cold",
        "",
        f"{'page':24s} {'mode':5s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'max':>8s} {'req/s':>7s}"
        f" {'KiB':>7s}  target p95<{TARGET_P95_MS:g}",
    ]
    for name, row in result["scenarios"].items():
        for mode in ("seq", conc):
            s = row[mode]
            ok = s["n"] and not s["errors"] and s["p95"] < TARGET_P95_MS
            verdict = "(info)" if row["cold"] else "PASS" if ok else "FAIL"
            lines.append(
                f"{name:24s} {mode:5s} {s['p50']:8.1f} {s['p95']:8.1f} {s['p99']:8.1f} "
                f"{s['max']:8.1f} {s['throughput_rps']:7.1f} {s['mean_body_kb']:7.1f}  "
                f"{verdict}" + (f"  errors {s['errors']}" if s["errors"] else "")
            )
    lines += ["", "service level: public_statistics.build in-process (ms)   p50      p95"]
    for key, s in result["service"].items():
        lines.append(f"  period {key:46s} {s['p50']:7.1f} {s['p95']:8.1f}")
    failed = [name for name, ok in result["checks"].items() if not ok]
    lines += ["", *(f"  [FAIL] {name}" for name in failed)]
    lines.append(f"RESULT: {'PASS' if result['passed'] else 'FAIL'}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_database_arguments(parser)
    parser.add_argument("--requests", type=int, default=100, help="requests per scenario and mode")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests per scenario")
    parser.add_argument(
        "--cold-requests", type=int, default=20, help="requests per cold scenario and mode"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="threads of the second mode")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--service-requests", type=int, default=10, help="in-process builds per period"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (data and requests)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.requests < 1 or args.concurrency < 1:
        parser.error("cases, requests and concurrency must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_benchmark(
        "lianping-bench-public-", "public-pages-", args.keep,
        lambda workdir, fleet: run(args, workdir, fleet), render,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
