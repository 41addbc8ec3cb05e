"""Cut an announcement body into passages that answer on their own.

The paragraph is the unit a reader quotes, but GOV.UK paragraphs are uneven: a speaker's lead-in
("Home Secretary Sajid Javid said:", "Nick Keith said,") means nothing without the quote after it,
bullet items mean nothing without the sentence that introduces them, a heading means nothing at the end
of the section before it, a table row means nothing without its column names, one-line paragraphs
("The banking system was broken.") are too thin to rank, and scraped bodies can be a single
30,000-character paragraph.

So a passage is built from a unit: the text of one block, preceded by what introduces it (headings and
lead-ins), which is never left at the end of a passage. Tables are written one row per line, each cell
named by its column ("Region: Wales; Funding: £1m"), so any rows quoted alone still say what they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby

from retrieval.announcement import BULLET, Block, parse_body, split_row
from retrieval.text import split_sentences, strip_boilerplate

# Bodies are stored whole, but only this much of each is cut into passages and indexed: a 10 MB body
# (a data dump published as an announcement) would otherwise cost as much to ingest and index as a
# thousand ordinary ones. The announcement then says so (extra["searchable_chars"]).
SEARCHABLE_CHARS = 1_000_000
MIN_CHARS = 160  # shorter passages merge with a neighbour
MAX_CHARS = 900  # longer ones are cut at sentence boundaries...
TARGET_CHARS = 500  # ...into pieces of about this size
HEADING_CHARS = 80  # in a body without marked headings, a line this short without a full stop is one
TABLE_CONTEXT_CHARS = 200  # a table's heading and lead-in up to this long are repeated on each piece

# "[Political content redacted.]" and the like: editorial notes, not content.
_MARKER = re.compile(r"^\[[^\[\]]{1,100}\]$")
# A paragraph that introduces the next block: "... said:", "... said,", "Nick Keith added" or "A british
# officer had the following to say".
_LEAD_IN = re.compile(
    r"(?:[:,]|\b(?:said|says|added|adds|commented|comments|explained|stated|continued|remarked|noted|"
    r"warned|declared|told [A-Z][\w ]{0,40}|the following(?: to say)?|as follows))\s*[—–-]?$"
)
_SENTENCE_END = re.compile(r"[.!?…:;,\"”’'»]$")


@dataclass
class _Item:
    """A sentence, heading, lead-in or table row: the smallest thing a passage is cut between."""

    text: str
    new_line: bool  # starts a line of its own (joined with "\n", not " ")
    sticky: bool = False  # introduces what follows: never the last item of a passage


@dataclass
class _Unit:
    intro: list[str] = field(default_factory=list)  # headings and lead-ins, in order
    lead_ins: list[str] = field(default_factory=list)  # the lead-in paragraphs among them
    block: Block | None = None


def searchable(body: str) -> str:
    """The part of a body that is cut into passages: all of it up to SEARCHABLE_CHARS, else up to the
    last block boundary before that."""
    if len(body) <= SEARCHABLE_CHARS:
        return body
    cut = body.rfind("\n\n", 0, SEARCHABLE_CHARS)
    return body[: cut if cut > 0 else SEARCHABLE_CHARS]


def chunk_body(body: str) -> list[str]:
    return chunk_blocks(parse_body(body))


def chunk_blocks(blocks: list[Block]) -> list[str]:
    pieces: list[tuple[str, bool]] = []
    for unit in _units(_prepare(blocks)):
        heads = len(unit.intro) > len(unit.lead_ins)  # opens with a heading: a new section starts
        pieces.extend((piece, heads and i == 0) for i, piece in enumerate(_pieces(unit)))
    return _merge_short(pieces)


# -- blocks -----------------------------------------------------------------------------------------


def _prepare(blocks: list[Block]) -> list[Block]:
    """Drop editorial markers and attachment boilerplate; read old bodies' headings and table rows."""
    kept: list[Block] = []
    for block in blocks:
        if block.kind == "table" or block.kind == "heading":
            kept.append(block)
            continue
        if block.kind == "paragraph" and _MARKER.match(block.text):
            continue
        lines = tuple(line for line in (strip_boilerplate(x).strip() for x in block.lines) if line)
        if lines:
            kept.append(Block(block.kind, lines))
    if any(b.kind == "heading" for b in kept):
        return _fields(kept)
    # A body stored before headings and tables had blocks of their own: rows are paragraphs
    # "cell | cell", headings are short paragraphs without a full stop.
    kept = _old_table_rows(kept)
    return [
        Block("heading", b.lines) if i + 1 < len(kept) and _looks_like_heading(b) else b
        for i, b in enumerate(kept)
    ]


