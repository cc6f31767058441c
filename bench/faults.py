"""The fault suite: the intake pipeline under each failure it must survive, with figures.

Run from the repository root::

    .venv/bin/python bench/faults.py                           # every scenario, SQLite
    .venv/bin/python bench/faults.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/faults             # PostgreSQL: tables are DROPPED
    .venv/bin/python bench/faults.py --only redis-stopped,line-429 --scale 0.25

Each scenario starts the product as production runs it (gunicorn with the Procfile's
2 × 4 threads, two ``lianping worker`` processes, a private ``redis-server``, a freshly
migrated database) with the LINE simulator playing api.line.me, offers signed text
messages at a fixed open-loop rate from many chats (each chat writes several messages in
turn), does harm while they flow, and then waits, with no human help, until every
acknowledged message is handled and every answer is settled. A worker killed is
started again at once, as a process supervisor would; everything else recovers by itself.

The scenarios (``--scale`` shrinks the message counts and outages alike):

* ``worker-kills``: 2,000 messages at 30/s; a worker kill -9'd every 10 s, six times;
* ``slow-line-kills``: 200 messages with LINE answering after 2 s; a worker kill -9'd
  every 3 s, six times (kills land mid-call);
* ``redis-killed``: Redis kill -9'd for 30 s under load, then restarted empty;
* ``redis-stopped``: Redis SIGSTOPped for 30 s under load (it hangs, it does not refuse);
* ``database-stopped``: the database refuses every connection for 20 s under load, its open
  ones cut (PostgreSQL only: SQLite is a file inside the product's own processes);
* ``line-500s``: LINE answers 30 % of calls with 500 for 60 s;
* ``line-429``: LINE answers the next 400 calls with 429;
* ``line-slow``: LINE answers every call after 1 s while 40 messages a second arrive.

For each: messages acknowledged, webhook latency percentiles (p99 must stay < 1 s; LINE
gives up at 2 s), messages lost (acknowledged, never answered), answered twice (an answer
that reached LINE more than once), chats whose answers arrived out of order, answers
counted as sent without confirmation (see ``lianping.jobs.delivery``), the unknown replies
retried and how soon, the rate handled, and how long after the harm ended everything was
settled. Exit status: 0 every scenario passed, 1 one failed, 2 could not run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import signal
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import webhook_pipeline as pipeline
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from lianping.storage.db import make_engine, normalize_url
from lianping.storage.models import InboxEvent, OutboxMessage
from lianping_dev.processes import Fleet, ProcessFailed
from lianping_dev.redis_server import RedisServer, free_port
from lianping_dev.simulator.client import SimulatorClient

WEB_WORKERS, WEB_THREADS = 2, 4  # the Procfile's
WORKERS = 2
TARGET_ACK_P99_MS = 1000.0
SETTLE_TIMEOUT_S = 300.0
MESSAGE_PATHS = "/v2/bot/message/"


@dataclass(frozen=True)
class Scenario:
    """A load, the harm done while it flows, and what must hold afterwards."""

    name: str
    title: str
    messages: int
    rate: float
    chats: int
    harm: Callable[[Harness, float], None]  # (harness, scale): runs beside the load
    latency_ms: int = 0  # LINE's delay on message calls for the whole scenario
    min_handled_rate: float | None = None
    needs_postgres: bool = False


@dataclass
class Harness:
    """The running product of one scenario and the levers to hurt it."""

    fleet: Fleet
    redis: RedisServer
    sim: SimulatorClient
    database_url: str
    events: list[str] = field(default_factory=list)
    harm_ended: float = 0.0  # time.time() when the last harm was undone

    def note(self, what: str) -> None:
        """Log a harm as it happens, with the time."""
        self.events.append(f"{time.strftime('%H:%M:%S')} {what}")
        pipeline.log(f"  {what}")

    def kill_worker(self, name: str) -> None:
        """kill -9 a worker; a new one starts at once (the supervisor's part)."""
        old = self.fleet.processes[name]
        # The replacement enters the fleet first: its liveness checks never see a gap.
        self.fleet.processes[name] = old.respawn()
        old.kill()
        self.note(f"kill -9 {name} (pid {old.pid}); restarted")

    def kill_redis(self) -> None:
        assert self.redis.process is not None
        self.redis.process.kill()
        self.redis.process = None
        self.note("kill -9 redis-server")

    def start_redis(self) -> None:
        """A new, empty redis-server on the same port (a restart after a crash)."""
        self.redis.start(die_with_parent=True)
        self.note("redis-server restarted, empty")

    def signal_redis(self, signum: int) -> None:
        assert self.redis.process is not None
        self.redis.process.signal(signum)
        self.note(f"{signal.Signals(signum).name} redis-server")

    def database_connections(self, allowed: bool) -> None:
        """Refuse (and cut) or allow again every connection to the product's database."""
        name = make_url(normalize_url(self.database_url)).database
        admin = make_engine(
            self.database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        try:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allowed!s}'))
                if not allowed:
                    conn.execute(
                        text(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = :n AND pid <> pg_backend_pid()"
                        ),
                        {"n": name},
                    )
        finally:
            admin.dispose()
        self.note("database refuses connections, open ones cut" if not allowed else "database back")

    def line(self, **faults: Any) -> None:
        self.sim.faults(**faults)
        self.note(f"LINE faults {faults}")


# -- the harms ----------------------------------------------------------------------------


def _kills(every: float, times: int) -> Callable[[Harness, float], None]:
    def harm(h: Harness, scale: float) -> None:
        for i in range(times):
            time.sleep(every * scale)
            h.kill_worker(f"worker-{i % WORKERS + 1}")
        h.harm_ended = time.time()

    return harm


def _redis_killed(h: Harness, scale: float) -> None:
    time.sleep(5 * scale)
    h.kill_redis()
    time.sleep(30 * scale)
    h.start_redis()
    h.harm_ended = time.time()


def _redis_stopped(h: Harness, scale: float) -> None:
    time.sleep(5 * scale)
    h.signal_redis(signal.SIGSTOP)
    time.sleep(30 * scale)
    h.signal_redis(signal.SIGCONT)
    h.harm_ended = time.time()


def _database_stopped(h: Harness, scale: float) -> None:
    time.sleep(5 * scale)
    h.database_connections(allowed=False)
    try:
        time.sleep(20 * scale)
    finally:
        h.database_connections(allowed=True)
    h.harm_ended = time.time()


def _line_500s(h: Harness, scale: float) -> None:
    time.sleep(5 * scale)
    h.line(error_rate=0.3, path_prefix=MESSAGE_PATHS, seed=7)
    time.sleep(60 * scale)
    h.line(clear=True)
    h.harm_ended = time.time()


def _line_429(h: Harness, scale: float) -> None:
    time.sleep(5 * scale)
    h.line(status=429, count=round(400 * scale), path_prefix=MESSAGE_PATHS)
    h.harm_ended = time.time()


def _nothing_more(h: Harness, scale: float) -> None:
    h.harm_ended = time.time()


SCENARIOS = (
    Scenario("worker-kills", "kill -9 of a worker six times during 2,000 messages",
             2000, 30, 200, _kills(10, 6)),
    Scenario("slow-line-kills", "kill -9 six times during delivery, LINE at +2 s, 200 messages",
             200, 20, 40, _kills(3, 6), latency_ms=2000),
    Scenario("redis-killed", "Redis killed for 30 s and restarted empty",
             1000, 20, 100, _redis_killed),
    Scenario("redis-stopped", "Redis stopped (SIGSTOP) for 30 s",
             1000, 20, 100, _redis_stopped),
    Scenario("database-stopped", "the database refusing connections for 20 s",
             800, 20, 100, _database_stopped, needs_postgres=True),
    Scenario("line-500s", "LINE answering 30 % of calls with 500 for 60 s",
             1400, 20, 100, _line_500s),
    Scenario("line-429", "LINE answering 400 calls with 429",
             600, 20, 100, _line_429),
    Scenario("line-slow", "LINE answering every call after 1 s, 40 messages a second",
             2400, 40, 400, _nothing_more, latency_ms=1000, min_handled_rate=30),
)  # fmt: skip


# -- the figures --------------------------------------------------------------------------


def _when(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=moment.tzinfo or UTC).timestamp()


def settled(engine: Engine, acked: int) -> bool:
    """Every acknowledged message stored and handled, and no answer still pending."""
    try:
        with engine.connect() as conn:
            handled = conn.scalar(
                select(func.count())
                .select_from(InboxEvent)
                .where(InboxEvent.processed_at.is_not(None))
            )
            pending = conn.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            )
    except SQLAlchemyError:
        return False  # the database is away: not yet
    return bool(handled is not None and handled >= acked and pending == 0)


