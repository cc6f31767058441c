"""Test fixtures: a real Redis, a real database, the LINE simulator and the web app.

- Redis: ``REDIS_URL`` if set, else a private ``redis-server`` for the session.
- Database: ``TEST_DATABASE_URL`` (PostgreSQL in CI), else a SQLite file.
- Run in parallel (pytest-xdist, ``-n``), each worker has a database of its own
  (a SQLite file in its own temporary folder, or ``<name>_gw0``… beside the
  PostgreSQL one) and a Redis database of its own (``REDIS_URL``'s server, db 1, 2…).
- LINE: the project's simulator, in this process; every body the product
  sends it is checked against LINE's OpenAPI spec when ``../shared`` is there.
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis import Redis
from rq.registry import ScheduledJobRegistry, StartedJobRegistry
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from lianping import context, queues
from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.storage.db import make_engine
from lianping.storage.migrate import upgrade
from lianping.storage.models import Base
from lianping_dev.redis_server import RedisServer, free_port
from lianping_dev.simulator.app import RunningSimulator, start_in_thread
from lianping_dev.simulator.client import SimulatorClient
from lianping_dev.simulator.settings import SIMULATED_BOT_USER_ID, SimulatorSettings
from tests.support import WorkerProcess, copy_of_database, fresh_database_beside, wait_until

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
# The simulator's bot: the destination of every body it sends.
BOT_USER_ID = SIMULATED_BOT_USER_ID


def _xdist_worker() -> int | None:
    """This process's number under pytest-xdist (gw0 → 0), or None when not parallel."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else None


def _redis_of_worker(url: str) -> str:
    """The worker's own Redis database on the given server (db 1, 2…; db 0 when serial)."""
    worker = _xdist_worker()
    if worker is None:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{worker + 1}"))


def _database_of_worker(url: str) -> str:
    """The worker's own PostgreSQL database beside ``url``'s, created afresh."""
    worker = _xdist_worker()
    if worker is None:
        return url
    return fresh_database_beside(url, f"{make_url(url).database}_gw{worker}")


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        url = _redis_of_worker(url)
        Redis.from_url(url).flushdb()
        yield url
        return
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


