"""Migrations: a store made before them is upgraded keeping every row, the revisions build exactly the
schema the code declares, and processes that start together on an empty store all run.

On SQLite and on PostgreSQL alike (TEST_DATABASE_URL): each store here is a real database.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text

from retrieval.store import Store, migrate
from retrieval.store.schema import Base
from tests.conftest_retrieval import (
    DATA_DIR,
    ON_POSTGRES,
    SEED_FILE,
    Rows,
    cli_env,
    count,
    db_url,
    library_for,
    run_cli,
    sql,
)

V1_DUMP = DATA_DIR / "store-v1.sqlite.sql"  # sqlite3 .dump of a store python -m bot made before migrations
V1_POSTGRES_SCHEMA = DATA_DIR / "schema-v1.postgresql.sql"  # create_all's DDL on PostgreSQL then
V1_TABLES = (
    "announcements",
    "chunks",
    "corpus_state",
    "chunk_tombstones",
    "subscriptions",
    "alerts_sent",
    "alerts_queued",
)
SUBSCRIBER = 4242  # the chat that follows two topics in the v1 store


def v1_rows() -> dict[str, list[tuple[object, ...]]]:
    """Every row of the v1 store, read from its dump."""
    memory = sqlite3.connect(":memory:")
    memory.executescript(V1_DUMP.read_text(encoding="utf-8"))
    rows = {t: memory.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in V1_TABLES}
    memory.close()
    return rows


def make_v1_store(db: Path) -> None:
    """The store as today's code made it before migrations: its tables, no alembic_version."""
    if not ON_POSTGRES:
        with sqlite3.connect(db) as conn:
            conn.executescript(V1_DUMP.read_text(encoding="utf-8"))
        conn.close()
        return
    engine = create_engine(db_url(db))
    memory = sqlite3.connect(":memory:")
    memory.executescript(V1_DUMP.read_text(encoding="utf-8"))
    with engine.begin() as connection:
        for statement in V1_POSTGRES_SCHEMA.read_text(encoding="utf-8").split(";"):
            lines = [line for line in statement.splitlines() if not line.startswith("--")]
            if "".join(lines).strip():
                connection.exec_driver_sql("\n".join(lines))
        Base.metadata.reflect(connection)
        for table in V1_TABLES:
            cursor = memory.execute(f"SELECT * FROM {table}")
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            if rows:
                columns = ", ".join(f'"{n}"' for n in names)
                values = ", ".join(f":{n}" for n in names)
                connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
        for table in ("announcements", "chunks", "subscriptions"):
            # As PostgreSQL's own inserts would have left them: the next id follows the highest.
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    memory.close()
    engine.dispose()


def table_rows(db: Path, table: str) -> Rows:
    """The table's rows, in the columns it had before migrations (later revisions may add some)."""
    memory = sqlite3.connect(":memory:")
    memory.executescript(V1_DUMP.read_text(encoding="utf-8"))
    columns = ", ".join(f'"{row[1]}"' for row in memory.execute(f"PRAGMA table_info({table})"))
    memory.close()
    return [tuple(r) for r in sql(db, f"SELECT {columns} FROM {table} ORDER BY 1, 2")]


def test_head_names_the_newest_revision() -> None:
    assert migrate.head() == migrate.HEAD


