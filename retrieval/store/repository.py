"""The store: one SQLAlchemy engine, one session per unit of work, and the reads and writes the product
needs, each returning frozen records (records.py).

Writers that change chunks go through `writing()`: they hold the write lock (SQLite) or the corpus
state row (PostgreSQL) from their first statement to their commit, so they run one at a time, each
bumps the corpus version it read under the lock, and chunk ids grow in commit order.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
from sqlalchemy import Connection, CursorResult, Engine, Insert, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from retrieval.store.database import WRITER, make_engine
from retrieval.store.records import (
    AnnouncementInfo,
    ChunkRow,
    ChunkSpan,
    CorpusStats,
    DuplicateSubscription,
    StoredAnnouncement,
    Subscription,
    SubscriptionLimit,
    SyncStatus,
)
from retrieval.store.schema import (
    AlertQueued,
    AlertSent,
    Announcement,
    Chunk,
    ChunkTombstone,
    CorpusState,
    SyncState,
)
from retrieval.store.schema import Subscription as SubscriptionRow


class Store:
    def __init__(self, database_url: str) -> None:
        """The tables are made by migrations (retrieval/store/migrate.py), not here."""
        self.engine: Engine = make_engine(database_url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed if the block succeeds, rolled back otherwise."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A unit of work that changes chunks: it holds the writers' lock from its first statement (SQLite:
        BEGIN IMMEDIATE) and the corpus state row (lock_state), so read-then-bump of the version and
        the chunk ids it inserts cannot interleave with another writer's."""
        with self.engine.connect() as connection:
            connection.execution_options(**{WRITER: True})
            with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                self.lock_state(session)
                yield session

    def _insert_ignoring_duplicates(self, table: Any) -> Insert:
        return insert_ignoring_duplicates(self.engine.dialect.name, table)

    # -- corpus version -------------------------------------------------------------------------

    def corpus_state(self) -> tuple[str, int]:
        """(store id, corpus version): an index built from this store at this version is current."""
        with self.engine.connect() as connection:
            row = connection.execute(select(CorpusState.store_id, CorpusState.version)).first()
            if row is None:
                self._create_state(connection)
                row = connection.execute(select(CorpusState.store_id, CorpusState.version)).one()
            return row.store_id, row.version

    def _create_state(self, connection: Connection) -> None:
        values = {"id": 1, "store_id": str(uuid.uuid4()), "version": 0}
        connection.execute(self._insert_ignoring_duplicates(CorpusState.__table__), values)
        connection.commit()

    @staticmethod
    def lock_state(session: Session) -> CorpusState:
        """The corpus state row, made if missing (whoever comes second does nothing) and locked until
        the session ends (SQLite: the whole database already is, by BEGIN IMMEDIATE)."""
        values = {"id": 1, "store_id": str(uuid.uuid4()), "version": 0}
        session.execute(
            insert_ignoring_duplicates(session.get_bind().dialect.name, CorpusState.__table__), values
        )
        return session.scalars(select(CorpusState).where(CorpusState.id == 1).with_for_update()).one()

    def changes_since(self, version: int, above_chunk_id: int) -> tuple[np.ndarray, int]:
        """Chunk ids deleted after `version`, and how many chunks have an id above `above_chunk_id`."""
        with self.engine.connect() as connection:
            removed = connection.scalars(
                select(ChunkTombstone.chunk_id).where(ChunkTombstone.version > version)
            ).all()
            added = connection.scalar(select(func.count(Chunk.id)).where(Chunk.id > above_chunk_id)) or 0
        return np.asarray(removed, dtype=np.int64), added

    def count_chunks(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count(Chunk.id))) or 0

    def chunk_span(self) -> ChunkSpan:
        """The chunks the index must cover: how many, and the lowest and highest id."""
        with self.engine.connect() as connection:
            count, first, last = connection.execute(
                select(func.count(Chunk.id), func.min(Chunk.id), func.max(Chunk.id))
            ).one()
        return ChunkSpan(count=count or 0, first=first or 0, last=last or 0)

    # -- reads ----------------------------------------------------------------------------------

    def count_announcements(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count(Announcement.id))) or 0

    def iter_chunk_texts(
        self, ids: Sequence[int] | None = None, above: int = 0, batch: int = 20_000
    ) -> Iterator[tuple[int, int, str, str]]:
        """(chunk id, announcement id, title, text) in chunk id order: the chunks with an id above
        `above`, or those of `ids`."""
        columns = (Chunk.id, Chunk.announcement_id, Announcement.title, Chunk.text)
        base = select(*columns).join(Announcement, Chunk.announcement_id == Announcement.id)
        with self.engine.connect() as connection:
            if ids is None:
                stmt = base.where(Chunk.id > above).order_by(Chunk.id).execution_options(yield_per=batch)
                for row in connection.execute(stmt):
                    yield row[0], row[1], row[2], row[3]
                return
            ordered = sorted(int(i) for i in ids)
            for start in range(0, len(ordered), 500):
                part = ordered[start : start + 500]
                for row in connection.execute(base.where(Chunk.id.in_(part)).order_by(Chunk.id)):
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
        stmt = select(Chunk.id).where(Chunk.announcement_id.in_(list(announcement_ids))).order_by(Chunk.id)
        with self.engine.connect() as connection:
            return list(connection.scalars(stmt))

    def latest(self, n: int, offset: int = 0) -> list[AnnouncementInfo]:
        """Newest first: by published date; undated items follow in source order (first = newest)."""
        stmt = (
            select(
                Announcement.id,
                Announcement.title,
                Announcement.type,
                Announcement.published,
                Announcement.url,
                Announcement.organisation,
            )
            .order_by(
                Announcement.published.desc().nulls_last(),
                Announcement.ingested_at.desc(),
                Announcement.source_position,
                Announcement.id,
            )
            .offset(offset)
            .limit(n)
        )
        with self.engine.connect() as connection:
            return [
                AnnouncementInfo(
                    announcement_id=row.id,
                    title=row.title,
                    type=row.type,
                    published=row.published,
                    url=row.url,
                    organisation=row.organisation,
                )
                for row in connection.execute(stmt)
            ]

    def announcement(self, announcement_id: int) -> StoredAnnouncement | None:
        stmt = select(
            Announcement.id,
            Announcement.title,
            Announcement.type,
            Announcement.published,
            Announcement.updated,
            Announcement.organisation,
            Announcement.url,
            Announcement.summary,
            Announcement.body,
            Announcement.extra,
        ).where(Announcement.id == announcement_id)
        with self.engine.connect() as connection:
            row = connection.execute(stmt).first()
        if row is None:
            return None
        return StoredAnnouncement(
            announcement_id=row.id,
            title=row.title,
            type=row.type,
            published=row.published,
            updated=row.updated,
            organisation=row.organisation,
            url=row.url,
            summary=row.summary,
            body=row.body,
            extra=dict(row.extra or {}),
        )

    def stats(self) -> CorpusStats:
        with self.engine.connect() as connection:
            n_ann, first, last = connection.execute(
                select(
                    func.count(Announcement.id),
                    func.min(Announcement.published),
                    func.max(Announcement.published),
                )
            ).one()
            n_chunks = connection.scalar(select(func.count(Chunk.id))) or 0
            changed_at = connection.scalar(select(CorpusState.changed_at))
        return CorpusStats(
            announcements=n_ann,
            chunks=n_chunks,
            first_published=_aware(first),
            last_published=_aware(last),
            changed_at=changed_at,
        )

    def last_sync(self) -> SyncStatus:
        with self.engine.connect() as connection:
            row = connection.execute(select(SyncState.last_success, SyncState.last_items)).first()
        if row is None:
            return SyncStatus(last_success=None, last_items=0)
        return SyncStatus(last_success=row.last_success, last_items=row.last_items or 0)

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(self, chat_id: int, words: str, limit: int) -> Subscription:
        """Add a subscription; DuplicateSubscription or SubscriptionLimit if it may not be added."""
        try:
            with self.session() as session:
                existing = session.scalar(
                    select(SubscriptionRow.id).where(
                        SubscriptionRow.chat_id == chat_id, SubscriptionRow.words == words
                    )
                )
                if existing is not None:
                    raise DuplicateSubscription(words)
                count = session.scalar(
                    select(func.count(SubscriptionRow.id)).where(SubscriptionRow.chat_id == chat_id)
                )
                if (count or 0) >= limit:
                    raise SubscriptionLimit(limit)
                row = SubscriptionRow(chat_id=chat_id, words=words, created_at=datetime.now(UTC))
                session.add(row)
                session.flush()
                return _subscription(row)
        except IntegrityError:  # the same words from the same chat, twice at once
            raise DuplicateSubscription(words) from None

    def subscriptions(self, chat_id: int) -> list[Subscription]:
        """This chat's subscriptions, oldest first."""
        stmt = select(SubscriptionRow).where(SubscriptionRow.chat_id == chat_id).order_by(SubscriptionRow.id)
        with self.session() as session:
            return [_subscription(row) for row in session.scalars(stmt)]

    def subscriptions_except(self, chat_id: int) -> list[Subscription]:
        """Every subscription but those of `chat_id`, oldest first."""
        stmt = select(SubscriptionRow).where(SubscriptionRow.chat_id != chat_id).order_by(SubscriptionRow.id)
        with self.session() as session:
            return [_subscription(row) for row in session.scalars(stmt)]

    def unsubscribe(self, chat_id: int, subscription_id: int | None = None) -> int:
        """Remove one subscription of this chat, or all of them; returns how many went."""
        stmt = delete(SubscriptionRow).where(SubscriptionRow.chat_id == chat_id)
        if subscription_id is not None:
            stmt = stmt.where(SubscriptionRow.id == subscription_id)
        with self.session() as session:
            result = cast(CursorResult[Any], session.execute(stmt))  # a DELETE's result counts its rows
            return result.rowcount or 0

    # -- the alert queue ------------------------------------------------------------------------

    def queue_alerts(self, announcement_ids: Sequence[int]) -> None:
        """Remember announcements to check against subscriptions, once each however often queued."""
        if not announcement_ids:
            return
        now = datetime.now(UTC)
        rows = [{"announcement_id": i, "queued_at": now} for i in dict.fromkeys(announcement_ids)]
        with self.session() as session:
            session.execute(self._insert_ignoring_duplicates(AlertQueued.__table__), rows)

    def queued_alerts(self, limit: int = 500) -> list[int]:
        """The oldest queued announcements first."""
        stmt = (
            select(AlertQueued.announcement_id)
            .order_by(AlertQueued.queued_at, AlertQueued.announcement_id)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return list(connection.scalars(stmt))

    def dequeue_alerts(self, announcement_ids: Sequence[int]) -> None:
        if not announcement_ids:
            return
        with self.session() as session:
            session.execute(
                delete(AlertQueued).where(AlertQueued.announcement_id.in_(list(announcement_ids)))
            )

    def alerts_sent(self, announcement_ids: Sequence[int]) -> set[tuple[int, int]]:
        """(chat id, announcement id) of the alerts already sent about these announcements."""
        if not announcement_ids:
            return set()
        stmt = select(AlertSent.chat_id, AlertSent.announcement_id).where(
            AlertSent.announcement_id.in_(list(announcement_ids))
        )
        with self.engine.connect() as connection:
            return {(row.chat_id, row.announcement_id) for row in connection.execute(stmt)}

    def mark_sent(self, chat_id: int, announcement_id: int) -> None:
        row = {"chat_id": chat_id, "announcement_id": announcement_id, "sent_at": datetime.now(UTC)}
        with self.session() as session:
            session.execute(self._insert_ignoring_duplicates(AlertSent.__table__), row)


def insert_ignoring_duplicates(dialect: str, table: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: two processes may create the same row at once, and the
    second must neither fail nor overwrite the first."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        subscription_id=row.id, chat_id=row.chat_id, words=row.words, created_at=row.created_at
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
