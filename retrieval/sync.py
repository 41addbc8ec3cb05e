"""Follow a source (GOV.UK today): fetch what changed since its mark, store it, make it answerable.

A run lists the source's changes newest first, down to the high-water mark less the source's margin,
and fetches only the items that are new or changed since the copy the store holds. What it fetched is
stored at the end in one transaction, so that a run stopped half way stores nothing half.

Nothing one item does can stop a run or hold the mark back. An item that cannot be fetched, read or
stored (a fault that outlasts the client's retries, an answer that is not JSON, an item without text,
a value the database refuses) is logged, skipped, and recorded in `sync_problems` with its attempts;
later runs fetch it again until it has failed MAX_ATTEMPTS times, and then leave it, listed for an
operator by sync_problems(), until it changes at the source. An item that is gone is skipped for good.

The mark never passes the time the run started, so an item dated in the future cannot hide what is
published until then. Only a failure of the listing itself, or of the whole source (several items in a
row unavailable), stops a run; the mark then stays where it was and the next run catches up. A lease
in the database keeps two runs (the bot's job, `python -m bot sync`) from running at once.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import CursorResult, Result, delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from retrieval.announcement import AnnouncementRecord
from retrieval.ingest import IngestReport, StoreRefused
from retrieval.sources import ItemGone, Listed, Source, SourceError, SourceUnavailable
from retrieval.sources.govuk import PAGE_SIZE, GovukSource
from retrieval.sources.govuk_client import GovukClient
from retrieval.store.schema import Announcement, SyncProblem, SyncState
from retrieval.timeutil import as_utc, utc_now

if TYPE_CHECKING:  # library.py lists sync problems through this module
    from retrieval.library import Library

log = logging.getLogger(__name__)

FIRST_RUN_ITEMS = 200  # with no mark and no --since, start from the newest items only
MAX_ATTEMPTS = 5  # runs that try a failing item before it is left for an operator
UNAVAILABLE_IN_A_ROW = 3  # items in a row the source does not answer: it is down, not the items
# A run renews its lease as it goes, so a long backfill keeps it; a run that crashed without releasing
# it holds up the next one for at most this long.
LEASE = timedelta(minutes=5)
RENEW_EVERY = 30.0  # seconds


@dataclass
class SyncResult:
    fetched: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0  # fetched again but the same as stored (e.g. inside the margin)
    skipped: list[str] = field(default_factory=list)  # gone, or failed this run (see failed)
    failed: list[str] = field(default_factory=list)  # recorded in sync_problems, retried later
    given_up: list[str] = field(default_factory=list)  # failed for the MAX_ATTEMPTS-th time now
    error: str | None = None  # what stopped the run early
    busy: bool = False  # another sync held the lease
    changed_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing stopped the run. Failed items do not count against it (they are recorded and
        retried), nor does finding another run at work: that run does the work."""
        return self.error is None

    def summary(self) -> str:
        if self.busy:
            return "another sync is running; nothing done"
        line = (
            f"{self.fetched} fetched: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {len(self.skipped)} skipped"
        )
        if self.failed:
            line += f" ({len(self.failed)} failed, to be tried again"
            if self.given_up:
                line += f"; {len(self.given_up)} given up after {MAX_ATTEMPTS} attempts"
            line += ")"
        return line + (f"; stopped early: {self.error}" if self.error else "")


@dataclass(frozen=True)
class SyncProblemInfo:
    """An item that failed: what an operator needs to look into it."""

    source: str
    key: str  # the item at its source (a GOV.UK path)
    title: str
    changed: datetime  # the item's date at the source when it last failed
    attempts: int
    first_failed: datetime
    last_failed: datetime
    reason: str
    given_up: bool  # no longer tried until the item changes at the source


def sync(
    library: Library,
    client: GovukClient,
    since: datetime | None = None,
    max_items: int | None = None,
    page_size: int = PAGE_SIZE,
) -> SyncResult:
    """One run against GOV.UK. `since` backfills from that time instead of the mark; `max_items` caps
    the items listed."""
    return run(library, GovukSource(client, page_size=page_size), since=since, max_items=max_items)


def run(
    library: Library, source: Source, since: datetime | None = None, max_items: int | None = None
) -> SyncResult:
    """One run of any source, under the lease."""
    lease = _Lease(library)
    if not lease.take():
        return SyncResult(busy=True)
    try:
        return _Run(library, source, lease).go(as_utc(since) if since else None, max_items)
    finally:
        lease.release()


