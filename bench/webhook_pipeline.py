"""Benchmark the whole intake pipeline: LINE webhook → inbox → worker → answer at "LINE".

Run from the repository root::

    .venv/bin/python bench/webhook_pipeline.py                  # SQLite, 200 events/s for 20 s
    .venv/bin/python bench/webhook_pipeline.py --database-url \\
        postgresql://postgres@127.0.0.1:5432/bench              # PostgreSQL: tables are DROPPED
    .venv/bin/python bench/webhook_pipeline.py --rate 100 --compare-sync-bot   # and the SDK bot
    .venv/bin/python bench/webhook_pipeline.py --idle-costs 30  # statements, round trips
    .venv/bin/python bench/webhook_pipeline.py --find-capacity  # 50, 100, 150… until one fails
    .venv/bin/python bench/webhook_pipeline.py --pin 0:1 --find-capacity  # product on core 0
    .venv/bin/python bench/webhook_pipeline.py --help            # every knob

The options combine: one run does, in this order, the idle costs, the load at
``--rate``, the capacity steps, then the synchronous bot.

What runs (production-like: separate processes talking over loopback TCP)
-----------------------------------------------------------------------
* a private ``redis-server`` (:class:`lianping_dev.redis_server.RedisServer`);
* a freshly migrated database: a new SQLite file in a temporary directory, or the
  database at ``--database-url``, whose lianping tables (and the functions its
  migrations created) are DROPPED and re-created: give it a database of its own;
* the LINE platform simulator (``lianping-dev simulator``), playing api.line.me;
* the web app under gunicorn (``--web-workers`` × ``--web-threads``, as ``embedded.py``);
* ``--workers`` RQ worker processes (``lianping worker``);
* with ``--compare-sync-bot``, afterwards and instead of the web app and workers,
  ``bench/sync_bot.py`` under the same gunicorn command (workers, threads, logging):
  line-bot-sdk v3's own example pattern (``WebhookHandler``, ``reply_message`` inside
  the request, no database, no queue), answering the same simulator.

All of them share this machine's cores with the load generator (unless ``--pin``), so the summary
shows the CPU each used. Every child leads its own process group and is killed
with it when the run ends, fails or is interrupted (Ctrl-C, SIGTERM, SIGHUP);
children also get SIGTERM should this process be killed outright (Linux
``PR_SET_PDEATHSIG``); see :mod:`lianping_dev.processes`.

The load
--------
``rate × duration`` simulated residents are created in the simulator beforehand;
each sends exactly ONE event: mostly Traditional Chinese text messages of
realistic length, some ``menu=help`` postbacks (a quick-reply tap) and some
stickers. For each event a background thread asks the simulator for a reply token
``--token-lead`` seconds before the event is due (LINE issues one per event; the
simulator's tokens live 60 s); these requests load the simulator during the run.
Events are built with :mod:`lianping_dev.simulator.events`, wrapped with
``envelope()`` and signed with ``sign()`` exactly as LINE does, and POSTed to
``/callback`` at a fixed OPEN-LOOP rate: a dispatcher releases event *i* at
``t0 + i/rate`` whatever the server's latency, and a pool of sender threads with
keep-alive connections sends it. A short warm-up (other residents, not counted)
runs first so that lazily opened connections and imports are not measured.

What is measured
----------------
* **ack latency**: the HTTP round trip of ``POST /callback`` (what LINE waits for;
  it gives up after 2 s);
* **end to end**: from the moment the webhook request starts (``time.time()``)
  to the moment the simulator stored the bot's answer (the ``at`` timestamp, in
  milliseconds, of the bot's first entry in the resident's timeline);
* errors (non-200), events **lost** (acknowledged 200, never answered, and nothing
  of it pending in the product: the database tells where it got stuck), events
  **late** (still queued when ``--drain-timeout`` ran out), events **answered
  twice** (more than one reply/push request reached the resident), answers by
  reply token vs by push;
* **CPU per event by component**, from the first send until every answer arrived
  and the queues are empty, read from ``/proc`` per process group: the product is
  web (gunicorn), workers (all RQ workers), Redis and the database. For PostgreSQL
  the database is only the backends serving this run's connections, found by pid
  in ``pg_stat_activity`` of the bench database, polled every 50 ms during the
  window (connections beyond the pool's size come and go; a closed one counts up to
  its last reading, and how many closed is printed); the server's other processes
  (checkpointer, WAL writer, other databases, the poll's own backend) are shown
  apart and not counted, and so is the CPU of every postgres process that exited
  meanwhile (the postmaster's reaped children: the closed backends' full cost, other
  databases' too), an upper bound of what the last readings missed. A group's CPU
  includes its children that exited during the window. With SQLite the database runs inside web and
  workers. The product's total gives the rate its CPU alone could sustain on this
  machine's cores. The **harness** (the simulator and the load generator, this
  process) is printed apart and is never in the product's figure; neither are
  other processes, whose CPU is named when they used more than 10 % of the machine
  (a busy neighbour slows the product down too: rerun on a quiet machine);
* the product's Redis commands per event: the server's ``INFO commandstats`` less
  the benchmark's own commands, which go through a counting proxy
  (:mod:`wire`) for that reason; database and queue state afterwards.

``--compare-sync-bot`` measures the sync bot in the same way (its product is its
gunicorn alone) and prints both CPU figures per event and the ratio lianping / sync
bot.

``--idle-costs N`` first runs the product with small TCP proxies (:mod:`wire`)
between it and PostgreSQL and Redis: ``DATABASE_URL`` and ``REDIS_URL`` name the
proxies, so what is counted is what reached the servers, on the wire. N residents
each send one text (not counted: they become known, their profile is fetched),
then each sends one more, one at a time; a window opens before the webhook call
and closes once the answer arrived, the queues are empty and the product has been
silent for 0.3 s. Per event it prints SQL statements (every Query ``Q`` and Execute
``E`` message) with commits and a count per first word, Redis round trips (a
client write answered; a pipeline is one) and Redis commands by name, both as sent
on the wire and from ``INFO commandstats`` (which also counts the commands Lua
scripts run, e.g. a lock's ``GET``/``DEL`` inside ``EVALSHA``). The idle product
talks too (RQ heartbeats and scheduler, the sweep every 15 s): ``--idle-baseline``
seconds without events measure that rate, subtracted for the windows' time. With
SQLite the statements are n/a (no wire: the database is a library inside the
product); Redis is counted as for PostgreSQL. The proxies run in this process and
only for this phase; the load runs talk to the servers directly.

``--find-capacity`` then offers each rate of ``--capacity-steps`` (25, 50, 75, 100,
150, 200, 300, 400, 600 events/s) for ``--capacity-duration`` seconds each, with a
warm-up and a full drain, on the same running product, until a step fails: the
capacity is the highest offered rate that passed every check below.

``--pin PRODUCT:HARNESS`` (core lists as ``taskset -c`` takes them: ``0:1``, ``0-2:3``)
keeps the product on the first cores and the harness on the others, so that the
harness's CPU (about as much as the product's) cannot cap the product's figures. Web,
workers and the private Redis (and with ``--compare-sync-bot`` the sync bot) are started
on the product's cores, the simulator on the harness's, and this process moves itself
there first; the children's threads and processes inherit it. PostgreSQL's backends are
forked by the server: each backend of the bench database is moved to the product's cores
(all its threads) as the CPU poll above first sees it; the server's other processes stay
where they were. The summary then shows how busy each core set was (the product's
cores saturated, the harness's not, is the intended picture), what the product alone
could sustain per core, and the capacity per product core.

Pass when: ack p99 < 50 ms, end-to-end p95 < 1 s, none lost, none late, none
answered twice, no webhook error, and the generator really offered ≥ 95 % of the
rate (of the run at ``--rate``; capacity steps and the sync bot are reported, not
judged). The summary is printed and written as JSON to ``bench/results/``
(git-ignored). To benchmark another tree (a frozen snapshot, or a proposed change),
put it first on ``PYTHONPATH``: the children inherit the environment and run from a
temporary directory. Exit status: 0 pass, 1 fail, 2 could not run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import queue
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import wire
from redis import Redis
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

import lianping
from lianping import queues
from lianping.storage.db import make_engine, normalize_url
from lianping.storage.migrate import upgrade
from lianping.storage.models import Base, InboxEvent, OutboxMessage
from lianping_dev import commands
from lianping_dev.processes import Fleet, ProcessFailed, parse_cores, pin, url_answers
from lianping_dev.redis_server import RedisServer, free_port
from lianping_dev.simulator import events
from lianping_dev.simulator.client import SimulatorClient

RESULTS_DIR = Path(__file__).resolve().parent / "results"
SECRET = "bench-channel-secret"
TOKEN = "bench-access-token"
DESTINATION = "Udeadbeefdeadbeefdeadbeefdeadbeef"  # the simulator's default bot user id
LINE_WEBHOOK_TIMEOUT_S = 2.0  # LINE counts a slower answer as a failed delivery

TARGET_ACK_P99_MS = 50.0
TARGET_E2E_P95_MS = 1000.0
MIN_OFFERED_SHARE = 0.95

# What residents write: sentences of a 村里廉政平臺 chat, combined into messages of
# realistic length (a few words up to a paragraph).
SENTENCES = (
    "您好，我們里民活動中心旁邊的路燈已經壞了兩個多禮拜，晚上經過那段路很暗。",
    "長輩晚上出門散步都很危險，請問可以幫忙反映給區公所嗎？",
    "請問河川疏濬工程什麼時候會開始？上次颱風來的時候我們這邊淹水淹到膝蓋。",
    "希望今年汛期前可以把排水溝清一清，不然一下大雨又要淹了。",
    "里鄰經費的使用情形要去哪裡查詢？我想知道今年里辦公處的補助款用在哪些地方。",
    "我家門口的人行道磚塊鬆動好幾個月了，已經有老人家絆倒受傷。",
    "打電話去市府說會派人來看，但到現在都沒有下文。",
    "申請低收入戶補助等了一個多月還沒有結果，承辦人員也一直聯絡不上。",
    "建議公車站牌旁邊加裝遮雨棚，下雨天等車的學生和長輩都淋濕了。",
    "地方工程好像都是同一家廠商在做，而且常常延期，是不是有什麼問題？",
    "社區附近公園的遊樂設施生鏽很嚴重，小朋友玩很危險，麻煩協助反映。",
    "想請問村里廉政平臺座談會下一場是什麼時候、在哪裡舉辦？",
    "垃圾車的時間最近改了都沒有公告，很多住戶都錯過倒垃圾的時間。",
    "颱風後的道路搶修到現在還沒完成，搶災搶險的經費到底用到哪裡去了？",
    "工廠的回饋金每年都有發，可是不知道是怎麼分配的，可以公開嗎？",
    "謝謝你們上次幫忙處理水溝的問題，現在已經不會臭了。",
)
SHORT_TEXTS = ("路燈壞了", "你好", "請問怎麼反映問題？", "謝謝", "我要檢舉", "水溝堵住了")
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = ("淑芬", "志明", "美玲", "建宏", "雅婷", "俊傑", "秀英", "家豪", "怡君", "文雄")

CONFIG_KEYS = (
    "rate", "duration", "warmup", "workers", "worker_nice", "web_workers", "web_threads", "senders",
    "token_lead", "drain_timeout", "settle", "seed", "compare_sync_bot", "idle_costs",
    "idle_baseline", "find_capacity", "capacity_steps", "capacity_duration", "rounds",
)  # fmt: skip

# Component names of the CPU figures besides the fleet's process groups; the harness's
# components are reported apart and never in the product's figure.
DATABASE = "database"
LOAD_GENERATOR = "load generator"
HARNESS = frozenset({"simulator", LOAD_GENERATOR})
COMPONENT_ORDER = {"web": 0, "workers": 1, "Redis": 2, DATABASE: 3, "simulator": 4}

# The event mix: mostly text, some quick-reply taps and stickers.
KIND_WEIGHTS = {"text": 80, "postback": 12, "sticker": 8}


class Interrupted(BaseException):
    """A stop signal arrived; BaseException so no ``except Exception`` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class SetupError(RuntimeError):
    """The system under test could not be started."""