def _is_field(blocks: list[Block], i: int) -> bool:
    """A heading at `i` that names the one short line after it, as a form or a register does
    ("Regulated facility type" / "Septic tank and infiltration system")."""
    if i + 1 >= len(blocks) or blocks[i].kind != "heading":
        return False
    value = blocks[i + 1]
    return (
        value.kind == "paragraph"
        and len(value.lines) == 1
        and len(value.text) <= HEADING_CHARS
        and not _SENTENCE_END.search(value.text)
    )


def _fields(blocks: list[Block]) -> list[Block]:
    """Two or more such headings in a row, each with its value, are read as fields: "Regulated facility
    type: Septic tank and infiltration system", one line, as a table row names its column. Apart, the
    label and the value were two sentences, and the label, which holds the question's words, was the
    one shown in bold."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        run = i
        while _is_field(blocks, run):
            run += 2
        if run - i >= 4:
            pairs = range(i, run, 2)
            out.extend(Block("paragraph", (f"{blocks[k].text}: {blocks[k + 1].text}",)) for k in pairs)
            i = run
        else:
            out.append(blocks[i])
            i += 1
    return out


def _old_table_rows(blocks: list[Block]) -> list[Block]:
    """Two or more paragraphs in a row with the same number of " | " cells are one table again."""

    def shape(block: Block) -> int:
        return len(split_row(block.text)) if block.kind == "paragraph" and " | " in block.text else 0

    regrouped: list[Block] = []
    for cells, run in groupby(blocks, key=shape):
        group = list(run)
        if cells and len(group) > 1:
            regrouped.append(Block("table", tuple(b.text for b in group)))
        else:
            regrouped.extend(group)
    return regrouped


def _looks_like_heading(block: Block) -> bool:
    text = block.text
    return (
        block.kind == "paragraph"
        and len(text) <= HEADING_CHARS
        and (text[:1].isupper() or text[:1].isdigit())
        and not _SENTENCE_END.search(text)
    )


def _units(blocks: list[Block]) -> list[_Unit]:
    """Each block with the headings and lead-ins before it. A heading with nothing after it is dropped:
    left at the end of a passage it would only mislead."""
    units: list[_Unit] = []
    pending = _Unit()
    for position, block in enumerate(blocks):
        last = position == len(blocks) - 1
        if block.kind == "heading":
            pending.intro.append(block.text)
            continue
        if block.kind == "paragraph" and not last and _LEAD_IN.search(block.text):
            pending.intro.append(block.text)
            pending.lead_ins.append(block.text)
            continue
        pending.block = block
        units.append(pending)
        pending = _Unit()
    if pending.lead_ins:  # lead-ins with nothing to introduce (only headings after them) are still text
        units.append(_Unit(block=Block("paragraph", (" ".join(pending.lead_ins),))))
    return units


# -- pieces -----------------------------------------------------------------------------------------


def _pieces(unit: _Unit) -> list[str]:
    assert unit.block is not None
    intro = [_Item(line, new_line=True, sticky=True) for line in unit.intro]
    if unit.block.kind == "table":
        return _table_pieces(unit.intro, _table_lines(unit.block))
    if unit.block.kind == "list":
        lines = [BULLET + item for item in unit.block.lines]
    elif unit.block.kind == "quote":
        lines = list(unit.block.lines)
    else:
        lines = [" ".join(unit.block.lines)]
    whole = "\n".join(unit.intro + lines)
    if len(whole) <= MAX_CHARS:
        return [whole]
    # Long: cut between sentences. An intro line too long to carry whole is cut too; only its last
    # sentence must stay with what follows.
    items: list[_Item] = []
    for item in intro:
        if len(item.text) <= TARGET_CHARS:
            items.append(item)
        else:
            sentences = _sentences(item.text)
            items.extend(_Item(s, new_line=i == 0) for i, s in enumerate(sentences[:-1]))
            items.append(_Item(sentences[-1], new_line=len(sentences) == 1, sticky=True))
    for line in lines:
        items.extend(_Item(s, new_line=i == 0) for i, s in enumerate(_sentences(line)))
    return _pack(items)


def _sentences(line: str) -> list[str]:
    found = [part for s in split_sentences(line) for part in _split_oversized(s)]
    return found or [line]


def _pack(items: list[_Item], limit: int = TARGET_CHARS) -> list[str]:
    """Items into passages of about `limit` characters, never ending one on a sticky item."""
    pieces: list[list[_Item]] = []
    current: list[_Item] = []
    size = -1  # length of current joined: each item adds itself and one separator
    for item in items:
        if current and size + 1 + len(item.text) > limit:
            carried: list[_Item] = []
            while current and current[-1].sticky:
                carried.insert(0, current.pop())
            if carried and _length(carried) > limit:  # too much to carry: cut anyway
                current, carried = current + carried, []
            if current:
                pieces.append(current)
            current = carried
            size = _length(carried) if carried else -1
        current.append(item)
        size += 1 + len(item.text)
    if current:
        pieces.append(current)
    return [_join(piece) for piece in pieces]


def _length(items: list[_Item]) -> int:
    return sum(len(i.text) + 1 for i in items) - 1


def _join(items: list[_Item]) -> str:
    parts: list[str] = []
    for item in items:
        if parts:
            parts.append("\n" if item.new_line else " ")
        parts.append(item.text)
    return "".join(parts)


def _table_lines(block: Block) -> list[_Item]:
    """One line per row, each cell named by its column when the table has a header row. A row with a
    single cell in a wider table ("Personal tax") heads the rows after it; a row whose first cell is
    empty continues the one before it."""
    rows = block.rows
    if not block.header:
        return [_Item(" | ".join(c for c in row if c), new_line=True) for row in rows if any(row)]
    names = [name.rstrip(":").strip() for name in rows[0]]
    lines: list[_Item] = []
    for row in rows[1:]:
        cells = []
        for column, cell in enumerate(row):
            name = names[column] if column < len(names) else ""
            if cell:
                cells.append(f"{name}: {cell}" if name and name != cell else cell)
        if not cells:
            continue
        if lines and not row[0] and names[0]:
            lines[-1].sticky = True  # the row goes on: its first cell spans this row too
        section = len(cells) == 1 and bool(row[0]) and len(names) > 2
        lines.append(_Item("; ".join(cells), new_line=True, sticky=section))
    return lines or [_Item(" | ".join(c for c in rows[0] if c), new_line=True)]


def _table_pieces(intro: list[str], rows: list[_Item]) -> list[str]:
    """A table that fits is one passage. A longer one is cut between rows; each piece repeats the
    table's heading or lead-in when it is short, since the rows name their columns but not the table."""
    whole = "\n".join(intro + [row.text for row in rows])
    if len(whole) <= MAX_CHARS:
        return [whole]
    context = "\n".join(intro)
    repeat = bool(context) and len(context) <= TABLE_CONTEXT_CHARS
    row_items = [
        _Item(part, new_line=True, sticky=row.sticky) for row in rows for part in _split_oversized(row.text)
    ]
    if not repeat:
        return _pack([_Item(line, new_line=True, sticky=True) for line in intro] + row_items)
    limit = max(TARGET_CHARS - len(context) - 1, MIN_CHARS)
    return [f"{context}\n{piece}" for piece in _pack(row_items, limit)]


