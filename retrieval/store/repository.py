"""The store: one SQLAlchemy engine, one session per unit of work, and the reads and writes the product
needs, each returning frozen records (records.py).

Writers that change chunks go through `writing()`: they hold the write lock (SQLite) or the corpus
state row (PostgreSQL) from their first statement to their commit, so they run one at a time, each
bumps the corpus version it read under the lock, and chunk ids grow in commit order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

import numpy as np
from sqlalchemy import (
    Connection,
    CursorResult,
    Delete,
    Engine,
    Insert,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from retrieval.filters import Filters
from retrieval.store.database import WRITER, make_engine
from retrieval.store.records import (
    AnnouncementInfo,
    ButtonState,
    ChatData,
    ChunkRow,
    ChunkSpan,
    ChunkText,
    ConversationTurn,
    CorpusStats,
    DayCount,
    DigestItem,
    DuplicateSubscription,
    LoggedQuestion,
    ShownList,
    StoredAnnouncement,
    Subscription,
    SubscriptionLimit,
    SyncStatus,
)
from retrieval.store.schema import (
    LIST_KEY,
    AlertQueued,
    AlertSent,
    Announcement,
    AskedQuestion,
    ButtonKey,
    Chunk,
    ChunkTombstone,
    Conversation,
    CorpusState,
    DigestEntry,
    ShownListRow,
    SyncState,
)
from retrieval.store.schema import Subscription as SubscriptionRow
from retrieval.timeutil import as_utc, parse_utc

_CHUNKS_BY_ID = (
    select(
        Chunk.id,
        Chunk.announcement_id,
        Chunk.position,
        Chunk.text,
        Chunk.analysis,
        Announcement.title,
        Announcement.type,
        Announcement.published,
        Announcement.url,
        Announcement.organisation,
        # The one field of `extra` wanted here, read by the database: decoding the whole JSON
        # document of every candidate's announcement was a tenth of a question's time.
        Announcement.extra["withdrawn_at"].as_string().label("withdrawn_at"),
    )
    .join(Announcement, Chunk.announcement_id == Announcement.id)
    .where(Chunk.id.in_(bindparam("ids", expanding=True)))
)

# _CHUNKS_BY_ID as SQLAlchemy writes it for SQLite, for Store._driver_chunks (tests/test_store.py
# checks that both read the same rows).
_SQLITE_CHUNKS_BY_ID = (
    "SELECT chunks.id, chunks.announcement_id, chunks.position, chunks.text, chunks.analysis, "
    "announcements.title, announcements.type, announcements.published, announcements.url, "
    "announcements.organisation, CAST(JSON_EXTRACT(announcements.extra, '$.\"withdrawn_at\"') AS VARCHAR) "
    "FROM chunks JOIN announcements ON chunks.announcement_id = announcements.id WHERE chunks.id IN ({})"
)

# And for PostgreSQL: the ids as one array, so that the statement's text
# is the same for any number of ids and psycopg prepares it once per connection (after its fifth use).
_POSTGRES_CHUNKS_BY_ID = (
    "SELECT chunks.id, chunks.announcement_id, chunks.position, chunks.text, chunks.analysis, "
    "announcements.title, announcements.type, announcements.published, announcements.url, "
    "announcements.organisation, CAST(announcements.extra ->> 'withdrawn_at' AS VARCHAR) "
    "FROM chunks JOIN announcements ON chunks.announcement_id = announcements.id "
    "WHERE chunks.id = ANY(%s::bigint[])"
)


class Store:
    def __init__(self, database_url: str) -> None:
        """The tables are made by migrations (retrieval/store/migrate.py), not here."""
        self.engine: Engine = make_engine(database_url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # On SQLite and PostgreSQL, candidate rows are read through the driver (_driver_chunks) and
        # their `published` converted by the processor SQLAlchemy would apply.
        self._sqlite = self.engine.dialect.name == "sqlite"
        self._postgres = self.engine.dialect.name == "postgresql"
        self._published: Callable[[Any], Any] | None = Announcement.published.type.dialect_impl(
            self.engine.dialect
        ).result_processor(self.engine.dialect, None)

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
    ) -> Iterator[ChunkText]:
        """(chunk id, announcement id, title, organisation, text) in chunk id order: the chunks with
        an id above `above`, or those of `ids`."""
        columns = (Chunk.id, Chunk.announcement_id, Announcement.title, Announcement.organisation, Chunk.text)
        base = select(*columns).join(Announcement, Chunk.announcement_id == Announcement.id)
        with self.engine.connect() as connection:
            if ids is None:
                stmt = base.where(Chunk.id > above).order_by(Chunk.id).execution_options(yield_per=batch)
                for row in connection.execute(stmt):
                    yield row[0], row[1], row[2], row[3], row[4]
                return
            ordered = sorted(int(i) for i in ids)
            for start in range(0, len(ordered), 500):
                part = ordered[start : start + 500]
                for row in connection.execute(base.where(Chunk.id.in_(part)).order_by(Chunk.id)):
                    yield row[0], row[1], row[2], row[3], row[4]

    def chunks(self, ids: Sequence[int]) -> dict[int, ChunkRow]:
        """The chunks that still exist among `ids`, with their announcement's details (never its body:
        a question must cost the same whether the announcement is 1 KB or 10 MB)."""
        if not ids:
            return {}
        # Core, not the ORM, one statement built once, rows fetched at once: this runs for every
        # question, and building the statement and handling rows one by one cost five times the query.
        # Rows unpacked by position, not read by name: a fifth of this method's time went on the names.
        rows: Sequence[Sequence[Any]]
        with self.engine.connect() as connection:
            if self._sqlite or self._postgres:
                rows = self._driver_chunks(connection, [int(i) for i in ids])
            else:
                rows = connection.execute(_CHUNKS_BY_ID, {"ids": [int(i) for i in ids]}).all()
        return {
            chunk_id: ChunkRow(
                chunk_id=chunk_id,
                announcement_id=announcement_id,
                position=position,
                text=text,
                title=title,
                type=type_,
                published=published,
                url=url,
                organisation=organisation,
                withdrawn_at=parse_utc(withdrawn_at),
                analysis=analysis,
            )
            for (
                chunk_id,
                announcement_id,
                position,
                text,
                analysis,
                title,
                type_,
                published,
                url,
                organisation,
                withdrawn_at,
            ) in rows
        }

    def _driver_chunks(self, connection: Connection, ids: list[int]) -> list[tuple[Any, ...]]:
        """_CHUNKS_BY_ID through the driver's own cursor. SQLAlchemy's execution (expanding the ids,
        its execution context and result rows) cost as much as SQLite reading the 24 rows; on
        PostgreSQL the ids go as one array, so that the statement's text is the same for any number
        and psycopg prepares it once (at 100k passages, reading 24 rows took p50 / p95 0.85 / 0.92 ms
        against 1.05 / 1.25). `published` goes through the column type's own result processor, as
        SQLAlchemy would."""
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            if self._sqlite:
                cursor.execute(_SQLITE_CHUNKS_BY_ID.format(", ".join("?" * len(ids))), ids)
            else:
                cursor.execute(_POSTGRES_CHUNKS_BY_ID, (ids,))
            raw: list[tuple[Any, ...]] = cursor.fetchall()
        finally:
            cursor.close()
        published = self._published
        if published is None:
            return raw
        return [(*row[:7], published(row[7]), *row[8:]) for row in raw]

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

    def latest(self, n: int, offset: int = 0, filters: Filters | None = None) -> list[AnnouncementInfo]:
        """Newest first: by published date; undated items follow in source order (first = newest).
        `filters` keep only matching announcements (organisation, type, published range)."""
        stmt = _matching(
            select(
                Announcement.id,
                Announcement.title,
                Announcement.type,
                Announcement.published,
                Announcement.url,
                Announcement.organisation,
            ),
            filters,
        )
        stmt = (
            stmt.order_by(
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

    def count_matching(self, filters: Filters | None = None) -> int:
        """How many announcements `latest` would list with these filters, all pages together."""
        stmt = _matching(select(func.count(Announcement.id)), filters)
        with self.engine.connect() as connection:
            return connection.scalar(stmt) or 0

    def announcement_id_by_key(self, key: str) -> int | None:
        """The announcement stored under `key` (AnnouncementRecord.key), if any."""
        with self.session() as session:
            return session.scalars(select(Announcement.id).where(Announcement.key == key)).first()

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

    def subscribe(
        self, chat_id: int, words: str, limit: int, kind: str = "words", daily: bool = False
    ) -> Subscription:
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
                row = SubscriptionRow(
                    chat_id=chat_id, words=words, created_at=datetime.now(UTC), kind=kind, daily=daily
                )
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
        """Remove one subscription of this chat, or all of them, with the matches they held for a
        digest; returns how many went."""
        stmt = delete(SubscriptionRow).where(SubscriptionRow.chat_id == chat_id)
        held = delete(DigestEntry).where(DigestEntry.chat_id == chat_id)
        if subscription_id is not None:
            stmt = stmt.where(SubscriptionRow.id == subscription_id)
            held = held.where(DigestEntry.subscription_id == subscription_id)
        with self.session() as session:
            session.execute(held)
            return _deleted(session, stmt)

    def change_subscription(
        self,
        chat_id: int,
        subscription_id: int,
        *,
        daily: bool | None = None,
        muted_until: datetime | None = None,
        unmute: bool = False,
    ) -> Subscription | None:
        """Set a subscription of this chat to daily or immediate delivery, mute it until a time or
        unmute it; None if the chat has no such subscription (any more)."""
        values: dict[str, Any] = {}
        if daily is not None:
            values["daily"] = daily
        if muted_until is not None or unmute:
            values["muted_until"] = muted_until
        with self.session() as session:
            row = session.scalar(
                select(SubscriptionRow).where(
                    SubscriptionRow.chat_id == chat_id, SubscriptionRow.id == subscription_id
                )
            )
            if row is None:
                return None
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            if daily is False:  # matches held for the digest go out with the next alerts instead
                session.execute(delete(DigestEntry).where(DigestEntry.subscription_id == subscription_id))
            return _subscription(row)

    def organisations(self) -> list[str]:
        """Every organisation field the announcements carry (several names joined by ", " in one)."""
        stmt = select(Announcement.organisation).where(Announcement.organisation.is_not(None)).distinct()
        with self.engine.connect() as connection:
            return [name for name in connection.scalars(stmt) if name]

    def announcement_infos(self, announcement_ids: Sequence[int]) -> dict[int, AnnouncementInfo]:
        """Title, type, date, url and organisation of each of these that still exists."""
        if not announcement_ids:
            return {}
        stmt = select(
            Announcement.id,
            Announcement.title,
            Announcement.type,
            Announcement.published,
            Announcement.url,
            Announcement.organisation,
        ).where(Announcement.id.in_(list(announcement_ids)))
        with self.engine.connect() as connection:
            return {
                row.id: AnnouncementInfo(
                    announcement_id=row.id,
                    title=row.title,
                    type=row.type,
                    published=row.published,
                    url=row.url,
                    organisation=row.organisation,
                )
                for row in connection.execute(stmt)
            }

    # -- daily digests --------------------------------------------------------------------------

    def hold_for_digest(self, items: Sequence[DigestItem]) -> None:
        """Keep these matches for their chats' next digest, and mark them alerted: a chat hears once
        about an announcement, in its digest or at once, never both."""
        if not items:
            return
        held = [
            {
                "chat_id": i.chat_id,
                "announcement_id": i.announcement_id,
                "subscription_id": i.subscription_id,
                "words": i.words,
                "queued_at": i.queued_at,
            }
            for i in items
        ]
        sent = [
            {"chat_id": i.chat_id, "announcement_id": i.announcement_id, "sent_at": i.queued_at}
            for i in items
        ]
        with self.session() as session:
            session.execute(self._insert_ignoring_duplicates(DigestEntry.__table__), held)
            session.execute(self._insert_ignoring_duplicates(AlertSent.__table__), sent)

    def digest_items(self, held_before: datetime) -> list[DigestItem]:
        """Matches held since before `held_before`, by chat, oldest first."""
        stmt = (
            select(DigestEntry)
            .where(DigestEntry.queued_at < held_before)
            .order_by(DigestEntry.chat_id, DigestEntry.queued_at, DigestEntry.announcement_id)
        )
        with self.session() as session:
            return [
                DigestItem(
                    chat_id=row.chat_id,
                    announcement_id=row.announcement_id,
                    subscription_id=row.subscription_id,
                    words=row.words,
                    queued_at=row.queued_at,
                )
                for row in session.scalars(stmt)
            ]

    def clear_digest(self, chat_id: int, announcement_ids: Sequence[int]) -> None:
        if not announcement_ids:
            return
        with self.session() as session:
            session.execute(
                delete(DigestEntry).where(
                    DigestEntry.chat_id == chat_id, DigestEntry.announcement_id.in_(list(announcement_ids))
                )
            )

    # -- button keys ----------------------------------------------------------------------------

    def save_button(self, state: ButtonState, now: datetime) -> None:
        row = {
            "key": state.key,
            "chat_id": state.chat_id,
            "kind": state.kind,
            "payload": dict(state.payload),
            "created_at": now,
            "expires_at": state.expires_at,
        }
        with self.session() as session:
            session.execute(insert(ButtonKey), row)

    def button(self, key: str, now: datetime) -> ButtonState | None:
        """What the key stands for; None when it is unknown or expired (cleanup may not have run)."""
        stmt = select(ButtonKey).where(ButtonKey.key == key, ButtonKey.expires_at > now)
        with self.session() as session:
            row = session.scalar(stmt)
            if row is None:
                return None
            return ButtonState(
                key=row.key,
                chat_id=row.chat_id,
                kind=row.kind,
                payload=dict(row.payload or {}),
                expires_at=row.expires_at,
            )

    def delete_expired_buttons(self, now: datetime) -> int:
        with self.session() as session:
            return _deleted(session, delete(ButtonKey).where(ButtonKey.expires_at <= now))

    # -- questions asked and their feedback -----------------------------------------------------

    def log_question(self, chat_id: int, text: str, outcome: str, at: datetime) -> int:
        with self.session() as session:
            row = AskedQuestion(chat_id=chat_id, text=text, outcome=outcome, asked_at=at)
            session.add(row)
            session.flush()
            return row.id

    def set_feedback(self, question_id: int, chat_id: int, value: int, at: datetime) -> bool:
        """👍 (+1) or 👎 (-1) for a question this chat asked; False if there is no such question (any
        more: pruned, forgotten, or another chat's)."""
        stmt = (
            update(AskedQuestion)
            .where(AskedQuestion.id == question_id, AskedQuestion.chat_id == chat_id)
            .values(feedback=value, feedback_at=at)
        )
        with self.session() as session:
            result = cast(CursorResult[Any], session.execute(stmt))
            return bool(result.rowcount)

    def last_question_id(self, chat_id: int, since: datetime) -> int | None:
        """This chat's newest question asked at or after `since`, if any."""
        with self.session() as session:
            return session.scalars(_newest_question(AskedQuestion.id, chat_id, since)).first()

    def last_question(self, chat_id: int, since: datetime) -> str | None:
        """The text of this chat's newest question asked at or after `since`, if any."""
        with self.session() as session:
            return session.scalars(_newest_question(AskedQuestion.text, chat_id, since)).first()

    def question_counts(self, since: datetime) -> list[DayCount]:
        """Questions asked since `since`, per day (UTC) and outcome, oldest day first."""
        stmt = select(AskedQuestion.asked_at, AskedQuestion.outcome).where(AskedQuestion.asked_at >= since)
        days: dict[date, dict[str, int]] = {}
        with self.engine.connect() as connection:
            for row in connection.execute(stmt.execution_options(yield_per=10_000)):
                asked = _aware(row.asked_at)
                assert asked is not None
                outcomes = days.setdefault(asked.astimezone(UTC).date(), {})
                outcomes[row.outcome] = outcomes.get(row.outcome, 0) + 1
        return [DayCount(day=day, outcomes=days[day]) for day in sorted(days)]

    def recent_questions(
        self, limit: int, outcome: str | None = None, feedback: int | None = None
    ) -> list[LoggedQuestion]:
        """The newest questions first, those with this outcome and/or this feedback."""
        stmt = select(AskedQuestion).order_by(AskedQuestion.asked_at.desc(), AskedQuestion.id.desc())
        if outcome is not None:
            stmt = stmt.where(AskedQuestion.outcome == outcome)
        if feedback is not None:
            stmt = stmt.where(AskedQuestion.feedback == feedback)
        with self.session() as session:
            return [
                LoggedQuestion(
                    question_id=row.id,
                    chat_id=row.chat_id,
                    asked_at=row.asked_at,
                    text=row.text,
                    outcome=row.outcome,
                    feedback=row.feedback,
                )
                for row in session.scalars(stmt.limit(limit))
            ]

    def delete_questions_before(self, when: datetime) -> int:
        with self.session() as session:
            return _deleted(session, delete(AskedQuestion).where(AskedQuestion.asked_at < when))

    def delete_alerts_sent_before(self, when: datetime) -> int:
        """Forget which chats were alerted about what before `when` (an update to such an old
        announcement is no longer alerted anyway: syncs queue only what changed recently)."""
        with self.session() as session:
            return _deleted(session, delete(AlertSent).where(AlertSent.sent_at < when))

    # -- a chat's data --------------------------------------------------------------------------

    def chat_data(self, chat_id: int) -> ChatData:
        """How much the store keeps about this chat, by kind."""
        tables = _chat_tables()
        with self.engine.connect() as connection:
            counts = {
                name: connection.scalar(select(func.count()).select_from(table).where(column == chat_id)) or 0
                for name, (table, column) in tables.items()
            }
        return ChatData(**counts)

    def forget_chat(self, chat_id: int) -> ChatData:
        """Delete everything kept about this chat, in one transaction; what went, by kind."""
        with self.session() as session:
            counts = {
                name: _deleted(session, delete(table).where(column == chat_id))
                for name, (table, column) in _chat_tables().items()
            }
        return ChatData(**counts)

    # -- a chat's conversation: the last answer's announcement, the last list shown ----------------

    def remember_answer(
        self, chat_id: int, announcement_id: int, question: str, now: datetime, expires_at: datetime
    ) -> None:
        """This chat's last answer quoted `announcement_id` (replacing the one before)."""
        values = {
            "chat_id": chat_id,
            "announcement_id": announcement_id,
            "question": question,
            "answered_at": now,
            "expires_at": expires_at,
        }
        with self.session() as session:
            session.execute(delete(Conversation).where(Conversation.expires_at <= now))
            session.execute(_upsert(self.engine.dialect.name, Conversation.__table__, "chat_id", values))

    def conversation(self, chat_id: int, now: datetime) -> ConversationTurn | None:
        """This chat's last answer, unless it has expired."""
        stmt = select(Conversation).where(Conversation.chat_id == chat_id, Conversation.expires_at > now)
        with self.session() as session:
            row = session.scalars(stmt).first()
            if row is None:
                return None
            return ConversationTurn(
                chat_id=row.chat_id,
                announcement_id=row.announcement_id,
                question=row.question,
                answered_at=row.answered_at,
                expires_at=row.expires_at,
            )

    def remember_list(
        self, chat_id: int, list_key: str, items: Mapping[int, int], now: datetime, expires_at: datetime
    ) -> ShownList:
        """This chat was shown `items` (number -> announcement id) of the list `list_key`: added to
        what it was shown of the same list before (another page), else in place of the old list."""
        list_key = list_key[:LIST_KEY]
        with self.session() as session:
            session.execute(delete(ShownListRow).where(ShownListRow.expires_at <= now))
            row = session.scalars(
                select(ShownListRow).where(ShownListRow.chat_id == chat_id).with_for_update()
            ).first()
            merged: dict[int, int] = {}
            if row is not None and row.list_key == list_key:
                merged.update({int(n): int(a) for n, a in row.items.items()})
            merged.update(items)
            values = {
                "chat_id": chat_id,
                "list_key": list_key,
                "items": {str(n): a for n, a in sorted(merged.items())},
                "shown_at": now,
                "expires_at": expires_at,
            }
            session.execute(_upsert(self.engine.dialect.name, ShownListRow.__table__, "chat_id", values))
        return ShownList(chat_id, list_key, merged, now, expires_at)

    def shown_list(self, chat_id: int, now: datetime) -> ShownList | None:
        """The list this chat was last shown, unless it has expired."""
        stmt = select(ShownListRow).where(ShownListRow.chat_id == chat_id, ShownListRow.expires_at > now)
        with self.session() as session:
            row = session.scalars(stmt).first()
            if row is None:
                return None
            items = {int(n): int(a) for n, a in row.items.items()}
            return ShownList(row.chat_id, row.list_key, items, row.shown_at, row.expires_at)

    def forget_answer(self, chat_id: int) -> None:
        """This chat's last answer is no longer what it talks about (its last list is kept)."""
        with self.session() as session:
            session.execute(delete(Conversation).where(Conversation.chat_id == chat_id))

    def forget_conversation(self, chat_id: int) -> int:
        """Delete this chat's last answer and last list; how many rows went."""
        with self.session() as session:
            return _deleted(session, delete(Conversation).where(Conversation.chat_id == chat_id)) + _deleted(
                session, delete(ShownListRow).where(ShownListRow.chat_id == chat_id)
            )

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
        """(chat id, announcement id) of the alerts already sent about these announcements, or being
        sent now (a live claim); an expired claim is not among them: its sender died."""
        if not announcement_ids:
            return set()
        stmt = select(AlertSent.chat_id, AlertSent.announcement_id).where(
            AlertSent.announcement_id.in_(list(announcement_ids)),
            or_(AlertSent.claim_until.is_(None), AlertSent.claim_until > datetime.now(UTC)),
        )
        with self.engine.connect() as connection:
            return {(row.chat_id, row.announcement_id) for row in connection.execute(stmt)}

    def mark_sent(self, chat_id: int, announcement_id: int) -> None:
        """Sent (or given up): never again for this chat and announcement; ends a claim."""
        now = datetime.now(UTC)
        row = {"chat_id": chat_id, "announcement_id": announcement_id, "sent_at": now}
        stmt = self._alert_insert(row).on_conflict_do_update(
            index_elements=["chat_id", "announcement_id"], set_={"sent_at": now, "claim_until": None}
        )
        with self.session() as session:
            session.execute(stmt)

    def _alert_insert(self, row: dict[str, Any]) -> Any:
        """INSERT INTO alerts_sent in the dialect's own form, which has ON CONFLICT DO UPDATE."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(AlertSent).values(row)
        return sqlite.insert(AlertSent).values(row)

    def claim_alert(self, chat_id: int, announcement_id: int, until: datetime) -> bool:
        """Take the right to send this alert until `until`: True unless it was sent, or another worker
        holds a live claim. One statement (an insert, or an update of an expired claim, that returns
        the row), so two workers can never both get True."""
        now = datetime.now(UTC)
        row = {"chat_id": chat_id, "announcement_id": announcement_id, "sent_at": now, "claim_until": until}
        stmt = (
            self._alert_insert(row)
            .on_conflict_do_update(
                index_elements=["chat_id", "announcement_id"],
                set_={"sent_at": now, "claim_until": until},
                where=and_(AlertSent.claim_until.is_not(None), AlertSent.claim_until <= now),
            )
            .returning(AlertSent.chat_id)
        )
        with self.session() as session:
            return session.execute(stmt).first() is not None

    def release_claim(self, chat_id: int, announcement_id: int) -> None:
        """Give a claim back unsent (a passing failure): the next run may try this chat again."""
        stmt = delete(AlertSent).where(
            AlertSent.chat_id == chat_id,
            AlertSent.announcement_id == announcement_id,
            AlertSent.claim_until.is_not(None),
        )
        with self.session() as session:
            session.execute(stmt)

    def claimed(self, announcement_ids: Sequence[int], expired_since: datetime) -> set[int]:
        """Those of these announcements with an alert claimed and not sent whose claim is live or
        expired after `expired_since`: a claim that expires while a run looks at the queue must not
        let that run clear its announcement before the alert is sent again. An older expired claim
        (its chat has unsubscribed since) holds nothing."""
        if not announcement_ids:
            return set()
        stmt = select(AlertSent.announcement_id).where(
            AlertSent.announcement_id.in_(list(announcement_ids)), AlertSent.claim_until > expired_since
        )
        with self.engine.connect() as connection:
            return set(connection.scalars(stmt))


def insert_ignoring_duplicates(dialect: str, table: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING: two processes may create the same row at once, and the
    second must neither fail nor overwrite the first."""
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


_Select = TypeVar("_Select", bound="Select[*tuple[Any, ...]]")
_T = TypeVar("_T")


def _matching(stmt: _Select, filters: Filters | None) -> _Select:
    """`stmt` over announcements, kept to those `filters` accept: the same rule as Filters.accepts
    (any of the organisations within the field, which may join several names; any of the types,
    in any case; published in [since, until)), in SQL so that counting and paging stay in the
    database."""
    if not filters:
        return stmt
    if filters.organisations:
        stmt = stmt.where(
            or_(
                *(
                    func.lower(Announcement.organisation).contains(name.lower(), autoescape=True)
                    for name in filters.organisations
                )
            )
        )
    if filters.types:
        stmt = stmt.where(func.lower(Announcement.type).in_(sorted({t.lower() for t in filters.types})))
    if filters.since is not None:
        stmt = stmt.where(Announcement.published >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(Announcement.published < filters.until)
    return stmt


def _upsert(dialect: str, table: Any, key: str, values: dict[str, Any]) -> Insert:
    """INSERT, or UPDATE the row that has the same `key`: one statement, so two writers at once
    leave one row, the last one's."""
    insert_ = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    changed = {name: value for name, value in values.items() if name != key}
    return insert_.values(values).on_conflict_do_update(index_elements=[key], set_=changed)


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        subscription_id=row.id,
        chat_id=row.chat_id,
        words=row.words,
        created_at=row.created_at,
        kind=row.kind,
        daily=row.daily,
        muted_until=row.muted_until,
    )


def _newest_question(column: InstrumentedAttribute[_T], chat_id: int, since: datetime) -> Select[_T]:
    """`column` of this chat's newest question asked at or after `since`."""
    return (
        select(column)
        .where(AskedQuestion.chat_id == chat_id, AskedQuestion.asked_at >= since)
        .order_by(AskedQuestion.asked_at.desc(), AskedQuestion.id.desc())
        .limit(1)
    )


def _deleted(session: Session, stmt: Delete) -> int:
    result = cast(CursorResult[Any], session.execute(stmt))  # a DELETE's result counts its rows
    return result.rowcount or 0


def _chat_tables() -> dict[str, tuple[Any, Any]]:
    """Every table that keeps rows about a chat, by ChatData's field names, with its chat column."""
    return {
        "subscriptions": (SubscriptionRow, SubscriptionRow.chat_id),
        "questions": (AskedQuestion, AskedQuestion.chat_id),
        "button_keys": (ButtonKey, ButtonKey.chat_id),
        "alerts": (AlertSent, AlertSent.chat_id),
        "digest_items": (DigestEntry, DigestEntry.chat_id),
        "conversations": (Conversation, Conversation.chat_id),
        "lists": (ShownListRow, ShownListRow.chat_id),
    }


def _aware(value: datetime | str | None) -> datetime | None:
    # Aggregates bypass the column type, so SQLite hands back naive datetimes (or strings).
    if isinstance(value, str):
        return parse_utc(value)
    return as_utc(value) if value is not None else None
