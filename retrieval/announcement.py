"""An announcement as read from a source, before it is stored, and the block layout of its body.

Every reader (seed text, JSON, GOV.UK HTML) produces the same canonical body: blocks separated by one
blank line. A block is a paragraph (one line), a list (lines that each start with "• "), a block quote
(lines that each start with "> "), a heading (one line starting with "## ") or a table (lines that each
start with "|", cells between " | "; when the second line is "| --- | --- |" the first one names the
columns). Storing the body in this plain form keeps it readable in the database, lets chunking be re-run
on it, and lets the bot print the whole announcement.

Headings and tables came later: bodies stored before them hold headings as paragraphs and each table
row as a paragraph "cell | cell", and still parse (chunking.py recognises both shapes).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from retrieval.timeutil import as_utc, parse_utc

BULLET = "• "
QUOTE = "> "
HEADING = "## "
CELL = " | "
_RULE = re.compile(r"^\|(?:\s*:?-{3,}:?\s*\|)+$")
# The store's `key` column and its unique index: PostgreSQL's index cannot take much more than 2,700
# bytes a row, and a key is a url or a title, which are rarely longer than a few hundred.
MAX_KEY_BYTES = 1024
# Sitemaps, search engines and most browsers stop at about 2,000 characters; GOV.UK's own links are
# under 300. Other text (type, title, organisation) has no limit but the database's.
MAX_URL = 2048

BlockKind = Literal["paragraph", "list", "quote", "heading", "table"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    lines: tuple[str, ...]  # a table's rows are its cells joined by " | "
    header: bool = False  # tables only: the first row names the columns

    @property
    def text(self) -> str:
        """The block as plain text: list items, quote lines and table rows joined by newlines, markers
        removed."""
        return "\n".join(self.lines)

    @property
    def rows(self) -> list[list[str]]:
        """A table's cells, row by row (an empty cell is "")."""
        return [split_row(line) for line in self.lines]

    def render(self) -> str:
        if self.kind == "list":
            return "\n".join(BULLET + line for line in self.lines)
        if self.kind == "quote":
            return "\n".join(QUOTE + line for line in self.lines)
        if self.kind == "heading":
            return HEADING + " ".join(self.lines)
        if self.kind == "table":
            rows = [f"| {line} |" for line in self.lines]
            if self.header and rows:
                rows.insert(1, "|" + " --- |" * len(split_row(self.lines[0])))
            return "\n".join(rows)
        return " ".join(self.lines)


def table_row(cells: list[str]) -> str:
    """One table line from its cells; a "|" inside a cell would read as a cell boundary, so it is a "/"."""
    return CELL.join(clean_line(cell.replace("|", "/")) for cell in cells)


def split_row(line: str) -> list[str]:
    return [clean_line(cell) for cell in line.split("|")]


_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


def clean_line(text: str) -> str:
    """Collapse runs of spaces (including no-break and thin spaces) and trim."""
    return _SPACES.sub(" ", text).strip()


def parse_body(body: str) -> list[Block]:
    """Split a canonical body into blocks."""
    blocks: list[Block] = []
    for raw in re.split(r"\n\s*\n", body):
        lines = [clean_line(line) for line in raw.split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith(HEADING) and lines[0][len(HEADING) :].strip():
            blocks.append(Block("heading", (clean_line(lines[0][len(HEADING) :]),)))
        elif all(line.startswith("|") for line in lines):
            blocks.append(_table(lines))
        elif all(line.startswith(BULLET.strip()) for line in lines):
            items = tuple(clean_line(line[1:]) for line in lines)
            blocks.append(Block("list", tuple(i for i in items if i)))
        elif all(line.startswith(">") for line in lines):
            blocks.append(Block("quote", tuple(clean_line(line[1:]) for line in lines)))
        else:
            blocks.append(Block("paragraph", (" ".join(lines),)))
    return blocks


def _table(lines: list[str]) -> Block:
    header = len(lines) > 1 and bool(_RULE.match(lines[1].replace(" ", "")))
    rows = [line for i, line in enumerate(lines) if not (header and i == 1)]
    # "| a | b |" -> "a | b": the outer bars only mark the line as a table row.
    return Block("table", tuple(table_row(split_row(row.strip("|"))) for row in rows), header=header)


def render_body(blocks: list[Block]) -> str:
    return "\n\n".join(block.render() for block in blocks if block.lines)


_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.replace("’", "'").casefold())


