"""The realistic tier: a database seeded once per test process with the demo data at working
size (``data.CASES`` cases), the app on it, and logged-in staff.

The database is the tier's own (a SQLite file, or ``<TEST_DATABASE_URL's name>_realistic``
per test worker on PostgreSQL), so the per-test emptying of the other tests never touches it;
the tier only reads. The app queues on the quiet Redis database, which no worker reads.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.services import accounts
from lianping.storage.migrate import upgrade
from lianping.storage.models import User
from tests.realistic import data
from tests.realistic.routes import OFFICER, VIEWER
from tests.realistic.tier import Realistic
from tests.support import fresh_database_beside


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A new, empty database of the tier's own."""
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        return f"sqlite:///{tmp_path_factory.mktemp('realistic')}/realistic.db"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    name = f"{make_url(given).database}_realistic" + (f"_{worker}" if worker else "")
    return fresh_database_beside(given, name)


@pytest.fixture(scope="session")
def realistic(
    quiet_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Realistic]:
    """The seeded database and the app on it, with CHIEF, an officer and a viewer logged in."""
    settings = dataclasses.replace(
        quiet_settings,
        database_url=_database_url(tmp_path_factory),
        media_dir=tmp_path_factory.mktemp("realistic-media"),
    )
    upgrade(settings.database_url)
    ctx = Context(settings)
    with ctx.sessions.begin() as session:
        data.seed(session, settings.media_dir)
    cookies: dict[str, str] = {}
    with ctx.sessions.begin() as session:
        for username in (data.CHIEF, OFFICER, VIEWER):
            user = session.scalars(select(User).where(User.username == username)).one()
            cookies[username] = accounts.open_session(session, user).cookie_value
        chief = session.scalars(select(User).where(User.username == data.CHIEF)).one()
        token = accounts.create_token(session, chief, "realistic tier")
        found = data.ids(session)
    yield Realistic(create_app(settings), ctx, found, cookies, token)
    ctx.engine.dispose()
