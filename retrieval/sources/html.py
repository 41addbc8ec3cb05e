"""Turn GOV.UK govspeak HTML into the canonical block layout of announcement.py.

Text is accumulated as it arrives and only cleaned when a block boundary is reached, so words on either
side of inline tags ("on <a>GOV.UK</a>") keep the spaces the author typed: the glued words in older
scraped data came from cleaning each text fragment on its own.

Headings become heading blocks, so that chunking can keep each one with the text it introduces. Tables
become table blocks whose header row (cells of <thead>, or a first row of <th>) names the columns, so
that a row quoted on its own can still say what its numbers are. Attachments keep only their title:
the file type, size, page count and accessibility notice around them are not content.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from retrieval.announcement import Block, BlockKind, clean_line, render_body, table_row
from retrieval.text import strip_boilerplate, strip_controls

log = logging.getLogger(__name__)

# Content that is not prose: dropped with everything inside it.
_DROPPED = frozenset(
    {"script", "style", "svg", "math", "figure", "nav", "sup", "noscript", "template", "iframe", "head"}
)
# Elements dropped by class: the accessibility notice of an attachment (old and new markup).
_DROPPED_CLASSES = frozenset({"accessibility-warning", "gem-c-attachment__metadata"})
# Elements that start a new line of text wherever they appear.
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SECTIONS = frozenset({"p", "div", "section", "article", "header", "footer", "aside", "main", "address"})
_OTHER_BLOCKS = frozenset({"pre", "hr", "dl", "dt", "dd", "details", "summary", "caption", "figcaption"})
_BLOCK = _HEADINGS | _SECTIONS | _OTHER_BLOCKS | frozenset({"table", "thead", "tbody", "tfoot"})
_LISTS = frozenset({"ul", "ol"})
_CELLS = frozenset({"td", "th"})
# An attached file shown as a block ("section.attachment > div.attachment-details", or the newer
# "gem-c-attachment" component): only its title is kept.
_ATTACHMENT_CLASSES = frozenset({"attachment-details", "gem-c-attachment__details", "gem-c-attachment"})
# An attached file linked inside a sentence: only the link text is kept, not "(PDF, 507KB, 6 pages)".
_INLINE_ATTACHMENT_CLASSES = frozenset({"attachment-inline", "gem-c-attachment-link"})
_WHITESPACE = re.compile(r"\s+")


@dataclass
class _Open:
    """An element still open, with the role it plays for text routing."""

    tag: str
    dropped: bool = False
    attachment: bool = False  # attachment details: only their title is kept
    inline_attachment: bool = False  # an attachment link in running text: only the link text is kept
    title: bool = False  # the title inside attachment details, or the link of an inline attachment
    heading: bool = False  # a heading that becomes a heading block
    table: bool = False  # the outermost <table>: closing it emits the table block
    nested_table: bool = False  # a table inside a table's cell: read as the cell's text
    counted_table: bool = False  # counted in _GovspeakParser._tables
    starts_group: bool = False  # outermost list or block quote: closing it emits the block


@dataclass
class _Table:
    header_rows: list[list[str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    in_head: bool = False  # inside <thead>
    row: list[str] | None = None  # cells of the row being built
    row_all_th: bool = True
    in_cell: bool = False  # between a cell's start and end: text between cells is not a cell


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
        self._table: _Table | None = None  # the outermost table being read, outside lists and quotes
        self._cells: list[str] | None = None  # cells of a table row inside a list or quote
        self._tables = 0  # depth of open tables: rows of a table inside a cell are read as text
        self._dropped = 0
        self._attachments = 0
        self._titles = 0
        self._titled = False  # the open attachment has given its title
        self._headings = 0

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
        if (
            self._dropped
            or tag in _DROPPED
            or classes & _DROPPED_CLASSES
            or (tag == "a" and "reversefootnote" in classes)
        ):
            entry.dropped = True
        elif classes & _ATTACHMENT_CLASSES and not self._attachments:
            self._boundary()
            entry.attachment = True
            self._titled = False
        elif classes & _INLINE_ATTACHMENT_CLASSES and not self._attachments:
            entry.inline_attachment = True
        elif self._attachments:
            # The first heading (or element classed as a title) names the file; a later heading, such
            # as the old accessibility notice's <h2>, does not.
            inline = any(e.inline_attachment for e in self._open)
            if (tag == "a" and inline) or (
                not inline and not self._titled and (tag in _HEADINGS or any("title" in c for c in classes))
            ):
                entry.title = True
                self._titled = True
        elif tag in _LISTS or tag == "blockquote":
            self._flush()
            if self._group_kind is None:
                self._group_kind = "list" if tag in _LISTS else "quote"
                entry.starts_group = True
        elif tag == "li":
            self._flush()
        elif tag == "table":
            self._start_table(entry)
        elif tag == "thead" and self._tables == 1 and self._table is not None:
            self._table.in_head = True
        elif tag == "tr":
            self._start_row()
        elif tag in _CELLS:
            self._start_cell(tag)
        elif (tag in _HEADINGS and not self._tables) or (tag == "caption" and self._tables == 1):
            # A table's caption names it, as a heading names a section.
            if self._innermost_container() is None:
                self._flush()
                entry.heading = True
            else:
                self._boundary()
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
        self._emit_table()
        self._emit_group()

    # --- stack ------------------------------------------------------------------------------------

    def _push(self, entry: _Open) -> None:
        self._open.append(entry)
        self._dropped += entry.dropped
        self._attachments += entry.attachment or entry.inline_attachment
        self._titles += entry.title
        self._headings += entry.heading
        entry.counted_table = entry.tag == "table" and not entry.dropped and not self._attachments
        self._tables += entry.counted_table

    def _pop(self) -> None:
        entry = self._open.pop()
        self._dropped -= entry.dropped
        self._attachments -= entry.attachment or entry.inline_attachment
        self._titles -= entry.title
        self._headings -= entry.heading
        self._tables -= entry.counted_table
        if entry.dropped:
            return
        if entry.nested_table:
            self._text.append(" ")
        elif entry.tag in _CELLS:
            self._end_cell()
        elif entry.tag == "tr":
            self._end_row()
        elif entry.tag == "thead" and self._table is not None and self._tables == 1:
            self._end_row()
            self._table.in_head = False
        elif entry.heading:
            self._flush("heading")
        elif entry.table:
            self._end_row()
            self._emit_table()
        elif entry.tag == "table":
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
        elif tag in ("tbody", "tfoot"):
            self._close_up_to({"thead", "tbody"}, stop={"table"})
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
        if container == "li" or container in _CELLS or self._headings:
            self._text.append(" ")
        else:
            self._flush()

    def _take_text(self) -> str:
        text = clean_line(_WHITESPACE.sub(" ", "".join(self._text)))
        self._text.clear()
        return text

    def _flush(self, kind: BlockKind = "paragraph") -> None:
        """End the line being built and route it to the open list/quote, or make it a block."""
        text = self._take_text()
        if not text or self._in_cell():
            # Text in a cell waits for the cell's end; _end_cell takes it.
            self._text.append(text)
            return
        text = clean_line(strip_boilerplate(text))
        if not text:
            return
        if self._group_kind is not None:
            self._group_lines.append(text)
        else:
            self.blocks.append(Block(kind, (text,)))

    def _in_cell(self) -> bool:
        return (self._table is not None or self._cells is not None) and self._innermost_container() in _CELLS

    # --- tables -----------------------------------------------------------------------------------

    def _start_table(self, entry: _Open) -> None:
        if self._tables:  # a table inside a cell: its text joins the cell's
            self._text.append(" ")
            entry.nested_table = True
            return
        self._flush()
        if self._group_kind is None:
            self._table = _Table()
            entry.table = True

    def _start_row(self) -> None:
        if self._tables > 1:
            self._text.append(" ")
            return
        self._end_row()
        self._flush()
        if self._table is not None:
            self._table.row = []
            self._table.row_all_th = True
        else:
            self._cells = []

    def _start_cell(self, tag: str) -> None:
        if self._tables > 1:
            self._text.append(" ")
            return
        self._end_cell()
        if self._table is not None:
            if self._table.row is None:  # a cell with no <tr>
                self._table.row = []
                self._table.row_all_th = True
            self._table.row_all_th &= tag == "th"
            self._table.in_cell = True
        elif self._cells is None:
            self._cells = []

    def _end_cell(self) -> None:
        if self._tables > 1:
            self._text.append(" ")
            return
        cells = self._table.row if self._table is not None else self._cells
        if cells is None:
            return
        if self._table is not None:
            if self._table.in_cell:
                self._table.in_cell = False
                cells.append(self._take_text())  # empty cells keep the columns in line with the header
            return
        text = self._take_text()
        if text:
            cells.append(text)

    def _end_row(self) -> None:
        if self._tables > 1:
            return
        self._end_cell()
        if self._table is not None:
            table, row = self._table, self._table.row
            table.row = None
            if row is None or not any(row):
                return
            # Header rows: those in <thead>, or rows of <th> only before any row of data.
            if table.in_head or (table.row_all_th and not table.rows and len(row) > 1):
                table.header_rows.append(row)
            else:
                table.rows.append(row)
            return
        cells, self._cells = self._cells, None
        if cells:  # a table inside a list or quote: one line per row
            self._text.append(" | ".join(cells))
            self._flush()

    def _emit_table(self) -> None:
        table, self._table = self._table, None
        if table is None:
            return
        header_rows, rows = table.header_rows, table.rows
        # A first row with an empty corner cell names the columns, whether or not it was marked as a
        # header: real tables put "£ million" alone in <thead> and the years in the first row.
        while rows and not rows[0][0] and sum(1 for c in rows[0] if c) >= 2 and _sparse(header_rows):
            header_rows.append(rows.pop(0))
        header = _header(header_rows)
        if header and not rows:  # a table of <th> only: its rows are its data
            rows, header = table.header_rows, None
        lines = ([table_row(header)] if header else []) + [table_row(r) for r in rows]
        if lines:
            self.blocks.append(Block("table", tuple(lines), header=header is not None))

    def _emit_group(self) -> None:
        self._flush()
        if self._group_kind is not None and self._group_lines:
            self.blocks.append(Block(self._group_kind, tuple(self._group_lines)))
        self._group_kind = None
        self._group_lines = []


def _sparse(header_rows: list[list[str]]) -> bool:
    """No header yet, or one that names fewer than half of its columns."""
    named = _header(header_rows)
    return named is None or 2 * sum(1 for c in named if c) < len(named)


def _header(rows: list[list[str]]) -> list[str] | None:
    """One row of column names from the header rows: stacked headers ("2016" over "Q1") are joined."""
    if not rows:
        return None
    width = max(len(r) for r in rows)
    if any(len(r) != width for r in rows):
        return rows[-1]
    return [clean_line(" ".join(row[i] for row in rows if row[i])) for i in range(width)]


def html_to_blocks(html: str) -> list[Block]:
    """Blocks of a govspeak HTML body. Never raises: on a parser failure it returns what it has."""
    if not html:
        return []
    parser = _GovspeakParser()
    try:
        parser.feed(strip_controls(html))
        parser.close()
    except Exception:  # a body we cannot fully read is still worth its first blocks
        log.warning("HTML body could not be fully parsed; keeping %d blocks", len(parser.blocks))
    return [block for block in parser.blocks if block.lines]


def html_to_body(html: str) -> str:
    """The canonical body text (see announcement.py) of a govspeak HTML body."""
    return render_body(html_to_blocks(html))


def html_to_text(html: str) -> str:
    """Plain text of a short HTML fragment (a withdrawal notice): its blocks' text, one per line."""
    return "\n".join(block.text for block in html_to_blocks(html))
