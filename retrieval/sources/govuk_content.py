"""Read a GOV.UK Content API item into an AnnouncementRecord.

Kept apart from the HTTP client (govuk.py) so that reading item files needs no network library, and so
that the reader can be tested on real items without a server.

Only the body is searched, so what an item says about itself outside its body goes in front of it: the
description (unless the body already says it), who gave a speech, in what role, where and when, and a
fatality notice's roll-call introduction. Items from 2014-15 name their type in `format` rather than
`document_type`, and some bodies come in parts (guides, travel advice) or as a list of representations.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from retrieval.announcement import AnnouncementRecord, Block, clean_line, parse_body, render_body, said_in
from retrieval.sources.html import html_to_blocks, html_to_text
from retrieval.text import strip_controls_deep
from retrieval.timeutil import parse_utc

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


def humanise_document_type(document_type: str | None) -> str | None:
    """'press_release' -> 'Press release', as the seed corpus names types."""
    if not document_type:
        return None
    known = _TYPE_NAMES.get(document_type)
    if known:
        return known
    words = document_type.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else None


def _plain(text: str) -> str:
    """A plain-text field as a reader sees it: GOV.UK escapes some ("Innovation &amp; Skills" in the
    organisations of 2014 items), and quoting the entity would show "&amp;" in every reply."""
    return clean_line(html.unescape(text)) if "&" in text else clean_line(text)


def link_titles(entries: object) -> list[str]:
    """Titles from a list of link or organisation objects (search gives dicts; be lenient with strings)."""
    if not isinstance(entries, list):
        return []
    titles = []
    for entry in entries:
        title = entry.get("title") if isinstance(entry, dict) else entry
        if isinstance(title, str) and _plain(title):
            titles.append(_plain(title))
    return titles


def _representation(body: object) -> list[Block]:
    """Blocks of a body given as HTML, or as a list of representations [{"content_type", "content"}]."""
    if isinstance(body, str):
        return html_to_blocks(body)
    if not isinstance(body, list):
        return []
    by_type: dict[object, str] = {
        p.get("content_type"): p["content"]
        for p in body
        if isinstance(p, dict) and isinstance(p.get("content"), str)
    }
    html = by_type.get("text/html")
    if html:
        return html_to_blocks(html)
    # Without HTML, govspeak is markdown-like text: its paragraphs are still paragraphs.
    text = by_type.get("text/govspeak") or by_type.get("text/plain") or ""
    return parse_body(re.sub(r"^#{1,6} ", "## ", text, flags=re.MULTILINE))


def _body_blocks(details: dict[str, Any]) -> list[Block]:
    blocks = _representation(details.get("body"))
    if blocks:
        return blocks
    # Guides and travel advice: parts, each with a title that heads its text.
    parts = details.get("parts")
    for part in parts if isinstance(parts, list) else []:
        if not isinstance(part, dict):
            continue
        text = _representation(part.get("body"))
        title = _plain(str(part.get("title") or ""))
        if text:
            blocks.extend(([Block("heading", (title,))] if title else []) + text)
    return blocks


# A consultation's outcome and the feedback it received are fields of the item beside its body, shown
# on its GOV.UK page under these headings: "are the changes going ahead?" is answered there, and
# only there ("BIS will not go ahead with the proposed amendments"). A call for evidence names its
# outcome outcome_detail.
_OUTCOME_SECTIONS = (
    ("Outcome", "final_outcome_detail"),
    ("Outcome", "outcome_detail"),
    ("Feedback received", "public_feedback_detail"),
)


def _outcome_blocks(details: dict[str, Any], body: list[Block]) -> list[Block]:
    blocks: list[Block] = []
    for heading, key in _OUTCOME_SECTIONS:
        said = [b for b in _representation(details.get(key)) if not said_in(b.text, body + blocks)]
        if said:
            blocks += [Block("heading", (heading,)), *said]
    return blocks


def _date_text(value: str) -> str:
    """ "2016-02-02" as "2 February 2016"; anything else as it is."""
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{day.day} {day:%B %Y}"


def _speech_extra(details: dict[str, Any], links: dict[str, Any]) -> dict[str, str]:
    extra: dict[str, str] = {}
    speakers = link_titles(links.get("speaker"))
    speaker = ", ".join(speakers) or _plain(str(details.get("speaker_without_profile") or ""))
    if speaker:
        extra["speaker"] = speaker
        roles = link_titles(links.get("roles"))
        if roles:
            extra["role"] = ", ".join(roles)
    location = _plain(str(details.get("location") or ""))
    if location:
        extra["location"] = location
    delivered = details.get("delivered_on")
    if isinstance(delivered, str) and delivered.strip():
        try:
            # Keep the date in its own offset: midnight BST converted to UTC is the day before.
            extra["delivered_on"] = datetime.fromisoformat(delivered.strip()).date().isoformat()
        except ValueError:
            extra["delivered_on"] = _plain(delivered)
    return extra


def _speech_line(kind: str | None, extra: dict[str, str]) -> str | None:
    """ "Speech by <speaker>, <role>, at <location> on <date>." from what the item says of it."""
    if not extra.keys() & {"speaker", "location", "delivered_on"}:
        return None
    line = kind or "Speech"
    if "speaker" in extra:
        line += " by " + extra["speaker"]
        if "role" in extra:
            line += ", " + extra["role"] + ","
    if "location" in extra:
        line += " at " + extra["location"]
    if "delivered_on" in extra:
        line += " on " + _date_text(extra["delivered_on"])
    return line.rstrip(",") + "."


def _time_text(value: str) -> str | None:
    """ "2016-10-31T17:00:00+00:00" as "5pm on 31 October 2016", in the offset GOV.UK gives (UK time)."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    hour = when.hour % 12 or 12
    clock = f"{hour}:{when.minute:02d}" if when.minute else str(hour)
    return f"{clock}{'am' if when.hour < 12 else 'pm'} on {when.day} {when:%B %Y}"


