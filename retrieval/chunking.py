"""Cut an announcement body into passages that answer on their own.

The paragraph is the unit a reader quotes, but GOV.UK paragraphs are uneven: a speaker's lead-in
("Home Secretary Sajid Javid said:") means nothing without the quote after it, bullet items mean
nothing without the sentence that introduces them, one-line paragraphs ("The banking system was
broken.") are too thin to rank, and scraped bodies can be a single 30,000-character paragraph.
"""

from __future__ import annotations

import re

from retrieval.announcement import BULLET, Block, parse_body
from retrieval.text import split_sentences

MIN_CHARS = 160  # shorter passages merge with a neighbour
MAX_CHARS = 900  # longer ones are cut at sentence boundaries...
TARGET_CHARS = 500  # ...into pieces of about this size

# "[Political content redacted.]" and the like: editorial notes, not content.
_MARKER = re.compile(r"^\[[^\[\]]{1,100}\]$")


def chunk_body(body: str) -> list[str]:
    return chunk_blocks(parse_body(body))


def chunk_blocks(blocks: list[Block]) -> list[str]:
    units = _join_lead_ins([b for b in blocks if not _is_marker(b)])
    pieces = [piece for unit in units for piece in _split_long(unit)]
    return _merge_short(pieces)


def _is_marker(block: Block) -> bool:
    return block.kind == "paragraph" and bool(_MARKER.match(block.text))


def _unit_text(block: Block) -> str:
    if block.kind == "list":
        return "\n".join(BULLET + item for item in block.lines)
    return " ".join(block.lines) if block.kind == "paragraph" else "\n".join(block.lines)


def _join_lead_ins(blocks: list[Block]) -> list[str]:
    """A paragraph ending in ':' takes the block after it; a list always stays with its lead-in."""
    units: list[str] = []
    pending_lead_in: str | None = None
    for block in blocks:
        text = _unit_text(block)
        if pending_lead_in is not None:
            units.append(pending_lead_in + "\n" + text)
            pending_lead_in = None
            continue
        if block.kind == "paragraph" and text.endswith(":"):
            pending_lead_in = text
            continue
        units.append(text)
    if pending_lead_in is not None:
        units.append(pending_lead_in)
    return units


def _split_long(unit: str) -> list[str]:
    if len(unit) <= MAX_CHARS:
        return [unit]
    sentences: list[str] = []
    for line in unit.split("\n"):
        sentences.extend(_split_oversized(s) for s in split_sentences(line) if s)
    flat = [part for group in sentences for part in group]
    pieces: list[str] = []
    current = ""
    for sentence in flat:
        if current and len(current) + 1 + len(sentence) > TARGET_CHARS:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


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


def _merge_short(pieces: list[str]) -> list[str]:
    merged: list[str] = []
    buffer: str | None = None
    for piece in pieces:
        if buffer is None:
            buffer = piece
        elif len(buffer) < MIN_CHARS and len(buffer) + 1 + len(piece) <= MAX_CHARS:
            buffer = buffer + "\n" + piece
        else:
            merged.append(buffer)
            buffer = piece
    if buffer is not None:
        if len(buffer) < MIN_CHARS and merged and len(merged[-1]) + 1 + len(buffer) <= MAX_CHARS:
            merged[-1] = merged[-1] + "\n" + buffer
        else:
            merged.append(buffer)
    return merged
