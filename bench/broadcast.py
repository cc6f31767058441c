"""Benchmark a 反貪倡廉 broadcast to 100,000 followers by multicast, through the real job path.

Run from the repository root::

    .venv/bin/python bench/broadcast.py                          # SQLite, 100,000 followers
    .venv/bin/python bench/broadcast.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench_broadcast     # PostgreSQL: tables are DROPPED
    .venv/bin/python bench/broadcast.py --help                   # every knob

What runs (separate processes over loopback, as in production)
-------------------------------------------------------------
* a private ``redis-server``;
* a freshly migrated database (a new SQLite file, or ``--database-url`` whose lianping
  tables are DROPPED and re-created: give it a database of its own);
* the LINE platform simulator (``lianping-dev simulator``) in its own process, with no
  injected latency or faults;
* ``--workers`` RQ worker processes (``lianping worker``). No web process: this
  process creates the broadcast with the same service calls the admin and API use.

What is measured
----------------
``--followers`` following residents of one district are seeded in the database and
in the simulator. A draft to that district is saved and sent (``services.broadcasts``),
then the start job is queued: from that moment until the broadcast is ``sent`` is the
**wall time** (freezing the audience into chunks, then every multicast). Afterwards:
the number of chunks (exactly ``followers / 500``), the simulator's per-recipient
count of multicasts received (each id exactly once, no other id), and the **peak
RSS** (``VmHWM``) of every process: simulator, each worker, redis and this process.

Pass when: all chunks sent in < 15 s wall, every process peaked < 250 MB, exactly
``ceil(followers / 500)`` chunks, each follower received it exactly once. The summary
is printed and written as JSON to ``bench/results/``. Exit status: 0 pass, 1 fail,
2 could not run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import secrets
import sys
import time
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import func, insert, select

from lianping import queues
from lianping.line.client import LineClient
from lianping.services import broadcasts
from lianping.services.access import SYSTEM
from lianping.storage.db import make_engine, make_session_factory
from lianping.storage.models import Broadcast, BroadcastChunk, Resident
from lianping_dev.processes import Fleet
from lianping_dev.redis_server import free_port
from lianping_dev.simulator.client import SimulatorClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from webhook_pipeline import (  # the sibling benchmark's process handling
    TOKEN,
    CpuMeter,
    PgBackends,
    SetupError,
    database_info,
    log,
    machine,
    percentiles,
    product_env,
    product_info,
    reset_database,
    run_benchmark,
    start_redis,
    start_simulator,
    start_workers,
)

DISTRICT = "中正區"
CHUNK = 500
TARGET_WALL_S = 15.0
TARGET_PEAK_MB = 250.0
SEED_BATCH = 10_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--followers", type=int, default=100_000, help="following residents")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument(
        "--database-url",
        help="benchmark this database instead of a fresh SQLite file; "
        "ITS LIANPING TABLES ARE DROPPED AND RE-CREATED",
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="max seconds to wait")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    if args.followers < 1 or args.workers < 1:
        parser.error("followers and workers must be positive")
    return args


def start_system(
    args: argparse.Namespace, workdir: Path, database_url: str, redis_url: str, fleet: Fleet
) -> SimulatorClient:
    """Start the simulator (sending webhooks nowhere) and the workers; a client of the former."""
    sim_url = f"http://127.0.0.1:{free_port()}"
    env = product_env(workdir, database_url, redis_url, sim_url, free_port())
    sim = start_simulator(fleet, env, "http://127.0.0.1:9/")
    start_workers(fleet, env, args.workers)
    return sim


def seed(database_url: str, sim: SimulatorClient, count: int) -> list[str]:
    """``count`` following residents of DISTRICT, in the database and in the simulator."""
    ids = ["U" + secrets.token_hex(16) for _ in range(count)]
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            for start in range(0, count, SEED_BATCH):
                rows = [
                    {"line_user_id": uid, "district": DISTRICT, "village": "文北里"}
                    for uid in ids[start : start + SEED_BATCH]
                ]
                conn.execute(insert(Resident), rows)
    finally:
        engine.dispose()
    for start in range(0, count, SEED_BATCH):
        sim.add_followers(ids[start : start + SEED_BATCH])
    return ids


def peak_rss_mb(pgid: int) -> dict[int, float]:
    """Peak resident set (VmHWM, MB) of every live process in a process group."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    found[int(entry.name)] = int(line.split()[1]) / 1024
        except (OSError, ValueError, ProcessLookupError):
            continue
    return found


