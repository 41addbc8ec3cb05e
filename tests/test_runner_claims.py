"""The two things that let several workers act as one bot, on the store itself (SQLite, or
PostgreSQL with TEST_DATABASE_URL): one runner at a time, and an alert claimed by one sender only.
tests/test_workers.py shows the same with real processes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.store import Store
from retrieval.store.database import RunnerLock
from retrieval.store.migrate import migrate_store
from tests.conftest_retrieval import db_url


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two processes' views of one store (two engines, as two workers have)."""
    url = db_url(tmp_path / "shared.db")
    migrate_store(url)
    first, second = Store(url), Store(url)
    yield first, second
    first.close()
    second.close()


def test_one_runner_at_a_time_and_the_next_takes_over_when_it_stops(stores: tuple[Store, Store]) -> None:
    a, b = RunnerLock(stores[0].engine), RunnerLock(stores[1].engine)

    assert a.hold() and not b.hold()
    assert a.hold() and not b.hold()  # still the runner at the next interval
    a.release()
    assert b.hold() and not a.hold()
    b.release()


def test_an_alert_is_claimed_by_one_sender_and_sent_once(stores: tuple[Store, Store]) -> None:
    a, b = stores
    later = datetime.now(UTC) + timedelta(minutes=2)

    assert a.claim_alert(7, 1, later)
    assert not b.claim_alert(7, 1, later)  # another worker is sending it
    assert (7, 1) in b.alerts_sent([1])  # so it is not due for anyone else
    assert b.claimed([1], datetime.now(UTC)) == {1}  # and its announcement stays queued
    a.mark_sent(7, 1)
    assert not b.claim_alert(7, 1, later)  # sent: never again
    assert b.claimed([1], datetime.now(UTC)) == set()


def test_a_claim_whose_sender_died_expires_and_is_taken_again(stores: tuple[Store, Store]) -> None:
    a, b = stores
    now = datetime.now(UTC)

    assert a.claim_alert(7, 1, now - timedelta(seconds=1))  # its sender died; the claim has run out
    assert (7, 1) not in b.alerts_sent([1])  # due again
    assert b.claim_alert(7, 1, now + timedelta(minutes=2))
    b.release_claim(7, 1)  # a passing failure: given back unsent
    assert a.claim_alert(7, 1, now + timedelta(minutes=2))
