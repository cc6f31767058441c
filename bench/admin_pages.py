"""Benchmark the staff inbox, the case page and the case list API on a large demo database.

Run from the repository root::

    .venv/bin/python bench/admin_pages.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_admin --cases 100000   # SCHEMA DROPPED!
    .venv/bin/python bench/admin_pages.py --database-url … --cases 100000 --reuse  # keep data
    .venv/bin/python bench/admin_pages.py --cases 5000             # a fresh SQLite file

What runs
---------
* the database at ``--database-url`` (PostgreSQL: its ``public`` schema is DROPPED and
  re-created, then migrated with ``lianping.storage.migrate.upgrade``; SQLite: a new file
  in a temporary directory), seeded with ``lianping_dev.demo`` (``--reuse`` keeps a database
  that already holds ``--cases`` cases and only adds what the run needs: a session, a token);
* a private ``redis-server`` and the web app under gunicorn (``lianping.app:create_app()``,
  ``--web-workers`` × ``--web-threads`` gthread, ``--no-control-socket``), loopback only.

The benchmark signs in as ``demo-admin`` (no ``ethics`` flag: tips are filtered out, as for
most staff) by opening a server-side session with ``services.accounts.open_session`` and
sending it as the ``lianping_session`` cookie, and calls the API with a token from
``services.accounts.create_token``.

What is measured
----------------
Each scenario sends ``--warmup`` uncounted requests, then ``--requests`` requests one at a
time (``seq``), then ``--requests`` more from ``--concurrency`` threads (``c4``), each
thread with its own keep-alive connection. A request counts as an error unless it answers
200. Scenarios: the inbox with no filter, a status tab, nature+theme, overdue, a text
search, a case-number search, a one-month date range, the second page through the keyset
cursor; the case page of random case numbers; ``GET /api/v1/cases`` with filters and
``GET /api/v1/cases/<number>``. The ``service`` section times the same inbox queries
in-process (``case_search.search`` + ``status_counts``), without HTTP and templates.
``--explain`` writes EXPLAIN (ANALYZE, BUFFERS) of every inbox query (PostgreSQL) next to
the JSON.

Targets (PostgreSQL, 100,000 cases): inbox pages and the list API p95 < 150 ms, case page
p95 < 100 ms, in both modes, and no errors. Figures go to stdout and, as JSON, to
``bench/results/`` (git-ignored). Exit status: 0 pass, 1 fail, 2 could not run, 130
interrupted. Every child process is stopped when the run ends, fails or is interrupted.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.engine import make_url

from lianping import codes
from lianping.services import accounts
from lianping.storage import case_search
from lianping.storage.case_search import CaseFilter
from lianping.storage.db import make_engine, make_session_factory, normalize_url
from lianping.storage.migrate import upgrade
from lianping.storage.models import Case, CaseEvent, User
from lianping_dev import demo
from lianping_dev.processes import Fleet
from lianping_dev.redis_server import free_port

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webhook_pipeline import (  # the sibling benchmark's process handling
    RESULTS_DIR,
    SetupError,
    log,
    machine,
    percentiles,
    product_env,
    product_info,
    run_benchmark,
    start_redis,
    start_web,
)

USER = "demo-admin"
PASSWORD = "bench-demo-password"
SESSION_COOKIE = "lianping_session"

CONFIG_KEYS = (
    "cases", "requests", "warmup", "concurrency", "web_workers", "web_threads", "seed", "reuse",
    "service_requests",
)  # fmt: skip
TARGET_INBOX_P95_MS = 150.0
TARGET_CASE_P95_MS = 100.0

SEARCH_WORDS = ("路燈", "排水溝", "疏濬", "垃圾", "補助款", "里鄰經費", "人行道", "回饋金", "公車")
STATUS_TABS = ("open", "received", "assigned", "in_progress", "transferred", "replied", "closed")
NATURE_THEMES = (
    ("need", "works"),
    ("need", "dredging"),
    ("need", "subsidies"),
    ("reform", "other"),
    ("need", "neighbourhood-funds"),
    ("reform", "works"),
)


@dataclass
class Scenario:
    """A named stream of request paths; ``kind`` picks the target."""

    name: str
    kind: str  # inbox | case | api-list | api-case
    paths: Callable[[random.Random], str]
    api: bool = False

    @property
    def target_ms(self) -> float | None:
        if self.kind in ("inbox", "api-list"):
            return TARGET_INBOX_P95_MS
        if self.kind in ("case", "api-case"):
            return TARGET_CASE_P95_MS
        return None


# -- setup -------------------------------------------------------------------------------------


def reset_database(url: str) -> None:
    """An empty, migrated database (PostgreSQL: the public schema dropped and re-created)."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() == "postgresql":
        if parsed.database in ("test", "postgres", "template0", "template1"):
            raise SetupError(f"refusing to drop the schema of database {parsed.database!r}")
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
    upgrade(url)