def run(args: argparse.Namespace, workdir: Path, fleet: Fleet) -> dict[str, Any]:
    """Start everything, seed, send one broadcast, wait for it, check and measure."""
    host = machine()
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    reset_database(database_url)
    db = database_info(database_url)
    log(f"database {db['kind']} {db['version']}: {db['url']}")
    redis_url = start_redis(fleet, workdir)
    sim = start_system(args, workdir, database_url, redis_url, fleet)
    log(f"up: simulator {sim.url}, {args.workers} workers, redis {redis_url}")

    began = time.monotonic()
    ids = seed(database_url, sim, args.followers)
    log(f"seeded {len(ids):,} followers in {time.monotonic() - began:.1f} s")

    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    line = LineClient(TOKEN, api_base=sim.url, data_base=sim.url)
    audience = {"kind": "area", "district": DISTRICT, "villages": []}
    text = "【廉政宣導】檢舉貪瀆請撥法務部廉政署檢舉專線 0800-286-586，檢舉人身分依法保密。"
    with sessions.begin() as session:
        broadcast_id = broadcasts.save_draft(
            session, SYSTEM, broadcast_id=None, title="十萬人宣導",
            messages=[{"type": "text", "text": text}], audience=audience,
        ).id  # fmt: skip
        broadcasts.send(
            session, SYSTEM, broadcast_id, quota=broadcasts.read_quota(line),
            public_base_url="https://lianping.invalid",
        )  # fmt: skip

    groups = {name: process.pid for name, process in fleet.processes.items()}
    # PostgreSQL: the backends of the bench database (this benchmark's polling session too).
    backends = PgBackends(database_url) if db["kind"] == "postgresql" else None
    meter = CpuMeter(groups, backends)
    redis = Redis.from_url(redis_url)
    meter.start()
    started, started_wall = time.monotonic(), time.time()
    queues.enqueue(redis, queues.DEFAULT, "lianping.jobs.broadcasts.start", broadcast_id)
    frozen_at = None
    deadline = started + args.timeout
    while True:
        fleet.check_alive()
        with sessions() as session:
            state = session.get_one(Broadcast, broadcast_id)
            if frozen_at is None and state.chunks_total:
                frozen_at = time.monotonic() - started
            if state.status != "sending":
                break
        if time.monotonic() > deadline:
            raise SetupError(f"broadcast not finished within {args.timeout:.0f} s")
        time.sleep(0.05)
    wall = time.monotonic() - started
    meter.stop()
    if backends:
        backends.close()
    log(f"broadcast {state.status} in {wall:.2f} s (audience frozen after {frozen_at or 0:.2f} s)")

    with sessions() as session:
        chunk_rows = session.execute(
            select(BroadcastChunk.status, func.count())
            .where(BroadcastChunk.broadcast_id == broadcast_id)
            .group_by(BroadcastChunk.status)
        ).all()
        sent_times = session.scalars(
            select(BroadcastChunk.sent_at).where(
                BroadcastChunk.broadcast_id == broadcast_id, BroadcastChunk.sent_at.is_not(None)
            )
        ).all()
    # When each chunk was recorded sent, in seconds after the start job was queued.
    chunk_done = percentiles([moment.timestamp() - started_wall for moment in sent_times])
    engine.dispose()
    chunks = {status: count for status, count in chunk_rows}
    got = sim.receipts("multicast")
    receipts: dict[str, int] = got["receipts"]
    expected = set(ids)
    once = all(receipts.get(uid) == 1 for uid in ids) and set(receipts) == expected
    calls = sim.stats()["calls_by_status"]

    peaks: dict[str, float] = {}
    for name, process in fleet.processes.items():
        found = peak_rss_mb(process.pid)
        peaks[name] = round(max(found.values()), 1) if found else 0.0
    peaks["benchmark (this process)"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
    )
    want_chunks = math.ceil(args.followers / CHUNK)
    total_chunks = sum(chunks.values())
    checks = {
        "wall_under_15s": wall < TARGET_WALL_S,
        "peak_rss_under_250mb": all(mb < TARGET_PEAK_MB for mb in peaks.values()),
        "exact_chunk_count": total_chunks == want_chunks and chunks.get("sent") == want_chunks,
        "each_id_exactly_once": once,
        "status_sent": state.status == "sent",
    }
    return {
        "benchmark": "broadcast",
        "passed": all(checks.values()),
        "checks": checks,
        "config": {"followers": args.followers, "workers": args.workers},
        "machine": host,
        "product": product_info(),
        "database": db,
        "wall_s": round(wall, 3),
        "frozen_after_s": round(frozen_at or 0.0, 3),
        "chunk_sent_after_s": chunk_done,
        "chunks_per_s": round(len(sent_times) / wall, 1) if wall else None,
        "ratios_to_target": {
            "wall": round(wall / TARGET_WALL_S, 3),
            "peak_rss": round(max(peaks.values()) / TARGET_PEAK_MB, 3),
        },
        "chunks": {"expected": want_chunks, "by_status": chunks},
        "recipients": {
            "followers": len(ids),
            "received": len(receipts),
            "histogram": got["histogram"],
        },
        "simulator_calls_by_status": calls,
        "peak_rss_mb": peaks,
        "cpu_s": {name: round(seconds, 2) for name, seconds in meter.used.items()},
        "machine_busy": round(meter.machine_busy, 3),
        "other_processes_cpu_s": {name: round(sec, 2) for name, sec in meter.others.items()},
    }


