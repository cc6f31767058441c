"""The Procfile lines and the embedded run work as written."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from lianping_dev.commands import BIN
from lianping_dev.processes import Process, url_answers, wait_ready
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


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find child processes")
@pytest.mark.e2e
def test_embedded_run_answers_in_the_chat_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    port, sim_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    output = tmp_path / "embedded.log"
    run = Process(
        [str(BIN / "lianping-dev"), "embedded", "--port", str(port),
         "--simulator-port", str(sim_port), "--workers", "1"],
        env, cwd=tmp_path, log=output,
    )  # fmt: skip
    sim = SimulatorClient(f"http://127.0.0.1:{sim_port}")
    web = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url_answers(f"{sim.url}/"), what="the simulator", watch=[run], timeout=60)
        wait_ready(url_answers(f"{web}/healthz"), what="the web app", watch=[run], timeout=60)
        assert "村里廉政平臺" in requests.get(f"{sim.url}/", timeout=5).text
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
    log = output.read_text(errors="replace")
    assert status == 0, log
    assert "stopped" in log
    time.sleep(0.5)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert alive == [], f"processes left behind: {alive}"
