"""Helpers shared by the retrieval tests: real files, a real store, the CLI (in-process, or a process).

Each store is named by a path, as a SQLite file is. With TEST_DATABASE_URL set (a PostgreSQL
database, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test; `make test-postgres`), the same
path names a schema of its own in that database instead, its index still beside the path: every
test runs on either store unchanged. Rows are read with SQLAlchemy (`sql`), never a driver of one
backend.

Imported explicitly by the test modules (tests/conftest.py belongs to the bot's tests).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Row, create_engine, func, select, text
from sqlalchemy.engine import make_url

from retrieval.config import Settings
from retrieval.library import Library
from retrieval.store import Store, migrate
from retrieval.store.schema import Base

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "seeds"
SEED_FILE = SEEDS_DIR / "announcements-2019.txt"
DATA_DIR = ROOT / "tests" / "data"
NEWS_2024 = DATA_DIR / "govuk-news-2024-10-15.jsonl"
EVAL_SEED = DATA_DIR / "eval-seed.jsonl"
EVAL_2024 = DATA_DIR / "eval-2024.jsonl"

SEED_TITLES = [
    "Revolutionary new tools to tackle streaming of child abuse",
    "Philip Hammond’s speech at the Resolution Foundation",
    "UK and Canada joint statement on Hong Kong",
    "Blackpool Tower rides again",
]

# Settings the product reads from the environment or .env: a test sets what it means to set.
_SETTING_VARIABLES = ("DATABASE_URL", "INDEX_DIR", "SEEDS_DIR")


def isolate(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    """No setting leaks in from the developer's shell or from a .env in the project root."""
    for name in _SETTING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(workdir)


TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or None
ON_POSTGRES = TEST_DATABASE_URL is not None
_SCHEMA_PREFIX = f"t{os.getpid()}_"  # this run's schemas, dropped at its end (drop_test_schemas)
_schemas: set[str] = set()
_index_dirs: dict[str, Path] = {}


def db_url(db: Path) -> str:
    """The URL of the store named `db`: the SQLite file, or a PostgreSQL schema made for it."""
    if TEST_DATABASE_URL is None:
        return f"sqlite:///{db}"
    schema = _SCHEMA_PREFIX + hashlib.sha1(str(db).encode()).hexdigest()[:16]
    if schema not in _schemas:
        with create_engine(TEST_DATABASE_URL).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        _schemas.add(schema)
    url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    _index_dirs[rendered] = db.with_name(db.name + ".index")
    return rendered


def index_dir_of(database_url: str) -> Path | None:
    """Where a PostgreSQL test store keeps its index (beside its path, as SQLite's would be)."""
    return _index_dirs.get(database_url)


def drop_test_schemas() -> None:
    if TEST_DATABASE_URL is None or not _schemas:
        return
    engine = create_engine(TEST_DATABASE_URL)
    for schema in sorted(_schemas):
        # One transaction each: dropping hundreds of schemas at once runs out of lock slots.
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
    _schemas.clear()


def store_env(db: Path) -> dict[str, str]:
    """The environment variables that point a `python -m bot` process at the store `db`."""
    url = db_url(db)
    index_dir = index_dir_of(url)
    return {"DATABASE_URL": url} | ({"INDEX_DIR": str(index_dir)} if index_dir else {})


def drop_stale_test_schemas() -> None:
    """Schemas left by runs that died before their end (their process is gone): dropped."""
    if TEST_DATABASE_URL is None:
        return
    engine = create_engine(TEST_DATABASE_URL)
    with engine.connect() as connection:
        names = connection.scalars(
            text(r"SELECT nspname FROM pg_namespace WHERE nspname ~ '^t[0-9]+_'")
        ).all()
    for name in names:
        pid = int(name[1:].split("_")[0])
        if not Path(f"/proc/{pid}").exists():
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


def settings_for(db: Path, **overrides: Any) -> Settings:
    """Settings for the store `db`, its index beside it; no .env is read."""
    url = db_url(db)
    values: dict[str, Any] = {"database_url": url, "index_dir": index_dir_of(url)}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def library_for(db: Path, **overrides: Any) -> Library:
    return Library(settings_for(db, **overrides))