def render(result: dict[str, Any]) -> str:
    """The human summary."""
    checks, mark = result["checks"], lambda ok: "PASS" if ok else "FAIL"
    host = result["machine"]
    lines = [
        f"broadcast benchmark — {result['config']['followers']:,} followers, "
        f"{result['config']['workers']} workers, {result['database']['kind']} "
        f"{result['database']['version']}",
        f"machine: {host['cores']} cores ({host['cpu_model']}), {host['ram_gib']} GiB, "
        f"Python {host['python']}",
        f"wall time, start job queued → sent: {result['wall_s']:.2f} s "
        f"(audience frozen into chunks after {result['frozen_after_s']:.2f} s; "
        f"target < {TARGET_WALL_S:.0f} s) {mark(checks['wall_under_15s'])}",
        f"each chunk sent after: p50 {result['chunk_sent_after_s']['p50']} s, "
        f"p95 {result['chunk_sent_after_s']['p95']} s, max {result['chunk_sent_after_s']['max']} s"
        f" ({result['chunks_per_s']} chunks/s); ratio to target: wall "
        f"{result['ratios_to_target']['wall']}, peak RSS {result['ratios_to_target']['peak_rss']}",
        f"chunks: {result['chunks']['by_status']} (expected {result['chunks']['expected']}) "
        f"{mark(checks['exact_chunk_count'])}",
        f"recipients: {result['recipients']['received']:,} of "
        f"{result['recipients']['followers']:,}, times received → ids "
        f"{result['recipients']['histogram']} {mark(checks['each_id_exactly_once'])}",
        f"LINE calls by status: {result['simulator_calls_by_status']}",
        "peak RSS: "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in result["peak_rss_mb"].items())
        + f" (target < {TARGET_PEAK_MB:.0f} MB) {mark(checks['peak_rss_under_250mb'])}",
        "CPU seconds: " + ", ".join(f"{name} {s:.2f}" for name, s in result["cpu_s"].items()),
        f"machine busy during the run: {result['machine_busy']:.0%}; busiest other processes "
        "(CPU s): " + ", ".join(f"{n} {s:.1f}" for n, s in result["other_processes_cpu_s"].items()),
        f"result: {mark(result['passed'])}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_benchmark(
        "lianping-bench-broadcast-", "broadcast-", args.keep,
        lambda workdir, fleet: run(args, workdir, fleet), render,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
