"""Apply Alembic migrations programmatically (release step, embedded run, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on '%' in passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


# Indexes migrations create on PostgreSQL only (operator classes the models cannot express
# portably); schema comparisons leave them out.
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_cases_description_trgm"})


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic filter: skip the PostgreSQL-only indexes when comparing schema to models."""
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)