def case_count(engine: Engine) -> int | None:
    try:
        with engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Case)) or 0)
    except Exception:
        return None


def prepare(args: argparse.Namespace, url: str) -> dict[str, Any]:
    """Reset and seed (or reuse) the database; return what the seeding did."""
    engine = make_engine(url)
    try:
        existing = case_count(engine) if args.reuse else None
        if existing is not None and existing >= args.cases:
            upgrade(url)
            log(f"reusing {existing:,} cases already in the database")
            sessions = make_session_factory(engine)
            with sessions.begin() as session:
                if session.scalar(select(User).where(User.username == USER)) is None:
                    raise SetupError(f"--reuse: no {USER} account; run without --reuse")
            return {"reused": True, "cases": existing}
        if args.reuse:
            log(f"--reuse: the database has {existing or 0:,} cases, not {args.cases:,}: reseeding")
        engine.dispose()
        reset_database(url)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        log(f"seeding {args.cases:,} cases with lianping_dev.demo (seed {args.seed})")
        began = time.perf_counter()
        with sessions.begin() as session:
            summary = demo.seed(
                session, args.cases, seed=args.seed, password=PASSWORD, progress=log
            )
        seconds = time.perf_counter() - began
        for line in summary.lines():
            log(line)
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        return {
            "reused": False,
            "cases": summary.cases,
            "events": summary.events,
            "residents": summary.residents,
            "seconds_including_commit": round(seconds, 1),
            "by_status": dict(summary.by_status),
            "by_nature": dict(summary.by_nature),
        }
    finally:
        engine.dispose()