def _consultation_line(kind: str | None, details: dict[str, Any]) -> str | None:
    """When a consultation or call for evidence opens and closes, as its GOV.UK page says it: the
    dates are fields of the item, not words of its body, so "when does it close?" found nothing."""
    what = "call for evidence" if kind and "call_for_evidence" in kind else "consultation"
    opens = _time_text(str(details.get("opening_date") or ""))
    closes = _time_text(str(details.get("closing_date") or ""))
    if not closes:
        return None
    if kind and (kind.startswith("closed_") or kind.endswith("_outcome")) and opens:
        return f"This {what} opened at {opens} and closed at {closes}."
    if kind and kind.startswith("open_") and opens:
        return f"This {what} opened at {opens} and closes at {closes}."
    if opens:
        return f"This {what} opens at {opens} and closes at {closes}."
    return f"This {what} closes at {closes}."


def _ways_to_respond(kind: str | None, details: dict[str, Any], title: str) -> str | None:
    """How to respond to an open consultation, as its GOV.UK page lists the ways: like its dates, they
    are fields of the item, so "how do I respond?" found nothing to quote. An address line that only
    repeats the title ("2016 Post Office Network Consultation") is left out: it would make this the
    passage that matches the title best."""
    ways = details.get("ways_to_respond")
    if not isinstance(ways, dict) or (kind and (kind.startswith("closed_") or kind.endswith("_outcome"))):
        return None

    def field(name: str) -> str:
        value = ways.get(name)
        return " ".join(value.split()) if isinstance(value, str) else ""

    post = ways.get("postal_address")
    named = set(re.findall(r"[a-z]+", title.casefold()))
    lines = [line.strip() for line in post.splitlines()] if isinstance(post, str) else []
    address = ", ".join(
        line for line in lines if line and not set(re.findall(r"[a-z]+", line.casefold())) <= named
    )
    parts = [
        f"{how} {where}"
        for how, where in (
            # The web address spells the title again ("…/post-office-network-consultation").
            ("online", "through the link on its GOV.UK page" if field("link_url") else ""),
            ("by email to", field("email")),
            ("by post to", address),
        )
        if where
    ]
    if not parts:
        return None
    ways_said = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} or {parts[-1]}"
    return f"You can respond {ways_said}."