def test_the_migrations_build_exactly_the_tables_the_code_declares(tmp_path: Path) -> None:
    store = Store(db_url(tmp_path / "x.db"))
    try:
        assert migrate.current(store.engine) is None
        assert migrate.upgrade(store.engine) is True
        assert migrate.current(store.engine) == migrate.HEAD
        with store.engine.connect() as connection:
            # SQLite keeps its column types as they were made (it never enforced a VARCHAR length),
            # so only PostgreSQL's types are compared.
            context = MigrationContext.configure(
                connection, opts={"compare_type": store.engine.dialect.name != "sqlite"}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        store.close()


def test_a_store_made_before_migrations_is_upgraded_without_losing_a_row(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    make_v1_store(db)
    before = {table: table_rows(db, table) for table in V1_TABLES}
    assert {t: len(rows) for t, rows in before.items()} == {t: len(rows) for t, rows in v1_rows().items()}
    assert len(before["chunks"]) > 40 and len(before["subscriptions"]) == 2

    result = run_cli(["migrate"], cwd=tmp_path, env=cli_env(db_url(db)))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Migrated the store from no schema to {migrate.HEAD}."
    after = {table: table_rows(db, table) for table in V1_TABLES}
    # Later revisions add columns (with defaults) after the v1 ones: every v1 value is kept.
    assert {t: [r[: len(b)] for r, b in zip(after[t], before[t], strict=True)] for t in V1_TABLES} == before
    again = run_cli(["migrate"], cwd=tmp_path, env=cli_env(db_url(db)))
    assert again.stdout.strip() == f"The store is already at {migrate.HEAD}."

    # And the upgraded store works as before: its passages answer, its subscribers are kept, its
    # queued alerts wait, and new announcements get new ids.
    asked = run_cli(
        ["ask", "How much did the Home Secretary pledge against live streaming?", "--json"],
        cwd=tmp_path,
        env=cli_env(db_url(db)),
    )
    assert asked.returncode == 0, asked.stderr
    assert "£300,000" in json.loads(asked.stdout)["answer"]["passage"]
    library = library_for(db)
    try:
        assert [s.words for s in library.subscriptions(SUBSCRIBER)] == ["flood defences", "hereditary peers"]
        assert library.queued_alerts() == [2, 3]
        highest = max(row[0] for row in before["announcements"])
        report = library.ingest([DATA_DIR / "govuk-news-2024-10-15.jsonl"], progress=False)
        assert report.added == 20 and min(report.added_ids) > highest
        assert library.stats().announcements == 24
    finally:
        library.close()


def test_two_processes_starting_on_an_empty_store_both_run_and_seed_it_once(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    env = cli_env(db_url(db), SEEDS_DIR=str(SEED_FILE.parent))
    question = "How much did the Home Secretary pledge against live streaming?"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "ask", question, "--json"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=180) for p in processes]

    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert "£300,000" in json.loads(stdout)["answer"]["passage"]
    assert count(db, "announcements") == 4  # seeded once
    [(version,)] = sql(db, "SELECT version_num FROM alembic_version")
    assert version == migrate.HEAD


def test_the_first_corpus_state_row_is_made_once_whoever_asks_first(tmp_path: Path) -> None:
    """Two stores on one empty database each make the row if it is missing: the second does nothing
    (INSERT ... ON CONFLICT DO NOTHING) rather than fail, and both see the same store id."""
    url = db_url(tmp_path / "x.db")
    first, second = Store(url), Store(url)
    try:
        migrate.upgrade(first.engine)
        with first.writing() as session:
            # `first` holds the row, made and locked; `second` cannot see it yet.
            assert session.scalar(select(func.count()).select_from(Base.metadata.tables["corpus_state"])) == 1
        assert first.corpus_state() == second.corpus_state()
        assert count(tmp_path / "x.db", "corpus_state") == 1
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("command", ["ingest", "sync"])
def test_commands_that_write_migrate_first(tmp_path: Path, command: str) -> None:
    db = tmp_path / "v1.db"
    make_v1_store(db)
    args = ["ingest", str(SEED_FILE)] if command == "ingest" else ["sync", "--max-items", "1"]
    # A GOV.UK nobody answers: the sync fails quickly, after the store was opened and migrated.
    env = cli_env(db_url(db), GOVUK_API_BASE_URL="http://127.0.0.1:9", GOVUK_RETRIES="0", GOVUK_TIMEOUT="1")

    run_cli(args, cwd=tmp_path, env=env)

    [(version,)] = sql(db, "SELECT version_num FROM alembic_version")
    assert version == migrate.HEAD
    assert [row[2] for row in table_rows(db, "subscriptions")] == ["flood defences", "hereditary peers"]