def credentials(url: str) -> tuple[str, str]:
    """A session cookie value and an API token for ``demo-admin``."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            user = session.scalar(select(User).where(User.username == USER))
            if user is None:
                raise SetupError(f"no {USER} account")
            cookie = accounts.open_session(session, user).cookie_value
            token = accounts.create_token(session, user, "bench/admin_pages.py")
        return cookie, token
    finally:
        engine.dispose()


def start_admin_web(
    args: argparse.Namespace, workdir: Path, url: str, redis_url: str, fleet: Fleet
) -> str:
    """The web app on the database at ``url``, once it answers; its URL.

    Nothing is sent to LINE by these pages: LINE_API_BASE points at nothing.
    """
    env = product_env(workdir, url, redis_url, "http://127.0.0.1:9", free_port())
    return start_web(fleet, env, args.web_workers, args.web_threads)


# -- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    """Values the scenarios draw from, read once from the seeded database."""

    numbers: list[str]  # non-tip case numbers (demo-admin may open them)
    first_day: date
    last_day: date
    cursors: list[tuple[dict[str, str], str]]  # (filter args, cursor of page 2)


def _args_of(flt: CaseFilter) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in vars(flt).items():
        if value in (None, False, "") or (name == "sort" and value == "newest"):
            continue
        out[name] = "1" if value is True else str(value)
    return out


def inbox_filters(samples: Samples, rng: random.Random) -> dict[str, Callable[[], CaseFilter]]:
    """Each inbox scenario as a CaseFilter factory (shared by HTTP and service scenarios)."""

    def date_range() -> CaseFilter:
        span = (samples.last_day - samples.first_day).days
        start = samples.first_day + timedelta(days=rng.randrange(max(1, span - 30)))
        return CaseFilter(date_from=start, date_to=start + timedelta(days=30))

    def nature_theme() -> CaseFilter:
        nature, theme = rng.choice(NATURE_THEMES)
        return CaseFilter(nature=nature, theme=theme)

    return {
        "inbox": lambda: CaseFilter(),
        "inbox_status": lambda: CaseFilter(status=rng.choice(STATUS_TABS)),
        "inbox_nature_theme": nature_theme,
        "inbox_overdue": lambda: CaseFilter(overdue=True),
        "inbox_search": lambda: CaseFilter(q=rng.choice(SEARCH_WORDS)),
        "inbox_search_number": lambda: CaseFilter(q=rng.choice(samples.numbers)),
        "inbox_dates": date_range,
    }


def load_samples(url: str) -> Samples:
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        with sessions() as session:
            numbers = list(
                session.scalars(
                    select(Case.number).where(Case.nature != codes.TIP).order_by(func.random())
                    if engine.dialect.name == "postgresql"
                    else select(Case.number).where(Case.nature != codes.TIP)
                )
            )
            first, last = session.execute(
                select(func.min(Case.created_at), func.max(Case.created_at))
            ).one()
            cursors = []
            for flt in (
                CaseFilter(),
                CaseFilter(status="open"),
                CaseFilter(status="closed"),
                CaseFilter(nature="need", theme="works"),
                CaseFilter(q="路燈"),
                CaseFilter(sort="due", status="open"),
            ):
                page = case_search.search(session, flt, ethics=False)
                if page.next_cursor:
                    cursors.append((_args_of(flt), page.next_cursor))
    finally:
        engine.dispose()
    if not numbers:
        raise SetupError("the database holds no cases")
    random.Random(7).shuffle(numbers)
    to_day = lambda moment: moment.astimezone(UTC).date()  # noqa: E731
    return Samples(numbers[:5000], to_day(first), to_day(last), cursors)


def scenarios(samples: Samples, rng: random.Random) -> list[Scenario]:
    filters = inbox_filters(samples, rng)

    def inbox(factory: Callable[[], CaseFilter]) -> Callable[[random.Random], str]:
        return lambda _rng: "/admin/cases?" + urlencode(_args_of(factory()))

    def page_two(_rng: random.Random) -> str:
        args, cursor = rng.choice(samples.cursors)
        return "/admin/cases?" + urlencode({**args, "cursor": cursor})

    def api_list(_rng: random.Random) -> str:
        flt = rng.choice(
            [
                CaseFilter(),
                CaseFilter(status="open"),
                CaseFilter(nature="need", theme="works"),
                CaseFilter(overdue=True),
                CaseFilter(q=rng.choice(SEARCH_WORDS)),
            ]
        )
        return "/api/v1/cases?" + urlencode(_args_of(flt))

    found: list[Scenario] = [Scenario(name, "inbox", inbox(f)) for name, f in filters.items()]
    if samples.cursors:
        found.append(Scenario("inbox_page2", "inbox", page_two))
    found += [
        Scenario("case_page", "case", lambda r: f"/admin/cases/{r.choice(samples.numbers)}"),
        Scenario("api_list", "api-list", api_list, api=True),
        Scenario(
            "api_case", "api-case", lambda r: f"/api/v1/cases/{r.choice(samples.numbers)}", True
        ),
    ]
    return found


# -- measuring ---------------------------------------------------------------------------------


class Client:
    """Keep-alive HTTP sessions (one per thread), signed in by cookie or bearer token."""

    def __init__(self, base: str, cookie: str, token: str) -> None:
        self.base, self.cookie, self.token = base, cookie, token
        self.local = threading.local()

    def _http(self) -> requests.Session:
        http: requests.Session | None = getattr(self.local, "http", None)
        if http is None:
            http = requests.Session()
            http.cookies.set(SESSION_COOKIE, self.cookie, domain="127.0.0.1", path="/")
            self.local.http = http
        return http

    def get(self, path: str, api: bool) -> tuple[float, int, int]:
        headers = {"Authorization": f"Bearer {self.token}"} if api else {}
        began = time.perf_counter()
        response = self._http().get(
            self.base + path, headers=headers, timeout=30, allow_redirects=False
        )
        body = response.content
        return (time.perf_counter() - began) * 1000, response.status_code, len(body)


def measure(
    client: Client, scenario: Scenario, count: int, threads: int, seed: int
) -> dict[str, Any]:
    """``count`` requests from ``threads`` threads; latency figures and errors."""
    rng = random.Random(f"{scenario.name}:{threads}:{seed}")
    paths = [scenario.paths(rng) for _ in range(count)]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    sizes: list[int] = []
    lock = threading.Lock()
    cursor = iter(range(count))

    def work() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            try:
                ms, status, size = client.get(paths[index], scenario.api)
            except requests.RequestException as exc:
                with lock:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            with lock:
                if status == 200:
                    latencies.append(ms)
                    sizes.append(size)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1

    began = time.perf_counter()
    pool = [threading.Thread(target=work) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = time.perf_counter() - began
    return {
        **percentiles(latencies),
        "errors": errors,
        "throughput_rps": round(len(latencies) / wall, 1) if wall else None,
        "mean_body_kb": round(sum(sizes) / len(sizes) / 1024, 1) if sizes else None,
    }


def service_level(url: str, samples: Samples, count: int, seed: int) -> dict[str, Any]:
    """The inbox queries in-process: ``search`` + ``status_counts``, no HTTP, no templates."""
    rng = random.Random(seed)
    filters = inbox_filters(samples, rng)
    engine = make_engine(url)
    out: dict[str, Any] = {}
    try:
        sessions = make_session_factory(engine)
        for name, factory in filters.items():
            both: list[float] = []
            search_only: list[float] = []
            for i in range(count + 3):
                flt = factory()
                with sessions() as session:
                    began = time.perf_counter()
                    case_search.search(session, flt, ethics=False)
                    middle = time.perf_counter()
                    case_search.status_counts(session, flt, ethics=False)
                    ended = time.perf_counter()
                if i >= 3:  # the first few warm the pool and the caches
                    search_only.append((middle - began) * 1000)
                    both.append((ended - began) * 1000)
            out[name] = {
                "search_and_counts": percentiles(both),
                "search": percentiles(search_only),
            }
    finally:
        engine.dispose()
    return out


def explain(url: str, samples: Samples, path: Path) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every query one inbox page of each scenario runs."""
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        return
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM cases" in statement:
            captured.append((statement, params))

    rng = random.Random(3)
    lines: list[str] = []
    try:
        sessions = make_session_factory(engine)
        for name, factory in inbox_filters(samples, rng).items():
            flt = factory()
            captured.clear()
            event.listen(engine, "before_cursor_execute", capture)
            with sessions() as session:
                case_search.search(session, flt, ethics=False)
                case_search.status_counts(session, flt, ethics=False)
            event.remove(engine, "before_cursor_execute", capture)
            for statement, params in captured:
                with engine.connect() as conn:
                    raw: Any = conn.connection.driver_connection
                    with raw.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                lines += [f"== {name}: {flt}", statement, f"-- params: {params}", plan, ""]
    finally:
        engine.dispose()
    path.write_text("\n".join(lines) + "\n")
    log(f"query plans written to {path}")