def delivery_figures(engine: Engine, sim: SimulatorClient, shots: list[Any]) -> dict[str, Any]:
    """What reached the residents, told by the simulator's log of LINE calls and the
    product's tables: lost, twice, out of order, unconfirmed, unknown replies retried."""
    with engine.connect() as conn:
        events = conn.execute(select(InboxEvent.id, InboxEvent.source_key)).all()
        handled_at = conn.scalars(
            select(InboxEvent.processed_at).where(InboxEvent.processed_at.is_not(None))
        ).all()
        rows = conn.execute(
            select(
                OutboxMessage.id, OutboxMessage.to, OutboxMessage.source_event_id,
                OutboxMessage.reply_token, OutboxMessage.retry_key, OutboxMessage.status,
                OutboxMessage.sent_via,
            ).order_by(OutboxMessage.id)
        ).all()  # fmt: skip
    by_token = {row.reply_token: row for row in rows if row.reply_token}
    by_key = {row.retry_key: row for row in rows}
    landed: dict[int, list[float]] = defaultdict(list)
    arrived: dict[str, list[int]] = defaultdict(list)
    replies: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in sim.calls(MESSAGE_PATHS):
        token = call["json"].get("replyToken") if call["path"].endswith("/reply") else None
        if token:
            replies[token].append(call)
        if call["status"] != 200:
            continue
        row = by_token.get(token) if token else None
        if row is None:
            row = by_key.get(call["headers"].get("X-Line-Retry-Key", ""))
        if row is None:
            continue
        if not landed[row.id]:
            arrived[row.to].append(row.id)
        landed[row.id].append(_when(call["at"]))
    # A reply that landed while its worker died is asked again; LINE's "invalid reply
    # token" then confirms it: how soon after the first call the second came.
    retried = [
        _when(calls[1]["at"]) - _when(calls[0]["at"])
        for calls in replies.values()
        if len(calls) > 1 and calls[0]["status"] == 200
    ]
    answered_events = {row.source_event_id for row in rows if landed[row.id]}
    acked_by_chat: dict[str, int] = defaultdict(int)
    for shot in shots:
        if shot.status == 200:
            acked_by_chat[shot.user_id] += 1
    stored_by_chat: dict[str, int] = defaultdict(int)
    for event in events:
        stored_by_chat[event.source_key] += 1
    return {
        "answers": len(rows),
        "lost_messages": sum(
            max(0, acked - stored_by_chat[chat]) for chat, acked in acked_by_chat.items()
        )
        + sum(1 for event in events if event.id not in answered_events),
        "answered_twice": sum(1 for times in landed.values() if len(times) > 1),
        "chats_out_of_order": sum(1 for ids in arrived.values() if ids != sorted(ids)),
        "unconfirmed": sum(1 for row in rows if row.sent_via == "unconfirmed"),
        "failed": sum(1 for row in rows if row.status == "failed"),
        "unknown_replies_retried": len(retried),
        "unknown_retry_after_s": pipeline.percentiles(retried),
        "last_handled": max((_epoch(moment) for moment in handled_at), default=0.0),
        "last_answer": max((times[0] for times in landed.values() if times), default=0.0),
    }