class _Run:
    def __init__(self, library: Library, source: Source, lease: _Lease) -> None:
        self.library = library
        self.source = source
        self.lease = lease
        self.started = utc_now()
        self.result = SyncResult()
        self.fetched: list[tuple[Listed, AnnouncementRecord]] = []
        self.seen: set[str] = set()
        self.problems = _problems(library, source.name)
        self.unavailable = 0  # items in a row the source did not answer

    def go(self, since: datetime | None, max_items: int | None) -> SyncResult:
        mark = _mark(self.library, self.started)
        if since is None and mark is not None:
            since = mark - self.source.margin
        if since is None and max_items is None:
            max_items = FIRST_RUN_ITEMS
        newest = self._walk(since, max_items)
        if self.result.error is None:
            self._retry_problems()
        self._store()
        _record_run(self.library, self.result, newest)
        return self.result

    def _walk(self, since: datetime | None, max_items: int | None) -> datetime | None:
        """Fetch what the listing shows; the newest date it showed, at most the start of the run."""
        newest: datetime | None = None
        try:
            for listed in self.source.changes(since, max_items):
                if not self.lease.renew():
                    self.result.error = "lost the sync lease to another run"
                    break
                # An item published while we page shifts the pages by one: the same item comes twice.
                if listed.key in self.seen:
                    continue
                self.seen.add(listed.key)
                # A date in the future (a slip at the source) must not carry the mark past everything
                # published until then.
                changed = min(listed.changed, self.started)
                newest = changed if newest is None else max(newest, changed)
                if self._held(listed) or self._given_up(listed):
                    continue
                self._fetch(listed)
                if self.unavailable >= UNAVAILABLE_IN_A_ROW:
                    name, count = self.source.name, self.unavailable
                    self.result.error = f"{name} unavailable for {count} items in a row"
                    break
        except SourceError as exc:
            log.warning("sync stopped: %s", exc)
            self.result.error = str(exc)
        return newest

    def _retry_problems(self) -> None:
        """Items that failed on earlier runs and are below the listing now: fetch them again."""
        for problem in self.problems.values():
            if problem.key in self.seen or problem.given_up:
                continue
            if self.unavailable >= UNAVAILABLE_IN_A_ROW or not self.lease.renew():
                return
            self.seen.add(problem.key)
            self._fetch(Listed(problem.key, problem.changed, "", problem.title))

    def _held(self, listed: Listed) -> bool:
        """True if the store already has this item as of its date (no need to fetch it)."""
        with self.library.store.session() as session:
            updated = session.scalar(
                select(Announcement.updated).where(Announcement.key == listed.announcement_key)
            )
        return updated is not None and updated >= listed.changed

    def _given_up(self, listed: Listed) -> bool:
        problem = self.problems.get(listed.key)
        return problem is not None and problem.given_up and listed.changed <= problem.changed

    def _fetch(self, listed: Listed) -> None:
        try:
            record = self.source.fetch(listed.key)
        except ItemGone as exc:
            self.unavailable = 0
            log.warning("skipped %s: %s", listed.key, exc)
            self.result.skipped.append(listed.key)
            _forget(self.library, self.source.name, [listed.key])
        except SourceUnavailable as exc:
            self.unavailable += 1
            self._fail(listed, str(exc))
        except Exception as exc:  # any fault of this one item: it must not stop the run
            self.unavailable = 0
            log.debug("reading %s failed", listed.key, exc_info=True)
            self._fail(listed, f"{type(exc).__name__}: {exc}")
        else:
            self.unavailable = 0
            self.fetched.append((listed, record))

    def _fail(self, listed: Listed, reason: str) -> None:
        attempts = _record_failure(self.library, self.source.name, listed, reason, self.problems)
        self.result.skipped.append(listed.key)
        self.result.failed.append(listed.key)
        if attempts >= MAX_ATTEMPTS:
            self.result.given_up.append(listed.key)
            log.error("gave up on %s after %d attempts: %s", listed.key, attempts, reason)
        else:
            log.warning(
                "skipped %s for now (attempt %d of %d): %s", listed.key, attempts, MAX_ATTEMPTS, reason
            )

    def _store(self) -> None:
        if not self.fetched:
            return
        if not self.lease.renew(force=True) and self.result.error is None:
            self.result.error = "lost the sync lease to another run"
        records = [record for _, record in self.fetched]
        try:
            report = self.library.ingest_records(records)
            stored = self.fetched
        except StoreRefused:
            # One of them holds a value the database cannot take: store them one by one to find it.
            report, stored = IngestReport(files=0), []
            for listed, record in self.fetched:
                try:
                    report += self.library.ingest_records([record])
                except StoreRefused as exc:
                    self._fail(listed, f"the database refused it: {exc}")
                else:
                    stored.append((listed, record))
        result = self.result
        result.fetched = len(stored)
        result.added, result.updated, result.unchanged = report.added, report.updated, report.unchanged
        result.changed_ids = report.added_ids
        _note_dates(self.library, [record for _, record in stored])
        _forget(self.library, self.source.name, [listed.key for listed, _ in stored])


