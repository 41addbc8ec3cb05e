"""Engines for SQLite and PostgreSQL, the writers' lock, and the database lock that migrations and
first-use seeding take.

SQLite: Python's sqlite3 begins a transaction only at the first INSERT or UPDATE, so a writer that
reads the corpus version first reads it before it holds the write lock, and two writers get the same
version. A connection marked with WRITER begins with BEGIN IMMEDIATE instead: the write lock is taken
before anything is read. PostgreSQL writers lock the corpus state row (repository.Store.writing).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

WRITER = "govuk_writer"  # execution option: this connection's transactions take the write lock at once
WRITER_WAIT_MS = (
    600_000  # a writer waits this long behind another (a large ingest holds the lock for minutes)
)
READ_WAIT_S = 30


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL; None for an in-memory database or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the bot read while `python -m bot ingest` writes from another process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(WRITER):
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {WRITER_WAIT_MS}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": READ_WAIT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


@contextmanager
def database_lock(engine: Engine, name: str = "migrate") -> Iterator[None]:
    """Held by one process at a time per database: on PostgreSQL an advisory lock (released by the
    server if the process dies), on SQLite an flock on a file beside the database (released by the
    kernel). An in-memory SQLite database belongs to one process and needs none."""
    if engine.dialect.name == "postgresql":
        key = _lock_key(f"govuk-answers:{name}")
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        return
    path = sqlite_file(engine.url)
    if path is None:
        yield
        return
    lock_path = path.with_name(f"{path.name}.{name}.lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
