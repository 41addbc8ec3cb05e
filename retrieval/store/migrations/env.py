"""Alembic's environment: always online, on the connection migrate.py hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from retrieval.store.schema import Base

connection: Connection = context.config.attributes["connection"]
# Batch mode lets later revisions alter SQLite tables (SQLite has no ALTER COLUMN: a copy is made).
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
