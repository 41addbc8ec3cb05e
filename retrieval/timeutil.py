"""Aware UTC datetimes, the only kind the store, the sync and the readers pass around.

Sources give times in several shapes (GOV.UK search in London time, Content API items in UTC with
"Z", JSON files often without a zone, SQLite hands back naive values): each is normalised here once,
and a time without a zone is taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_utc(value: object) -> datetime | None:
    """An ISO 8601 date or time ("2026-10-06", "2026-10-06T09:30:00Z", "…+01:00") in UTC, or None
    when `value` is not a string that reads as one."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return as_utc(parsed)


def utc_now() -> datetime:
    return datetime.now(UTC)