def database_facts(url: str) -> dict[str, Any]:
    parsed = make_url(normalize_url(url))
    facts: dict[str, Any] = {
        "kind": parsed.get_backend_name(),
        "url": parsed.render_as_string(hide_password=True),
    }
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            facts["cases"] = conn.scalar(select(func.count()).select_from(Case))
            facts["case_events"] = conn.scalar(select(func.count()).select_from(CaseEvent))
            if facts["kind"] == "postgresql":
                facts["version"] = conn.execute(text("SHOW server_version")).scalar()
                for name in ("shared_buffers", "work_mem", "effective_cache_size", "jit"):
                    facts[name] = conn.execute(text(f"SHOW {name}")).scalar()
                facts["indexes_on_cases"] = list(
                    conn.scalars(
                        text("SELECT indexdef FROM pg_indexes WHERE tablename = 'cases' ORDER BY 1")
                    )
                )
                facts["cases_size"] = conn.execute(
                    text("SELECT pg_size_pretty(pg_total_relation_size('cases'))")
                ).scalar()
    finally:
        engine.dispose()
    return facts


# -- the run -----------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, fleet: Fleet) -> dict[str, Any]:
    host = machine()
    if host["busy_before"] > 0.15:
        log(f"warning: the machine is already {host['busy_before']:.0%} busy before the run")
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    seeding = prepare(args, url)
    samples = load_samples(url)
    cookie, token = credentials(url)
    db = database_facts(url)
    log(f"database {db['kind']} {db.get('version', '')}: {db['cases']:,} cases")

    redis_url = start_redis(fleet, workdir)
    base = start_admin_web(args, workdir, url, redis_url, fleet)
    log(f"up: web {base} ({args.web_workers}×{args.web_threads} gthread), redis {redis_url}")
    client = Client(base, cookie, token)
    rng = random.Random(args.seed)
    results: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for scenario in scenarios(samples, rng):
        _, status, _ = client.get(scenario.paths(rng), scenario.api)
        if status != 200:
            missing[scenario.name] = f"HTTP {status}"
            log(f"{scenario.name}: answers {status}; skipped")
            continue
        measure(client, scenario, args.warmup, 1, args.seed + 1)
        row: dict[str, Any] = {"kind": scenario.kind, "target_p95_ms": scenario.target_ms}
        for mode, threads in (("seq", 1), (f"c{args.concurrency}", args.concurrency)):
            fleet.check_alive()
            row[mode] = measure(client, scenario, args.requests, threads, args.seed)
            stats = row[mode]
            log(
                f"{scenario.name:20s} {mode:4s} p50 {stats['p50']} p95 {stats['p95']} "
                f"p99 {stats['p99']} max {stats['max']} ms, errors {stats['errors'] or 0}"
            )
        results[scenario.name] = row
    log("service level: case_search.search + status_counts in-process")
    service = service_level(url, samples, args.service_requests, args.seed)
    if args.explain:
        RESULTS_DIR.mkdir(exist_ok=True)
        explain(url, samples, RESULTS_DIR / f"{time.strftime('%Y%m%d-%H%M%S')}-plans.txt")
    checks: dict[str, bool] = {}
    for name, row in results.items():
        if row["target_p95_ms"] is None:
            continue
        for mode in ("seq", f"c{args.concurrency}"):
            stats = row[mode]
            ok = bool(stats["n"]) and not stats["errors"] and stats["p95"] < row["target_p95_ms"]
            checks[f"{name} {mode}: p95 < {row['target_p95_ms']:g} ms, no errors"] = ok
    for name, why in missing.items():
        checks[f"{name}: page available ({why})"] = False
    return {
        "benchmark": "admin_pages",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {k: getattr(args, k) for k in CONFIG_KEYS},
        "machine": host,
        "product": product_info(),
        "database": db,
        "seeding": seeding,
        "scenarios": results,
        "service": service,
        "checks": checks,
        "passed": bool(checks) and all(checks.values()),
    }


