"""The store: every table (schema.py), the repository whose methods return frozen records
(repository.py, records.py), the engines and locks (database.py) and the migrations (migrate.py).
Nothing outside retrieval/ opens a session or sees a table."""

from retrieval.store import migrate
from retrieval.store.database import make_engine
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
    SubscriptionRefused,
    SyncStatus,
)
from retrieval.store.repository import Store

__all__ = [
    "AnnouncementInfo",
    "ButtonState",
    "ChatData",
    "ChunkRow",
    "ChunkSpan",
    "ChunkText",
    "ConversationTurn",
    "CorpusStats",
    "DayCount",
    "DigestItem",
    "DuplicateSubscription",
    "LoggedQuestion",
    "ShownList",
    "Store",
    "StoredAnnouncement",
    "Subscription",
    "SubscriptionLimit",
    "SubscriptionRefused",
    "SyncStatus",
    "make_engine",
    "migrate",
]
