"""The Procfile lines and the embedded run work as written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from lianping_dev.redis_server import free_port
from tests.support import wait_until

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


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
    web = subprocess.Popen(
        ["sh", "-c", lines["web"]], env=env, cwd=tmp_path, start_new_session=True
    )
    try:
        health = wait_until(lambda: _get(f"http://127.0.0.1:{port}/healthz"), timeout=30)
        assert health.json() == {"status": "ok"}
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)


def _get(url: str) -> requests.Response | None:
    try:
        return requests.get(url, timeout=2)
    except requests.RequestException:
        return None


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
    run = subprocess.Popen(
        [str(BIN / "lianping-dev"), "embedded", "--port", str(port),
         "--simulator-port", str(sim_port), "--workers", "1"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    sim = f"http://127.0.0.1:{sim_port}"
    try:
        wait_until(
            lambda: (
                run.poll() is not None
                or (_get(f"{sim}/") and _get(f"http://127.0.0.1:{port}/healthz"))
            ),
            timeout=60,
        )
        assert run.poll() is None, "the embedded run stopped on its own"
        assert "村里廉政平臺" in requests.get(f"{sim}/", timeout=5).text
        user = requests.post(
            f"{sim}/_sim/residents", json={"display_name": "林小華", "follow": True}, timeout=10
        ).json()["resident"]["user_id"]

        def bot_texts() -> list[str]:
            items = requests.get(f"{sim}/_sim/residents/{user}/messages", timeout=5).json()["items"]
            return [i["message"].get("text", "") for i in items if i["from"] == "bot"]

        assert "歡迎加入" in wait_until(bot_texts, timeout=30)[0]
        requests.post(
            f"{sim}/_sim/residents/{user}/send", json={"type": "text", "text": "你好"}, timeout=10
        )
        wait_until(lambda: len(bot_texts()) == 2, timeout=30)
        assert requests.get(f"http://127.0.0.1:{port}/admin/", timeout=5).status_code == 200
        children = _descendants(run.pid)
        assert len(children) >= 4  # redis, gunicorn, simulator, worker
    finally:
        run.send_signal(signal.SIGINT)
        output, _ = run.communicate(timeout=60)
    assert run.returncode == 0, output
    assert "stopped" in output
    time.sleep(0.5)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert alive == [], f"processes left behind: {alive}"