def render(result: dict[str, Any]) -> str:
    m, db = result["machine"], result["database"]
    conc = f"c{result['config']['concurrency']}"
    lines = [
        "",
        f"machine   {m['cores']} cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, "
        f"{m['platform']}, Python {m['python']}, load {m['load_average_before'][0]:.2f}, "
        f"busy before {m['busy_before']:.0%}",
        f"database  {db['kind']} {db.get('version', '')}: {db['cases']:,} cases, "
        f"{db['case_events']:,} events"
        + (f", cases table {db['cases_size']}" if db.get("cases_size") else ""),
        f"web       gunicorn {result['config']['web_workers']}×{result['config']['web_threads']} "
        f"gthread; {result['config']['requests']} requests per mode (seq, {conc})",
    ]
    if not result["seeding"].get("reused"):
        s = result["seeding"]
        lines.append(
            f"seeding   {s['cases']:,} cases, {s['events']:,} events in "
            f"{s['seconds_including_commit']} s"
        )
    lines += [
        "",
        f"{'scenario':22s} {'mode':5s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'max':>8s}"
        f" {'req/s':>7s} {'KiB':>6s}  target",
    ]
    for name, row in result["scenarios"].items():
        for mode in ("seq", conc):
            s = row[mode]
            target = row["target_p95_ms"]
            verdict = ""
            if target is not None:
                ok = s["n"] and not s["errors"] and s["p95"] < target
                verdict = f"p95<{target:g} {'PASS' if ok else 'FAIL'}"
            lines.append(
                f"{name:22s} {mode:5s} {s['p50']:8.1f} {s['p95']:8.1f} {s['p99']:8.1f} "
                f"{s['max']:8.1f} {s['throughput_rps']:7.1f} {s['mean_body_kb']:6.1f}  {verdict}"
                + (f"  errors {s['errors']}" if s["errors"] else "")
            )
    lines += ["", "service level (in-process, ms)          search p50/p95   +counts p50/p95"]
    for name, row in result["service"].items():
        a, b = row["search"], row["search_and_counts"]
        lines.append(
            f"  {name:36s} {a['p50']:7.1f} {a['p95']:7.1f}   {b['p50']:7.1f} {b['p95']:7.1f}"
        )
    lines.append("")
    for name, ok in result["checks"].items():
        lines.append(f"  [{'PASS' if ok else 'FAIL'}] {name}")
    lines.append(f"\nRESULT: {'PASS' if result['passed'] else 'FAIL'}")
    return "\n".join(lines)


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """--database-url, --cases and --reuse: the seeded database the benchmarks share."""
    parser.add_argument(
        "--database-url",
        help="PostgreSQL database to use, ITS PUBLIC SCHEMA IS DROPPED (default: new SQLite file)",
    )
    parser.add_argument("--cases", type=int, default=100_000, help="demo cases to seed")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database if it has --cases cases already"
    )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add_database_arguments(parser)
    parser.add_argument("--requests", type=int, default=100, help="requests per scenario and mode")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests per scenario")
    parser.add_argument("--concurrency", type=int, default=4, help="threads of the second mode")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--service-requests", type=int, default=30, help="in-process queries per inbox scenario"
    )
    parser.add_argument("--explain", action="store_true", help="write EXPLAIN ANALYZE plans")
    parser.add_argument("--seed", type=int, default=1, help="random seed (data and requests)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.cases < 1 or args.requests < 1 or args.concurrency < 1:
        parser.error("cases, requests and concurrency must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_benchmark(
        "lianping-bench-admin-", "admin-pages-", args.keep,
        lambda workdir, fleet: run(args, workdir, fleet), render,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