@dataclass(frozen=True)
class Pinning:
    """``--pin``: the cores of the product (web, workers, Redis, the run's PostgreSQL
    backends; the sync bot) and those of the harness (simulator, load generator)."""

    product: frozenset[int]
    harness: frozenset[int]

    def __str__(self) -> str:
        return f"{_cores(self.product)}:{_cores(self.harness)}"


def _cores(cores: frozenset[int]) -> str:
    return ",".join(str(core) for core in sorted(cores))


def parse_pin(value: str) -> Pinning:
    """``PRODUCT:HARNESS`` core lists (``0:1``, ``0-2:3``), disjoint and usable here."""
    product, colon, harness = value.partition(":")
    if not colon:
        raise argparse.ArgumentTypeError("write PRODUCT:HARNESS cores, e.g. 0:1 or 0-2:3")
    try:
        pinning = Pinning(parse_cores(product), parse_cores(harness))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if pinning.product & pinning.harness:
        raise argparse.ArgumentTypeError("the product and the harness must not share cores")
    unusable = (pinning.product | pinning.harness) - os.sched_getaffinity(0)
    if unusable:
        raise argparse.ArgumentTypeError(f"not usable here: cores {_cores(frozenset(unusable))}")
    return pinning


# -- CPU accounting ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcCpu:
    """One live process as seen in ``/proc``: its group, command name and CPU seconds, its
    own and those of its children that exited (and were waited for) so far."""

    pgid: int
    comm: str
    seconds: float
    reaped: float

    @property
    def total(self) -> float:
        """Its own CPU seconds and its exited children's: a child that comes and goes
        during the window (a forked helper, a restarted worker) still counts."""
        return self.seconds + self.reaped


def _processes() -> dict[int, ProcCpu]:
    """Every live process with its CPU seconds so far (user + system, all threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            raw = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / ticks
        reaped = (int(fields[13]) + int(fields[14])) / ticks
        found[int(entry)] = ProcCpu(int(fields[2]), comm, seconds, reaped)
    return found


def _machine_ticks() -> tuple[int, int, int]:
    """(busy, steal, total) jiffies of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    steal = values[7] if len(values) > 7 else 0
    total = sum(values[:8])
    return total - idle - steal, steal, total


def _core_ticks() -> dict[int, tuple[int, int]]:
    """(busy, total) jiffies of each core since boot, from /proc/stat (steal is not busy)."""
    found = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *raw = line.split()
        if not name.startswith("cpu") or name == "cpu":
            continue
        values = [int(v) for v in raw]
        total = sum(values[:8])
        idle = values[3] + values[4] + (values[7] if len(values) > 7 else 0)
        found[int(name.removeprefix("cpu"))] = (total - idle, total)
    return found


def _cpu_seconds(pid: int) -> float | None:
    """CPU seconds of ``pid`` so far (user + system, all threads), None once it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PgBackends:
    """The pids of the PostgreSQL backends connected to the run's database, other than
    this reader's own (``pg_stat_activity``; the database is the run's alone)."""

    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url, pool_size=1, max_overflow=0)
        # Autocommit: in a transaction, pg_stat_activity would show the first snapshot.
        self.conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def pids(self) -> set[int]:
        """The backends connected now."""
        return set(
            self.conn.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        )

    def close(self) -> None:
        """Close the reader's connection."""
        self.conn.close()
        self.engine.dispose()


BACKEND_POLL_S = 0.05  # backends come and go (pool overflow): a dead one keeps its last reading


@dataclass
class CpuMeter:
    """CPU seconds per process group, and of the database's backends, between
    :meth:`start` and :meth:`stop`.

    Each child leads its own process group; this process (the load generator) is read
    from ``getrusage``. For PostgreSQL, ``backends`` gives the pids of the server
    processes serving this run's connections; a thread asks for them every
    ``BACKEND_POLL_S`` during the window and reads each one's CPU from ``/proc``, so a
    backend that came and went (a connection beyond the pool's size, closed after use)
    counts up to its last reading. Every other ``postgres`` process (checkpointer, WAL
    writer, autovacuum, the reader's own backend, other databases') is reported apart
    and left out. CPU of other processes is reported too: the machine is shared, and a
    busy neighbour makes every figure worse.

    With ``pinning`` each backend is moved to the product's cores when first seen (the
    postmaster forks them wherever it runs), and the busy share of each core set is read.
    """

    groups: dict[str, int]  # process name in the fleet → process group id
    backends: PgBackends | None = None
    pinning: Pinning | None = None
    used: dict[str, float] = field(default_factory=dict)  # process name → CPU seconds
    backend_count: int = 0  # backends seen during the window
    backends_closed: int = 0  # of which gone before its end
    postgres_others: float = 0.0  # CPU seconds of postgres processes not serving this run
    postgres_reaped: float = 0.0  # CPU seconds of postgres processes that exited meanwhile
    others: dict[str, float] = field(default_factory=dict)  # command name → CPU seconds
    wall: float = 0.0
    machine_busy: float = 0.0  # share of all cores busy, whoever used them
    machine_steal: float = 0.0  # share taken by the hypervisor
    cores_busy: dict[str, float] = field(default_factory=dict)  # "product"/"harness" → share
    backends_unpinned: int = 0  # backends that could not be moved to the product's cores
    _procs: dict[int, ProcCpu] = field(default_factory=dict)
    _backend_seen: dict[int, float] = field(default_factory=dict)  # pid → last CPU reading
    _pinned: set[int] = field(default_factory=set)  # backends moved (or tried) already
    _watching: threading.Event = field(default_factory=threading.Event)
    _watcher: threading.Thread | None = None
    _self: float = 0.0
    _ticks: tuple[int, int, int] = (0, 0, 0)
    _core_ticks: dict[int, tuple[int, int]] = field(default_factory=dict)

    def _name(self, proc: ProcCpu) -> str | None:
        for name, pgid in self.groups.items():
            if proc.pgid == pgid:
                return name
        return None

    @staticmethod
    def _own_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def _read_backends(self) -> None:
        assert self.backends is not None
        connected = self.backends.pids()
        if self.pinning:
            self._pin_backends(connected - self._pinned)
        for pid in connected | set(self._backend_seen):
            seconds = _cpu_seconds(pid)
            if seconds is not None:
                self._backend_seen[pid] = seconds

    def _pin_backends(self, pids: set[int]) -> None:
        assert self.pinning is not None
        for pid in pids:
            self._pinned.add(pid)
            try:
                pin(pid, self.pinning.product)
            except ProcessLookupError:
                pass  # closed meanwhile
            except PermissionError:
                self.backends_unpinned += 1  # not root, nor the postgres user

    def _watch(self) -> None:
        while not self._watching.wait(BACKEND_POLL_S):
            self._read_backends()

    def start(self) -> None:
        """Open the window: read every process's CPU so far."""
        self._procs = _processes()
        self._self = self._own_cpu()
        self._ticks = _machine_ticks()
        self._core_ticks = _core_ticks()
        self.wall = time.monotonic()
        if self.backends:
            self._read_backends()
            self._watcher = threading.Thread(target=self._watch, name="backends", daemon=True)
            self._watcher.start()

    def stop(self) -> None:
        """Close the window: CPU used since :meth:`start`, per process and elsewhere."""
        ended = _processes()
        self.wall = time.monotonic() - self.wall
        used: dict[str, float] = dict.fromkeys(self.groups, 0.0)
        if self.backends and self._watcher:
            self._watching.set()
            self._watcher.join()
            self._read_backends()
            before = {pid: p.seconds for pid, p in self._procs.items() if pid in self._backend_seen}
            used[DATABASE] = sum(s - before.get(pid, 0.0) for pid, s in self._backend_seen.items())
            self.backend_count = len(self._backend_seen)
            self.backends_closed = len(set(self._backend_seen) - set(ended))
        others: dict[str, float] = {}
        for pid, proc in ended.items():
            before_proc = self._procs.get(pid)
            delta = proc.total - (before_proc.total if before_proc else 0.0)
            if pid == os.getpid() or pid in self._backend_seen or delta <= 0:
                continue
            name = self._name(proc)
            if name:
                used[name] = used.get(name, 0.0) + delta
                continue
            # Outside the run, a process's own CPU only: a shell reaping a neighbour's
            # test run would otherwise show minutes spent before the window.
            own = proc.seconds - (before_proc.seconds if before_proc else 0.0)
            if proc.comm == "postgres":
                # The postmaster reaps every backend: what exited is kept apart, as an
                # upper bound for this run's closed backends (other databases' in it too).
                self.postgres_others += own
                self.postgres_reaped += delta - own
            elif own > 0:
                others[proc.comm] = others.get(proc.comm, 0.0) + own
        used[LOAD_GENERATOR] = self._own_cpu() - self._self
        self.used = used
        self.others = dict(sorted(others.items(), key=lambda kv: -kv[1])[:5])
        busy, steal, total = (b - a for a, b in zip(self._ticks, _machine_ticks(), strict=True))
        self.machine_busy = busy / total if total else 0.0
        self.machine_steal = steal / total if total else 0.0
        if self.pinning:
            ended_ticks = _core_ticks()
            for name, cores in (
                ("product", self.pinning.product),
                ("harness", self.pinning.harness),
            ):
                busy, total = (
                    sum(ended_ticks[c][i] - self._core_ticks[c][i] for c in cores) for i in (0, 1)
                )
                self.cores_busy[name] = busy / total if total else 0.0


