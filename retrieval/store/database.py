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
    _sqlite_common(cursor)


def _sqlite_common(cursor: Any) -> None:
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(WRITER):
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {WRITER_WAIT_MS}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    _sqlite_common(cursor)


def read_only_folder(path: Path) -> bool:
    """A store whose folder this process may not write (a read-only mount, a folder it does not own):
    SQLite cannot create the WAL's shared-memory file beside it, so it must be opened read-only."""
    return path.exists() and not os.access(path.parent, os.W_OK)


def _read_only_url(path: Path) -> URL:
    # With no -wal file left beside it (every writer checkpoints on close) the file is the whole
    # store, and `immutable` lets SQLite read it without the shared memory it cannot create. A -wal
    # file left by a writer that died holds committed rows, so SQLite must read it: mode=ro does.
    query = "mode=ro" if path.with_name(f"{path.name}-wal").exists() else "mode=ro&immutable=1"
    return make_url(f"sqlite:///file:{path.resolve()}?{query}&uri=true")


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        path = sqlite_file(url)
        if path is not None and read_only_folder(path):
            engine = create_engine(_read_only_url(path), connect_args={"timeout": READ_WAIT_S})
            event.listen(engine, "connect", _sqlite_read_only_pragmas)
            return engine
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


class RunnerLock:
    """Held by at most one process per database for as long as that process lives and keeps it: the
    one of several workers that syncs GOV.UK and sends alerts. On PostgreSQL a session advisory lock
    on a connection of its own (the server drops it when the process dies, or the connection does);
    on SQLite an flock beside the database file (the kernel drops it). Nothing waits: a worker that
    does not get it just is not the runner, and tries again next time."""

    def __init__(self, engine: Engine, name: str = "runner") -> None:
        self.engine = engine
        self.name = name
        self._connection: Connection | None = None
        self._fd: int | None = None
        self._key = 0

    @property
    def held(self) -> bool:
        """Whether this process took the lock at its last `hold` (no database round trip)."""
        return (
            self._connection is not None
            or self._fd is not None
            or (self.engine.dialect.name != "postgresql" and sqlite_file(self.engine.url) is None)
        )

    def hold(self) -> bool:
        """True while this process is the runner: takes the lock if it is free, and checks that a lock
        already taken is still held (a PostgreSQL restart ends the session that held it)."""
        if self.engine.dialect.name == "postgresql":
            return self._hold_advisory()
        path = sqlite_file(self.engine.url)
        if path is None:
            return True  # an in-memory database belongs to this process alone
        if self._fd is None:
            fd = os.open(path.with_name(f"{path.name}.{self.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return False
            self._fd = fd
        return True

    def _hold_advisory(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
                return True
            except Exception:
                self.release()  # the session is gone, and the lock with it: another may have it now
        connection = self.engine.connect()
        try:
            # Per store: two stores kept in schemas of one database (search_path in the URL's options)
            # each have their runner.
            options = self.engine.url.query.get("options")
            scope = f":{options}" if isinstance(options, str) else ""
            self._key = _lock_key(f"govuk-answers:{self.name}{scope}")
            got = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}))
            connection.commit()  # hold the lock, not a transaction: the lock is the session's
        except Exception:
            connection.invalidate()
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def release(self) -> None:
        """Stop being the runner. The connection is closed rather than returned to the pool, where
        it would go on holding the session's lock."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                # Unlock before closing: the server ends a closed session a moment later, and until
                # then the next worker would find the lock still taken.
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                connection.commit()
            except Exception:
                pass  # the session is gone, and the lock with it
            try:
                connection.invalidate()
                connection.close()
            except Exception:
                pass  # already broken: the server has dropped the lock with the session
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
