"""Put announcements into the store: one transaction per file, idempotent, changed bodies re-chunked.

Values are checked when they are read (sources/files.py, announcement.check_limits), but a database
can still refuse one (a store made when a column was narrower, a limit nobody foresaw): the file, or
the sync item, is then refused with the database's reason, and the others go on being stored.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, insert, literal, select, update
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError
from sqlalchemy.orm import Session
from tqdm import tqdm

from retrieval.announcement import AnnouncementRecord, older, version_time
from retrieval.chunking import SEARCHABLE_CHARS, chunk_body, searchable
from retrieval.ranking.passages import analysis
from retrieval.sources.files import SUFFIXES, IngestError, read_file
from retrieval.store import Store
from retrieval.store.schema import Announcement, Chunk, ChunkTombstone
from retrieval.timeutil import utc_now
from retrieval.workers import in_order


class StoreRefused(Exception):
    """The database refused a value of what was being stored; nothing of it was stored."""


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_newer: int = 0  # older versions of pages the store holds a newer version of: not stored
    files: int = 0
    errors: list[IngestError] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)  # announcements new or changed, for alerts

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    def __iadd__(self, other: IngestReport) -> IngestReport:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.kept_newer += other.kept_newer
        self.files += other.files
        self.errors.extend(other.errors)
        self.added_ids.extend(other.added_ids)
        return self

    def summary(self) -> str:
        files = f"{self.files} file{'s' if self.files != 1 else ''}"
        line = f"{files}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        if self.kept_newer:
            line += f", {self.kept_newer} older than the version stored (kept the stored one)"
        if self.errors:
            line += f"; {len(self.errors)} file{'s' if len(self.errors) != 1 else ''} rejected"
        return line


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders give their announcement files (sorted, hidden ones skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                # Hidden below the folder given: a folder reached through ".." or a dot-folder is fine.
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                raise IngestError(path, f"no announcement files ({', '.join(SUFFIXES)}) in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files


def ingest_paths(store: Store, paths: Sequence[Path], progress: bool | None = None) -> IngestReport:
    """Each file is read whole, then stored in its own transaction; a bad file changes nothing."""
    report = IngestReport()
    try:
        files = expand_paths(paths)
    except IngestError as exc:
        report.errors.append(exc)
        return report
    for path in files:
        try:
            records = read_file(path)
        except IngestError as exc:
            report.errors.append(exc)
            continue
        try:
            report += ingest_records(store, records, progress=progress, label=path.name)
        except StoreRefused as exc:
            report.errors.append(IngestError(path, f"the database refused it, nothing was stored: {exc}"))
    return report


def ingest_records(
    store: Store, records: Sequence[AnnouncementRecord], progress: bool | None = None, label: str = ""
) -> IngestReport:
    """Store `records` in one transaction. StoreRefused, with nothing stored, if the database refuses
    one of their values; any other database failure (locked, gone, disk full) is raised as it is."""
    try:
        return _ingest(store, records, progress, label)
    except (StatementError, UnicodeError) as exc:
        if isinstance(exc, DBAPIError) and not isinstance(exc, DataError | IntegrityError):
            raise
        raise StoreRefused(_reason(exc)) from exc


def _reason(exc: Exception) -> str:
    """The database's own words, on one line: SQLAlchemy's text adds the statement and every value."""
    original = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    lines = str(original).strip().splitlines()
    return (lines[0] if lines else type(original).__name__)[:300]


def _ingest(
    store: Store, records: Sequence[AnnouncementRecord], progress: bool | None, label: str
) -> IngestReport:
    report = IngestReport(files=1)
    show = sys.stderr.isatty() if progress is None else progress
    now = utc_now()
    with store.writing() as session:  # the version is read and bumped under the writers' lock
        state = Store.lock_state(session)
        version = state.version + 1
        existing = _existing(session, [r.key for r in records])
        new: list[AnnouncementRecord] = []
        with tqdm(
            total=len(records), desc=label or "ingest", unit="ann", disable=not show, leave=False
        ) as bar:
            for record in records:
                if len(record.body) > SEARCHABLE_CHARS:
                    record.extra["searchable_chars"] = str(len(searchable(record.body)))
                digest = record.content_hash()
                found = existing.get(record.key)
                if found is None:
                    new.append(record)
                elif found[1] == digest:
                    report.unchanged += 1
                elif older(record.version_time(), found[2]):
                    # Re-ingesting an old export must not undo a later update or withdrawal.
                    report.kept_newer += 1
                else:
                    _replace(session, found[0], record, digest, now, version)
                    report.updated += 1
                    report.added_ids.append(found[0])
                bar.update()
            report.added_ids.extend(_insert(session, new, now))
        report.added = len(new)
        if report.changed:
            state.version = version
            state.changed_at = now
    return report


def _existing(session: Session, keys: list[str]) -> dict[str, tuple[int, str, datetime | None]]:
    """Per stored key: the announcement's id, content hash and the time its version was made."""
    found: dict[str, tuple[int, str, datetime | None]] = {}
    for start in range(0, len(keys), 500):
        stmt = select(
            Announcement.key,
            Announcement.id,
            Announcement.content_hash,
            Announcement.updated,
            Announcement.published,
            Announcement.extra,
        ).where(Announcement.key.in_(keys[start : start + 500]))
        for key, ann_id, digest, updated, published, extra in session.execute(stmt):
            made = version_time(updated or published, (extra or {}).get("withdrawn_at"))
            found[key] = (ann_id, digest, made)
    return found