def component(name: str) -> str:
    """The component a process of the run belongs to (``worker-2`` → ``workers``)."""
    if name.startswith("worker-"):
        return "workers"
    return {"redis": "Redis"}.get(name, name)


# -- the load ------------------------------------------------------------------------------


@dataclass
class Shot:
    """One resident's one event, and everything measured about it."""

    user_id: str
    kind: str
    detail: str  # the text, the postback data or the sticker id
    scheduled: float = 0.0  # monotonic time the event was due
    token: str | None = None
    token_ready: threading.Event = field(default_factory=threading.Event)
    token_late: bool = False  # the sender had to wait for the reply token
    sent_at: float = 0.0  # time.time() when the webhook request started
    lag_ms: float = 0.0  # how late the request started against the schedule
    ack_ms: float | None = None
    status: int = 0  # 0: no HTTP answer
    error: str | None = None
    # Filled after the run from the simulator's timeline:
    answers: int = 0  # distinct reply/push requests that reached the resident
    answered_at: float | None = None  # epoch seconds of the first answer
    answered_via: str | None = None


def random_text(rng: random.Random) -> str:
    """A resident's message of realistic length: a short phrase or one to three sentences."""
    if rng.random() < 0.15:
        return rng.choice(SHORT_TEXTS)
    return "".join(rng.sample(SENTENCES, rng.choice((1, 1, 2, 2, 3))))


def plan_shots(user_ids: list[str], rng: random.Random) -> list[Shot]:
    """Give each resident its one event: kind and content."""
    kinds = list(KIND_WEIGHTS)
    weights = list(KIND_WEIGHTS.values())
    shots = []
    for user_id in user_ids:
        kind = rng.choices(kinds, weights)[0]
        if kind == "text":
            detail = random_text(rng)
        elif kind == "postback":
            detail = "menu=help"
        else:
            detail = str(rng.randint(1988, 2027))  # LINE's free sticker package 446
        shots.append(Shot(user_id, kind, detail))
    return shots


def build_event(shot: Shot) -> dict[str, Any]:
    """The webhook event LINE would send for ``shot``, stamped now."""
    assert shot.token is not None
    if shot.kind == "text":
        return events.text(shot.user_id, shot.token, shot.detail)
    if shot.kind == "postback":
        return events.postback(shot.user_id, shot.token, shot.detail)
    return events.sticker(shot.user_id, shot.token, "446", shot.detail)


def parallel_map(fn: Callable[[Any], Any], items: list[Any], threads: int = 8) -> list[Any]:
    """``map`` over a thread pool that drops the queued work at once on an error or Ctrl-C."""
    pool = ThreadPoolExecutor(threads)
    try:
        return list(pool.map(fn, items))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def create_residents(sim: SimulatorClient, count: int, rng: random.Random) -> list[str]:
    names = [rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(count)]
    return [str(user_id) for user_id in parallel_map(sim.new_resident, names)]


def _token_issuer(
    sim: SimulatorClient,
    shots: list[Shot],
    lead: float,
    stop: threading.Event,
    index: int,
    stride: int,
) -> None:
    """Issue reply tokens ``lead`` seconds before each shot is due (shots index::stride)."""
    for shot in shots[index::stride]:
        delay = shot.scheduled - lead - time.monotonic()
        if delay > 0 and stop.wait(delay):
            return
        if stop.is_set():
            return
        try:
            shot.token = sim.reply_token(shot.user_id)
        except requests.RequestException as exc:
            shot.error = f"reply token: {exc}"
        shot.token_ready.set()


def _sender(url: str, work: queue.Queue[Shot | None], stop: threading.Event) -> None:
    http = requests.Session()
    while True:
        shot = work.get()
        if shot is None or stop.is_set():
            return
        if not shot.token_ready.is_set():
            shot.token_late = True
            if not shot.token_ready.wait(30) or stop.is_set():
                return
        if shot.token is None:
            continue  # no reply token: recorded as an error, nothing sent
        body = events.envelope(DESTINATION, [build_event(shot)])
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Line-Signature": events.sign(SECRET, body),
            "User-Agent": "LineBotWebhook/2.0",
        }
        shot.lag_ms = (time.monotonic() - shot.scheduled) * 1000
        shot.sent_at = time.time()
        started = time.perf_counter()
        try:
            response = http.post(url, data=body, headers=headers, timeout=10)
            shot.status = response.status_code
        except requests.RequestException as exc:
            shot.error = f"{type(exc).__name__}: {exc}"
        shot.ack_ms = (time.perf_counter() - started) * 1000


def fire(
    sim: SimulatorClient,
    webhook_url: str,
    shots: list[Shot],
    rate: float,
    senders: int,
    token_lead: float,
    fleet: Fleet,
    on_start: Callable[[], None] | None = None,
) -> tuple[float, float]:
    """Send every shot at ``rate`` per second, open loop. Returns (first, last) send times.

    ``on_start`` is called when the first event is due (to start measuring CPU).
    """
    stop = threading.Event()
    start = time.monotonic() + token_lead + 1.0
    for i, shot in enumerate(shots):
        shot.scheduled = start + i / rate
    stride = max(1, math.ceil(rate / 150))  # one issuer keeps up with ~150 tokens/s
    issuers = [
        threading.Thread(
            target=_token_issuer,
            args=(sim, shots, token_lead, stop, i, stride),
            name=f"tokens-{i}",
            daemon=True,
        )
        for i in range(stride)
    ]
    work: queue.Queue[Shot | None] = queue.Queue()
    workers = [
        threading.Thread(
            target=_sender, args=(webhook_url, work, stop), name=f"send-{i}", daemon=True
        )
        for i in range(senders)
    ]
    for thread in issuers + workers:
        thread.start()
    try:
        for shot in shots:  # the dispatcher: release each event when it is due
            delay = shot.scheduled - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if on_start and shot is shots[0]:
                on_start()
            work.put(shot)
            if shot is shots[-1] or (shot.scheduled - start) % 1 < 1 / rate:
                fleet.check_alive()  # about once a second
        for _ in workers:
            work.put(None)
        for thread in workers:
            thread.join(timeout=60)
    finally:
        stop.set()
        for shot in shots:  # release senders blocked on a token
            shot.token_ready.set()
    sent = [shot.sent_at for shot in shots if shot.sent_at]
    return (min(sent), max(sent)) if sent else (0.0, 0.0)


def wait_for_answers(
    sim: SimulatorClient, shots: list[Shot], timeout: float, fleet: Fleet
) -> tuple[float, int]:
    """Poll until every acknowledged event has an answer. Returns (seconds waited, missing)."""
    expected = {shot.user_id for shot in shots if shot.status == 200}
    began = time.monotonic()
    missing = len(expected)
    while time.monotonic() - began < timeout:
        fleet.check_alive()
        delivered = sim.stats()["deliveries"]
        missing = sum(1 for user_id in expected if not delivered.get(user_id))
        if not missing:
            break
        # The end-to-end figures come from the simulator's timestamps, not from this
        # poll, so it can be slow and light (the stats list every resident).
        time.sleep(1.0)
    return time.monotonic() - began, missing


def collect_answers(sim: SimulatorClient, shots: list[Shot], threads: int = 8) -> None:
    """Read each resident's timeline: how many answers, when the first arrived, how."""

    def read(shot: Shot) -> None:
        bot = [item for item in sim.timeline(shot.user_id) if item["from"] == "bot"]
        # One reply or push request may carry up to 5 message objects: count requests.
        shot.answers = len({item["request_id"] for item in bot})
        if bot:
            first = min(bot, key=lambda item: item["seq"])
            shot.answered_at = datetime.fromisoformat(first["at"]).timestamp()
            shot.answered_via = first["via"]

    parallel_map(read, shots, threads)


# -- figures -------------------------------------------------------------------------------


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    """Nearest-rank percentiles (no interpolation) plus count, mean and max."""
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None, "mean": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {
        "n": len(ordered),
        "p50": round(rank(50), 2),
        "p95": round(rank(95), 2),
        "p99": round(rank(99), 2),
        "max": round(ordered[-1], 2),
        "mean": round(sum(ordered) / len(ordered), 2),
    }


def timeseries(shots: list[Shot], first_send: float, bucket: float) -> list[dict[str, Any]]:
    """End-to-end p50/p95 and ack p99 per ``bucket`` seconds of send time: shows backlogs."""
    buckets: dict[int, list[Shot]] = {}
    for shot in shots:
        if shot.sent_at:
            buckets.setdefault(int((shot.sent_at - first_send) // bucket), []).append(shot)
    rows = []
    for index in sorted(buckets):
        group = buckets[index]
        e2e = percentiles(
            [(s.answered_at - s.sent_at) * 1000 for s in group if s.answered_at is not None]
        )
        ack = percentiles([s.ack_ms for s in group if s.ack_ms is not None])
        rows.append(
            {
                "from_s": round(index * bucket, 1),
                "sent": len(group),
                "ack_p99_ms": ack["p99"],
                "e2e_p50_ms": e2e["p50"],
                "e2e_p95_ms": e2e["p95"],
            }
        )
    return rows


def machine() -> dict[str, Any]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "cores": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": mem_gib,
        "cpu_model": cpu_model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_before": list(os.getloadavg()),
        "busy_before": _busy_share(1.0),
    }


def _busy_share(seconds: float) -> float:
    """How busy the whole machine is right now (sampled over ``seconds``)."""
    busy0, _, total0 = _machine_ticks()
    time.sleep(seconds)
    busy1, _, total1 = _machine_ticks()
    return round((busy1 - busy0) / (total1 - total0), 3) if total1 > total0 else 0.0


def product_info() -> dict[str, Any]:
    """Which lianping tree ran (PYTHONPATH can point at another checkout) and its revision."""
    path = Path(lianping.__file__).resolve().parent.parent
    info: dict[str, Any] = {"path": str(path), "git": None, "dirty": None}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(path)]
        rev = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        if rev.returncode == 0:
            info["git"] = rev.stdout.strip()
            status = subprocess.run(
                [*git, "status", "--porcelain", "--untracked-files=no"],
                capture_output=True,
                text=True,
            )
            info["dirty"] = bool(status.stdout.strip())
    return info


