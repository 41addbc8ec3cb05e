"""Shared fixtures: the fake Bot API and GOV.UK servers, and a prepared Library for the bot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import BotSettings
from retrieval.library import Library
from tests.botharness import CORPUS_2024, bot_settings_for, prepared_library
from tests.conftest_retrieval import TEST_DATABASE_URL, drop_stale_test_schemas, drop_test_schemas

if TYPE_CHECKING:  # imported for real by pytest_plugins, which must come first to rewrite its asserts
    from tests.fakebotapi import FakeBotAPI

# Registers the `fake_bot_api` and `fake_govuk` fixtures for every test module.
pytest_plugins = ["tests.fakebotapi", "tests.fakegovuk"]


def pytest_configure(config: pytest.Config) -> None:
    """Compile the search kernels once, before xdist starts its workers. numba caches the machine code
    beside kernels.py: the workers, and the bots and commands they start, then load it instead of
    each compiling it at once (a second or more of CPU apiece in a fresh clone)."""
    if hasattr(config, "workerinput"):  # a worker: the controller has done it
        return
    import numpy as np

    from retrieval.search.bm25 import BM25Index, IndexMeta

    meta = IndexMeta(store_id="warm-up", store_version=1, tokenizer=0)
    index = BM25Index.build([(1, ["flood", "defence"]), (2, ["flood"])], meta)
    index.with_changes([(3, ["defence"])], np.array([1]), meta).search(["flood"], 2)


# Modules whose tests run real bot processes for seconds each. Run first, they overlap the many short
# tests; collected last (alphabetically), they started last and left the other workers idle.
LONG_FIRST = ("test_workers.py", "test_alerts.py", "test_subscriptions_bot.py", "test_bot_faults.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in LONG_FIRST)  # stable: the rest keep their order


def pytest_report_header() -> str:
    return f"store: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite files'}"


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    """On PostgreSQL each test store is a schema of its own: gone once the run ends (and those of
    earlier runs that died first, at the start)."""
    drop_stale_test_schemas()
    yield
    drop_test_schemas()


@pytest.fixture
def bot_settings(tmp_path: Path, fake_bot_api: FakeBotAPI) -> BotSettings:
    return bot_settings_for(tmp_path, fake_bot_api.base_url)


@pytest.fixture
def library(bot_settings: BotSettings) -> Iterator[Library]:
    """The seed corpus only (four undated 2019 announcements)."""
    lib = prepared_library(bot_settings)
    yield lib
    lib.close()


@pytest.fixture
def library_2024(library: Library) -> Library:
    """The same Library with the 20 dated items of 15 October 2024 added (urls, organisations)."""
    report = library.ingest([CORPUS_2024], progress=False)
    assert not report.errors, report.errors
    return library
