"""What the bot keeps per chat beyond subscriptions: button keys in the database instead of one
process's memory (buttons survive a restart and work on any worker), the questions asked with their
👍/👎 (for /stats), daily digests, and on subscriptions their kind (words or an organisation), daily
delivery and a mute.

Adding columns with a default is a plain ALTER TABLE on SQLite too: no table is copied.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from retrieval.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("kind", sa.String(20), nullable=False, server_default="words"))
    op.add_column(
        "subscriptions", sa.Column("daily", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("subscriptions", sa.Column("muted_until", UTCDateTime()))
    op.create_table(
        "digest_items",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("announcement_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("words", sa.String(200), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_digest_items_subscription_id", "digest_items", ["subscription_id"])
    op.create_index("ix_digest_items_queued_at", "digest_items", ["queued_at"])
    op.create_table(
        "button_keys",
        sa.Column("key", sa.String(24), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_button_keys_chat_id", "button_keys", ["chat_id"])
    op.create_index("ix_button_keys_expires_at", "button_keys", ["expires_at"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("feedback", sa.Integer()),
        sa.Column("feedback_at", UTCDateTime()),
    )
    op.create_index("ix_questions_chat_id", "questions", ["chat_id"])
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])


def downgrade() -> None:
    op.drop_table("questions")
    op.drop_table("button_keys")
    op.drop_table("digest_items")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("muted_until")
        batch.drop_column("daily")
        batch.drop_column("kind")