def database_info(url: str) -> dict[str, Any]:
    parsed = make_url(normalize_url(url))
    kind = parsed.get_backend_name()
    info: dict[str, Any] = {"kind": kind, "url": parsed.render_as_string(hide_password=True)}
    if kind == "sqlite":
        info["version"] = sqlite3.sqlite_version
    else:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                info["version"] = conn.execute(text("SHOW server_version")).scalar()
        finally:
            engine.dispose()
    return info


def product_state(database_url: str, redis: Redis) -> dict[str, Any]:
    """What the product itself recorded: inbox, outbox and RQ queues after the run."""
    state: dict[str, Any] = {}
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            state["inbox_events"] = conn.scalar(select(func.count()).select_from(InboxEvent))
            state["inbox_unprocessed"] = conn.scalar(
                select(func.count()).where(InboxEvent.processed_at.is_(None))
            )
            state["inbox_with_failures"] = conn.scalar(
                select(func.count()).where(InboxEvent.attempts > 0)
            )
            rows = conn.execute(
                select(OutboxMessage.status, OutboxMessage.sent_via, func.count()).group_by(
                    OutboxMessage.status, OutboxMessage.sent_via
                )
            )
            state["outbox"] = {f"{status}/{via}": count for status, via, count in rows}
            state["outbox_with_retries"] = conn.scalar(
                select(func.count()).where(OutboxMessage.attempts > 1)
            )
    finally:
        engine.dispose()
    state["rq_queued"] = {name: Queue(name, connection=redis).count for name in queues.ALL}
    state["rq_failed"] = {
        name: FailedJobRegistry(name, connection=redis).count for name in queues.ALL
    }
    return state


# Where an unanswered event got stuck, from the product's own tables. "Late" ones are
# still on their way (the drain timeout ran out); every other state is a loss.
STILL_QUEUED = "inbox: not processed yet"
STILL_SENDING = "outbox: pending"
ANSWERED_LATE = "answered after the drain timeout"
LATE_STATES = frozenset({STILL_QUEUED, STILL_SENDING, ANSWERED_LATE})


def trace_unanswered(database_url: str, user_ids: list[str]) -> dict[str, str]:
    """For residents without an answer: how far their event got inside the product."""
    found: dict[str, str] = {}
    if not user_ids:
        return found
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            for i in range(0, len(user_ids), 500):
                chunk = user_ids[i : i + 500]
                events = conn.execute(
                    select(
                        InboxEvent.source_key, InboxEvent.processed_at, InboxEvent.attempts
                    ).where(InboxEvent.source_key.in_(chunk))
                )
                sent = dict(
                    conn.execute(
                        select(OutboxMessage.to, OutboxMessage.status).where(
                            OutboxMessage.to.in_(chunk)
                        )
                    ).all()
                )
                for user_id, processed_at, attempts in events:
                    if processed_at is None:
                        found[user_id] = STILL_QUEUED if attempts == 0 else "inbox: failing"
                    elif user_id not in sent:
                        found[user_id] = "processed, no answer produced"
                    else:
                        status = sent[user_id]
                        found[user_id] = (
                            STILL_SENDING
                            if status == "pending"
                            else f"outbox: {status}, not at LINE"
                        )
    finally:
        engine.dispose()
    for user_id in user_ids:
        found.setdefault(user_id, "not stored (acknowledged without a row)")
    return found


# -- setup ---------------------------------------------------------------------------------


# PostgreSQL functions that migrations created (trigger functions), not those of extensions.
_OWN_FUNCTIONS = """
SELECT p.oid::regprocedure::text FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
"""


def reset_database(url: str) -> None:
    """Drop the product's tables, Alembic's bookkeeping and (PostgreSQL) the functions its
    migrations created, then migrate from scratch."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            Base.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            if conn.dialect.name == "postgresql":
                for (signature,) in conn.execute(text(_OWN_FUNCTIONS)).all():
                    conn.execute(text(f"DROP FUNCTION IF EXISTS {signature} CASCADE"))
    finally:
        engine.dispose()
    upgrade(url)


def product_env(
    workdir: Path, database_url: str, redis_url: str, line_api_base: str, web_port: int
) -> dict[str, str]:
    """The environment of the product's processes (and the simulator) in a benchmark run."""
    return {
        **os.environ,
        "LIANPING_DEV": "1",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE": line_api_base,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PORT": str(web_port),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
        "SECRET_KEY": "bench-secret-key",
        "MEDIA_DIR": str(workdir / "media"),
        "PYTHONUNBUFFERED": "1",
    }


def start_redis(fleet: Fleet, workdir: Path, cores: frozenset[int] | None = None) -> str:
    """A private redis-server (on ``cores`` if given), stopped with the fleet after
    everything else; its URL."""
    server = RedisServer(workdir / "redis").start(die_with_parent=True, cores=cores)
    assert server.process is not None
    fleet.adopt(server.process)
    return server.url


def start_simulator(
    fleet: Fleet,
    env: dict[str, str],
    webhook_url: str,
    threads: int = 16,
    cores: frozenset[int] | None = None,
) -> SimulatorClient:
    """The simulator at ``env``'s LINE_API_BASE (on ``cores`` if given), once it answers;
    a client of it."""
    sim = SimulatorClient(env["LINE_API_BASE"])
    port = urlsplit(sim.url).port
    assert port is not None
    fleet.start("simulator", commands.simulator(port, webhook_url, threads), env, cores=cores)
    fleet.wait_ready("simulator", url_answers(f"{sim.url}/_sim/stats"))
    return sim


def start_web(
    fleet: Fleet,
    env: dict[str, str],
    workers: int,
    threads: int,
    cores: frozenset[int] | None = None,
) -> str:
    """The web app under gunicorn on ``env``'s PORT (on ``cores`` if given), once /healthz
    answers; its URL."""
    url = f"http://127.0.0.1:{env['PORT']}"
    fleet.start("web", commands.web(int(env["PORT"]), workers, threads), env, cores=cores)
    fleet.wait_ready("web app", url_answers(f"{url}/healthz"), timeout=60)
    return url


def start_workers(
    fleet: Fleet,
    env: dict[str, str],
    count: int,
    nice: int = 0,
    cores: frozenset[int] | None = None,
) -> None:
    """``count`` RQ workers at ``nice`` (on ``cores`` if given), once all of them are
    registered in Redis."""
    for i in range(count):
        fleet.start(f"worker-{i + 1}", commands.worker(), env, nice=nice, cores=cores)
    redis = Redis.from_url(env["REDIS_URL"])
    try:
        fleet.wait_ready(f"{count} RQ workers", lambda: Worker.count(connection=redis) >= count)
    finally:
        redis.close()


# -- the systems under test ----------------------------------------------------------------


@dataclass
class System:
    """What one load run measures: lianping itself, or the synchronous SDK-example bot."""

    name: str
    webhook: str
    # Fleet processes whose CPU is measured (the product's and the simulator), by name.
    processes: list[str]
    database_url: str | None = None  # None: no database, no queues (the sync bot)
    backends: PgBackends | None = None  # PostgreSQL backends of this run


def start_product(args: argparse.Namespace, fleet: Fleet, env: dict[str, str]) -> str:
    """lianping's web app and RQ workers with ``env`` (on the product's cores with
    ``--pin``); the webhook URL."""
    cores = args.pin.product if args.pin else None
    web_url = start_web(fleet, env, args.web_workers, args.web_threads, cores)
    start_workers(fleet, env, args.workers, nice=args.worker_nice, cores=cores)
    log(
        f"up: lianping web {web_url} ({args.web_workers}×{args.web_threads} gthread), "
        f"{args.workers} workers; pids "
        + ", ".join(f"{name} {proc.pid}" for name, proc in fleet.processes.items())
    )
    return f"{web_url}/callback"


def start_sync_bot(args: argparse.Namespace, fleet: Fleet, env: dict[str, str]) -> str:
    """``bench/sync_bot.py`` under gunicorn, flags (and ``--pin`` cores) as the product's web
    app; its webhook URL."""
    url = f"http://127.0.0.1:{env['PORT']}"
    # The product's gunicorn command with the app swapped: same workers, threads, logging.
    command = commands.web(int(env["PORT"]), args.web_workers, args.web_threads)[:-1]
    command += ["--pythonpath", str(Path(__file__).resolve().parent), "sync_bot:app"]
    fleet.start("web", command, env, cores=args.pin.product if args.pin else None)
    fleet.wait_ready("sync bot", url_answers(f"{url}/healthz"), timeout=60)
    log(f"up: sync bot {url} ({args.web_workers}×{args.web_threads} gthread)")
    return f"{url}/callback"


def stop_apps(fleet: Fleet) -> None:
    """Stop the web app and the workers (the simulator and Redis stay for the next phase)."""
    for name in [n for n in fleet.processes if n == "web" or n.startswith("worker-")]:
        fleet.processes.pop(name).stop()


# -- the run -------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path, fleet: Fleet) -> dict[str, Any]:
    """Start everything, then each asked-for phase in turn; the main result, with the
    phases' results inside. The caller stops the fleet."""
    rng = random.Random(args.seed)
    host = machine()
    if host["busy_before"] > 0.15:
        log(f"warning: the machine is already {host['busy_before']:.0%} busy before the run")
    if args.pin:
        # This process is the load generator: its threads, and the proxies', inherit it.
        pin(os.getpid(), args.pin.harness)
        log(f"pinned: product:harness on cores {args.pin}")
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    reset_database(database_url)
    db = database_info(database_url)
    log(f"database {db['kind']} {db['version']}: {db['url']}")

    redis_url = start_redis(fleet, workdir, args.pin.product if args.pin else None)
    # The benchmark's own Redis calls (queue polls, INFO) go through a proxy that counts
    # them, so that they can be taken out of the server's command counts.
    harness = Harness(redis_url)
    web_port = free_port()
    env = product_env(workdir, database_url, redis_url, f"http://127.0.0.1:{free_port()}", web_port)
    harness_cores = args.pin.harness if args.pin else None
    sim = start_simulator(fleet, env, f"http://127.0.0.1:{web_port}/callback", cores=harness_cores)
    backends = PgBackends(database_url) if db["kind"] == "postgresql" else None
    try:
        idle_costs = None
        if args.idle_costs:
            idle_costs = measure_idle_costs(args, env, db, sim, fleet, harness, rng)

        ours: list[dict[str, Any]] = []
        theirs: list[dict[str, Any]] = []
        capacity = None
        for number in range(1, args.rounds + 1):
            if args.rounds > 1:
                log(f"round {number} of {args.rounds}")
            product = System(
                "lianping", start_product(args, fleet, env), [], database_url, backends
            )
            product.processes = list(fleet.processes)
            ours.append(
                measure_load(args, args.rate, args.duration, product, sim, fleet, harness, rng)
            )
            if args.find_capacity and capacity is None:
                capacity = find_capacity(args, product, sim, fleet, harness, rng)
            stop_apps(fleet)
            if args.compare_sync_bot:
                bot = System("sync bot", start_sync_bot(args, fleet, env), ["web", "simulator"])
                theirs.append(
                    measure_load(args, args.rate, args.duration, bot, sim, fleet, harness, rng)
                )
                stop_apps(fleet)
        result = combine_rounds(ours, theirs)
        result.update(machine=host, database=db, product=product_info(), idle_costs=idle_costs)
        if capacity is not None:
            result["capacity"] = capacity
    finally:
        harness.close()
        if backends:
            backends.close()
    return result


