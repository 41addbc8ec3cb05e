"""What the store hands out: plain frozen records, never an ORM object or a session, so that nothing
outside the store can lazy-load, write back or hold a transaction open by accident."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
class StoredAnnouncement:
    """One announcement whole, as /read shows it."""

    announcement_id: int
    title: str
    type: str | None
    published: datetime | None
    updated: datetime | None
    organisation: str | None
    url: str | None
    summary: str | None
    body: str
    extra: Mapping[str, Any]


@dataclass(frozen=True)
class CorpusStats:
    announcements: int
    chunks: int
    first_published: datetime | None
    last_published: datetime | None
    changed_at: datetime | None


@dataclass(frozen=True)
class ChunkSpan:
    """How many chunks the store holds and their lowest and highest ids (0 when there are none):
    an index that covers the store holds exactly as many, with the same ends."""

    count: int
    first: int
    last: int


@dataclass(frozen=True)
class SyncStatus:
    """The last successful GOV.UK sync (None: never yet) and how many items it added or changed."""

    last_success: datetime | None
    last_items: int


@dataclass(frozen=True)
class Subscription:
    subscription_id: int
    chat_id: int
    words: str
    created_at: datetime


class SubscriptionRefused(ValueError):
    """The store would not add this subscription."""


class DuplicateSubscription(SubscriptionRefused):
    """The chat already follows exactly these words."""


class SubscriptionLimit(SubscriptionRefused):
    """The chat has as many subscriptions as it may."""