def _withdrawn(item: dict[str, Any], details: dict[str, Any]) -> dict[str, str]:
    """withdrawn_at (ISO 8601, UTC) and withdrawn_explanation (plain text) of a withdrawn item; items
    from 2014-15 call it an archive notice."""
    notice = item.get("withdrawn_notice")
    when_key = "withdrawn_at"
    if not isinstance(notice, dict) or not notice:
        notice, when_key = details.get("archive_notice"), "archived_at"
    if not isinstance(notice, dict) or not notice:
        return {}
    extra: dict[str, str] = {}
    when = parse_utc(notice.get(when_key))
    if when is not None:
        extra["withdrawn_at"] = when.isoformat()
    explanation = notice.get("explanation")
    if isinstance(explanation, str) and explanation.strip():
        extra["withdrawn_explanation"] = (
            html_to_text(explanation) if "<" in explanation else _plain(explanation)
        )
    if not extra.get("withdrawn_explanation"):
        extra.pop("withdrawn_explanation", None)
    return extra


def _lead_blocks(
    item: dict[str, Any], details: dict[str, Any], kind: str | None, extra: dict[str, str], body: list[Block]
) -> list[Block]:
    """What the item says of itself outside its body, as paragraphs to put in front of it."""
    lead: list[Block] = []
    for text in (
        _plain(str(item.get("description") or "")),
        _speech_line(kind, extra),
        _plain(str(details.get("roll_call_introduction") or "")),
    ):
        if text and not said_in(text, lead + body):
            lead.append(Block("paragraph", (text,)))
    return lead


def _type_name(item: dict[str, Any]) -> str | None:
    # 2014-15 items name it `format`; the schema name is the last resort.
    for key in ("document_type", "format", "schema_name"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def record_from_content(item: dict[str, Any], link: str) -> AnnouncementRecord:
    """An AnnouncementRecord from a Content API item fetched at `link`. ValueError if it has no text
    or a value beyond a limit (AnnouncementRecord.check_limits)."""
    cleaned = strip_controls_deep(item)
    assert isinstance(cleaned, dict)
    item = cleaned
    title = _plain(str(item.get("title") or ""))
    if not title:
        raise ValueError(f"GOV.UK item {link} has no title")
    details = _mapping(item.get("details"))
    links = _mapping(item.get("links"))
    blocks = _body_blocks(details)
    if not blocks:
        raise ValueError(f"GOV.UK item {link} has no body text")
    kind = humanise_document_type(_type_name(item))
    extra = _speech_extra(details, links)
    outcome = _outcome_blocks(details, blocks)
    blocks = _lead_blocks(item, details, kind, extra, blocks) + blocks
    dates = _consultation_line(_type_name(item), details)
    if dates:
        blocks.append(Block("paragraph", (dates,)))
    ways = _ways_to_respond(_type_name(item), details, title)
    if ways:
        # Under its own heading, as the page shows it: a passage of its own, not one with the dates.
        blocks += [Block("heading", ("Ways to respond",)), Block("paragraph", (ways,))]
    blocks += outcome
    base_path = item.get("base_path")
    path = base_path if isinstance(base_path, str) and base_path.startswith("/") else link
    # World news stories are often published by an embassy rather than a department; 2014-15 items
    # name lead and supporting organisations.
    organisations = (
        link_titles(links.get("organisations"))
        or link_titles(links.get("lead_organisations")) + link_titles(links.get("supporting_organisations"))
        or link_titles(links.get("worldwide_organisations"))
    )
    world_locations = link_titles(links.get("world_locations"))
    if world_locations:
        extra["world_locations"] = ", ".join(world_locations)
    extra.update(_withdrawn(item, details))
    record = AnnouncementRecord(
        title=title,
        body=render_body(blocks),
        type=kind,
        summary=_plain(str(item.get("description") or "")) or None,
        url=PUBLIC_URL + path,
        # The date GOV.UK's own page shows as "Published": a speech's or statement's public date
        # (details.first_public_at) when it has one. first_published_at can be months earlier, when a
        # draft was first put in the system: the Gibb statement of 20 December 2016 has 12 May 2016.
        published=parse_utc(details.get("first_public_at") or item.get("first_published_at")),
        updated=parse_utc(item.get("public_updated_at")),
        organisation=", ".join(organisations) or None,
        source="govuk",
        extra=extra,
    )
    record.check_limits()
    return record