# -- one scenario -------------------------------------------------------------------------


def plan(scenario: Scenario, residents: list[str], scale: float, rng: random.Random) -> list[Any]:
    """The messages: chats write in turn, so each chat's messages are seconds apart."""
    count = max(len(residents), round(scenario.messages * scale))
    return [
        pipeline.Shot(residents[i % len(residents)], "text", pipeline.random_text(rng))
        for i in range(count)
    ]


def run_scenario(
    scenario: Scenario, args: argparse.Namespace, workdir: Path, rng: random.Random
) -> dict[str, Any]:
    """Start the product, offer the load while harming it, settle, count."""
    database_url = args.database_url or f"sqlite:///{workdir / f'{scenario.name}.db'}"
    pipeline.reset_database(database_url)
    fleet = Fleet(workdir / scenario.name, die_with_parent=True)
    (workdir / scenario.name).mkdir(parents=True, exist_ok=True)
    redis = RedisServer(workdir / scenario.name / "redis").start(die_with_parent=True)
    engine = make_engine(database_url, pool_pre_ping=True)
    harm_done, scenario_over = threading.Event(), threading.Event()
    try:
        web_port = free_port()
        env = pipeline.product_env(
            workdir, database_url, redis.url, f"http://127.0.0.1:{free_port()}", web_port
        )
        env.update(
            SPOOL_DIR=str(workdir / scenario.name / "spool"),
            LINE_BOT_USER_ID=pipeline.DESTINATION,
        )
        # A slow LINE holds a simulator thread per call in flight: enough for every one.
        sim = pipeline.start_simulator(
            fleet, env, f"http://127.0.0.1:{web_port}/callback", threads=128
        )
        web = pipeline.start_web(fleet, env, WEB_WORKERS, WEB_THREADS)
        pipeline.start_workers(fleet, env, WORKERS)
        harness = Harness(fleet, redis, sim, database_url)
        chats = max(4, round(scenario.chats * min(1.0, args.scale)))
        residents = pipeline.create_residents(sim, chats, rng)
        shots = plan(scenario, residents, args.scale, rng)
        if scenario.latency_ms:
            sim.faults(latency_ms=scenario.latency_ms, path_prefix=MESSAGE_PATHS)
        pipeline.log(
            f"{scenario.name}: {len(shots)} messages from {chats} chats at "
            f"{scenario.rate:g}/s — {scenario.title}"
        )
        harm_error: list[BaseException] = []

        def harm() -> None:
            try:
                scenario.harm(harness, args.scale)
            except BaseException as exc:  # reported with the figures
                harm_error.append(exc)
            harm_done.set()
            # Children this thread started get SIGTERM when it ends (PR_SET_PDEATHSIG
            # follows the thread): it lives as long as they do.
            scenario_over.wait()

        began = time.time()
        harmer = threading.Thread(target=harm, name="harm", daemon=True)
        first, last = pipeline.fire(
            sim, f"{web}/callback", shots, scenario.rate, 32, 1.0, fleet, harmer.start
        )
        harm_done.wait()
        acked = sum(1 for shot in shots if shot.status == 200)
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while not settled(engine, acked) and time.monotonic() < deadline:
            fleet.check_alive()
            time.sleep(0.5)
        done = time.time()
        recovered = settled(engine, acked)
        time.sleep(3.0)  # a wrong second answer has the time to show up
        figures = delivery_figures(engine, sim, shots)
    finally:
        engine.dispose()
        fleet.stop_all()
        scenario_over.set()
        if redis.process:
            redis.process.signal(signal.SIGCONT)
        redis.stop()
    acks = [shot.ack_ms for shot in shots if shot.ack_ms is not None]
    handled_span = max(figures.pop("last_handled") - first, 1e-9)
    figures.pop("last_answer")
    result = {
        "scenario": scenario.name,
        "title": scenario.title,
        "messages": len(shots),
        "chats": chats,
        "offered_rate": round(len(shots) / max(last - first, 1e-9), 1),
        "acknowledged": acked,
        # Sent and not answered 200 (the product's), apart from messages the load
        # generator could not send (no reply token from the simulator: the harness's).
        "webhook_errors": sum(1 for shot in shots if shot.token and shot.status != 200),
        "webhook_error_kinds": dict(
            Counter(
                shot.error or str(shot.status)
                for shot in shots
                if shot.token and shot.status != 200
            )
        ),
        "not_sent": sum(1 for shot in shots if not shot.token),
        "ack_ms": pipeline.percentiles(acks),
        "handled_rate": round(len(shots) / handled_span, 1),
        "settled": recovered,
        "settled_after_harm_s": round(done - (harness.harm_ended or began), 1),
        "settled_after_last_message_s": round(done - last, 1),
        "total_s": round(done - began, 1),
        "harm": harness.events,
        "harm_error": repr(harm_error[0]) if harm_error else None,
        **figures,
    }
    result["failures"] = verdict(scenario, result)
    return result


