"""Read announcement files: the seed text format, JSON Lines / JSON arrays, GOV.UK Content API items.

Every problem is reported as an IngestError naming the file and, where it applies, the line, before
anything is written: a file is read whole, then stored in one transaction.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from retrieval.announcement import (
    AnnouncementRecord,
    Block,
    clean_line,
    older,
    parse_body,
    render_body,
    said_in,
)
from retrieval.sources.scraped import mend_flat
from retrieval.text import strip_controls, strip_controls_deep
from retrieval.timeutil import parse_utc

SUFFIXES = (".txt", ".jsonl", ".ndjson", ".json")


class IngestError(Exception):
    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


def read_file(path: Path) -> list[AnnouncementRecord]:
    text = _read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise IngestError(path, "empty file: no announcements in it")
    records = _read_json(path, text) if stripped[0] in "[{" else _read_seed_text(path, text)
    if not records:
        raise IngestError(path, "no announcements found")
    return merge_duplicates(records)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise IngestError(path, "no such file") from None
    except IsADirectoryError:
        raise IngestError(path, "is a directory") from None
    except OSError as exc:
        raise IngestError(path, f"cannot read: {exc.strerror or exc}") from None
    head = data[:65536]
    # A stray NUL in a text file is dropped with the other control characters; many of them, or NULs in
    # something that is not UTF-8, mean a binary file (or UTF-16 text).
    binary = head.count(b"\x00") * 100 > len(head)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in head:
            binary = True
        if not binary:
            raise IngestError(
                path,
                f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                _line_at(data, exc.start),
            ) from None
    if binary:
        raise IngestError(path, "binary data, not a text file", _line_at(data, data.index(b"\x00")))
    return strip_controls(text)


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# -- seed text --------------------------------------------------------------------------------------

_HEADER = re.compile(r"^([A-Z][A-Za-z]*(?: [A-Za-z]+){0,4}): (\S.*)$")
_BULLET_LINE = re.compile(r"^\s*[•●▪◦]\s*")


def _read_seed_text(path: Path, text: str) -> list[AnnouncementRecord]:
    """Announcements separated by three blank lines; each starts with a `TYPE: TITLE` line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    groups: list[tuple[int, list[str]]] = []  # (index of the header line, the announcement's lines)
    start: int | None = None
    blank_run = 0
    for number, line in enumerate(lines):
        if not line.strip():
            blank_run += 1
            continue
        if start is None:
            start = number
        elif blank_run >= 3:
            groups.append((start, lines[start:number]))
            start = number
        blank_run = 0
    if start is not None:
        groups.append((start, lines[start:]))
    return [
        _seed_announcement(path, first + 1, group, position) for position, (first, group) in enumerate(groups)
    ]


def _seed_announcement(path: Path, line_no: int, lines: list[str], position: int) -> AnnouncementRecord:
    header = _HEADER.match(lines[0].strip())
    if header is None:
        raise IngestError(path, f"expected a 'TYPE: TITLE' line, found {lines[0].strip()[:60]!r}", line_no)
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", (clean_line(" ".join(paragraph)),)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", tuple(items)))
            items.clear()

    for line in lines[1:]:
        if not line.strip():
            flush()
        elif _BULLET_LINE.match(line):
            if paragraph:
                flush()
            items.append(clean_line(_BULLET_LINE.sub("", line)))
        elif items and line.startswith((" ", "\t")):  # a wrapped bullet item
            items[-1] = clean_line(items[-1] + " " + line)
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    if not blocks:
        raise IngestError(path, f"announcement {header.group(2)[:60]!r} has no body", line_no)
    return AnnouncementRecord(
        title=clean_line(header.group(2)),
        type=header.group(1),
        body=render_body(blocks),
        source=str(path),
        position=position,
    )


# -- JSON -------------------------------------------------------------------------------------------


def _read_json(path: Path, text: str) -> list[AnnouncementRecord]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole_error:
        if text.lstrip()[0] == "[":
            raise IngestError(path, f"invalid JSON: {whole_error.msg}", whole_error.lineno) from None
        return _read_json_lines(path, text)
    items = document if isinstance(document, list) else [document]
    records: list[AnnouncementRecord] = []
    for position, item in enumerate(items):
        where = f"item {position + 1}: " if isinstance(document, list) else ""
        records.append(_json_item(path, item, position, None, where))
    return records


