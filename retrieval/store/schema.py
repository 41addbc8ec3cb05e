"""Every table of the store: announcements, their chunks, the corpus version the index follows, the
GOV.UK sync state, and the bot's subscriptions, alert queue, daily digests, button keys and asked
questions.

A change here needs a migration (retrieval/store/migrations/versions/): tests/test_migrations.py
checks that the migrations build exactly these tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from retrieval.timeutil import as_utc


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out: SQLite keeps no time zone and would hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None


class Base(DeclarativeBase):
    pass


class Announcement(Base):
    __tablename__ = "announcements"
    # Never reuse ids: the index maps chunk ids back to the store, and a reused id would point at text
    # the index never saw.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(1024), unique=True)
    type: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime())
    organisation: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    source_position: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    ingested_at: Mapped[datetime] = mapped_column(UTCDateTime())

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="Chunk.position"
    )


class Chunk(Base):
    __tablename__ = "chunks"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # The text's sentences and their terms, worked out once when it is stored (ranking/passages.py):
    # a question then reads them instead of parsing each candidate again. NULL in stores older than it.
    analysis: Mapped[str | None] = mapped_column(Text, nullable=True)

    announcement: Mapped[Announcement] = relationship(back_populates="chunks")


class CorpusState(Base):
    """One row. `version` goes up in every transaction that changes chunks; the index records the
    version it was built from, so any process can tell that the index is behind the store."""

    __tablename__ = "corpus_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChunkTombstone(Base):
    """Ids of chunks deleted at a corpus version, so the index can drop them without rereading every id."""

    __tablename__ = "chunk_tombstones"

    chunk_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, index=True)


class SyncState(Base):
    """One row: GOV.UK's high-water mark, the last successful run, and a lease so that two syncs (the
    bot's job and a `python -m bot sync`) never run at once."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    high_water: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_items: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncProblem(Base):
    """An item a sync could not fetch, read or store (retrieval/sync.py): retried on later runs until
    it has failed sync.MAX_ATTEMPTS times, then left for an operator until it changes at its source."""

    __tablename__ = "sync_problems"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)  # the Source's name
    key_digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of key: no limit on it
    key: Mapped[str] = mapped_column(Text)  # the item at its source (a GOV.UK path)
    title: Mapped[str] = mapped_column(Text)
    changed: Mapped[datetime] = mapped_column(UTCDateTime())  # its date at the source when it failed
    attempts: Mapped[int] = mapped_column(Integer)
    first_failed: Mapped[datetime] = mapped_column(UTCDateTime())
    last_failed: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)


SUBSCRIPTION_WORDS = 200  # characters: the column's width


class Subscription(Base):
    """A chat follows some words, or an organisation (`kind`; `words` then holds its name as the
    corpus writes it). retrieval/alerts.py decides what matches."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "words"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    words: Mapped[str] = mapped_column(String(SUBSCRIPTION_WORDS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20), default="words", server_default="words")
    # Matches wait in digest_items and go out together once a day, instead of one message each.
    daily: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    muted_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertSent(Base):
    """One alert per announcement per chat, however many subscriptions match or updates arrive."""

    __tablename__ = "alerts_sent"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set while a worker sends it (a claim that expires if the worker dies); NULL once sent.
    claim_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DigestEntry(Base):
    """A match for a daily subscription, held until the day's digest is sent to its chat."""

    __tablename__ = "digest_items"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    announcement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    subscription_id: Mapped[int] = mapped_column(Integer, index=True)
    words: Mapped[str] = mapped_column(String(SUBSCRIPTION_WORDS))  # as followed when it matched
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ButtonKey(Base):
    """What a button stands for when callback_data (64 bytes) cannot hold it: a question or search
    words behind "More matches" and paging. In the database, not in a process, so that a button
    works after a restart and on any worker; deleted once expired."""

    __tablename__ = "button_keys"

    key: Mapped[str] = mapped_column(String(24), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AskedQuestion(Base):
    """A question a chat asked, how it came out, and the 👍/👎 given to the reply: for /stats, and
    deleted after a while (the bot prunes them) or when the chat asks."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))
    feedback: Mapped[int | None] = mapped_column(Integer)  # +1 or -1
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AlertQueued(Base):
    """Announcements added or changed by a sync whose alerts have not been sent yet."""

    __tablename__ = "alerts_queued"

    announcement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())


LIST_KEY = 200  # characters of what identifies a shown list (the command and its words)


class Conversation(Base):
    """Per chat, the announcement its last answer quoted (retrieval/store/records.ConversationTurn):
    in the database, not a process, so that a follow-up works on any worker and after a restart.
    Expired rows are deleted as new ones are written."""

    __tablename__ = "conversations"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    announcement_id: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ShownListRow(Base):
    """Per chat, the numbered list it was last shown, so that /read N opens item N of it."""

    __tablename__ = "shown_lists"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    list_key: Mapped[str] = mapped_column(String(LIST_KEY))
    items: Mapped[dict[str, int]] = mapped_column(JSON)  # {"1": announcement id, ...}: JSON keys are text
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
