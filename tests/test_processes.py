"""The Procfile lines and the embedded run work as written."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from redis import Redis
from rq import Worker
from rq.worker import WorkerStatus

from lianping import queues
from lianping.bot import richmenu
from lianping_dev.commands import BIN
from lianping_dev.processes import Process, parse_cores, pin, url_answers, wait_ready
from lianping_dev.redis_server import free_port
from lianping_dev.simulator.client import SimulatorClient
from tests.support import wait_until

ROOT = Path(__file__).resolve().parents[1]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_procfile_has_release_web_and_worker() -> None:
    assert set(procfile()) >= {"release", "web", "worker"}


@pytest.mark.e2e
def test_procfile_release_and_web_run_with_only_the_contract_variables(
    tmp_path: Path, redis_url: str
) -> None:
    port = free_port()
    env = {
        "PATH": f"{BIN}:/usr/bin:/bin",
        "LINE_CHANNEL_SECRET": "s",
        "LINE_CHANNEL_ACCESS_TOKEN": "t",
        "SECRET_KEY": "k",
        "DATABASE_URL": f"sqlite:///{tmp_path}/procfile.db",
        "REDIS_URL": redis_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
    }
    lines = procfile()
    subprocess.run(["sh", "-c", lines["release"]], env=env, check=True, cwd=tmp_path)
    web = Process(["sh", "-c", lines["web"]], env, cwd=tmp_path, log=tmp_path / "web.log")
    try:
        health = f"http://127.0.0.1:{port}/healthz"
        wait_ready(url_answers(health), what="the Procfile's web", watch=[web], timeout=30)
        assert requests.get(health, timeout=5).json() == {"status": "ok"}
    finally:
        web.stop(grace=30)


def test_core_lists_read_as_taskset_writes_them() -> None:
    assert parse_cores("1") == {1}
    assert parse_cores("0-2,5") == {0, 1, 2, 5}
    for wrong in ("", "a", "2-1", "0,", "-1", "1:2"):
        with pytest.raises(ValueError, match="not a core list"):
            parse_cores(wrong)


CORES = sorted(os.sched_getaffinity(0))
# A child with a second thread and a child of its own; it prints that child's pid.
THREADS_AND_A_CHILD = (
    "import subprocess, threading, time\n"
    "threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
    "print(subprocess.Popen(['sleep', '60']).pid, flush=True)\n"
    "time.sleep(60)\n"
)


def _threads(pid: int) -> list[int]:
    return [int(task) for task in os.listdir(f"/proc/{pid}/task")]


@pytest.mark.skipif(len(CORES) < 2, reason="needs two cores to move a process between")
def test_a_child_started_on_cores_stays_there_with_its_threads_and_children_and_pin_moves_it(
    tmp_path: Path,
) -> None:
    log = tmp_path / "child.log"
    child = Process([sys.executable, "-c", THREADS_AND_A_CHILD], log=log, cores={CORES[0]})
    try:
        grandchild = int(wait_until(lambda: log.read_text().strip()))
        threads = _threads(child.pid)
        assert len(threads) == 2
        for task in [*threads, grandchild]:
            assert os.sched_getaffinity(task) == {CORES[0]}
        assert os.sched_getaffinity(0) == set(CORES)  # the parent stays where it was

        pin(child.pid, {CORES[1]})
        for task in threads:  # every thread moved, not only the one sched_setaffinity names
            assert os.sched_getaffinity(task) == {CORES[1]}
    finally:
        child.stop()
    with pytest.raises(ProcessLookupError):
        pin(child.pid, {CORES[1]})


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def _alive(pids: set[int]) -> list[int]:
    """Those of ``pids`` still running (a zombie has exited: it only awaits its reaping)."""
    alive = []
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            alive.append(pid)
    return alive


def _listening(port: int) -> bool:
    """Whether something still listens on 127.0.0.1:``port`` (a server could not bind it)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@dataclass
class Embedded:
    """A running ``lianping-dev embedded``, as ``python3 dev.py run`` starts it."""

    run: Process
    log: Path
    sim: SimulatorClient
    web_url: str
    ports: dict[str, int]


def _start_embedded(tmp_path: Path, workers: int = 1) -> Embedded:
    """Start the embedded run in ``tmp_path`` and wait until it says it is running."""
    port, sim_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    log = tmp_path / "embedded.log"
    run = Process(
        [str(BIN / "lianping-dev"), "embedded", "--port", str(port),
         "--simulator-port", str(sim_port), "--workers", str(workers)],
        env, cwd=tmp_path, log=log,
    )  # fmt: skip
    wait_ready(lambda: "is running" in log.read_text(), what="the run", watch=[run], timeout=90)
    redis_port = re.search(r"redis: redis://127\.0\.0\.1:(\d+)/", log.read_text())
    assert redis_port, log.read_text()
    return Embedded(
        run, log, SimulatorClient(f"http://127.0.0.1:{sim_port}"), f"http://127.0.0.1:{port}",
        {"web": port, "simulator": sim_port, "redis": int(redis_port[1])},
    )  # fmt: skip


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find child processes")
@pytest.mark.e2e
def test_embedded_run_answers_in_the_chat_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    embedded = _start_embedded(tmp_path)
    run, sim, web = embedded.run, embedded.sim, embedded.web_url
    try:
        assert "村里廉政平臺" in requests.get(f"{sim.url}/", timeout=5).text
        # The welcome asks residents to tap the menu below: it is there once the run says so.
        shown = requests.get(f"{sim.url}/_sim/richmenu", timeout=5).json()
        assert shown["richMenu"] is not None, embedded.log.read_text()
        assert shown["richMenu"]["name"] == richmenu.MENU_NAME
        assert len(shown["richMenu"]["areas"]) == 6
        image = requests.get(sim.url + shown["imageUrl"], timeout=5)
        assert image.content == richmenu.render_png()
        user = sim.new_resident("林小華", follow=True)

        def bot_texts() -> list[str]:
            return [item["message"].get("text", "") for item in sim.bot_messages(user)]

        assert "歡迎加入" in wait_until(bot_texts, timeout=30)[0]
        sim.say(user, "你好")
        wait_until(lambda: len(bot_texts()) == 2, timeout=30)
        assert requests.get(f"{web}/admin/", timeout=5).status_code == 200
        children = _descendants(run.pid)
        assert len(children) >= 4  # redis, gunicorn, simulator, worker
    finally:
        run.signal(signal.SIGINT)  # its group is itself alone: each child leads its own
        status = run.wait(timeout=60)
    log = embedded.log.read_text(errors="replace")
    assert status == 0, log
    assert "stopped" in log
    time.sleep(0.5)
    assert _alive(children) == [], f"processes left behind: {_alive(children)}"


