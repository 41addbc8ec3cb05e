"""Items a sync failed on (sync_problems), and no arbitrary length on an announcement's type, url and
source: PostgreSQL refused a 150-character type or a 1,100-character url, and the whole file or
sync batch with it.

SQLite never enforced those lengths (VARCHAR(100) and TEXT are the same to it), so its announcements
table is left as it is: changing a column there means copying the table, and dropping the old copy
with foreign keys on would delete every chunk.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from retrieval.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_WIDENED = {"type": sa.String(100), "url": sa.String(1024), "source": sa.String(1024)}


def upgrade() -> None:
    op.create_table(
        "sync_problems",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("key_digest", sa.String(64), primary_key=True),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("changed", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed", UTCDateTime(), nullable=False),
        sa.Column("last_failed", UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    if op.get_bind().dialect.name != "sqlite":
        for column, was in _WIDENED.items():
            op.alter_column("announcements", column, type_=sa.Text(), existing_type=was)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for column, was in _WIDENED.items():
            op.alter_column("announcements", column, type_=was, existing_type=sa.Text())
    op.drop_table("sync_problems")
