"""Migrations build exactly the schema the models describe, and go back down cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from lianping.storage.db import make_engine
from lianping.storage.migrate import include_object, upgrade
from lianping.storage.models import Base


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_upgrade_and_downgrade_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    upgrade(url)
    engine = make_engine(url)
    assert {"inbox_events", "residents", "outbox_messages"} <= set(
        inspect(engine).get_table_names()
    )
    from alembic import command

    from lianping.storage.migrate import alembic_config

    command.downgrade(alembic_config(url), "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    engine.dispose()
