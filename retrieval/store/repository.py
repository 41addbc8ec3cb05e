"""The store: one SQLAlchemy engine, one session per unit of work, and the reads the product needs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from retrieval.store.schema import Announcement, Base, Chunk, ChunkTombstone, CorpusState


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: int
    announcement_id: int
    position: int
    text: str
    title: str
    type: str | None
    published: datetime | None
    url: str | None
    organisation: str | None
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class AnnouncementInfo:
    announcement_id: int
    title: str
    type: str | None
    published: datetime | None
    url: str | None
    organisation: str | None


@dataclass(frozen=True)
class CorpusStats:
    announcements: int
    chunks: int
    first_published: datetime | None
    last_published: datetime | None
    changed_at: datetime | None
    version: int


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the bot read while `python -m bot ingest` writes from another process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back otherwise."""
        with self._sessions() as session, session.begin():
            yield session

    # -- corpus version -------------------------------------------------------------------------

    def corpus_state(self) -> tuple[str, int]:
        with self.session() as session:
            state = self._state(session)
            return state.store_id, state.version

    @staticmethod
    def _state(session: Session) -> CorpusState:
        state = session.get(CorpusState, 1)
        if state is None:
            state = CorpusState(id=1, store_id=str(uuid.uuid4()), version=0)
            session.add(state)
            session.flush()
        return state

    @classmethod
    def lock_state(cls, session: Session) -> CorpusState:
        """Writers take the state row first, so they run one at a time and chunk ids grow in commit
        order: the index can then find new chunks as those above the highest id it holds."""
        cls._state(session)
        state = session.scalars(select(CorpusState).where(CorpusState.id == 1).with_for_update()).one()
        return state

    def changes_since(self, version: int, above_chunk_id: int) -> tuple[np.ndarray, int]:
        """Chunk ids deleted after `version`, and how many chunks have an id above `above_chunk_id`."""
        with self.session() as session:
            removed = session.scalars(
                select(ChunkTombstone.chunk_id).where(ChunkTombstone.version > version)
            ).all()
            added = session.scalar(select(func.count(Chunk.id)).where(Chunk.id > above_chunk_id)) or 0
        return np.asarray(removed, dtype=np.int64), added

    def count_chunks(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count(Chunk.id))) or 0

    # -- reads ----------------------------------------------------------------------------------

    def count_announcements(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count(Announcement.id))) or 0

    def iter_chunk_texts(
        self, ids: Sequence[int] | None = None, above: int = 0, batch: int = 20_000
    ) -> Iterator[tuple[int, int, str, str]]:
        """(chunk id, announcement id, title, text) in chunk id order: the chunks with an id above
        `above`, or those of `ids`."""
        columns = (Chunk.id, Chunk.announcement_id, Announcement.title, Chunk.text)
        base = select(*columns).join(Announcement, Chunk.announcement_id == Announcement.id)
        with self._sessions() as session:
            if ids is None:
                stmt = base.where(Chunk.id > above).order_by(Chunk.id).execution_options(yield_per=batch)
                result = session.execute(stmt)
                for row in result:
                    yield row[0], row[1], row[2], row[3]
                return
            ordered = sorted(int(i) for i in ids)
            for start in range(0, len(ordered), 500):
                part = ordered[start : start + 500]
                for row in session.execute(base.where(Chunk.id.in_(part)).order_by(Chunk.id)):
                    yield row[0], row[1], row[2], row[3]

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        """The chunks that still exist among `ids`, with their announcement's details (never its body:
        a question must cost the same whether the announcement is 1 KB or 10 MB)."""
        if not ids:
            return {}
        stmt = (
            select(
                Chunk.id,
                Chunk.announcement_id,
                Chunk.position,
                Chunk.text,
                Announcement.title,
                Announcement.type,
                Announcement.published,
                Announcement.url,
                Announcement.organisation,
                Announcement.extra,
            )
            .join(Announcement, Chunk.announcement_id == Announcement.id)
            .where(Chunk.id.in_([int(i) for i in ids]))
        )
        # Core, not the ORM: this runs for every question, and ORM row handling was a third of its cost.
        with self.engine.connect() as connection:
            return {
                row.id: ChunkRow(
                    chunk_id=row.id,
                    announcement_id=row.announcement_id,
                    position=row.position,
                    text=row.text,
                    title=row.title,
                    type=row.type,
                    published=row.published,
                    url=row.url,
                    organisation=row.organisation,
                    withdrawn_at=_withdrawn_at(row.extra),
                )
                for row in connection.execute(stmt)
            }

    def chunks_of(self, announcement_ids: Sequence[int]) -> list[ChunkRow]:
        ids = self.chunk_ids_of(announcement_ids)
        rows = self.chunks(ids)
        return [rows[i] for i in ids if i in rows]

    def chunk_ids_of(self, announcement_ids: Sequence[int]) -> list[int]:
        if not announcement_ids:
            return []
        with self.session() as session:
            stmt = (
                select(Chunk.id).where(Chunk.announcement_id.in_(list(announcement_ids))).order_by(Chunk.id)
            )
            return list(session.scalars(stmt))

    def latest(self, n: int, offset: int = 0) -> list[AnnouncementInfo]:
        """Newest first: by published date; undated items follow in source order (first = newest)."""
        stmt = (
            select(Announcement)
            .order_by(
                Announcement.published.desc().nulls_last(),
                Announcement.ingested_at.desc(),
                Announcement.source_position,
                Announcement.id,
            )
            .offset(offset)
            .limit(n)
        )
        with self.session() as session:
            return [_info(a) for a in session.scalars(stmt)]

    def announcement(self, announcement_id: int) -> Announcement | None:
        with self.session() as session:
            return session.get(Announcement, announcement_id)

    def stats(self) -> CorpusStats:
        with self.session() as session:
            n_ann, first, last = session.execute(
                select(
                    func.count(Announcement.id),
                    func.min(Announcement.published),
                    func.max(Announcement.published),
                )
            ).one()
            n_chunks = session.scalar(select(func.count(Chunk.id))) or 0
            state = self._state(session)
            return CorpusStats(
                announcements=n_ann,
                chunks=n_chunks,
                first_published=_aware(first),
                last_published=_aware(last),
                changed_at=state.changed_at,
                version=state.version,
            )


def _withdrawn_at(extra: dict[str, Any] | None) -> datetime | None:
    value = (extra or {}).get("withdrawn_at")
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def _aware(value: datetime | str | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive datetimes (or strings).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _info(a: Announcement) -> AnnouncementInfo:
    return AnnouncementInfo(
        announcement_id=a.id,
        title=a.title,
        type=a.type,
        published=a.published,
        url=a.url,
        organisation=a.organisation,
    )