def _median_round(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The round whose product CPU per event is the median (the lower middle of an even
    number)."""
    ranked = sorted(results, key=lambda r: r["cpu"]["product_ms"] or 0.0)
    return ranked[(len(ranked) - 1) // 2]


def combine_rounds(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    """One result of interleaved rounds: lianping's median round in detail, every round in
    ``rounds``, the sync bot's median round and the ratio of the two medians; a check
    passes only if it passed in every round (a lost answer in any round fails the run)."""
    result = dict(_median_round(ours))
    sync = _median_round(theirs) if theirs else None
    result["checks"] = {name: all(r["checks"][name] for r in ours) for name in result["checks"]}
    result["passed"] = all(result["checks"].values())
    result["rounds"] = [
        {
            "lianping_ms": mine["cpu"]["product_ms"],
            "harness_ms": round(sum(v or 0.0 for v in mine["cpu"]["harness_ms"].values()), 2),
            "sync_bot_ms": other["cpu"]["product_ms"] if other else None,
            "achieved_per_s": mine["rate"]["achieved_per_s"],
            "ack_p99_ms": mine["ack_ms"]["p99"],
            "e2e_p95_ms": mine["e2e_ms"]["p95"],
            "failed": [name for name, ok in mine["checks"].items() if not ok],
        }
        for mine, other in zip(ours, theirs or [None] * len(ours), strict=True)
    ]
    if sync is not None:
        result["sync_bot"] = sync
        mine_ms, their_ms = result["cpu"]["product_ms"], sync["cpu"]["product_ms"]
        result["product_to_sync_bot"] = round(mine_ms / their_ms, 2) if their_ms else None
    return result


class Harness:
    """The benchmark's own view of Redis: a client through a counting proxy, so what the
    benchmark itself asked can be subtracted from the server's ``INFO commandstats``."""

    def __init__(self, redis_url: str) -> None:
        target = urlsplit(redis_url)
        assert target.hostname and target.port
        self.proxy = wire.Proxy((target.hostname, target.port), wire.RespStream)
        self.redis_url = f"redis://127.0.0.1:{self.proxy.port}/0"
        self.redis = Redis.from_url(self.redis_url)

    def commandstats(self) -> Counter[str]:
        """Calls per Redis command since the server started (``INFO commandstats``)."""
        stats = self.redis.info("commandstats")
        return Counter(
            {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}
        )

    def own_commands(self) -> Counter[str]:
        """The commands this benchmark sent so far, by name (as ``INFO`` names them)."""
        return Counter(
            {
                key.removeprefix("cmd:"): count
                for key, count in self.proxy.tally.snapshot().items()
                if key.startswith("cmd:")
            }
        )

    def product_commands(self) -> Counter[str]:
        """The server's command counts less the benchmark's own: the product's, so far."""
        own = self.own_commands()
        return self.commandstats() - own

    def queues_busy(self) -> int:
        """Work queued or under way: jobs queued or running in the product's RQ queues,
        inbox shards waiting for a drainer or held by one, chats being delivered."""
        jobs = sum(
            Queue(name, connection=self.redis).count
            + StartedJobRegistry(name, connection=self.redis).count
            for name in queues.ALL
        )
        # The product's Redis keys, spelled out: an older tree (PYTHONPATH) may lack them.
        woken = int(self.redis.llen("lianping:inbox:wake"))
        held = sum(
            1
            for pattern in ("lianping:inbox:lock:*", "lianping:deliver:lock:*")
            for _ in self.redis.scan_iter(pattern, count=1000)
        )
        return jobs + woken + held

    def close(self) -> None:
        """Close the client and the proxy."""
        self.redis.close()
        self.proxy.close()


def wait_for_idle(harness: Harness, timeout: float, fleet: Fleet, poll: float = 0.25) -> float:
    """Poll until no work is queued or under way (:meth:`Harness.queues_busy`; profile
    fetches come after the answers). Returns the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        fleet.check_alive()
        if not harness.queues_busy():
            break
        time.sleep(poll)
    return time.monotonic() - began


def measure_load(
    args: argparse.Namespace,
    rate: float,
    duration: float,
    system: System,
    sim: SimulatorClient,
    fleet: Fleet,
    harness: Harness,
    rng: random.Random,
) -> dict[str, Any]:
    """Warm ``system`` up, send ``rate × duration`` events open loop, wait for every answer
    (and, for lianping, for its queues to empty), collect: the summary of this load."""
    count = round(rate * duration)
    warm_count = round(rate * args.warmup)
    began = time.monotonic()
    residents = create_residents(sim, count + warm_count, rng)
    log(f"created {len(residents)} residents in {time.monotonic() - began:.1f} s")
    warm = plan_shots(residents[:warm_count], rng)
    shots = plan_shots(residents[warm_count:], rng)
    queued = system.database_url is not None

    if warm:
        log(f"{system.name} warm-up: {len(warm)} events at {rate:g}/s (not counted)")
        fire(sim, system.webhook, warm, rate, args.senders, args.token_lead, fleet)
        waited, missing = wait_for_answers(sim, warm, 30, fleet)
        if queued:
            waited += wait_for_idle(harness, 30, fleet)
        log(f"warm-up answered {len(warm) - missing}/{len(warm)} within {waited:.1f} s")

    groups = {name: fleet.processes[name].pid for name in system.processes}
    meter = CpuMeter(groups, system.backends, args.pin)
    redis_before = harness.product_commands()
    log(f"{system.name}: {count} events at {rate:g}/s for {duration:g} s")
    first, last = fire(
        sim, system.webhook, shots, rate, args.senders, args.token_lead, fleet, meter.start
    )
    waited, missing = wait_for_answers(sim, shots, args.drain_timeout, fleet)
    log(f"sent; answers complete {waited:.1f} s after the last send ({missing} missing)")
    if queued:
        # The CPU window closes when ALL the work the events caused is done, so that
        # "CPU per event" counts everything (profile fetches run after the answers).
        idle = wait_for_idle(harness, max(1.0, args.drain_timeout - waited), fleet)
        log(f"queues empty {idle:.1f} s later")
    meter.stop()
    redis_commands = harness.product_commands() - redis_before
    time.sleep(args.settle)  # let late duplicates (retries) show up before counting
    collect_answers(sim, shots)
    state: dict[str, Any] = {}
    unanswered = [s for s in shots if s.status == 200 and s.answers == 0]
    if system.database_url is not None:
        state = product_state(system.database_url, harness.redis)
        where = trace_unanswered(system.database_url, [s.user_id for s in unanswered])
        collect_answers(sim, unanswered)  # the workers kept going while we looked
        where.update({s.user_id: ANSWERED_LATE for s in unanswered if s.answers})
        state["unanswered"] = where
        state["redis_commands"] = dict(redis_commands.most_common())
    return summarize(args, system.name, rate, shots, first, last, meter, state)


def find_capacity(
    args: argparse.Namespace,
    product: System,
    sim: SimulatorClient,
    fleet: Fleet,
    harness: Harness,
    rng: random.Random,
) -> dict[str, Any]:
    """Offer each rate of ``--capacity-steps`` in turn, ``--capacity-duration`` seconds
    each, until one fails: the highest rate that passed every check, and each step."""
    steps = []
    for rate in args.capacity_steps:
        step = measure_load(args, rate, args.capacity_duration, product, sim, fleet, harness, rng)
        pinned = step["cpu"]["pinned"]
        steps.append(
            {
                "rate": rate,
                "achieved_per_s": step["rate"]["achieved_per_s"],
                "ack_p99_ms": step["ack_ms"]["p99"],
                "e2e_p95_ms": step["e2e_ms"]["p95"],
                "lost": step["events"]["lost"],
                "late": step["events"]["late"],
                "answered_twice": step["events"]["answered_twice"],
                "errors": sum(step["events"]["errors"].values()),
                "product_ms": step["cpu"]["product_ms"],
                "machine_busy": step["cpu"]["machine_busy"],
                "product_cores_busy": pinned["product_cores_busy"] if pinned else None,
                "harness_cores_busy": pinned["harness_cores_busy"] if pinned else None,
                "failed": [name for name, ok in step["checks"].items() if not ok],
            }
        )
        log(f"capacity step {rate:g}/s: {'PASS' if step['passed'] else 'FAIL'}")
        if not step["passed"]:
            break
    passed = [s["rate"] for s in steps if not s["failed"]]
    found = max(passed) if passed else None
    product_cores = len(args.pin.product) if args.pin else None
    return {
        "capacity_per_s": found,
        "product_cores": product_cores,
        "capacity_per_product_core_per_s": round(found / product_cores, 1)
        if found and product_cores
        else None,
        "steps": steps,
    }


# -- idle costs: what one event costs the servers, counted on the wire ---------------------

QUIET_S = 0.3  # no product traffic for this long after the queues emptied: the event is done
ANSWER_TIMEOUT_S = 15.0


@dataclass
class Window:
    """Counts over the time spans of a measurement, summed: product traffic at the proxies,
    the server's Redis command counts less the benchmark's own, and seconds."""

    redis: Counter[str] = field(default_factory=Counter)
    postgres: Counter[str] = field(default_factory=Counter)
    commandstats: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def per(self, count: float, background: Window | None = None) -> dict[str, dict[str, float]]:
        """Counts divided by ``count`` (events, or seconds), less ``background``'s rate over
        this window's seconds."""
        share = self.seconds / background.seconds if background and background.seconds else 0.0

        def rate(mine: Counter[str], theirs: Counter[str] | None) -> dict[str, float]:
            keys = set(mine) | set(theirs or ())
            values = {
                key: round((mine[key] - share * (theirs or Counter())[key]) / count, 3)
                for key in keys
            }
            return dict(sorted(values.items(), key=lambda kv: -kv[1]))

        return {
            "redis": rate(self.redis, background.redis if background else None),
            "postgres": rate(self.postgres, background.postgres if background else None),
            "commandstats": rate(
                self.commandstats, background.commandstats if background else None
            ),
        }


class IdleProbe:
    """The proxies between the product and its servers, and windows read from them."""

    def __init__(self, env: dict[str, str], harness: Harness, postgres: bool) -> None:
        self.harness = harness
        redis = urlsplit(env["REDIS_URL"])
        assert redis.hostname and redis.port
        self.redis = wire.Proxy((redis.hostname, redis.port), wire.RespStream)
        self.env = {**env, "REDIS_URL": f"redis://127.0.0.1:{self.redis.port}/0"}
        self.postgres: wire.Proxy | None = None
        if postgres:
            url = make_url(normalize_url(env["DATABASE_URL"]))
            self.postgres = wire.Proxy((url.host or "127.0.0.1", url.port or 5432), wire.PgStream)
            # The proxy reads the protocol: no TLS (nor GSS encryption) on this path.
            proxied = url.set(host="127.0.0.1", port=self.postgres.port).update_query_dict(
                {"sslmode": "disable", "gssencmode": "disable"}
            )
            self.env["DATABASE_URL"] = proxied.render_as_string(hide_password=False)

    def _read(self) -> tuple[Counter[str], Counter[str], Counter[str]]:
        pg = self.postgres.tally.snapshot() if self.postgres else Counter[str]()
        return self.redis.tally.snapshot(), pg, self.harness.product_commands()

    def _traffic(self) -> int:
        pg = self.postgres.tally.snapshot()["statements"] if self.postgres else 0
        return self.redis.tally.snapshot()["round_trips"] + pg

    def measure(self, window: Window, action: Callable[..., None], *args: Any) -> None:
        """Run ``action(*args)`` and add what the product did meanwhile to ``window``."""
        before, began = self._read(), time.monotonic()
        action(*args)
        after = self._read()
        window.seconds += time.monotonic() - began
        window.redis.update(after[0] - before[0])
        window.postgres.update(after[1] - before[1])
        window.commandstats.update(after[2] - before[2])

    def settle(self, fleet: Fleet) -> None:
        """Wait until the queues are empty, then until no product traffic for ``QUIET_S``."""
        wait_for_idle(self.harness, ANSWER_TIMEOUT_S, fleet, poll=0.02)
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        seen, since = self._traffic(), time.monotonic()
        while time.monotonic() - since < QUIET_S and time.monotonic() < deadline:
            time.sleep(0.02)
            now = self._traffic()
            if now != seen:
                seen, since = now, time.monotonic()

    def close(self) -> None:
        """Close both proxies."""
        self.redis.close()
        if self.postgres:
            self.postgres.close()


def send_text(sim: SimulatorClient, webhook: str, user_id: str, message: str) -> None:
    """Send one text event of ``user_id`` as LINE does and wait until the bot answered it."""
    answers = len([item for item in sim.timeline(user_id) if item["from"] == "bot"])
    token = sim.reply_token(user_id)
    body = events.envelope(DESTINATION, [events.text(user_id, token, message)])
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Line-Signature": events.sign(SECRET, body),
    }
    requests.post(webhook, data=body, headers=headers, timeout=10).raise_for_status()
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while time.monotonic() < deadline:
        if len([item for item in sim.timeline(user_id) if item["from"] == "bot"]) > answers:
            return
        time.sleep(0.02)
    raise SetupError(f"no answer to {user_id}'s text within {ANSWER_TIMEOUT_S:g} s")


