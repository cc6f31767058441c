"""The embedded run: the whole product on one machine with no LINE account and no internet.

SQLite, a private redis-server, the web app under gunicorn, workers and the
LINE simulator, each a child process in its own process group, with the rich
menu installed on the simulator; a child that dies is restarted; Ctrl-C stops
them all within seconds.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import click

from lianping.storage.migrate import upgrade
from lianping_dev import commands
from lianping_dev.processes import Fleet, ProcessFailed, url_answers
from lianping_dev.redis_server import RedisServer
from lianping_dev.simulator.settings import SIMULATED_BOT_USER_ID

INSTANCE = Path("instance")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Ctrl-C must be prompt: a child still busy after this many seconds (a job waiting for
# the database, a request in flight) is killed. Nothing is lost by it: this Redis keeps
# nothing across runs anyway, and the sweep queues again what the database holds undone.
STOP_GRACE = 3.0


class _StopRequested(BaseException):
    """Ctrl-C or SIGTERM; a BaseException so that it unwinds to the clean-up whatever runs."""


def _request_stop(_signum: int, _frame: object) -> None:
    raise _StopRequested


def _announce(web_url: str, simulator_url: str, database_url: str, redis_url: str) -> None:
    click.echo(
        "\n村里廉政平臺 is running (Ctrl-C to stop):\n"
        f"  resident chat (LINE simulator): {simulator_url}/  (rich menu installed)\n"
        f"  admin:                          {web_url}/admin/\n"
        f"  database: {database_url}  redis: {redis_url}\n"
        "staff accounts (in another terminal, in this folder):\n"
        "  LIANPING_DEV=1 .venv/bin/lianping-dev seed-demo --cases 2000  # demo data, accounts\n"
        "  LIANPING_DEV=1 .venv/bin/lianping create-user NAME --role admin --ethics\n"
    )


def run_embedded(port: int, simulator_port: int, workers: int) -> None:
    """Start everything, print the URLs, restart a child that dies, stop everything on Ctrl-C.

    A child that exits while the run starts up stops the run (a port taken, a broken
    install): restarting would only repeat it.
    """
    INSTANCE.mkdir(exist_ok=True)
    simulator_url = f"http://127.0.0.1:{simulator_port}"
    web_url = f"http://127.0.0.1:{port}"
    database_url = os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE.resolve()}/lianping.db")
    upgrade(database_url)
    # Linux stops the children should this process be killed outright.
    fleet = Fleet(die_with_parent=True)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _request_stop)
    try:
        redis = RedisServer(INSTANCE / "redis").start(die_with_parent=True)
        assert redis.process is not None
        fleet.adopt(redis.process)
        env = {
            **os.environ,
            "LIANPING_DEV": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis.url,
            "LINE_API_BASE": simulator_url,
            "PUBLIC_BASE_URL": web_url,
            "PORT": str(port),
            "MEDIA_DIR": str((INSTANCE / "media").resolve()),
            # The simulator sends its bot's user id as every body's destination.
            "LINE_BOT_USER_ID": os.environ.get("LINE_BOT_USER_ID") or SIMULATED_BOT_USER_ID,
        }
        fleet.start("web", commands.web(port), env)
        fleet.start("simulator", commands.simulator(simulator_port, f"{web_url}/callback"), env)
        for i in range(workers):
            fleet.start(f"worker-{i + 1}", commands.worker(), env)
        fleet.wait_ready("the web app", url_answers(f"{web_url}/healthz"), timeout=60)
        fleet.wait_ready("the LINE simulator", url_answers(f"{simulator_url}/_sim/stats"))
        # The welcome asks residents to tap the menu below: install it as on a real channel.
        fleet.run("richmenu", commands.richmenu(), env)
        _announce(web_url, simulator_url, database_url, redis.url)
        # From here on a child that dies is started again, Redis included (on its port,
        # empty: the workers reconnect, the sweep queues again what the database holds).
        while True:
            fleet.supervise(lambda message: click.echo(message, err=True))
            time.sleep(0.5)
    except _StopRequested:
        pass
    except ProcessFailed as exc:
        click.echo(f"shutting down: {exc}", err=True)
        raise SystemExit(1) from exc
    finally:
        # A second Ctrl-C must not cut the clean-up short.
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
        fleet.stop_all(grace=STOP_GRACE)
        click.echo("stopped")
