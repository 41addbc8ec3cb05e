"""The schema as it was before migrations (create_all, the bot's tables included).

Each table is made only if it is missing: a store made before migrations already has the retrieval
tables, and has the bot's only if the bot ran on it, so this revision adopts such a store as it is,
keeping every row, and completes it.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from retrieval.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _announcements() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("type", sa.String(100)),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(1024)),
        sa.Column("published", UTCDateTime()),
        sa.Column("updated", UTCDateTime()),
        sa.Column("organisation", sa.Text()),
        sa.Column("extra", sa.JSON()),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("source_position", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("ingested_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("key"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_announcements_published", "announcements", ["published"])


def _chunks() -> None:
    op.create_table(
        "chunks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "announcement_id",
            sa.Integer(),
            sa.ForeignKey("announcements.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_chunks_announcement_id", "chunks", ["announcement_id"])


def _corpus_state() -> None:
    op.create_table(
        "corpus_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime()),
    )


def _chunk_tombstones() -> None:
    op.create_table(
        "chunk_tombstones",
        sa.Column("chunk_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_chunk_tombstones_version", "chunk_tombstones", ["version"])


def _sync_state() -> None:
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("high_water", UTCDateTime()),
        sa.Column("last_success", UTCDateTime()),
        sa.Column("last_items", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(36)),
        sa.Column("lease_until", UTCDateTime()),
    )


def _subscriptions() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("words", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", "words"),
    )
    op.create_index("ix_subscriptions_chat_id", "subscriptions", ["chat_id"])


def _alerts_sent() -> None:
    op.create_table(
        "alerts_sent",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("announcement_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
    )


def _alerts_queued() -> None:
    op.create_table(
        "alerts_queued",
        sa.Column("announcement_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
    )


TABLES: dict[str, Callable[[], None]] = {
    "announcements": _announcements,
    "chunks": _chunks,
    "corpus_state": _corpus_state,
    "chunk_tombstones": _chunk_tombstones,
    "sync_state": _sync_state,
    "subscriptions": _subscriptions,
    "alerts_sent": _alerts_sent,
    "alerts_queued": _alerts_queued,
}


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in TABLES.items():
        if name not in existing:
            create()


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