def send_and_settle(
    probe: IdleProbe,
    sim: SimulatorClient,
    fleet: Fleet,
    webhook: str,
    user_id: str,
    message: str,
) -> None:
    """One text event, its answer, and the product quiet again: an idle-cost window."""
    send_text(sim, webhook, user_id, message)
    probe.settle(fleet)


def measure_idle_costs(
    args: argparse.Namespace,
    env: dict[str, str],
    db: dict[str, Any],
    sim: SimulatorClient,
    fleet: Fleet,
    harness: Harness,
    rng: random.Random,
) -> dict[str, Any]:
    """``--idle-costs N``: N text events of known residents, one at a time on an idle
    system, with the product's SQL and Redis traffic counted by proxies on the wire.

    Each resident first sends one text (not counted: it becomes known, its profile is
    fetched). Then for each counted event the window opens before the webhook call
    and closes once the answer arrived, the queues are empty and the product has been
    silent for ``QUIET_S``. The idle product still talks (RQ heartbeats and scheduler,
    the sweep every 15 s): a window of ``--idle-baseline`` seconds without events
    measures that rate, and its share of the windows' time is subtracted.
    """
    probe = IdleProbe(env, harness, postgres=db["kind"] == "postgresql")
    try:
        webhook = start_product(args, fleet, probe.env)
        residents = create_residents(sim, args.idle_costs, rng)
        log(f"idle costs: {len(residents)} residents make themselves known (not counted)")
        for user_id in residents:
            send_and_settle(probe, sim, fleet, webhook, user_id, random_text(rng))
        background = Window()
        log(f"idle costs: {args.idle_baseline:g} s without events (the idle product's traffic)")
        probe.measure(background, time.sleep, args.idle_baseline)
        counted = Window()
        log(f"idle costs: {len(residents)} text events, one at a time")
        for user_id in residents:
            message = random_text(rng)
            probe.measure(counted, send_and_settle, probe, sim, fleet, webhook, user_id, message)
        stop_apps(fleet)
    finally:
        probe.close()
    return {
        "events": len(residents),
        "window_s": round(counted.seconds, 2),
        "background_s": round(background.seconds, 2),
        "sql_counted": probe.postgres is not None,
        "per_event": counted.per(len(residents), background),
        "background_per_s": background.per(background.seconds),
    }


# -- the summary ---------------------------------------------------------------------------


def cpu_figures(meter: CpuMeter, sent: int) -> dict[str, Any]:
    """CPU of the window per process and per component, in ms per event sent, with the
    product's total and the harness (simulator, load generator) kept apart."""
    cores = os.cpu_count() or 1

    def per_event(seconds: float) -> float | None:
        return round(seconds * 1000 / sent, 2) if sent else None

    components: dict[str, float] = {}
    for name, seconds in meter.used.items():
        components[component(name)] = components.get(component(name), 0.0) + seconds
    ordered = sorted(components.items(), key=lambda kv: COMPONENT_ORDER.get(kv[0], 99))
    product = {k: v for k, v in ordered if k not in HARNESS}
    harness = {k: v for k, v in ordered if k in HARNESS}
    measured = sum(components.values()) / (meter.wall * cores) if meter.wall else 0.0
    product_ms = per_event(sum(product.values()))
    # Pinned, the product can use its own cores only.
    product_cores = len(meter.pinning.product) if meter.pinning else cores
    pinned = None
    if meter.pinning:
        pinned = {
            "product_cores": sorted(meter.pinning.product),
            "harness_cores": sorted(meter.pinning.harness),
            "product_cores_busy": round(meter.cores_busy["product"], 3),
            "harness_cores_busy": round(meter.cores_busy["harness"], 3),
            # Each side's own CPU over its cores' time: the rest of their busy share went
            # to other processes (other postgres processes, a neighbour's, the kernel).
            "product_share_of_its_cores": round(
                sum(product.values()) / (meter.wall * product_cores), 3
            )
            if meter.wall
            else 0.0,
            "harness_share_of_its_cores": round(
                sum(harness.values()) / (meter.wall * len(meter.pinning.harness)), 3
            )
            if meter.wall
            else 0.0,
            "product_max_per_core_per_s": round(1000 / product_ms) if product_ms else None,
            "backends_unpinned": meter.backends_unpinned if meter.backends else None,
        }
    return {
        "window_s": round(meter.wall, 1),
        "seconds": {k: round(v, 2) for k, v in sorted(meter.used.items())},
        "share_of_machine": {
            k: round(v / (meter.wall * cores), 3) if meter.wall else 0.0
            for k, v in sorted(meter.used.items())
        },
        "per_event_ms": {k: per_event(v) for k, v in sorted(meter.used.items())},
        "product_components_ms": {k: per_event(v) for k, v in product.items()},
        "product_ms": product_ms,
        "product_share_of_machine": round(sum(product.values()) / (meter.wall * cores), 3)
        if meter.wall
        else 0.0,
        # What the product alone could sustain on every core it may use.
        "product_max_per_s": round(1000 * product_cores / product_ms) if product_ms else None,
        "harness_ms": {k: per_event(v) for k, v in harness.items()},
        "harness_share_of_machine": round(sum(harness.values()) / (meter.wall * cores), 3)
        if meter.wall
        else 0.0,
        "database_backends": meter.backend_count if meter.backends else None,
        "database_backends_closed": meter.backends_closed if meter.backends else None,
        "postgres_others_ms": per_event(meter.postgres_others) if meter.backends else None,
        "postgres_reaped_ms": per_event(meter.postgres_reaped) if meter.backends else None,
        "other_processes_seconds": {k: round(v, 2) for k, v in meter.others.items()},
        "machine_busy": round(meter.machine_busy, 3),
        # More than a tenth of the machine went elsewhere: rerun on a quiet machine.
        "disturbed": meter.machine_busy - measured > 0.10,
        "machine_steal": round(meter.machine_steal, 3),
        "pinned": pinned,
    }


