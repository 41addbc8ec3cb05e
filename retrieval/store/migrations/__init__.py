"""Alembic migrations of the store (run by retrieval/store/migrate.py; no alembic.ini is needed)."""
