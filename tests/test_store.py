"""Where the store and its index live, and what the store keeps of each announcement."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from retrieval.config import Settings
from retrieval.text import unglue
from tests.conftest_retrieval import (
    NEWS_2024,
    ON_POSTGRES,
    ROOT,
    SEED_FILE,
    cli_env,
    count,
    db_url,
    isolate,
    library_for,
    run_cli,
    sql,
)


def sqlite_url(db: Path) -> str:
    return f"sqlite:///{db}"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def test_default_store_is_a_sqlite_file_under_data_with_the_index_beside_it() -> None:
    settings = Settings()

    assert settings.database_url == "sqlite:///data/announcements.db"
    assert settings.resolved_index_dir() == Path("data") / "announcements.db.index"
    assert settings.seeds_dir == ROOT / "seeds"


def test_database_url_from_the_environment_moves_the_index_with_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url(tmp_path / "stores" / "news.db"))

    settings = Settings()

    assert settings.database_url == sqlite_url(tmp_path / "stores" / "news.db")
    assert settings.resolved_index_dir() == tmp_path / "stores" / "news.db.index"


def test_a_server_database_keeps_its_index_under_data_in_a_folder_named_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot@db.internal:5433/news")
    assert Settings().resolved_index_dir() == Path("data") / "db.internal-5433-news.index"

    # Two stores on one server, or two schemas of one database, never share an index.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://bot@db.internal:5433/archive")
    assert Settings().resolved_index_dir() == Path("data") / "db.internal-5433-archive.index"
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://bot@db.internal/news?options=-csearch_path%3Dstaging"
    )
    assert Settings().resolved_index_dir() == Path("data") / "db.internal-news-staging.index"


def test_index_dir_overrides_where_the_index_goes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url(tmp_path / "x.db"))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "bm25"))

    assert Settings().resolved_index_dir() == tmp_path / "bm25"


def test_settings_come_from_a_dot_env_file_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        f"DATABASE_URL={sqlite_url(tmp_path / 'from-dotenv.db')}\nINDEX_DIR={tmp_path / 'idx'}\n",
        encoding="utf-8",
    )

    assert Settings().database_url == sqlite_url(tmp_path / "from-dotenv.db")
    assert Settings().resolved_index_dir() == tmp_path / "idx"

    monkeypatch.setenv("DATABASE_URL", sqlite_url(tmp_path / "from-env.db"))
    assert Settings().database_url == sqlite_url(tmp_path / "from-env.db")


@pytest.mark.skipif(ON_POSTGRES, reason="the default store is a SQLite file")
def test_cli_without_settings_keeps_its_store_under_data_in_the_working_directory(tmp_path: Path) -> None:
    result = run_cli(["ingest", str(SEED_FILE)], cwd=tmp_path, env=cli_env())

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "announcements.db").is_file()
    assert (tmp_path / "data" / "announcements.db.index" / "CURRENT").is_file()


def test_cli_database_url_picks_the_store(tmp_path: Path) -> None:
    db = tmp_path / "somewhere" / "else.db"

    result = run_cli(["ingest", str(SEED_FILE)], cwd=tmp_path, env=cli_env(db_url(db)))

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "somewhere" / "else.db.index").is_dir()
    assert db.is_file() or ON_POSTGRES
    assert not (tmp_path / "data").exists()
    assert count(db, "announcements") == 4


def columns(db: Path, table: str) -> set[str]:
    engine = create_engine(db_url(db))
    try:
        return {column["name"] for column in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_the_store_keeps_each_announcement_and_its_passages(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = library_for(db)
    library.ingest([NEWS_2024])
    library.close()

    assert {
        "type",
        "title",
        "summary",
        "body",
        "url",
        "published",
        "organisation",
        "source",
        "content_hash",
        "ingested_at",
    } <= columns(db, "announcements")
    assert {"announcement_id", "position", "text"} <= columns(db, "chunks")
    [row] = sql(db, "SELECT * FROM announcements WHERE title LIKE 'Stay safe this fireworks%'")
    chunks = sql(
        db, "SELECT position, text FROM chunks WHERE announcement_id = :id ORDER BY position", id=row.id
    )
    assert row.url == "https://www.gov.uk/government/news/stay-safe-this-fireworks-season"
    assert str(row.published).startswith("2024-10-15 11:58:40")
    assert row.type == "News"
    assert row.summary and row.organisation and row.ingested_at
    assert row.source == str(NEWS_2024)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len(chunks) > 1
    # The passages together are the body (with the sentences that lost paragraph breaks unglued).
    assert " ".join(c.text for c in chunks).split() == unglue(row.body).split()


def test_an_announcement_comes_out_as_a_plain_record_that_outlives_the_store(tmp_path: Path) -> None:
    """No ORM object or session leaves the store: what /read shows is read in full, then the store
    can be closed (or the row changed) without touching it."""
    library = library_for(tmp_path / "x.db")
    library.ingest([NEWS_2024], progress=False)
    [item] = [a for a in library.latest(30) if a.title.startswith("Stay safe this fireworks")]
    stored = library.announcement(item.announcement_id)
    library.close()

    assert stored is not None and dataclasses.is_dataclass(stored)
    assert stored.title.startswith("Stay safe this fireworks") and stored.type == "News"
    assert stored.url == "https://www.gov.uk/government/news/stay-safe-this-fireworks-season"
    assert stored.published is not None and stored.published.isoformat().startswith("2024-10-15T11:58:40")
    assert stored.organisation and stored.summary and len(stored.body) > 500
    with pytest.raises(dataclasses.FrozenInstanceError):
        stored.title = "changed"  # type: ignore[misc]


def test_candidate_rows_read_through_the_driver_are_those_the_statement_reads(tmp_path: Path) -> None:
    # On SQLite and on PostgreSQL (`make test-postgres`) a question's candidate rows are read through
    # the driver's cursor, not SQLAlchemy's execution: the same rows must come back, dates and
    # withdrawals converted alike.
    from datetime import UTC, datetime

    from retrieval.announcement import AnnouncementRecord
    from retrieval.store.repository import _CHUNKS_BY_ID
    from retrieval.timeutil import parse_utc

    library = library_for(tmp_path / "store.db")
    records = [
        AnnouncementRecord(
            title=f"Harbour notice {n}",
            body=f"The harbour reopens on day {n}.\n\nDredging goes on between the piers for {n} weeks.",
            url=f"https://www.gov.uk/n/{n}",
            type="news_story" if n % 2 else None,
            organisation="Harbour Authority" if n % 3 else None,
            published=datetime(2020 + n % 5, 1 + n % 12, 1 + n, 9, n, tzinfo=UTC) if n % 4 else None,
            extra={"withdrawn_at": "2024-03-01T10:00:00+00:00"} if n % 5 == 0 else {"speaker": "x"},
        )
        for n in range(12)
    ]
    library.ingest_records(records)
    store = library.store
    ids = [int(i) for (i,) in sql(tmp_path / "store.db", "SELECT id FROM chunks ORDER BY id DESC")]
    with store.engine.connect() as connection:
        rows = connection.execute(_CHUNKS_BY_ID, {"ids": ids}).all()
    driver = store.chunks(ids)
    assert len(rows) == len(ids) == len(driver)
    assert any(row.withdrawn_at is not None for row in driver.values())
    assert any(row.published is None for row in driver.values())
    for row in rows:
        read = driver[row[0]]
        assert (read.announcement_id, read.position, read.text, read.analysis) == tuple(row[1:5])
        assert (read.title, read.type, read.published, read.url, read.organisation) == tuple(row[5:10])
        assert read.published is None or read.published.tzinfo is not None
        assert read.withdrawn_at == parse_utc(row[10])
    library.close()
