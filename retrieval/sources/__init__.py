"""Where announcements come from, and the protocol a followed source speaks to retrieval/sync.py.

Files are read whole by files.py (seed text, JSON, Content API items) and stored by ingest.py. A source
that is followed over time, GOV.UK today (govuk.py, over govuk_client.py and govuk_content.py), is a
`Source`: it lists what changed since a mark, newest first, and fetches one item at a time. The sync
keeps each source's own state under its name: the mark, the last run, and the items that failed, so
that one bad item is retried on later runs instead of stopping this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from retrieval.announcement import AnnouncementRecord


class SourceError(Exception):
    """The source could not list what changed (unavailable, or an answer we cannot read): the run stops
    and the mark stays where it was."""


class SourceUnavailable(SourceError):
    """The source did not answer after its retries. Raised by `fetch` it is that item's failure; a run
    that meets several in a row stops, since the source itself is down."""


class ItemGone(SourceError):
    """The item no longer exists at the source (withdrawn, unpublished): skipped and not retried."""


@dataclass(frozen=True)
class Listed:
    """One item in a source's list of changes."""

    key: str  # the item at its source, as `fetch` takes it (a GOV.UK path)
    changed: datetime  # when it last changed, aware UTC: what the mark follows
    announcement_key: str  # AnnouncementRecord.key of what `fetch` gives: an item held as of
    # `changed` is not fetched again
    title: str = ""  # for the operator, when the item fails


class Source(Protocol):
    @property
    def name(self) -> str:
        """Names the source's state in the store (at most 100 characters)."""
        ...

    @property
    def margin(self) -> timedelta:
        """How far below the mark each run lists again, for items the source lists late."""
        ...

    def changes(self, since: datetime | None, max_items: int | None) -> Iterator[Listed]:
        """Items changed after `since` (all of them when None), newest first, at most `max_items`.
        Raises SourceError when the list itself cannot be read."""
        ...

    def fetch(self, key: str) -> AnnouncementRecord:
        """One item, whole. Raises ItemGone when it no longer exists, SourceUnavailable when the source
        does not answer; any other exception means this item cannot be read (yet)."""
        ...
