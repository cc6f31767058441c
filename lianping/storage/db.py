"""Engine and session factory for PostgreSQL (production) and SQLite (embedded default)."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.expression import Executable

# libpq's connect timeout (whole seconds, at least 2).
CONNECT_TIMEOUT_S = 2


def normalize_url(url: str) -> str:
    """Map the common ``postgres://`` / ``postgresql://`` forms onto the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and write-locking transactions.

    ``pool_pre_ping`` (PostgreSQL) tests a pooled connection before each use."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # Recycling keeps connections young; a server that does not answer a connect
        # within seconds counts as down (the webhook then spools) instead of hanging.
        kwargs.setdefault("pool_recycle", 1800)
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_S})
        return create_engine(url, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    kwargs.pop("pool_pre_ping", None)  # a file does not drop connections
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over BEGIN from pysqlite so every transaction can start IMMEDIATE.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Several processes write (web, workers): taking the write lock up front
        # avoids SQLITE_BUSY on lock upgrade, which the busy timeout cannot retry.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (jobs read ids after committing)."""
    return sessionmaker(engine, expire_on_commit=False)


def dialect_insert(session: Session) -> Any:
    """The ``insert`` construct of the session's backend (for ON CONFLICT clauses)."""
    return _insert_of(session.get_bind().dialect.name)


def insert_ignoring_duplicates(
    connection: Connection, model: type[Any], rows: list[dict[str, Any]], unique_column: str
) -> None:
    """INSERT rows on ``connection``, letting the database drop those whose
    ``unique_column`` exists already (inside the caller's transaction).

    Used where deliveries repeat (LINE redelivers webhooks) so duplicates are
    refused by the database itself. It reports no count: psycopg's ``rowcount``
    for a many-row INSERT … ON CONFLICT is not reliable. A Core INSERT built once per
    table: the webhook stores every event through here, and building the statement
    each time was a third of its cost. A session passes ``session.connection()``.
    """
    if not rows:
        return
    statement = _ignoring_duplicates(connection.dialect.name, model.__table__, unique_column)
    connection.execute(statement, rows)


@functools.cache
def _ignoring_duplicates(dialect: str, table: Table, unique_column: str) -> Executable:
    return _insert_of(dialect)(table).on_conflict_do_nothing(index_elements=[unique_column])


def _insert_of(dialect: str) -> Any:
    """The ``insert`` construct of a backend (for ON CONFLICT clauses)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    raise RuntimeError(f"unsupported database dialect: {dialect}")