def _read_json_lines(path: Path, text: str) -> list[AnnouncementRecord]:
    records: list[AnnouncementRecord] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(path, f"invalid JSON: {exc.msg} (column {exc.colno})", number) from None
        records.append(_json_item(path, item, len(records), number, ""))
    return records


def _json_item(path: Path, item: Any, position: int, line: int | None, where: str) -> AnnouncementRecord:
    if not isinstance(item, dict):
        raise IngestError(path, f"{where}expected a JSON object, found {type(item).__name__}", line)
    item = strip_controls_deep(item)  # "\u0000" escapes decode to control characters too
    assert isinstance(item, dict)
    if is_content_item(item):
        return _content_item(path, item, position, line, where)
    title = item.get("title")
    body = item.get("body")
    for name, value in (("title", title), ("body", body)):
        if not isinstance(value, str) or not value.strip():
            raise IngestError(path, f"{where}missing or empty '{name}'", line)
    assert isinstance(title, str) and isinstance(body, str)
    optional: dict[str, str | None] = {}
    for name in ("type", "summary", "url", "organisation"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise IngestError(path, f"{where}'{name}' must be a string", line)
        optional[name] = clean_line(value) if value else None
    blocks = parse_body(mend_flat(body.replace("\r\n", "\n")))
    summary = optional["summary"]
    if summary and not said_in(summary, blocks):
        # Searchable, as a Content API item's description is: the 2024 sample's Houthis statement
        # names its speaker, Ambassador Barbara Woodward, only in its summary.
        blocks = [Block("paragraph", (summary,)), *blocks]
    record = AnnouncementRecord(
        title=clean_line(title),
        body=render_body(blocks),
        type=optional["type"] or type_from_url(optional["url"]),
        summary=optional["summary"],
        url=optional["url"],
        published=_date(path, item.get("published"), line, where),
        organisation=optional["organisation"],
        source=str(path),
        position=position,
    )
    try:
        record.check_limits()
    except ValueError as exc:
        raise IngestError(path, f"{where}{exc}", line) from None
    return record


def is_content_item(item: dict[str, Any]) -> bool:
    """A GOV.UK Content API item rather than our own JSON layout: it has details and names its type,
    as `document_type` or, in items from 2014-15, as `format`."""
    return isinstance(item.get("details"), dict) and any(
        isinstance(item.get(key), str) for key in ("document_type", "format", "schema_name")
    )


def _content_item(
    path: Path, item: dict[str, Any], position: int, line: int | None, where: str
) -> AnnouncementRecord:
    from retrieval.sources.govuk_content import record_from_content

    try:
        record = record_from_content(item, str(item.get("base_path") or ""))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IngestError(path, f"{where}not a usable GOV.UK content item: {exc}", line) from None
    record.source = str(path)
    record.position = position
    return record


def _date(path: Path, value: Any, line: int | None, where: str) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_utc(value)
    if parsed is not None:
        return parsed
    raise IngestError(path, f"{where}'published' is not an ISO 8601 date: {str(value)[:40]!r}", line)


_URL_TYPES = {"/speeches/": "Speech", "/news/": "News", "/publications/": "Publication"}


def type_from_url(url: str | None) -> str | None:
    """GOV.UK paths tell speeches from news; press releases and news stories share /news/."""
    for part, name in _URL_TYPES.items():
        if url and part in url:
            return name
    return None


# -- duplicates -------------------------------------------------------------------------------------


def merge_duplicates(records: list[AnnouncementRecord]) -> list[AnnouncementRecord]:
    """The same announcement twice in one source (full text and a one-paragraph description) is one
    announcement whose summary is that paragraph; otherwise the newer version of the page wins (an
    export may hold a page before and after an update or a withdrawal), the later copy on a tie."""
    by_key: dict[str, AnnouncementRecord] = {}
    for record in records:
        seen = by_key.get(record.key)
        if seen is None:
            by_key[record.key] = record
            continue
        short, full = sorted((seen, record), key=lambda r: len(r.body))
        short_blocks = parse_body(short.body)
        if len(short_blocks) == 1 and short.body != full.body:
            full.summary = full.summary or short_blocks[0].text
            full.position = min(seen.position, record.position)
            by_key[record.key] = full
        elif older(record.version_time(), seen.version_time()):
            continue
        else:
            record.position = seen.position
            by_key[record.key] = record
    return sorted(by_key.values(), key=lambda r: r.position)
