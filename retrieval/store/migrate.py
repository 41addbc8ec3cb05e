"""Bring a store's tables to the current schema with Alembic, one process at a time.

Every process that opens a store calls `ensure_current`: when the store is already at HEAD (the usual
case) that is one cheap query and no lock, so a read-only store still answers. Otherwise it takes the
database lock (database.database_lock), looks again, and upgrades: two processes starting on an empty
database never create the same table at once, and the second finds the work done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from retrieval.store.database import database_lock, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "0006"  # the newest revision; tests/test_migrations.py checks it against migrations/versions/


def _config(connection: Connection | None = None) -> Config:
    # Alembic is imported only when a migration runs: importing it costs every command a third of a
    # second, and a store at HEAD needs none of it.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str | None:
    """The newest revision in migrations/versions/ (HEAD must say the same)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current(engine: Engine) -> str | None:
    """The revision the store is at; None for an empty store or one made before migrations."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> bool:
    """Upgrade to HEAD under the database lock; True if anything had to be done."""
    with database_lock(engine):
        before = current(engine)
        if before == HEAD:
            return False
        log.info("migrating the store from %s to %s", before or "its first schema", HEAD)
        from alembic import command

        with engine.begin() as connection:
            command.upgrade(_config(connection), "head")
        return True


def ensure_current(engine: Engine) -> None:
    """The cheap check every process makes on opening the store, then `upgrade` if behind."""
    if current(engine) != HEAD:
        upgrade(engine)


@dataclass(frozen=True)
class Migration:
    before: str | None  # the revision the store was at (None: empty, or made before migrations)
    changed: bool


def migrate_store(database_url: str) -> Migration:
    """`python -m bot migrate`: bring the store at this URL to HEAD, under the database lock."""
    engine = make_engine(database_url)
    try:
        before = current(engine)
        return Migration(before=before, changed=upgrade(engine))
    finally:
        engine.dispose()
