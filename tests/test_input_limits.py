"""Input limits at read time: what PostgreSQL refuses never takes down an ingest or a sync.

PostgreSQL enforces what SQLite ignores (VARCHAR lengths, NUL bytes), so the tests that need it run on
the server at 127.0.0.1:5432, each in a database of its own, and are skipped only when no server
answers there.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import BotSettings
from bot.sync import run_sync
from retrieval.announcement import MAX_URL
from retrieval.library import Library
from tests.botharness import bot_settings_for
from tests.conftest_retrieval import isolate, library_for, news_item, write_jsonl
from tests.fakebotapi import FakeBotAPI
from tests.fakegovuk import FakeGovuk, load_fixtures

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SPEECH = "/government/speeches/science-minister-speech-at-the-quantum-futures-summit-2026"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty database on the local server, dropped afterwards."""
    pytest.importorskip("psycopg", reason="psycopg is not installed (pip install 'psycopg[binary]')")
    server = create_engine(SERVER, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"limits_{uuid.uuid4().hex[:12]}"
    try:
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # refused, no such host, auth: the server is not there to test on
        server.dispose()
        pytest.skip(f"no PostgreSQL server at 127.0.0.1:5432: {type(exc).__name__}")
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def library_on(url: str, tmp_path: Path) -> Library:
    return library_for(tmp_path / "unused.db", database_url=url, index_dir=tmp_path / "index")


def titles(library: Library) -> set[str]:
    return {a.title for a in library.latest(100)}


def narrow_columns_as_before(library: Library) -> None:
    """The announcements table as a store made before the columns were widened had it."""
    with library.store.engine.begin() as connection:
        connection.execute(text("ALTER TABLE announcements ALTER COLUMN type TYPE varchar(100)"))


LONG_VALUES: dict[str, dict[str, Any]] = {
    "type-150": {"type": "Press release " + "x" * 136},
    "url-1100": {"url": "https://www.gov.uk/government/news/" + "a" * 1065},
    "title-2000-no-url": {"url": None, "title": "Coastal path " + "é" * 1987},  # a key past the index
    "nul-in-body": {"body": "Fares are \u0000frozen until March."},
}


@pytest.mark.parametrize("fields", LONG_VALUES.values(), ids=list(LONG_VALUES))
def test_postgresql_stores_long_and_odd_values_and_the_next_file_too(
    tmp_path: Path, postgres_url: str, fields: dict[str, Any]
) -> None:
    odd = write_jsonl(tmp_path / "first.jsonl", [news_item(1, **fields)])
    good = write_jsonl(tmp_path / "second.jsonl", [news_item(2), news_item(3)])
    library = library_on(postgres_url, tmp_path)
    try:
        report = library.ingest([odd, good])
        assert report.errors == []
        assert (report.added, report.files) == (3, 2)
        assert news_item(2)["title"] in titles(library)
        again = library.ingest([odd, good])  # the same key again: one announcement, not two
        assert (again.added, again.unchanged) == (0, 3)
        if "body" in fields:
            found = library.search("fares frozen until March")[0]
            assert "\x00" not in found.passage and "Fares are frozen" in found.passage
    finally:
        library.close()


def test_a_url_beyond_the_limit_is_a_clear_error_for_its_file_and_the_next_file_is_stored(
    tmp_path: Path,
) -> None:
    bad = write_jsonl(
        tmp_path / "first.jsonl",
        [news_item(1), news_item(2, url="https://www.gov.uk/news/" + "a" * MAX_URL)],
    )
    good = write_jsonl(tmp_path / "second.jsonl", [news_item(3)])
    library = library_for(tmp_path / "x.db")
    try:
        report = library.ingest([bad, good])
        [error] = report.errors
        assert str(error).startswith(f"{bad}:2: 'url' is 2,072 characters long")
        assert titles(library) == {news_item(3)["title"]}
    finally:
        library.close()


def test_a_value_an_older_postgresql_store_refuses_stops_only_its_own_file(
    tmp_path: Path, postgres_url: str
) -> None:
    bad = write_jsonl(tmp_path / "first.jsonl", [news_item(1, type="Press release " + "x" * 136)])
    good = write_jsonl(tmp_path / "second.jsonl", [news_item(2)])
    library = library_on(postgres_url, tmp_path)
    narrow_columns_as_before(library)
    try:
        report = library.ingest([bad, good])
        [error] = report.errors
        assert str(error).startswith(f"{bad}: the database refused it, nothing was stored: ")
        assert "too long" in str(error) and "\n" not in str(error)
        assert titles(library) == {news_item(2)["title"]}
    finally:
        library.close()


def test_a_sync_item_an_older_postgresql_store_refuses_is_recorded_and_the_rest_stored(
    tmp_path: Path, postgres_url: str, fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk
) -> None:
    speech = load_fixtures("speech")[0]
    speech["document_type"] = "speech_" + "x" * 150
    fake_govuk.add_item(speech)
    settings: BotSettings = bot_settings_for(
        tmp_path,
        fake_bot_api.base_url,
        database_url=postgres_url,
        index_dir=tmp_path / "index",
        govuk_api_base_url=fake_govuk.base_url,
        govuk_requests_per_second=100,
        govuk_backoff=0.01,
    )
    library = Library(settings)
    narrow_columns_as_before(library)
    try:
        result = run_sync(settings, library)
        assert result.ok, result.error
        assert result.added == 3 and result.failed == [SPEECH]
        [problem] = library.sync_problems()
        assert problem.key == SPEECH and "the database refused it" in problem.reason
        assert len(titles(library)) == 3
    finally:
        library.close()


def test_a_lone_surrogate_in_a_json_file_is_dropped(tmp_path: Path) -> None:
    item = json.dumps(news_item(1, body="Fares are frozen\udfff until March."), ensure_ascii=True)
    path = tmp_path / "news.jsonl"
    path.write_text(item + "\n", encoding="utf-8")  # "\udfff" escaped: valid JSON, not valid UTF-8 text
    library = library_for(tmp_path / "x.db")
    try:
        report = library.ingest([path])
        assert report.errors == [] and report.added == 1
        found = library.search("fares frozen until March")[0]
        assert "Fares are frozen until March." in found.passage
    finally:
        library.close()
