"""An alert is claimed before it is sent: alerts_sent.claim_until holds a claim's expiry while the
send is in flight (NULL once sent). A worker that dies mid-send leaves a claim that expires, and the
next runner sends that alert again instead of losing it; a live claim keeps every other worker off it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from retrieval.store.schema import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts_sent") as batch:
        batch.add_column(sa.Column("claim_until", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts_sent") as batch:
        batch.drop_column("claim_until")
