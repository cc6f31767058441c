"""The embedded run: the whole product on one machine with no LINE account and no internet.

SQLite, a private redis-server, the web app under gunicorn, workers and the
LINE simulator, each a child process in its own process group; Ctrl-C stops
them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click

from lianping.storage.migrate import upgrade
from lianping_dev.redis_server import RedisServer

INSTANCE = Path("instance")


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, start_new_session=True)


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_embedded(port: int, simulator_port: int, workers: int) -> None:
    """Start everything, print the URLs, and stop everything on Ctrl-C or a child's exit."""
    INSTANCE.mkdir(exist_ok=True)
    redis = RedisServer(INSTANCE / "redis").start()
    simulator_url = f"http://127.0.0.1:{simulator_port}"
    env = {
        **os.environ,
        "LIANPING_DEV": "1",
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE.resolve()}/lianping.db"
        ),
        "REDIS_URL": redis.url,
        "LINE_API_BASE": simulator_url,
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
        "MEDIA_DIR": str((INSTANCE / "media").resolve()),
    }
    upgrade(env["DATABASE_URL"])
    bin_dir = Path(sys.executable).parent
    lianping = str(bin_dir / "lianping")
    lianping_dev = str(bin_dir / "lianping-dev")
    processes = [
        _spawn(
            [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--threads", "4", "--no-control-socket", "--log-level", "warning",
             "lianping.app:create_app()"],
            env,
        ),
        _spawn(
            [lianping_dev, "simulator", "--port", str(simulator_port),
             "--webhook-url", f"http://127.0.0.1:{port}/callback"],
            env,
        ),
        *(_spawn([lianping, "worker"], env) for _ in range(workers)),
    ]  # fmt: skip
    stopping = False

    def _request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    click.echo(
        "\n村里廉政平臺 is running (Ctrl-C to stop):\n"
        f"  resident chat (LINE simulator): {simulator_url}/\n"
        f"  admin:                          http://127.0.0.1:{port}/admin/\n"
        f"  database: {env['DATABASE_URL']}  redis: {redis.url}\n"
        "staff accounts (in another terminal, in this folder):\n"
        "  LIANPING_DEV=1 .venv/bin/lianping-dev seed-demo --cases 2000  # demo data, accounts\n"
        "  LIANPING_DEV=1 .venv/bin/lianping create-user NAME --role admin --ethics\n"
    )
    try:
        while not stopping:
            if any(process.poll() is not None for process in processes):
                click.echo("a component stopped unexpectedly; shutting down", err=True)
                break
            time.sleep(0.5)
    finally:
        _stop_all(processes)
        redis.stop()
        click.echo("stopped")