def verdict(scenario: Scenario, result: dict[str, Any]) -> list[str]:
    """What did not hold, in words; empty when the scenario passed."""
    failures = []
    if result["harm_error"]:
        failures.append(f"the harm could not be done: {result['harm_error']}")
    if not result["settled"]:
        failures.append(f"not settled within {SETTLE_TIMEOUT_S:g} s of the last message")
    for key in ("webhook_errors", "lost_messages", "answered_twice", "chats_out_of_order"):
        if result[key]:
            failures.append(f"{key.replace('_', ' ')}: {result[key]}")
    p99 = result["ack_ms"]["p99"]
    if p99 is None or p99 >= TARGET_ACK_P99_MS:
        failures.append(f"webhook p99 {p99} ms ≥ {TARGET_ACK_P99_MS:g} ms")
    if scenario.min_handled_rate and result["offered_rate"] < scenario.min_handled_rate:
        failures.append(
            f"the load generator offered only {result['offered_rate']}/s (machine too busy)"
        )
    elif scenario.min_handled_rate and result["handled_rate"] < scenario.min_handled_rate:
        failures.append(f"handled {result['handled_rate']}/s < {scenario.min_handled_rate:g}/s")
    return failures


def render(result: dict[str, Any]) -> str:
    """One scenario's figures, as printed."""
    ack = result["ack_ms"]
    retry = result["unknown_retry_after_s"]
    verdict_line = "PASS" if not result["failures"] else "FAIL: " + "; ".join(result["failures"])
    return "\n".join(
        [
            f"== {result['scenario']}: {result['title']}",
            f"   {result['messages']} messages from {result['chats']} chats, offered "
            f"{result['offered_rate']}/s; acknowledged {result['acknowledged']}, "
            f"webhook errors {result['webhook_errors']} {result['webhook_error_kinds'] or ''}"
            f"(not sent by the load generator: {result['not_sent']})",
            f"   webhook ms p50 {ack['p50']} p99 {ack['p99']} max {ack['max']}; "
            f"handled {result['handled_rate']}/s",
            f"   lost {result['lost_messages']}, answered twice {result['answered_twice']}, "
            f"chats out of order {result['chats_out_of_order']}; answers {result['answers']} "
            f"(unconfirmed {result['unconfirmed']}, failed {result['failed']})",
            f"   unknown replies retried {result['unknown_replies_retried']} "
            f"(after s: p50 {retry['p50']} max {retry['max']}); settled "
            f"{result['settled_after_harm_s']} s after the harm ended "
            f"({result['settled_after_last_message_s']} s after the last message), "
            f"{result['total_s']} s in all",
            f"   {verdict_line}",
        ]
    )


