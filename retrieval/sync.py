"""Follow GOV.UK: fetch what is new since the high-water mark, store it, make it answerable.

A run pages through the Search API (newest first) down to the mark, less a margin for items that reach
search late, and fetches from the Content API only the items that are new or updated since the copy it
holds. Everything fetched is stored in one transaction at the end, so an item is stored whole or not at
all. Items that are gone (404/410) or unusable are skipped and logged. An item whose answer was garbled
(malformed JSON) is skipped too, but the mark stays below it so that the next run fetches it again. If
GOV.UK stays unavailable the run stops, keeps what it fetched whole, and leaves the mark where it was, so
the next run catches up. A lease in the database keeps two runs (the bot's job, `python -m bot sync`)
from running at once.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from retrieval.announcement import AnnouncementRecord
from retrieval.library import Library
from retrieval.sources.govuk_client import (
    GovukBadResponse,
    GovukClient,
    GovukGone,
    GovukUnavailable,
    SearchResult,
)
from retrieval.sources.govuk_content import PUBLIC_URL, record_from_content
from retrieval.store.schema import Announcement, SyncState

log = logging.getLogger(__name__)

MARGIN = timedelta(minutes=10)
FIRST_RUN_ITEMS = 200  # with no mark and no --since, start from the newest items only
# A run renews its lease as it goes, so a long backfill keeps it; a run that crashed without releasing
# it holds up the next one for at most this long.
LEASE = timedelta(minutes=5)
RENEW_EVERY = 30.0  # seconds
PAGE_SIZE = 100
_TICK = timedelta(microseconds=1)


@dataclass
class SyncResult:
    fetched: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0  # fetched again but the same as stored (e.g. inside the margin)
    known: int = 0  # already held at the same date: not fetched again
    skipped: list[str] = field(default_factory=list)
    error: str | None = None
    busy: bool = False  # another sync held the lease
    changed_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.busy

    def summary(self) -> str:
        if self.busy:
            return "another sync is running; nothing done"
        line = (
            f"{self.fetched} fetched: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, "
            f"{len(self.skipped)} skipped"
        )
        return line + (f"; stopped early: {self.error}" if self.error else "")


def sync(
    library: Library,
    client: GovukClient,
    since: datetime | None = None,
    max_items: int | None = None,
    page_size: int = PAGE_SIZE,
) -> SyncResult:
    """One run. `since` backfills from that time instead of the mark; `max_items` caps the items seen."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    lease = _Lease(library)
    if not lease.take():
        return SyncResult(busy=True)
    try:
        return _run(library, client, since, max_items, page_size, lease)
    finally:
        lease.release()


def _run(
    library: Library,
    client: GovukClient,
    since: datetime | None,
    max_items: int | None,
    page_size: int,
    lease: _Lease,
) -> SyncResult:
    result = SyncResult()
    state = _state(library)
    if since is None and state.high_water is not None:
        since = state.high_water - MARGIN
    if since is None and max_items is None:
        max_items = FIRST_RUN_ITEMS
    records: list[AnnouncementRecord] = []
    newest: datetime | None = None
    hold: datetime | None = None  # the oldest item to fetch again next run: the mark must stay below it
    seen: set[str] = set()
    try:
        for item in client.search(since=since, page_size=page_size, max_items=max_items):
            if not lease.renew():
                result.error = "lost the sync lease to another run"
                break
            # An item published while we page shifts the pages by one: the same item comes twice.
            if item.link in seen:
                continue
            seen.add(item.link)
            newest = max(newest, item.public_timestamp) if newest else item.public_timestamp
            if _held(library, item):
                result.known += 1
                continue
            try:
                records.append(record_from_content(client.content(item.link), item.link))
            except GovukGone as exc:
                log.warning("skipped %s: gone (HTTP %s)", item.link, exc.status)
                result.skipped.append(item.link)
            except GovukBadResponse as exc:
                result.skipped.append(item.link)
                if exc.status is None or exc.status < 400:  # a garbled answer: try again next run
                    log.warning("skipped %s for now: %s", item.link, exc)
                    hold = min(hold, item.public_timestamp) if hold else item.public_timestamp
                else:
                    log.warning("skipped %s: %s", item.link, exc)
            except httpx.HTTPError as exc:  # e.g. a redirect loop: not worth stopping the run for
                log.warning("skipped %s for now: %s", item.link, exc)
                result.skipped.append(item.link)
                hold = min(hold, item.public_timestamp) if hold else item.public_timestamp
            except ValueError as exc:
                log.warning("skipped %s: %s", item.link, exc)
                result.skipped.append(item.link)
    except (GovukUnavailable, GovukBadResponse) as exc:
        log.warning("sync stopped: %s", exc)
        result.error = str(exc)
    result.fetched = len(records)
    if records and not lease.renew(force=True) and result.error is None:
        result.error = "lost the sync lease to another run"
    if records:
        report = library.ingest_records(records)
        result.added, result.updated, result.unchanged = report.added, report.updated, report.unchanged
        result.changed_ids = report.added_ids
        _note_dates(library, records)
    mark = newest if hold is None or newest is None else min(newest, hold - _TICK)
    _record_run(library, result, mark)
    return result