def summarize(
    args: argparse.Namespace,
    name: str,
    rate: float,
    shots: list[Shot],
    first: float,
    last: float,
    meter: CpuMeter,
    state: dict[str, Any],
) -> dict[str, Any]:
    """The figures of one load run against ``name``, with the pass/fail checks."""
    sent = [s for s in shots if s.sent_at]
    acked = [s for s in sent if s.status == 200]
    errors = Counter(
        str(s.status) if s.status else (s.error or "no answer").split(":")[0]
        for s in shots
        if s.status != 200
    )
    slow = sum(1 for s in acked if (s.ack_ms or 0) > LINE_WEBHOOK_TIMEOUT_S * 1000)
    where = state.get("unanswered", {})
    late = [s for s in acked if where.get(s.user_id) in LATE_STATES]
    lost = [s for s in acked if s.answers == 0 and where.get(s.user_id) not in LATE_STATES]
    twice = [s for s in shots if s.answers > 1]
    e2e = [(s.answered_at - s.sent_at) * 1000 for s in acked if s.answered_at is not None]
    after_ack = [
        (s.answered_at - s.sent_at) * 1000 - (s.ack_ms or 0)
        for s in acked
        if s.answered_at is not None
    ]
    span = last - first
    achieved = (len(sent) - 1) / span if span > 0 and len(sent) > 1 else 0.0
    ack = percentiles([s.ack_ms for s in sent if s.ack_ms is not None])
    e2e_stats = percentiles(e2e)
    checks = {
        f"ack p99 < {TARGET_ACK_P99_MS:g} ms": ack["p99"] is not None
        and ack["p99"] < TARGET_ACK_P99_MS,
        f"end-to-end p95 < {TARGET_E2E_P95_MS:g} ms": e2e_stats["p95"] is not None
        and e2e_stats["p95"] < TARGET_E2E_P95_MS,
        "0 lost": not lost,
        "0 late (all answered before the drain timeout)": not late,
        "0 answered twice": not twice,
        "0 webhook errors": not errors and not slow,
        f"offered ≥ {MIN_OFFERED_SHARE:.0%} of the rate": achieved >= MIN_OFFERED_SHARE * rate,
    }
    return {
        "benchmark": "webhook_pipeline",
        "started": datetime.fromtimestamp(first).astimezone().isoformat(timespec="seconds")
        if first
        else None,
        "system": name,
        "config": {key: getattr(args, key) for key in CONFIG_KEYS}
        | {"pin": str(args.pin) if args.pin else None},
        "events": {
            "planned": len(shots),
            "mix": dict(Counter(s.kind for s in shots)),
            "sent": len(sent),
            "acked_200": len(acked),
            "errors": dict(errors),
            "acks_slower_than_2s": slow,
            "tokens_late": sum(s.token_late for s in shots),
            "lost": len(lost),
            "lost_examples": [s.user_id for s in lost[:5]],
            "lost_where": dict(Counter(where.get(s.user_id, "?") for s in lost)),
            "late": len(late),
            "answered_twice": len(twice),
            "answered_twice_examples": [s.user_id for s in twice[:5]],
            "answered_via": dict(Counter(s.answered_via for s in shots if s.answered_via)),
        },
        "rate": {
            "offered_per_s": rate,
            "achieved_per_s": round(achieved, 1),
            "send_lag_ms": percentiles([s.lag_ms for s in sent]),
        },
        "ack_ms": ack,
        "e2e_ms": e2e_stats,
        "after_ack_ms": percentiles(after_ack),
        "timeseries": timeseries(shots, first, args.bucket),
        "cpu": cpu_figures(meter, len(sent)),
        "product_state": state,
        "checks": checks,
        "passed": all(checks.values()),
    }


def _pct(stats: dict[str, Any]) -> str:
    if not stats["n"]:
        return "no data"
    return (
        f"p50 {stats['p50']:8.1f}  p95 {stats['p95']:8.1f}  p99 {stats['p99']:8.1f}  "
        f"max {stats['max']:8.1f}  (n={stats['n']})"
    )


def render_cpu(cpu: dict[str, Any], cores: int, sqlite: bool) -> list[str]:
    """The CPU lines of one load run: the product by component, the harness apart."""
    parts = [f"{name} {ms:.2f}" for name, ms in cpu["product_components_ms"].items()]
    if cpu["database_backends"] is not None:
        parts[-1] += (
            f" ({cpu['database_backends']} backends, {cpu['database_backends_closed']} of them "
            "closed during the window)"
        )
    elif sqlite:
        parts.append("database in-process (SQLite: inside web and workers)")
    harness = ", ".join(f"{name} {ms:.2f}" for name, ms in cpu["harness_ms"].items())
    pinned = cpu["pinned"]
    if pinned:
        cores = len(pinned["product_cores"])
    lines = [
        f"CPU per event over the {cpu['window_s']} s window (first send → every answer in, "
        f"queues empty); whole machine busy {cpu['machine_busy']:.0%} "
        f"(steal {cpu['machine_steal']:.1%})",
        f"  product        {' + '.join(parts)} = {cpu['product_ms'] or 0:.2f} ms/event "
        f"({cpu['product_share_of_machine']:.0%} of the cores; alone at most "
        f"~{cpu['product_max_per_s'] or 0} events/s on {cores} "
        f"{'product ' if pinned else ''}core{'s' if cores > 1 else ''})",
        f"  harness        {harness} ms/event ({cpu['harness_share_of_machine']:.0%} of the "
        "cores; not in the product's figure)",
        "  by process     "
        + ", ".join(f"{name} {ms or 0:.2f}" for name, ms in cpu["per_event_ms"].items())
        + " ms/event",
    ]
    if pinned:
        lines.append(
            f"  pinned         product cores {_cores(frozenset(pinned['product_cores']))} busy "
            f"{pinned['product_cores_busy']:.0%} (the product's own CPU "
            f"{pinned['product_share_of_its_cores']:.0%}; alone at most "
            f"~{pinned['product_max_per_core_per_s'] or 0} events/s per core), harness cores "
            f"{_cores(frozenset(pinned['harness_cores']))} busy {pinned['harness_cores_busy']:.0%}"
            f" (the harness's own CPU {pinned['harness_share_of_its_cores']:.0%})"
        )
        if pinned["backends_unpinned"]:
            lines.append(
                f"  note: {pinned['backends_unpinned']} PostgreSQL backends could not be moved "
                "to the product's cores (run as root or as the postgres user)"
            )
    if cpu["postgres_others_ms"] is not None:
        lines.append(
            f"  not counted    other postgres processes {cpu['postgres_others_ms']:.2f} ms/event "
            "(checkpointer, WAL writer, autovacuum, other databases); postgres processes that "
            f"exited: {cpu['postgres_reaped_ms']:.2f} ms/event in all (this run's closed "
            "backends, counted above up to their last reading, and any other database's)"
        )
    if cpu["disturbed"]:
        named = ", ".join(f"{k} {v:.1f} s" for k, v in cpu["other_processes_seconds"].items())
        lines.append(
            f"  note: the machine was {cpu['machine_busy']:.0%} busy, more than 10% of it not "
            f"by these processes (others: {named or 'none seen'}; the rest is kernel work or "
            "short-lived processes): the figures are inflated, rerun on a quiet machine"
        )
    return lines


def render_load(result: dict[str, Any], cores: int, sqlite: bool) -> list[str]:
    """Latencies, losses, the time series and CPU of one load run."""
    ev, rate, cfg = result["events"], result["rate"], result["config"]
    lines = [
        f"load      {ev['planned']} events ({', '.join(f'{k} {v}' for k, v in ev['mix'].items())})"
        f" — offered {rate['offered_per_s']:g}/s, achieved {rate['achieved_per_s']:g}/s "
        f"(send lag p99 {rate['send_lag_ms']['p99']} ms)",
        "",
        f"ack latency (ms)        {_pct(result['ack_ms'])}",
        f"end to end (ms)         {_pct(result['e2e_ms'])}",
        f"  of which after ack    {_pct(result['after_ack_ms'])}",
        "",
        f"errors (non-200)        {sum(ev['errors'].values())} {ev['errors'] or ''}"
        f"   acks > 2 s: {ev['acks_slower_than_2s']}   late reply tokens: {ev['tokens_late']}",
        f"lost (200, no answer)   {ev['lost']} {ev['lost_where'] or ''}"
        f" {ev['lost_examples'] or ''}",
        f"late                    {ev['late']} (not answered within the {cfg['drain_timeout']:g} s"
        " drain timeout; end-to-end figures above leave them out)",
        f"answered twice          {ev['answered_twice']} {ev['answered_twice_examples'] or ''}",
        f"answered via            {ev['answered_via']}",
        "",
        "per-second-window  sent  ack p99   e2e p50   e2e p95",
    ]
    for row in result["timeseries"]:
        lines.append(
            f"  {row['from_s']:6.1f} s       {row['sent']:5d}  {row['ack_p99_ms'] or 0:7.1f}"
            f"   {row['e2e_p50_ms'] or 0:7.1f}   {row['e2e_p95_ms'] or 0:7.1f}"
        )
    lines += ["", *render_cpu(result["cpu"], cores, sqlite)]
    state = result["product_state"]
    if state:
        sent = max(1, ev["sent"])
        redis_total = sum(state["redis_commands"].values())
        top = ", ".join(f"{k} {v / sent:.1f}" for k, v in list(state["redis_commands"].items())[:8])
        lines += [
            "",
            f"redis     {redis_total / sent:.1f} commands per event from the product over the "
            f"window ({top}, …)",
            f"product   inbox {state['inbox_events']} (unprocessed {state['inbox_unprocessed']}, "
            f"with failures {state['inbox_with_failures']}), outbox {state['outbox']} "
            f"(retried {state['outbox_with_retries']}), "
            f"RQ queued {state['rq_queued']}, failed {state['rq_failed']}",
        ]
    return lines


def render_idle_costs(idle: dict[str, Any]) -> list[str]:
    """``--idle-costs``: statements, commits and round trips per event, commands by name."""
    pg, redis, stats = (idle["per_event"][k] for k in ("postgres", "redis", "commandstats"))
    bg = idle["background_per_s"]
    sql = (
        f"{pg.get('statements', 0):.1f} SQL statements ({pg.get('commits', 0):.1f} commits; "
        + ", ".join(
            f"{k.removeprefix('sql:')} {v:.1f}" for k, v in pg.items() if k.startswith("sql:")
        )
        + f"), {pg.get('round_trips', 0):.1f} PostgreSQL round trips"
        if idle["sql_counted"]
        else "SQL statements n/a (SQLite runs inside the product's processes: no wire to count)"
    )
    names = [(k.removeprefix("cmd:"), v) for k, v in redis.items() if k.startswith("cmd:")]
    lines = [
        "",
        f"== idle costs: {idle['events']} text events of known residents, one at a time "
        "(counted on the wire by proxies) " + "=" * 4,
        f"per event   {sql}",
        f"per event   {redis.get('round_trips', 0):.1f} Redis round trips "
        f"({redis.get('commands', 0):.1f} commands)",
        "  Redis commands per event, on the wire:  "
        + ", ".join(f"{k} {v:.1f}" for k, v in names if v >= 0.05),
        "  Redis commands per event, INFO commandstats less the benchmark's own:  "
        + ", ".join(f"{k} {v:.1f}" for k, v in stats.items() if v >= 0.05),
        f"  windows {idle['window_s']} s in all; the idle product's own traffic, measured over "
        f"{idle['background_s']} s without events and subtracted for that time: "
        f"{bg['redis'].get('round_trips', 0):.1f} Redis round trips/s"
        + (f", {bg['postgres'].get('statements', 0):.2f} SQL statements/s" if pg else ""),
    ]
    return lines