def _split_oversized(sentence: str) -> list[str]:
    """A 'sentence' longer than MAX_CHARS (a run-on list, a table row) is cut at word boundaries."""
    if len(sentence) <= MAX_CHARS:
        return [sentence]
    parts: list[str] = []
    while len(sentence) > TARGET_CHARS:
        cut = sentence.rfind(" ", 0, TARGET_CHARS)
        cut = cut if cut > 0 else TARGET_CHARS
        parts.append(sentence[:cut].strip())
        sentence = sentence[cut:].strip()
    if sentence:
        parts.append(sentence)
    return parts


def _merge_short(pieces: list[tuple[str, bool]]) -> list[str]:
    """Short pieces join a neighbour: the next one, unless that starts a new section and the short one
    ends the section before it ("Telephone: 01371 854 648" after an address belongs to that address,
    not to the heading "Complaints about pensions" after it)."""
    merged: list[str] = []
    buffer: str | None = None
    buffer_heads = False
    for piece, heads in pieces:
        if buffer is None:
            buffer, buffer_heads = piece, heads
        elif len(buffer) < MIN_CHARS and heads and not buffer_heads and _fits_after(merged, buffer):
            merged[-1] = merged[-1] + "\n" + buffer
            buffer, buffer_heads = piece, heads
        elif len(buffer) < MIN_CHARS and len(buffer) + 1 + len(piece) <= MAX_CHARS:
            buffer = buffer + "\n" + piece
        else:
            merged.append(buffer)
            buffer, buffer_heads = piece, heads
    if buffer is not None:
        if len(buffer) < MIN_CHARS and _fits_after(merged, buffer):
            merged[-1] = merged[-1] + "\n" + buffer
        else:
            merged.append(buffer)
    return merged


def _fits_after(merged: list[str], piece: str) -> bool:
    return bool(merged) and len(merged[-1]) + 1 + len(piece) <= MAX_CHARS