def _columns(record: AnnouncementRecord, digest: str, now: datetime) -> dict[str, object]:
    return {
        "key": record.key,
        "type": record.type,
        "title": record.title,
        "summary": record.summary,
        "body": record.body,
        "url": record.url,
        "published": record.published,
        "updated": record.updated,
        "organisation": record.organisation,
        "extra": record.extra or None,
        "source": record.source,
        "source_position": record.position,
        "content_hash": digest,
        "ingested_at": now,
    }


# From this many new announcements in one ingest, their passages are cut and analysed in worker
# processes (retrieval/workers.py) while this process inserts: analysing a passage (its sentences and
# their terms, ranking/passages.py) costs more than storing it does. Below, starting the workers
# would cost more than they save.
PARALLEL_FROM = 5_000
_BATCH = 2_000


def passages_of(bodies: list[str]) -> list[list[tuple[str, str]]]:
    """Each body's passages, each with its analysis."""
    return [[(text, analysis(text)) for text in chunk_body(searchable(body))] for body in bodies]


def _insert(session: Session, records: list[AnnouncementRecord], now: datetime) -> list[int]:
    """Bulk inserts: the ORM unit of work is far too slow for 100k announcements and 1M chunks."""
    ids: list[int] = []
    parallel = len(records) >= PARALLEL_FROM
    analysed = in_order(passages_of, (r.body for r in records), _BATCH, parallel)
    for start, passages in zip(range(0, len(records), _BATCH), analysed, strict=True):
        batch = records[start : start + _BATCH]
        rows = [_columns(r, r.content_hash(), now) for r in batch]
        result = session.scalars(
            insert(Announcement).returning(Announcement.id, sort_by_parameter_order=True), rows
        ).all()
        chunk_rows = [
            {"announcement_id": ann_id, "position": position, "text": text, "analysis": stored}
            for ann_id, mine in zip(result, passages, strict=True)
            for position, (text, stored) in enumerate(mine)
        ]
        if chunk_rows:
            session.execute(insert(Chunk), chunk_rows)
        ids.extend(result)
    return ids


def _replace(
    session: Session, ann_id: int, record: AnnouncementRecord, digest: str, now: datetime, version: int
) -> None:
    old_body, old_title = session.execute(
        select(Announcement.body, Announcement.title).where(Announcement.id == ann_id)
    ).one()
    columns = _columns(record, digest, now)
    session.execute(update(Announcement).where(Announcement.id == ann_id).values(**columns))
    if old_body == record.body and old_title == record.title:
        # Only the details changed: the chunks, and the index, stay as they are. (The index holds the
        # title's terms with every chunk, so a new title needs new chunks even when the body is the same.)
        return
    old_chunks = select(Chunk.id, literal(version)).where(Chunk.announcement_id == ann_id)
    session.execute(insert(ChunkTombstone).from_select(["chunk_id", "version"], old_chunks))
    session.execute(delete(Chunk).where(Chunk.announcement_id == ann_id))
    [passages] = passages_of([record.body])
    rows = [
        {"announcement_id": ann_id, "position": i, "text": text, "analysis": stored}
        for i, (text, stored) in enumerate(passages)
    ]
    if rows:
        session.execute(insert(Chunk), rows)