def render_sync_bot(result: dict[str, Any], cores: int) -> list[str]:
    """``--compare-sync-bot``: the sync bot's run and the CPU ratio."""
    sync = result["sync_bot"]
    ours, theirs = result["cpu"]["product_ms"] or 0, sync["cpu"]["product_ms"] or 0
    return [
        "",
        "== the synchronous SDK-example bot (bench/sync_bot.py), same load " + "=" * 14,
        *render_load(sync, cores, sqlite=False),
        f"  {'[PASS]' if sync['passed'] else '[FAIL]'} the sync bot's own run "
        f"({', '.join(k for k, ok in sync['checks'].items() if not ok) or 'every check'})",
        "",
        f"product CPU per event: lianping {ours:.2f} ms, sync bot {theirs:.2f} ms → ratio "
        f"{result['product_to_sync_bot']}× (harness excluded from both)",
    ]


def render_rounds(rounds: list[dict[str, Any]]) -> list[str]:
    """``--rounds``: each round's CPU per event and latencies (the figures above are of the
    median round, the ratio the median over the median)."""
    lines = [
        "",
        "== rounds (each: lianping, then the sync bot, on fresh processes) " + "=" * 14,
        "  round  lianping ms/ev  harness ms/ev  sync bot ms/ev  sent/s  ack p99  e2e p95  checks",
    ]
    for number, row in enumerate(rounds, 1):
        sync = f"{row['sync_bot_ms']:14.2f}" if row["sync_bot_ms"] is not None else " " * 13 + "–"
        lines.append(
            f"  {number:5d}  {row['lianping_ms'] or 0:14.2f}  {row['harness_ms']:13.2f}  {sync}"
            f"  {row['achieved_per_s']:6.1f}  {row['ack_p99_ms'] or 0:7.1f}"
            f"  {row['e2e_p95_ms'] or 0:7.1f}  "
            + ("FAIL: " + ", ".join(row["failed"]) if row["failed"] else "PASS")
        )
    return lines


def render_capacity(capacity: dict[str, Any]) -> list[str]:
    """``--find-capacity``: each step and the highest rate that passed (and, pinned, per
    product core, with the busy share of the product's and the harness's cores)."""
    per_core = capacity["product_cores"] is not None
    lines = [
        "",
        "== capacity: steps until one fails " + "=" * 45,
        "  offered  achieved  ack p99   e2e p95  lost late twice errors  product ms/ev  busy"
        + ("  product/harness cores busy" if per_core else ""),
    ]
    for step in capacity["steps"]:
        cores_busy = (
            f"  {step['product_cores_busy']:4.0%} / {step['harness_cores_busy']:4.0%}"
            if per_core
            else ""
        )
        lines.append(
            f"  {step['rate']:5g}/s  {step['achieved_per_s']:6.1f}/s {step['ack_p99_ms'] or 0:7.1f}"
            f"  {step['e2e_p95_ms'] or 0:8.1f}  {step['lost']:4d} {step['late']:4d} "
            f"{step['answered_twice']:5d} {step['errors']:6d}  {step['product_ms'] or 0:13.2f}"
            f"  {step['machine_busy']:4.0%}{cores_busy}  "
            f"{'PASS' if not step['failed'] else 'FAIL: '}" + ", ".join(step["failed"])
        )
    found = capacity["capacity_per_s"]
    lines.append(
        f"capacity  {found:g} events/s (the highest offered rate passing every check)"
        if found
        else "capacity  none of the steps passed"
    )
    if found and per_core:
        cores = capacity["product_cores"]
        lines.append(
            f"          {capacity['capacity_per_product_core_per_s']:g} events/s per product core "
            f"({cores} product core{'s' if cores > 1 else ''})"
        )
    return lines


def render(result: dict[str, Any]) -> str:
    """The human summary."""
    m, db, cfg = result["machine"], result["database"], result["config"]
    cores = m["cores"] or 1
    sqlite = db["kind"] == "sqlite"
    lines = [
        "",
        "== webhook pipeline benchmark " + "=" * 50,
        f"machine   {m['cores']} cores ({m['cpu_model']}), {m['ram_gib']} GiB RAM, "
        f"Python {m['python']}, busy before the run {m['busy_before']:.0%}",
        f"database  {db['kind']} {db['version']}",
        f"product   {result['product']['path']} (git {result['product']['git']}"
        f"{', uncommitted changes' if result['product']['dirty'] else ''})",
        f"system    gunicorn {cfg['web_workers']} workers × {cfg['web_threads']} threads, "
        f"{cfg['workers']} RQ workers (nice {cfg['worker_nice']}), {cfg['senders']} sender threads,"
        + (
            f" product on cores {cfg['pin'].split(':')[0]}, harness (simulator, load generator) "
            f"on cores {cfg['pin'].split(':')[1]}"
            if cfg["pin"]
            else " all on this machine"
        ),
        "",
        f"== lianping at {cfg['rate']:g} events/s " + "=" * 50,
        *render_load(result, cores, sqlite),
    ]
    if result.get("sync_bot"):
        lines += render_sync_bot(result, cores)
    if len(result.get("rounds", [])) > 1:
        lines += render_rounds(result["rounds"])
    if result.get("idle_costs"):
        lines += render_idle_costs(result["idle_costs"])
    if result.get("capacity"):
        lines += render_capacity(result["capacity"])
    lines.append("")
    for name, ok in result["checks"].items():
        lines.append(f"  [{'PASS' if ok else 'FAIL'}] {name}")
    lines.append(
        f"\nRESULT: {'PASS' if result['passed'] else 'FAIL'} (the run at {cfg['rate']:g}/s)"
    )
    return "\n".join(lines)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rate", type=float, default=200.0, help="events per second offered")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of measured load")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of uncounted load first")
    parser.add_argument("--workers", type=int, default=2, help="RQ worker processes")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--database-url",
        help="benchmark this database instead of a fresh SQLite file; "
        "ITS LIANPING TABLES ARE DROPPED AND RE-CREATED",
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="run the RQ workers at this nice level (e.g. 10: the webhook goes first)",
    )
    parser.add_argument("--senders", type=int, default=16, help="load generator sender threads")
    parser.add_argument(
        "--token-lead", type=float, default=3.0, help="issue reply tokens this long before use"
    )
    parser.add_argument(
        "--drain-timeout", type=float, default=60.0, help="max seconds to wait for answers"
    )
    parser.add_argument(
        "--settle", type=float, default=2.0, help="seconds to wait for late duplicates"
    )
    parser.add_argument("--bucket", type=float, default=2.0, help="time-series window (s)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the event mix")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--compare-sync-bot",
        action="store_true",
        help="then send the same load to bench/sync_bot.py (line-bot-sdk's example pattern, "
        "same gunicorn) and print both CPU figures and their ratio",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        metavar="N",
        help="N interleaved rounds (lianping, then with --compare-sync-bot the sync bot, each "
        "on freshly started processes): the figures are of lianping's median round, the ratio "
        "the median over the median, a check passes only if it passed in every round",
    )
    parser.add_argument(
        "--idle-costs",
        type=int,
        default=0,
        metavar="N",
        help="first send N text events of known residents one at a time on the idle product "
        "and count SQL statements, commits and Redis round trips per event on the wire",
    )
    parser.add_argument(
        "--idle-baseline",
        type=float,
        default=30.0,
        help="seconds of the idle product's own traffic measured for --idle-costs "
        "(two sweeps of 15 s)",
    )
    parser.add_argument(
        "--find-capacity",
        action="store_true",
        help="then offer each of --capacity-steps until one fails: the highest rate with "
        "end-to-end p95 < 1 s, ack p99 < 50 ms, nothing lost, late or answered twice",
    )
    parser.add_argument(
        "--capacity-steps",
        type=lambda value: [float(v) for v in value.split(",")],
        default=[25.0, 50.0, 75.0, 100.0, 150.0, 200.0, 300.0, 400.0, 600.0],
        help="offered rates for --find-capacity, comma-separated, rising",
    )
    parser.add_argument(
        "--capacity-duration", type=float, default=20.0, help="seconds of load per capacity step"
    )
    parser.add_argument(
        "--pin",
        type=parse_pin,
        metavar="PRODUCT:HARNESS",
        help="run the product (web, workers, Redis, the run's PostgreSQL backends; the sync "
        "bot) on the first cores and the harness (simulator, load generator) on the others, "
        "as taskset -c lists: 0:1, 0-2:3; prints the busy share of each and capacity per "
        "product core",
    )
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0 or args.workers < 1 or args.senders < 1:
        parser.error("rate, duration, workers and senders must be positive")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.idle_costs < 0 or args.idle_baseline <= 0 or args.capacity_duration <= 0:
        parser.error("--idle-costs, --idle-baseline and --capacity-duration must be positive")
    if any(rate <= 0 for rate in args.capacity_steps):
        parser.error("--capacity-steps must be positive rates")
    return args


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM/SIGHUP into :class:`Interrupted` so ``finally`` blocks clean up."""

    def handler(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    names = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, handler) for signum in names}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_benchmark(
    prefix: str,
    label: str,
    keep: bool,
    body: Callable[[Path, Fleet], dict[str, Any]],
    render_result: Callable[[dict[str, Any]], str],
) -> int:
    """Run ``body`` in a fresh work folder with its own process fleet; print, save, clean up.

    Exit codes: 0 pass, 1 fail, 2 could not run, 130 interrupted. The folder (logs and
    data) is kept when asked, and whenever the run failed.
    """
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    (workdir / "logs").mkdir()
    # Children run in the work folder, not the checkout (gunicorn puts its cwd on sys.path),
    # and Linux stops them should this process be killed outright.
    fleet = Fleet(workdir / "logs", cwd=workdir, die_with_parent=True)
    status = 2
    try:
        with stop_signals():
            try:
                result = body(workdir, fleet)
            finally:
                # A second Ctrl-C must not abort the clean-up half-way.
                for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    signal.signal(signum, signal.SIG_IGN)
                fleet.stop_all()
        print(render_result(result))
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = RESULTS_DIR / f"{stamp}-{label}{result['database']['kind']}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(f"written to {path}")
        status = 0 if result["passed"] else 1
        keep = keep or not result["passed"]
    except Interrupted as exc:
        log(f"interrupted by {exc}; every child process was stopped")
        status = 130
    except (SetupError, ProcessFailed) as exc:
        log(f"could not run: {exc}")
        keep = True
    except Exception:
        traceback.print_exc()
        log("could not run (see the traceback above)")
        keep = True
    finally:
        if keep:
            log(f"logs and data kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return status


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_benchmark(
        "lianping-bench-webhook-", "", args.keep,
        lambda workdir, fleet: run(args, workdir, fleet), render,
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
