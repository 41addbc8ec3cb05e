"""Turn GOV.UK govspeak HTML into the canonical block layout of announcement.py.

Text is accumulated as it arrives and only cleaned when a block boundary is reached, so words on either
side of inline tags ("on <a>GOV.UK</a>") keep the spaces the author typed: the glued words in older
scraped data came from cleaning each text fragment on its own.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from retrieval.announcement import Block, BlockKind, clean_line, render_body

log = logging.getLogger(__name__)

# Content that is not prose: dropped with everything inside it.
_DROPPED = frozenset(
    {"script", "style", "svg", "math", "figure", "nav", "sup", "noscript", "template", "iframe", "head"}
)
# Elements that start a new line of text wherever they appear.
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SECTIONS = frozenset({"p", "div", "section", "article", "header", "footer", "aside", "main", "address"})
_OTHER_BLOCKS = frozenset({"pre", "hr", "dl", "dt", "dd", "details", "summary", "caption", "figcaption"})
_BLOCK = _HEADINGS | _SECTIONS | _OTHER_BLOCKS | frozenset({"table", "thead", "tbody", "tfoot"})
_LISTS = frozenset({"ul", "ol"})
_CELLS = frozenset({"td", "th"})
_ATTACHMENT_CLASSES = frozenset({"attachment-details", "gem-c-attachment__details"})
_WHITESPACE = re.compile(r"\s+")


@dataclass
class _Open:
    """An element still open, with the role it plays for text routing."""

    tag: str
    dropped: bool = False
    attachment: bool = False  # attachment details: only their title is kept
    title: bool = False  # the title inside attachment details
    starts_group: bool = False  # outermost list or block quote: closing it emits the block


def _classes(attrs: list[tuple[str, str | None]]) -> set[str]:
    for name, value in attrs:
        if name == "class" and value:
            return set(value.split())
    return set()


class _GovspeakParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._open: list[_Open] = []
        self._text: list[str] = []  # raw text of the line being built
        self._group_kind: BlockKind | None = None
        self._group_lines: list[str] = []
        self._cells: list[str] | None = None  # cells of the table row being built
        self._dropped = 0
        self._attachments = 0
        self._titles = 0

    # --- tag events -------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "wbr"):
            self._text.append(" ")
            return
        if tag in ("img", "input", "meta", "link", "source", "col", "area", "base", "embed", "track"):
            return  # void elements: no text and no end tag to wait for
        classes = _classes(attrs)
        self._close_implied(tag)
        entry = _Open(tag)
        # Inside dropped content every element is dropped too, so a <ul> in a <nav> opens no list.
        if self._dropped or tag in _DROPPED or (tag == "a" and "reversefootnote" in classes):
            entry.dropped = True
        elif classes & _ATTACHMENT_CLASSES:
            self._boundary()
            entry.attachment = True
        elif self._attachments and (tag in _HEADINGS or any("title" in c for c in classes)):
            entry.title = True
        elif tag in _LISTS or tag == "blockquote":
            self._flush()
            if self._group_kind is None:
                self._group_kind = "list" if tag in _LISTS else "quote"
                entry.starts_group = True
        elif tag == "li":
            self._flush()
        elif tag == "tr":
            self._flush()
            self._cells = []
        elif tag in _CELLS:
            self._end_cell()
            if self._cells is None:
                self._cells = []
        elif tag in _BLOCK:
            self._boundary()
        self._push(entry)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # "<br/>" or "<p/>": an element with no content; only its boundary matters.
        if tag in ("br", "wbr"):
            self._text.append(" ")
        elif tag in _BLOCK and not self._dropped:
            self._boundary()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("br", "wbr"):  # "</br>" is treated like "<br>" by browsers
            self._text.append(" ")
            return
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag == tag:
                while len(self._open) > depth:
                    self._pop()
                return
        # A stray end tag (e.g. "</p>" with no "<p>") still marks where a block ends.
        if tag in _BLOCK or tag in _LISTS or tag in ("li", "blockquote"):
            self._boundary()

    def handle_data(self, data: str) -> None:
        if self._dropped or (self._attachments and not self._titles):
            return
        self._text.append(data)

    def close(self) -> None:
        super().close()
        while self._open:
            self._pop()
        self._end_row()
        self._flush()
        self._emit_group()

    # --- stack ------------------------------------------------------------------------------------

    def _push(self, entry: _Open) -> None:
        self._open.append(entry)
        self._dropped += entry.dropped
        self._attachments += entry.attachment
        self._titles += entry.title

    def _pop(self) -> None:
        entry = self._open.pop()
        self._dropped -= entry.dropped
        self._attachments -= entry.attachment
        self._titles -= entry.title
        if entry.dropped:
            return
        if entry.tag in _CELLS:
            self._end_cell()
        elif entry.tag == "tr" or entry.tag == "table":
            self._end_row()
        elif entry.attachment or entry.tag in ("li", "blockquote") or entry.tag in _LISTS:
            self._flush()
        elif entry.tag in _BLOCK:
            self._boundary()
        if entry.starts_group:
            self._emit_group()

    def _close_implied(self, tag: str) -> None:
        """Close elements HTML closes implicitly: "<li>a<li>b", "<td>a<td>b", "<p>a<p>b"."""
        if tag == "li":
            self._close_up_to({"li"}, stop=_LISTS)
        elif tag in _CELLS:
            self._close_up_to(_CELLS, stop={"tr", "table"})
        elif tag == "tr":
            self._close_up_to({"tr"}, stop={"table"})
        elif tag == "p" and self._open and self._open[-1].tag == "p":
            self._pop()

    def _close_up_to(self, targets: set[str] | frozenset[str], stop: set[str] | frozenset[str]) -> None:
        for depth in range(len(self._open) - 1, -1, -1):
            if self._open[depth].tag in stop:
                return
            if self._open[depth].tag in targets:
                while len(self._open) > depth:
                    self._pop()
                return

    # --- text routing -----------------------------------------------------------------------------

    def _innermost_container(self) -> str | None:
        for entry in reversed(self._open):
            if entry.tag in _LISTS or entry.tag in _CELLS or entry.tag in ("li", "blockquote"):
                return entry.tag
        return None

    def _boundary(self) -> None:
        """A paragraph-level break. Inside a list item or table cell it is only a space, so that a
        "loose" list item written as <li><p>..</p><p>..</p></li> stays one item."""
        container = self._innermost_container()
        if container == "li" or container in _CELLS:
            self._text.append(" ")
        else:
            self._flush()

    def _take_text(self) -> str:
        text = clean_line(_WHITESPACE.sub(" ", "".join(self._text)))
        self._text.clear()
        return text

    def _flush(self) -> None:
        """End the line being built and route it to the open list/quote, or make it a paragraph."""
        text = self._take_text()
        if not text:
            return
        if self._cells is not None and self._innermost_container() in _CELLS:
            self._cells.append(text)
        elif self._group_kind is not None:
            self._group_lines.append(text)
        else:
            self.blocks.append(Block("paragraph", (text,)))

    def _end_cell(self) -> None:
        if self._cells is None:
            return
        text = self._take_text()
        if text:
            self._cells.append(text)

    def _end_row(self) -> None:
        self._end_cell()
        cells, self._cells = self._cells, None
        if cells:
            self._text.append(" | ".join(cells))
            self._flush()

    def _emit_group(self) -> None:
        self._flush()
        if self._group_kind is not None and self._group_lines:
            self.blocks.append(Block(self._group_kind, tuple(self._group_lines)))
        self._group_kind = None
        self._group_lines = []


def html_to_blocks(html: str) -> list[Block]:
    """Blocks of a govspeak HTML body. Never raises: on a parser failure it returns what it has."""
    if not html:
        return []
    parser = _GovspeakParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # a body we cannot fully read is still worth its first blocks
        log.warning("HTML body could not be fully parsed; keeping %d blocks", len(parser.blocks))
    return [block for block in parser.blocks if block.lines]


def html_to_body(html: str) -> str:
    """The canonical body text (see announcement.py) of a govspeak HTML body."""
    return render_body(html_to_blocks(html))
