"""Read a GOV.UK Content API item into an AnnouncementRecord.

Kept apart from the HTTP client (govuk.py) so that reading item files needs no network library, and so
that the reader can be tested on real items without a server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from retrieval.announcement import AnnouncementRecord, clean_line
from retrieval.html import html_to_body

PUBLIC_URL = "https://www.gov.uk"

_TYPE_NAMES = {
    "press_release": "Press release",
    "news_story": "News story",
    "speech": "Speech",
    "world_news_story": "World news story",
    "written_statement": "Written statement",
    "oral_statement": "Oral statement",
    "government_response": "Government response",
    "correspondence": "Correspondence",
    "statement_to_parliament": "Statement to Parliament",
    "authored_article": "Authored article",
    "speaking_notes": "Speaking notes",
}


def parse_timestamp(value: object) -> datetime | None:
    """An ISO 8601 GOV.UK timestamp as an aware UTC datetime; naive values are taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def humanise_document_type(document_type: str | None) -> str | None:
    """'press_release' -> 'Press release', as the seed corpus names types."""
    if not document_type:
        return None
    known = _TYPE_NAMES.get(document_type)
    if known:
        return known
    words = document_type.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else None


def link_titles(entries: object) -> list[str]:
    """Titles from a list of link or organisation objects (search gives dicts; be lenient with strings)."""
    if not isinstance(entries, list):
        return []
    titles = []
    for entry in entries:
        title = entry.get("title") if isinstance(entry, dict) else entry
        if isinstance(title, str) and clean_line(title):
            titles.append(clean_line(title))
    return titles


def _body_html(details: dict[str, Any]) -> str:
    body = details.get("body")
    if isinstance(body, list):  # multi-part bodies: [{"content_type": "text/html", "content": ...}, ...]
        parts = [p for p in body if isinstance(p, dict) and p.get("content_type") == "text/html"]
        body = parts[0].get("content") if parts else None
    return body if isinstance(body, str) else ""


def _speech_extra(details: dict[str, Any], links: dict[str, Any]) -> dict[str, str]:
    extra: dict[str, str] = {}
    speakers = link_titles(links.get("speaker"))
    speaker = ", ".join(speakers) or clean_line(str(details.get("speaker_without_profile") or ""))
    if speaker:
        extra["speaker"] = speaker
    location = clean_line(str(details.get("location") or ""))
    if location:
        extra["location"] = location
    delivered = details.get("delivered_on")
    if isinstance(delivered, str) and delivered.strip():
        try:
            # Keep the date in its own offset: midnight BST converted to UTC is the day before.
            extra["delivered_on"] = datetime.fromisoformat(delivered.strip()).date().isoformat()
        except ValueError:
            extra["delivered_on"] = clean_line(delivered)
    return extra


def record_from_content(item: dict[str, Any], link: str) -> AnnouncementRecord:
    """An AnnouncementRecord from a Content API item fetched at `link`. ValueError if it has no text."""
    title = clean_line(str(item.get("title") or ""))
    if not title:
        raise ValueError(f"GOV.UK item {link} has no title")
    details = item.get("details") if isinstance(item.get("details"), dict) else {}
    links = item.get("links") if isinstance(item.get("links"), dict) else {}
    body = html_to_body(_body_html(details))
    if not body:
        raise ValueError(f"GOV.UK item {link} has no body text")
    base_path = item.get("base_path")
    path = base_path if isinstance(base_path, str) and base_path.startswith("/") else link
    # World news stories are often published by an embassy rather than a department.
    organisations = link_titles(links.get("organisations")) or link_titles(
        links.get("worldwide_organisations")
    )
    extra = _speech_extra(details, links)
    world_locations = link_titles(links.get("world_locations"))
    if world_locations:
        extra["world_locations"] = ", ".join(world_locations)
    return AnnouncementRecord(
        title=title,
        body=body,
        type=humanise_document_type(item.get("document_type")),
        summary=clean_line(str(item.get("description") or "")) or None,
        url=PUBLIC_URL + path,
        published=parse_timestamp(item.get("first_published_at")),
        updated=parse_timestamp(item.get("public_updated_at")),
        organisation=", ".join(organisations) or None,
        source="govuk",
        extra=extra,
    )