def said_in(text: str, blocks: list[Block]) -> bool:
    """Whether the body already says `text`: word for word, or nearly all its words in one block (a
    description is often the first paragraph lightly edited)."""
    words = _words(text)
    if not words:
        return True
    body = " " + " ".join(w for b in blocks for w in _words(b.text)) + " "
    if " " + " ".join(words) + " " in body:
        return True
    wanted = set(words)
    return any(len(wanted & set(_words(b.text))) >= 0.9 * len(wanted) for b in blocks)


@dataclass
class AnnouncementRecord:
    """One announcement parsed from a source file or fetched from GOV.UK, not yet stored."""

    title: str
    body: str  # canonical block layout, see module docstring
    type: str | None = None
    summary: str | None = None
    url: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    organisation: str | None = None  # several organisations are joined with ", "
    source: str = ""  # file path or "govuk"
    position: int = 0  # order within its source: 0 is the first
    extra: dict[str, str] = field(default_factory=dict)  # e.g. speaker, location for speeches

    def version_time(self) -> datetime | None:
        """When this version of the page was made: its last update, or its withdrawal when later
        (GOV.UK withdraws a page without changing its update time). None when undated."""
        return version_time(self.updated or self.published, self.extra.get("withdrawn_at"))

    @property
    def key(self) -> str:
        """Identity across re-ingests: the url when known, else type and title. A key too long for the
        store's unique index (MAX_KEY_BYTES) is kept as its digest: still one key per announcement."""
        if self.url:
            key = "url:" + self.url.strip()
        else:
            key = "tt:" + (self.type or "").casefold().strip() + "|" + clean_line(self.title).casefold()
        encoded = key.encode("utf-8", "surrogatepass")
        if len(encoded) > MAX_KEY_BYTES:
            return key[:3] + "sha256:" + hashlib.sha256(encoded).hexdigest()
        return key

    def check_limits(self) -> None:
        """ValueError naming the field when a value is beyond a limit the product relies on."""
        if self.url is not None and len(self.url) > MAX_URL:
            raise ValueError(f"'url' is {len(self.url):,} characters long; a link is at most {MAX_URL:,}")

    def content_hash(self) -> str:
        payload = [
            self.type,
            self.title,
            self.summary,
            self.body,
            self.url,
            self.published.isoformat() if self.published else None,
            self.organisation,
            sorted(self.extra.items()),
        ]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def headline(title: str) -> str:
    """The part of a title a person would name it by: "MAST Upgrade – helping answer the big questions
    in fusion physics" -> "MAST Upgrade", "Democratic participation: Open letter to the electoral
    sector" -> "Democratic participation"; the title itself when no two words stand before its mark."""
    for mark in (": ", " – ", " — ", " - "):
        head = title.split(mark, 1)[0]
        if head != title and len(head.split()) >= 2:
            return head
    return title


def version_time(updated: datetime | None, withdrawn_at: object) -> datetime | None:
    """The later of an update time and a withdrawal time (ISO 8601, as sources keep it in `extra`)."""
    times = [t for t in (as_utc(updated) if updated else None, parse_utc(withdrawn_at)) if t is not None]
    return max(times) if times else None


def older(version: datetime | None, than: datetime | None) -> bool:
    """Whether a version made at `version` is older than one made at `than`; undated never is."""
    return version is not None and than is not None and version < than
