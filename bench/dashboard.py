"""Benchmark the supervisors' dashboard on a large demo database.

Run from the repository root::

    .venv/bin/python bench/dashboard.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_dashboard --cases 100000   # SCHEMA DROPPED!
    .venv/bin/python bench/dashboard.py --database-url … --cases 100000 --reuse  # keep data
    .venv/bin/python bench/dashboard.py --cases 5000             # a fresh SQLite file

The database is prepared exactly as ``bench/admin_pages.py`` does (its ``prepare``: the
PostgreSQL ``public`` schema dropped, migrated, seeded with ``lianping_dev.demo``, which also
sends its demo broadcasts; ``--reuse`` keeps a database that holds ``--cases`` cases).

What is measured, in this process (no web server: the figures are the cost):

* ``reports.dashboard.build`` for the default 12 weeks, 26 weeks, this calendar year and the
  longest period allowed (two years), as staff without the ``ethics`` flag (tips left out)
  and with it;
* the whole page, ``GET /admin/dashboard`` through Flask's test client as a signed-in
  supervisor (session lookup, ``build``, the template), for 12 weeks and two years.

Each scenario runs ``--warmup`` uncounted times, then ``--repeat`` times. Target: p95 under
1 s for every scenario (PostgreSQL, 100,000 cases). Figures go to stdout and, as JSON, to
``bench/results/``. Exit status: 0 pass, 1 fail, 2 could not run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from lianping.app import create_app
from lianping.config import Settings
from lianping.reports import dashboard
from lianping.rocdate import taipei_date
from lianping.services import accounts
from lianping.services.access import Actor
from lianping.storage.db import make_engine, make_session_factory
from lianping.storage.models import User

sys.path.insert(0, str(Path(__file__).resolve().parent))
from admin_pages import add_database_arguments, prepare  # the database set-up they share
from webhook_pipeline import RESULTS_DIR, SetupError, log, machine, percentiles

TARGET_P95_MS = 1000.0
SUPERVISOR = "demo-supervisor"


def periods(today: date) -> dict[str, tuple[date, date]]:
    monday = today - timedelta(days=today.weekday())
    return {
        "12 weeks": (monday - timedelta(weeks=11), today),
        "26 weeks": (monday - timedelta(weeks=25), today),
        "this year": (date(today.year, 1, 1), today),
        "two years": (today - timedelta(days=dashboard.MAX_PERIOD_DAYS - 1), today),
    }


def timed(run: Callable[[], Any], warmup: int, repeat: int) -> list[float]:
    for _ in range(warmup):
        run()
    found = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        found.append((time.perf_counter() - began) * 1000)
    return found


def measure(args: argparse.Namespace, url: str) -> dict[str, dict[str, Any]]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    today = taipei_date(datetime.now(UTC))
    results: dict[str, dict[str, Any]] = {}
    try:
        for ethics in (False, True):
            actor = Actor(None, "bench", "bench", "supervisor", ethics=ethics)
            for name, (start, end) in periods(today).items():

                def run(start: date = start, end: date = end, actor: Actor = actor) -> None:
                    with sessions() as session:
                        dashboard.build(session, actor, start, end)

                label = f"build, {name}" + (", ethics" if ethics else "")
                results[label] = percentiles(timed(run, args.warmup, args.repeat))
                log(f"{label}: p95 {results[label]['p95']} ms")

        with sessions.begin() as session:
            user = session.scalar(select(User).where(User.username == SUPERVISOR))
            if user is None:
                raise SetupError(f"no {SUPERVISOR} account in the database")
            cookie = accounts.open_session(session, user).cookie_value
        settings = Settings.from_env(
            {"LIANPING_DEV": "1", "DATABASE_URL": url, "SECRET_KEY": "bench-dashboard"}
        )
        client = create_app(settings).test_client()
        client.set_cookie("lianping_session", cookie)
        for name in ("12 weeks", "two years"):
            start, end = periods(today)[name]
            path = f"/admin/dashboard?from={start.isoformat()}&to={end.isoformat()}"

            def page(path: str = path) -> None:
                response = client.get(path)
                if response.status_code != 200:
                    raise SetupError(f"GET {path} answered {response.status_code}")

            label = f"page, {name}"
            results[label] = percentiles(timed(page, args.warmup, args.repeat))
            log(f"{label}: p95 {results[label]['p95']} ms")
    finally:
        engine.dispose()
    return results


def render(result: dict[str, Any]) -> str:
    lines = [
        f"Dashboard on {result['seed']['cases']:,} cases ({result['backend']}); "
        f"{result['config']['repeat']} runs per scenario, target p95 < {TARGET_P95_MS:.0f} ms",
        f"{'scenario':<28}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}  result",
    ]
    for name, figures in result["scenarios"].items():
        verdict = "PASS" if figures["p95"] < TARGET_P95_MS else "FAIL"
        lines.append(
            f"{name:<28}{figures['p50']:>10}{figures['p95']:>10}{figures['max']:>10}  {verdict}"
        )
    lines.append("PASS" if result["pass"] else "FAIL")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="lianping-bench-dashboard-"))
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    try:
        seeded = prepare(args, url)
        scenarios = measure(args, url)
    except SetupError as exc:
        log(f"could not run: {exc}")
        return 2
    result = {
        "benchmark": "dashboard",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "backend": make_engine(url).dialect.name,
        "config": {k: getattr(args, k) for k in ("cases", "reuse", "seed", "warmup", "repeat")},
        "seed": seeded,
        "scenarios": scenarios,
        "target_p95_ms": TARGET_P95_MS,
    }
    result["pass"] = all(s["p95"] < TARGET_P95_MS for s in scenarios.values())
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"dashboard-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(render(result))
    log(f"JSON: {out}")
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