def _key(link: str) -> str:
    return AnnouncementRecord(title="", body="", url=PUBLIC_URL + link).key


def _held(library: Library, item: SearchResult) -> bool:
    """True if the store already has this item as of its search timestamp (no need to fetch it)."""
    with library.store.session() as session:
        updated = session.scalar(select(Announcement.updated).where(Announcement.key == _key(item.link)))
    return updated is not None and updated >= item.public_timestamp


def _note_dates(library: Library, records: list[AnnouncementRecord]) -> None:
    """Record each item's update date even when its text did not change (ingest keeps such rows as
    they are), so that the next run does not fetch it again."""
    with library.store.session() as session:
        for record in records:
            if record.updated is None:
                continue
            session.execute(
                update(Announcement)
                .where(
                    Announcement.key == record.key,
                    or_(Announcement.updated.is_(None), Announcement.updated < record.updated),
                )
                .values(updated=record.updated)
            )


def _state(library: Library) -> SyncState:
    try:
        with library.store.session() as session:
            state = session.get(SyncState, 1)
            if state is None:
                state = SyncState(id=1, last_items=0)
                session.add(state)
            return state
    except IntegrityError:  # another process made the row first
        with library.store.session() as session:
            state = session.get(SyncState, 1)
            assert state is not None
            return state


class _Lease:
    """The sync_state row's lease: taken only when free or expired, renewed while the run goes on."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._owner = str(uuid.uuid4())
        self._renewed_at = 0.0

    def take(self) -> bool:
        _state(self._library)
        now = datetime.now(UTC)
        with self._library.store.session() as session:
            taken = session.execute(
                update(SyncState)
                .where(SyncState.id == 1, or_(SyncState.lease_until.is_(None), SyncState.lease_until < now))
                .values(lease_owner=self._owner, lease_until=now + LEASE)
            )
            ok = taken.rowcount == 1
        if ok:
            self._renewed_at = time.monotonic()
        return ok

    def renew(self, force: bool = False) -> bool:
        """Extend the lease if a while has passed (or now); False if it is no longer ours."""
        if not force and time.monotonic() - self._renewed_at < RENEW_EVERY:
            return True
        with self._library.store.session() as session:
            renewed = session.execute(
                update(SyncState)
                .where(SyncState.id == 1, SyncState.lease_owner == self._owner)
                .values(lease_until=datetime.now(UTC) + LEASE)
            )
            ok = renewed.rowcount == 1
        self._renewed_at = time.monotonic()
        return ok

    def release(self) -> None:
        with self._library.store.session() as session:
            session.execute(
                update(SyncState)
                .where(SyncState.lease_owner == self._owner)
                .values(lease_owner=None, lease_until=None)
            )


def _record_run(library: Library, result: SyncResult, mark: datetime | None) -> None:
    with library.store.session() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        if result.error is None:
            state.last_success = datetime.now(UTC)
            state.last_items = result.added + result.updated
            if mark is not None and (state.high_water is None or mark > state.high_water):
                state.high_water = mark


def last_sync(library: Library) -> SyncState:
    return _state(library)
