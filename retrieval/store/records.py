"""What the store hands out: plain frozen records, never an ORM object or a session, so that nothing
outside the store can lazy-load, write back or hold a transaction open by accident."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# What the index is built from, one row a chunk: (chunk id, announcement id, title, organisation, text).
ChunkText = tuple[int, int, str, str | None, str]


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
    analysis: str | None = None  # the text's sentences and terms as stored (ranking/passages.py)


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
    words: str  # the words followed, or the organisation's name as the corpus writes it
    created_at: datetime
    kind: str = "words"  # or "organisation"
    daily: bool = False  # matches go out in one digest a day
    muted_until: datetime | None = None  # no alerts before then

    def muted(self, now: datetime) -> bool:
        return self.muted_until is not None and self.muted_until > now


@dataclass(frozen=True)
class DigestItem:
    """A match held for a chat's daily digest."""

    chat_id: int
    announcement_id: int
    subscription_id: int
    words: str
    queued_at: datetime


@dataclass(frozen=True)
class ButtonState:
    """What a button's short key stands for (a question, search words), until it expires."""

    key: str
    chat_id: int
    kind: str
    payload: Mapping[str, Any]
    expires_at: datetime


@dataclass(frozen=True)
class LoggedQuestion:
    question_id: int
    chat_id: int
    asked_at: datetime
    text: str
    outcome: str
    feedback: int | None


@dataclass(frozen=True)
class DayCount:
    """Questions asked on one day (UTC), by outcome."""

    day: date
    outcomes: Mapping[str, int]

    @property
    def asked(self) -> int:
        return sum(self.outcomes.values())


@dataclass(frozen=True)
class ChatData:
    """How many rows of each kind a chat has in the store (what /forget deletes)."""

    subscriptions: int = 0
    questions: int = 0
    button_keys: int = 0
    alerts: int = 0
    digest_items: int = 0
    conversations: int = 0  # the last answer, which a follow-up follows
    lists: int = 0  # the last numbered list, which /read N reads

    @property
    def total(self) -> int:
        return (
            self.subscriptions
            + self.questions
            + self.button_keys
            + self.alerts
            + self.digest_items
            + self.conversations
            + self.lists
        )


class SubscriptionRefused(ValueError):
    """The store would not add this subscription."""


class DuplicateSubscription(SubscriptionRefused):
    """The chat already follows exactly these words."""


class SubscriptionLimit(SubscriptionRefused):
    """The chat has as many subscriptions as it may."""


@dataclass(frozen=True)
class ConversationTurn:
    """The announcement a chat's last answer quoted, and the question it answered: a short follow-up
    ("and when?") is asked of that announcement first, until `expires_at`."""

    chat_id: int
    announcement_id: int
    question: str
    answered_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ShownList:
    """The numbered list a chat was last shown (/latest, /search, a filtered list): /read N opens item
    N of it, until `expires_at`. `items` maps each number shown to its announcement; the pages of one
    list (`list_key`) add up."""

    chat_id: int
    list_key: str
    items: Mapping[int, int]
    shown_at: datetime
    expires_at: datetime
