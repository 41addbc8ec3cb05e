"""Subscriptions: a chat follows some words and is told about each new announcement that matches.

Whatever syncs GOV.UK (the bot's job or `python -m bot sync`) queues the announcements it added or
changed; the bot's job drains the queue, so items synced by another process, or left over when the bot
stopped half way, are still checked. AlertSent keeps it to one alert per announcement per chat.

A subscription matches an announcement when one of its passages (with its title) covers at least
MIN_COVERAGE of the words' weight: the tokenizer and idf weighting that decide whether a question is
answered, with a stricter share, since an alert nobody asked for costs more than a declined answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    CursorResult,
    DateTime,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from retrieval.answer import Passage, best_match
from retrieval.library import Library
from retrieval.search.tokenize import tokenize
from retrieval.store.schema import Base

MAX_PER_CHAT = 20
# The terminal chat's subscriptions: kept and listed like any chat's, but no Telegram chat has this id,
# so nobody is alerted for them.
LOCAL_CHAT_ID = 0
MIN_COVERAGE = 0.75
MAX_WORDS = 200  # characters


class Subscription(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "words"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    words: Mapped[str] = mapped_column(String(MAX_WORDS))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertSent(Base):
    """One alert per announcement per chat, however many subscriptions match or updates arrive."""

    __tablename__ = "alerts_sent"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AlertQueued(Base):
    """Announcements added or changed by a sync whose alerts have not been sent yet."""

    __tablename__ = "alerts_queued"

    announcement_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SubscriptionError(ValueError):
    """A polite reason the subscription was not made."""


def subscribe(library: Library, chat_id: int, words: str) -> Subscription:
    words = " ".join(words.split())
    if not tokenize(words):
        raise SubscriptionError(
            "Those words are too common to follow. Try more specific ones, e.g. flood defences."
        )
    if len(words) > MAX_WORDS:
        raise SubscriptionError(f"Please keep a subscription under {MAX_WORDS} characters.")
    with library.store.session() as session:
        count = (
            session.scalar(select(func.count(Subscription.id)).where(Subscription.chat_id == chat_id)) or 0
        )
        existing = session.scalar(
            select(Subscription).where(Subscription.chat_id == chat_id, Subscription.words == words)
        )
        if existing is not None:
            raise SubscriptionError(f"You already follow “{words}”.")
        if count >= MAX_PER_CHAT:
            raise SubscriptionError(
                f"A chat can have at most {MAX_PER_CHAT} subscriptions. Remove one first."
            )
        subscription = Subscription(chat_id=chat_id, words=words, created_at=datetime.now(UTC))
        session.add(subscription)
        try:
            session.flush()
        except IntegrityError:
            raise SubscriptionError(f"You already follow “{words}”.") from None
        return subscription


def subscriptions_of(library: Library, chat_id: int) -> list[Subscription]:
    with library.store.session() as session:
        stmt = select(Subscription).where(Subscription.chat_id == chat_id).order_by(Subscription.id)
        return list(session.scalars(stmt))


def unsubscribe(library: Library, chat_id: int, subscription_id: int | None = None) -> int:
    """Remove one subscription of this chat, or all of them; returns how many went."""
    with library.store.session() as session:
        stmt = delete(Subscription).where(Subscription.chat_id == chat_id)
        if subscription_id is not None:
            stmt = stmt.where(Subscription.id == subscription_id)
        result = cast(CursorResult[Any], session.execute(stmt))  # a DELETE's result counts its rows
        return result.rowcount or 0


@dataclass(frozen=True)
class Alert:
    chat_id: int
    words: str
    passage: Passage


def alerts_for(library: Library, announcement_ids: list[int]) -> list[Alert]:
    """Alerts still to send for these announcements: at most one per chat and announcement."""
    if not announcement_ids:
        return []
    library.refresh()  # another process may have synced them: weigh words by the current corpus
    with library.store.session() as session:
        subscriptions = list(
            session.scalars(
                select(Subscription).where(Subscription.chat_id != LOCAL_CHAT_ID).order_by(Subscription.id)
            )
        )
        sent = {
            (chat_id, announcement_id)
            for chat_id, announcement_id in session.execute(
                select(AlertSent.chat_id, AlertSent.announcement_id).where(
                    AlertSent.announcement_id.in_(announcement_ids)
                )
            )
        }
    alerts: list[Alert] = []
    index = library.index
    terms = {subscription.id: tokenize(subscription.words) for subscription in subscriptions}
    for announcement_id in announcement_ids:
        rows = library.store.chunks_of([announcement_id])
        for subscription in subscriptions:
            key = (subscription.chat_id, announcement_id)
            if key in sent or not rows:
                continue
            match = best_match(terms[subscription.id], rows, index, MIN_COVERAGE)
            if match is not None:
                alerts.append(Alert(subscription.chat_id, subscription.words, match[0]))
                sent.add(key)
    return alerts


def mark_sent(library: Library, chat_id: int, announcement_id: int) -> None:
    with library.store.session() as session:
        if session.get(AlertSent, (chat_id, announcement_id)) is None:
            session.add(
                AlertSent(chat_id=chat_id, announcement_id=announcement_id, sent_at=datetime.now(UTC))
            )


def queue_alerts(library: Library, announcement_ids: list[int]) -> None:
    """Remember announcements to check against subscriptions (once each, however often queued)."""
    if not announcement_ids:
        return
    ensure_tables(library)
    now = datetime.now(UTC)
    with library.store.session() as session:
        queued = set(
            session.scalars(
                select(AlertQueued.announcement_id).where(AlertQueued.announcement_id.in_(announcement_ids))
            )
        )
        for announcement_id in dict.fromkeys(announcement_ids):
            if announcement_id not in queued:
                session.add(AlertQueued(announcement_id=announcement_id, queued_at=now))


def queued_alerts(library: Library, limit: int = 500) -> list[int]:
    """The oldest queued announcements first."""
    with library.store.session() as session:
        stmt = (
            select(AlertQueued.announcement_id)
            .order_by(AlertQueued.queued_at, AlertQueued.announcement_id)
            .limit(limit)
        )
        return list(session.scalars(stmt))


def dequeue_alerts(library: Library, announcement_ids: list[int]) -> None:
    if not announcement_ids:
        return
    with library.store.session() as session:
        session.execute(delete(AlertQueued).where(AlertQueued.announcement_id.in_(announcement_ids)))


def ensure_tables(library: Library) -> None:
    """The store creates the retrieval tables; these are the bot's own."""
    names = (Subscription.__tablename__, AlertSent.__tablename__, AlertQueued.__tablename__)
    Base.metadata.create_all(library.store.engine, tables=[Base.metadata.tables[name] for name in names])