# -- the store's side: the mark, the failed items, the lease ------------------------------------------


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _info(row: SyncProblem) -> SyncProblemInfo:
    return SyncProblemInfo(
        source=row.source,
        key=row.key,
        title=row.title,
        changed=row.changed,
        attempts=row.attempts,
        first_failed=row.first_failed,
        last_failed=row.last_failed,
        reason=row.reason,
        given_up=row.attempts >= MAX_ATTEMPTS,
    )


def _problems(library: Library, source: str) -> dict[str, SyncProblemInfo]:
    with library.store.session() as session:
        rows = session.scalars(select(SyncProblem).where(SyncProblem.source == source)).all()
        return {row.key: _info(row) for row in rows}


def _record_failure(
    library: Library, source: str, listed: Listed, reason: str, known: dict[str, SyncProblemInfo]
) -> int:
    """Count one more failed attempt (the first of a new version, if the item changed since it last
    failed); returns the attempts so far."""
    now = utc_now()
    reason = reason[:2000]  # a fault's text can quote a whole answer
    with library.store.session() as session:
        row = session.get(SyncProblem, (source, _digest(listed.key)))
        if row is None:
            row = SyncProblem(
                source=source,
                key_digest=_digest(listed.key),
                key=listed.key,
                title=listed.title,
                changed=listed.changed,
                attempts=0,
                first_failed=now,
            )
            session.add(row)
        elif listed.changed > row.changed:
            row.changed, row.attempts, row.first_failed = listed.changed, 0, now
        row.attempts += 1
        row.last_failed = now
        row.reason = reason
        row.title = listed.title or row.title
        session.flush()
        known[listed.key] = _info(row)
        return row.attempts


def _forget(library: Library, source: str, keys: Sequence[str]) -> None:
    """Items stored or gone are no longer problems."""
    if not keys:
        return
    with library.store.session() as session:
        session.execute(
            delete(SyncProblem).where(
                SyncProblem.source == source, SyncProblem.key_digest.in_([_digest(k) for k in keys])
            )
        )


def sync_problems(library: Library) -> list[SyncProblemInfo]:
    """Items that failed on their latest attempt: those given up first, then the most recent."""
    with library.store.session() as session:
        rows = session.scalars(select(SyncProblem)).all()
        problems = [_info(row) for row in rows]
    return sorted(problems, key=lambda p: (not p.given_up, -p.last_failed.timestamp(), p.key))


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


def _mark(library: Library, now: datetime) -> datetime | None:
    """The high-water mark. One in the future was set by an item dated in the future before the mark
    was kept below the run's start: it is dropped, and the run starts from the newest items again."""
    mark = _state(library).high_water
    if mark is not None and mark > now:
        log.warning("the high-water mark %s is in the future; starting from the newest items", mark)
        with library.store.session() as session:
            session.execute(update(SyncState).where(SyncState.id == 1).values(high_water=None))
        return None
    return mark


def _record_run(library: Library, result: SyncResult, newest: datetime | None) -> None:
    with library.store.session() as session:
        state = session.get(SyncState, 1)
        assert state is not None
        if result.error is None:
            state.last_success = utc_now()
            state.last_items = result.added + result.updated
            if newest is not None and (state.high_water is None or newest > state.high_water):
                state.high_water = newest


def _rowcount(result: Result[Any]) -> int:
    return cast("CursorResult[Any]", result).rowcount  # an UPDATE's result is a CursorResult


class _Lease:
    """The sync_state row's lease: taken only when free or expired, renewed while the run goes on."""

    def __init__(self, library: Library) -> None:
        self._library = library
        self._owner = str(uuid.uuid4())
        self._renewed_at = 0.0

    def take(self) -> bool:
        _state(self._library)
        now = utc_now()
        with self._library.store.session() as session:
            taken = session.execute(
                update(SyncState)
                .where(SyncState.id == 1, or_(SyncState.lease_until.is_(None), SyncState.lease_until < now))
                .values(lease_owner=self._owner, lease_until=now + LEASE)
            )
            ok = _rowcount(taken) == 1
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
                .values(lease_until=utc_now() + LEASE)
            )
            ok = _rowcount(renewed) == 1
        self._renewed_at = time.monotonic()
        return ok

    def release(self) -> None:
        with self._library.store.session() as session:
            session.execute(
                update(SyncState)
                .where(SyncState.lease_owner == self._owner)
                .values(lease_owner=None, lease_until=None)
            )


@dataclass(frozen=True)
class SyncMark:
    high_water: datetime | None  # the newest date a whole run saw, at most the time it started
    last_success: datetime | None
    last_items: int  # added or changed by the last successful run


def sync_mark(library: Library) -> SyncMark:
    state = _state(library)
    return SyncMark(state.high_water, state.last_success, state.last_items)
