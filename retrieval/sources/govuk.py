"""GOV.UK as a followed Source: news and communications from the Search API, each item read whole
from the Content API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

from retrieval.announcement import AnnouncementRecord
from retrieval.sources import ItemGone, Listed, SourceError, SourceUnavailable
from retrieval.sources.govuk_client import GovukClient, GovukError, GovukGone, GovukUnavailable
from retrieval.sources.govuk_content import PUBLIC_URL, record_from_content

NAME = "govuk"
# Search can show an item some minutes after its public timestamp (indexing lags publishing).
MARGIN = timedelta(minutes=10)
PAGE_SIZE = 100


class GovukSource:
    def __init__(self, client: GovukClient, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size

    @property
    def name(self) -> str:
        return NAME

    @property
    def margin(self) -> timedelta:
        return MARGIN

    def changes(self, since: datetime | None, max_items: int | None) -> Iterator[Listed]:
        results = self._client.search(since=since, page_size=self._page_size, max_items=max_items)
        try:
            for result in results:
                yield Listed(
                    key=result.link,
                    changed=result.public_timestamp,
                    announcement_key=announcement_key(result.link),
                    title=result.title,
                )
        except GovukError as exc:
            raise SourceError(str(exc)) from exc

    def fetch(self, key: str) -> AnnouncementRecord:
        try:
            item = self._client.content(key)
        except GovukGone as exc:
            raise ItemGone(f"gone (HTTP {exc.status})") from exc
        except GovukUnavailable as exc:
            raise SourceUnavailable(str(exc)) from exc
        return record_from_content(item, key)


# A GOV.UK page as people paste it: with or without the scheme and "www.", maybe with a query, an
# anchor or a trailing slash.
_PAGE = re.compile(r"^(?:https?://)?(?:www\.)?gov\.uk(/[^\s?#]*)(?:[?#]\S*)?$", re.I)


def page_path(text: str) -> str | None:
    """The path of the GOV.UK page `text` is a link to ("/government/news/…"), or None."""
    found = _PAGE.match(text.strip())
    if found is None:
        return None
    path = found.group(1).rstrip("/")
    return path or None


def announcement_key(link: str) -> str:
    """The key an item fetched at `link` is stored under (a moved item is stored at its new path, and
    is then fetched once more: harmless)."""
    return AnnouncementRecord(title="", body="", url=PUBLIC_URL + link).key