@contextlib.contextmanager
def _workers_kept_busy(embedded: Embedded, database: Path, workers: int) -> Iterator[None]:
    """Every worker inside a job waiting for the database, which another command holds
    (as ``seed-demo`` does, run beside the embedded run while it writes its cases)."""
    holder = sqlite3.connect(database, timeout=30, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        redis = Redis.from_url(f"redis://127.0.0.1:{embedded.ports['redis']}/0")
        for _ in range(workers):
            queues.enqueue(redis, queues.DEFAULT, "lianping.jobs.sweep.sweep", retry=None)

        def busy() -> bool:
            states = [w.get_state() for w in Worker.all(connection=redis)]
            return states.count(WorkerStatus.BUSY) >= workers

        wait_until(busy, timeout=30)
        yield
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find child processes")
@pytest.mark.e2e
@pytest.mark.parametrize(("busy", "runs"), [(False, 3), (True, 2)], ids=["idle", "busy"])
def test_one_ctrl_c_stops_everything_within_8_s(tmp_path: Path, busy: bool, runs: int) -> None:
    workers = 2  # as python3 dev.py run starts it
    for attempt in range(runs):
        embedded = _start_embedded(tmp_path, workers)
        with contextlib.ExitStack() as held:
            try:
                if busy:
                    database = tmp_path / "instance" / "lianping.db"
                    held.enter_context(_workers_kept_busy(embedded, database, workers))
                processes = _descendants(embedded.run.pid) | {embedded.run.pid}
                assert len(processes) >= 6  # the run, redis, web, simulator, the workers
            except BaseException:
                embedded.run.stop(grace=30)
                raise
            embedded.run.signal(signal.SIGINT)
            started = time.monotonic()
            with contextlib.suppress(subprocess.TimeoutExpired):
                embedded.run.wait(timeout=8)
            while _alive(processes) and time.monotonic() - started < 8:
                time.sleep(0.05)
            took = time.monotonic() - started
        left = _alive(processes)
        if left:  # clean up before failing, so the next test does not inherit them
            for pid in left:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        log = embedded.log.read_text(errors="replace")
        assert left == [], f"run {attempt + 1}: {len(left)} left after {took:.1f} s\n{log}"
        assert embedded.run.returncode == 0, log
        assert [name for name, port in embedded.ports.items() if _listening(port)] == []


def _child(pid: int, marker: str) -> int:
    """The child of ``pid`` whose command line contains ``marker``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if parent == pid and marker in command:
            return int(entry.name)
    raise AssertionError(f"no child of {pid} runs {marker!r}")


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find child processes")
@pytest.mark.e2e
def test_embedded_run_restarts_each_child_that_dies(tmp_path: Path) -> None:
    embedded = _start_embedded(tmp_path)
    run, sim = embedded.run, embedded.sim
    children = {
        "redis": "redis-server", "web": "gunicorn",
        "simulator": "lianping-dev simulator", "worker-1": "lianping worker",
    }  # fmt: skip
    try:
        for name, marker in children.items():
            killed = _child(run.pid, marker)
            started = time.monotonic()
            os.kill(killed, signal.SIGKILL)
            wait_until(lambda name=name: f"{name} restarted" in embedded.log.read_text(), 15)
            assert _child(run.pid, marker) != killed
            print(f"\n{name}: restarted {time.monotonic() - started:.1f} s after kill -9")
        # Every part is a new process now (Redis empty, the simulator without the old
        # chats): a resident who follows is still welcomed.
        wait_ready(url_answers(f"{embedded.web_url}/healthz"), what="web", timeout=20)
        wait_ready(url_answers(f"{sim.url}/_sim/stats"), what="simulator", timeout=20)
        user = sim.new_resident("重啟後", follow=True)
        welcome = wait_until(lambda: sim.bot_messages(user), timeout=30)
        assert "歡迎加入" in welcome[0]["message"]["text"]
        children_now = _descendants(run.pid)
    finally:
        run.signal(signal.SIGINT)
        status = run.wait(timeout=30)
    log = embedded.log.read_text(errors="replace")
    assert status == 0, log
    for name in children:
        assert f"{name} exited with status -9; restarting it in 1 s" in log, log
    time.sleep(0.5)
    assert _alive(children_now) == [], f"processes left behind: {_alive(children_now)}"