# -- the command --------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", help="PostgreSQL database to DROP and use")
    parser.add_argument(
        "--only", help="comma-separated scenario names: " + ", ".join(s.name for s in SCENARIOS)
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="shrink messages and outages (CI: 0.25)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args(argv)


def chosen(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios asked for (all by default); an unknown name is an error."""
    if not args.only:
        return list(SCENARIOS)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    known = {scenario.name: scenario for scenario in SCENARIOS}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}")
    return [known[name] for name in names]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scenarios = chosen(args)
    postgres = bool(args.database_url and args.database_url.startswith("postgres"))
    rng = random.Random(args.seed)
    results = []
    with tempfile.TemporaryDirectory(prefix="lianping-faults-") as tmp:
        for scenario in scenarios:
            if scenario.needs_postgres and not postgres:
                pipeline.log(f"{scenario.name}: not run — it needs --database-url (PostgreSQL)")
                continue
            try:
                result = run_scenario(scenario, args, Path(tmp), rng)
            except (ProcessFailed, pipeline.SetupError) as exc:
                pipeline.log(f"{scenario.name}: could not run: {exc}")
                return 2
            results.append(result)
            print(render(result), flush=True)
    failed = [result["scenario"] for result in results if result["failures"]]
    print(
        f"\n{len(results) - len(failed)} of {len(results)} scenarios passed"
        + (f"; failed: {', '.join(failed)}" if failed else ""),
        flush=True,
    )
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