def _reset_database(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    given = os.environ.get("TEST_DATABASE_URL")
    url = (
        _database_of_worker(given)
        if given
        else (f"sqlite:///{tmp_path_factory.mktemp('db')}/lianping-test.db")
    )
    _reset_database(url)
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def blank_database_url(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> str:
    """A migrated database that nothing uses: :func:`private_database_url` copies it."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        url = fresh_database_beside(
            given, f"{make_url(given).database}_blank{_xdist_worker() or 0}"
        )
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('blank')}/blank.db"
    upgrade(url)
    return url


@pytest.fixture
def private_database_url(blank_database_url: str, tmp_path: Path) -> str:
    """An empty database of this test alone, for a stack on a Redis of its own: the session's
    worker must not see its rows, or its sweep would take them through the other Redis, past
    the stack's locks (two drainers of one chat, two deliverers of one answer)."""
    blank = make_url(blank_database_url)
    name = "private" if blank.get_backend_name() == "sqlite" else f"{blank.database}_private"
    return copy_of_database(blank_database_url, name, tmp_path)


@pytest.fixture(scope="session")
def simulator() -> Iterator[RunningSimulator]:
    # The webhook URL is known once the web app listens; see ``web``.
    running = start_in_thread(SimulatorSettings(SECRET, TOKEN, webhook_url="http://127.0.0.1:9/"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def settings(
    database_url: str, redis_url: str, simulator: RunningSimulator, tmp_path_factory: Any
) -> Settings:
    port = free_port()
    return Settings.from_env(
        {
            "LIANPING_DEV": "1",
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "LINE_API_BASE": simulator.url,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "test-secret-key",
            "PORT": str(port),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "MEDIA_DIR": str(tmp_path_factory.mktemp("media")),
            "LINE_BOT_USER_ID": BOT_USER_ID,
        }
    )


@pytest.fixture(scope="session")
def env(settings: Settings) -> dict[str, str]:
    """The environment a worker or web process of the product gets."""
    return {
        **os.environ,
        "LIANPING_DEV": "1",
        "LINE_CHANNEL_SECRET": settings.line_channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": settings.line_channel_access_token,
        "LINE_API_BASE": settings.line_api_base,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
        "PORT": str(settings.port),
        "PUBLIC_BASE_URL": settings.public_base_url,
        "MEDIA_DIR": str(settings.media_dir),
        "LINE_BOT_USER_ID": settings.line_bot_user_id,
        "SPOOL_DIR": str(settings.spool_dir),
    }


@pytest.fixture(scope="session")
def quiet_settings(settings: Settings) -> Settings:
    """The same settings on a Redis database no worker reads (db 15, 14… per test worker):
    what the product queues there stays queued, for a test to read."""
    parts = urlsplit(settings.redis_url)
    quiet_db = 15 - (_xdist_worker() or 0)
    return dataclasses.replace(settings, redis_url=urlunsplit(parts._replace(path=f"/{quiet_db}")))


@pytest.fixture
def quiet(quiet_settings: Settings) -> Iterator[Context]:
    """The product's context on the quiet Redis database, emptied before and after the test."""
    other = Context(quiet_settings)
    other.redis.flushdb()
    yield other
    other.redis.flushdb()
    other.redis.close()


@pytest.fixture(scope="session")
def quiet_app(quiet_settings: Settings) -> Any:
    """The web app on the quiet Redis database: the jobs its pages queue are left queued."""
    return create_app(quiet_settings)


@pytest.fixture(scope="session")
def ctx(settings: Settings) -> Context:
    """This test process's context (job functions called directly use it)."""
    return context.install(Context(settings))


@pytest.fixture(scope="session")
def web(settings: Settings, simulator: RunningSimulator, ctx: Context) -> Iterator[str]:
    """The web app served on a real port; the simulator sends its webhooks there."""
    app = create_app(settings)
    server = make_server("127.0.0.1", settings.port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    simulator.state.settings.webhook_url = f"{settings.public_base_url}/callback"
    yield settings.public_base_url
    server.shutdown()


@pytest.fixture(scope="session")
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def sim(simulator: RunningSimulator, web: str) -> Iterator[SimulatorClient]:
    """The simulator's API, with fault injection cleared after the test."""
    client = SimulatorClient(simulator.url)
    yield client
    client.faults(clear=True)


@pytest.fixture(scope="session")
def worker(env: dict[str, str], web: str) -> Iterator[WorkerProcess]:
    """One worker for the whole session (tests that kill workers start their own)."""
    process = WorkerProcess(env)
    yield process
    process.stop()


def _settle_session_worker(ctx: Context) -> None:
    """Drop the jobs earlier tests left queued for the session's worker and wait for the
    one it runs: a job names rows by id, and SQLite gives a new row the id of a deleted
    one, so an earlier test's late job would act on this test's rows."""
    for name in queues.ALL:
        queue = queues.queue(name, ctx.redis)
        queue.empty()
        scheduled = ScheduledJobRegistry(queue=queue)
        for job_id in scheduled.get_job_ids():
            scheduled.remove(job_id, delete_job=True)
        running = StartedJobRegistry(queue=queue)
        wait_until(lambda running=running: running.count == 0, timeout=30)


@pytest.fixture(autouse=True)
def clean_tables(request: pytest.FixtureRequest) -> None:
    """Each test starts with empty tables (only for tests that use the database)."""
    if "ctx" not in request.fixturenames:
        return
    ctx: Context = request.getfixturevalue("ctx")
    _settle_session_worker(ctx)
    with ctx.sessions.begin() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Lets the test cleanup past the audit log's append-only trigger (superuser only).
            session.execute(text("SET LOCAL session_replication_role = replica"))
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


@pytest.fixture(autouse=True)
def sent_bodies_follow_line_spec(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every request the product sent the simulator during the test validates against the spec.

    Without LINE's spec the check is left out locally; under CI the test fails instead.
    """
    from tests import line_spec

    deliberate = request.node.get_closest_marker("sends_invalid_bodies")
    wanted = "simulator" in request.fixturenames and not deliberate
    if not wanted or not line_spec.shared_present(line_spec.MESSAGING_SPEC):
        yield
        return

    simulator: RunningSimulator = request.getfixturevalue("simulator")
    before = len(simulator.store.calls(""))
    yield
    problems = []
    for call in simulator.store.calls("")[before:]:
        if call.get("json") is None:
            continue
        for error in line_spec.validate(call["method"], call["path"], call["json"]):
            problems.append(f"{call['method']} {call['path']}: {error}")
    assert not problems, "requests not valid against messaging-api.yml:\n" + "\n".join(problems)
