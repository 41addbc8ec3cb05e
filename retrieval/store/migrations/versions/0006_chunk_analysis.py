"""chunks.analysis: a passage's sentences and their terms, worked out once when it is stored, so that a
question reads them instead of parsing each of its candidates (retrieval/ranking/passages.py). Rows
stored before this have NULL and are parsed when a question meets them, as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.add_column(sa.Column("analysis", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chunks") as batch:
        batch.drop_column("analysis")
