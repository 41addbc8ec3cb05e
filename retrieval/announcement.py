"""An announcement as read from a source, before it is stored, and the block layout of its body.

Every reader (seed text, JSON, GOV.UK HTML) produces the same canonical body: blocks separated by one
blank line. A block is a paragraph (one line), a list (lines that each start with "• ") or a block
quote (lines that each start with "> "). Storing the body in this plain form keeps it readable in the
database, lets chunking be re-run on it, and lets the bot print the whole announcement.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

BULLET = "• "
QUOTE = "> "

BlockKind = Literal["paragraph", "list", "quote"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The block as plain text: list items and quote lines joined by newlines, markers removed."""
        return "\n".join(self.lines)

    def render(self) -> str:
        if self.kind == "list":
            return "\n".join(BULLET + line for line in self.lines)
        if self.kind == "quote":
            return "\n".join(QUOTE + line for line in self.lines)
        return " ".join(self.lines)


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
        if all(line.startswith(BULLET.strip()) for line in lines):
            items = tuple(clean_line(line[1:]) for line in lines)
            blocks.append(Block("list", tuple(i for i in items if i)))
        elif all(line.startswith(">") for line in lines):
            blocks.append(Block("quote", tuple(clean_line(line[1:]) for line in lines)))
        else:
            blocks.append(Block("paragraph", (" ".join(lines),)))
    return blocks


def render_body(blocks: list[Block]) -> str:
    return "\n\n".join(block.render() for block in blocks if block.lines)


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
    line: int | None = None  # line in the source file where it starts, for error messages
    extra: dict[str, str] = field(default_factory=dict)  # e.g. speaker, location for speeches

    @property
    def key(self) -> str:
        """Identity across re-ingests: the url when known, else type and title."""
        if self.url:
            return "url:" + self.url.strip()
        return "tt:" + (self.type or "").casefold().strip() + "|" + clean_line(self.title).casefold()

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