def cli_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """A clean environment for `python -m bot`: no token, no proxy for local addresses, this checkout."""
    env = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ
    }
    env["PYTHONPATH"] = str(ROOT)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if database_url is not None:
        env["DATABASE_URL"] = database_url
        index_dir = index_dir_of(database_url)
        if index_dir is not None:
            env["INDEX_DIR"] = str(index_dir)
    env.update(extra)
    return env


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a process given `env` in `cwd` would run it, in this process."""
    from tests.clirun import run_main

    return run_main(args, cwd, env)


def run_process(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` in a process of its own: for what must not take the test run with it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def ingest_cli(db: Path, paths: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(["ingest", *map(str, paths)], cwd=cwd, env=cli_env(db_url(db), SEEDS_DIR=str(SEEDS_DIR)))


def ask_json(db: Path, question: str, cwd: Path, *extra: str) -> dict[str, Any]:
    result = run_cli(["ask", question, "--json", *extra], cwd=cwd, env=cli_env(db_url(db)))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    answer = json.loads(lines[0])
    assert isinstance(answer, dict)
    return answer


Rows = list[tuple[Any, ...]]


def sql(db: Path, statement: str, **params: Any) -> list[Row[*tuple[Any, ...]]]:
    """Run one SQL statement on the store `db` (either backend) and commit; its rows, if any."""
    engine = create_engine(db_url(db))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def count(db: Path, table: str) -> int:
    [(n,)] = sql(db, f"SELECT count(*) FROM {table}")
    return int(n)


def dump_store(db: Path) -> tuple[Rows, Rows]:
    """Every row of announcements and chunks, in id order."""
    announcements = [tuple(r) for r in sql(db, "SELECT * FROM announcements ORDER BY id")]
    chunks = [tuple(r) for r in sql(db, "SELECT * FROM chunks ORDER BY id")]
    return announcements, chunks


def chunk_rows(db: Path) -> list[tuple[int, str, int, str]]:
    """(chunk id, announcement title, position, text) in chunk id order."""
    rows = sql(
        db,
        "SELECT c.id, a.title, c.position, c.text FROM chunks c JOIN announcements a"
        " ON a.id = c.announcement_id ORDER BY c.id",
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def copy_db(src: Path, dst: Path) -> Path:
    """A copy of the store `src` as the store `dst`: every row of every table, ids kept."""
    source, target = Store(db_url(src)), Store(db_url(dst))
    migrate.ensure_current(target.engine)
    try:
        with source.engine.connect() as reading, target.engine.begin() as writing:
            for table in Base.metadata.sorted_tables:
                rows = [dict(r._mapping) for r in reading.execute(select(table))]
                if rows:
                    writing.execute(table.insert(), rows)
                if writing.dialect.name == "postgresql" and "id" in table.c and rows:
                    # Rows came with their ids: the sequence must go on from the highest one.
                    top = writing.scalar(select(func.max(table.c.id)))
                    writing.execute(
                        text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :top)"),
                        {"t": table.name, "top": top},
                    )
    finally:
        source.close()
        target.close()
    return dst


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return path


def news_item(n: int, **fields: Any) -> dict[str, Any]:
    """A plausible JSON Lines announcement, distinct for each n."""
    item: dict[str, Any] = {
        "title": f"Coastal path section {n} reopens after repairs",
        "url": f"https://www.gov.uk/government/news/coastal-path-section-{n}-reopens",
        "summary": f"Section {n} of the coastal path is open again.",
        "published": f"2024-11-{n % 28 + 1:02d}T09:00:00Z",
        "organisation": "Natural England",
        "body": (
            f"Section {n} of the England Coast Path reopened today after storm repairs costing "
            f"£{n * 1000 + 250:,}. Walkers can again follow the cliffs between the two harbours."
        ),
    }
    item.update(fields)
    return item
