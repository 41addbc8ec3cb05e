"""Sentence splitting that copes with GOV.UK's real text.

Bodies scraped from GOV.UK lose their paragraph breaks and glue sentences together ("Newcastle.He").
A splitter that only breaks on ". " would return a whole article as one sentence, so glued boundaries
(lower-case letter or digit, full stop, capital letter and a lower-case one) count as boundaries too.
"""

from __future__ import annotations

import re

# ". " followed by an opening quote, capital or digit; also "…" and "?!".
_BOUNDARY = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’)\]]))\s+(?=[\"“‘(\[]?[A-Z0-9£])")
# "Newcastle.He", "6JH.Friday", "1188.”A": glued by a lost paragraph break. Two word characters before
# the stop keep "U.K.Government" and "p.m.On" style abbreviations whole; "GOV.UK" needs a lower-case
# letter after the capital, so it stays whole too; "I" is the one capital that starts a sentence alone
# ("three points.I want"). Initials glued after a lower-case word start one too ("institutions.UK
# Caribbean Minister", "physics.MASTUpgrade is"), and so does "A" ("ID card.A thorough review"): a
# domain or an abbreviation has no lower-case word of three letters before a stop and a capital pair
# after it. A closing bracket or a phone number's last digits glued to a word ("(bios)Young Leaders",
# "3100Contact the FCDO") get their space back. An opening quote after a stop ("by 2100.“Small
# changes") was tried too: it parts a heading glued there from the text before it, and the 2024
# sample's training questions lost a flux tower answer.
_GLUED = re.compile(
    r"(?<=[A-Za-z0-9)]{2}[.!?])(?=[A-Z][a-z]|I )"
    r"|(?<=[A-Za-z0-9][.!?][\"”])(?=[A-Z])"
    r"|(?<=[a-z]{3}[.!?])(?=[A-Z]{2}|A )"
    r"|(?<=[a-z]{2}\))(?=[A-Z][a-z])"
    r"|(?<=\d{3})(?=[A-Z][a-z]{2,} )"
)
# Abbreviations after which ". X" is not a sentence end.
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "No.", "e.g.", "i.e.", "etc.", "Prof.", "Rt.", "Hon.")


def unglue(text: str) -> str:
    """Put a space back where a lost paragraph break glued two sentences."""
    return _GLUED.sub(" ", text)


def split_sentences(text: str) -> list[str]:
    text = unglue(text.strip())
    if not text:
        return []
    parts = _BOUNDARY.split(text)
    sentences: list[str] = []
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = sentences[-1] + " " + part
        else:
            sentences.append(part)
    return sentences


# -- control characters -----------------------------------------------------------------------------

# C0 and C1 controls and DEL, except tab and newline. Those that end a line elsewhere (vertical tab,
# form feed, the separators, NEL) become a space so that the words on either side stay apart. Lone
# surrogates go too: JSON may spell one ("\ud800") and Python decodes it, but no UTF-8 store can hold
# it (SQLite and PostgreSQL both refuse the row). A pair in JSON decodes to one character, never to these.
_LINE_LIKE = re.compile(r"[\x0b\x0c\x1c\x1d\x1e\x85]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """Text without NUL, other control characters and lone surrogates; line endings become "\\n"."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    return _LINE_LIKE.sub(" ", text)


def strip_controls_deep(value: object) -> object:
    """strip_controls on every string inside parsed JSON (keys included)."""
    if isinstance(value, str):
        return strip_controls(value)
    if isinstance(value, list):
        return [strip_controls_deep(v) for v in value]
    if isinstance(value, dict):
        return {strip_controls(str(k)): strip_controls_deep(v) for k, v in value.items()}
    return value


# -- attachment boilerplate -------------------------------------------------------------------------

# What GOV.UK prints around every attached file: the accessibility notice and its request link, the
# "Order a copy" link, file type, size and page count. Matched on whole lines (and, for the metadata,
# in brackets after a file's name) so that a sentence that merely mentions assistive technology stays.
FILE_TYPES = (
    r"PDF|HTML|CSV|ODS|ODT|ODP|XML|ZIP|RTF|TXT|JSON|XLSX?|DOCX?|PPTX?|"
    r"(?:MS|OpenDocument|Microsoft) [A-Za-z ]{2,30}|Portable Document Format|Plain text|Spreadsheet|"
    r"Comma-separated Values"
)
_FILE_FACT = rf"(?:{FILE_TYPES}|[\d.,]+ ?(?:[KMG]B|bytes|kB)|\d+ pages?)"
_FILE_FACTS = rf"{_FILE_FACT}(?:, ?{_FILE_FACT})*"
_BRACKETED_FACTS = re.compile(rf"\({_FILE_FACTS}\)")
_BOILERPLATE = re.compile(
    "|".join(
        (
            rf"{_FILE_FACTS}",
            r"This file may not be suitable for users of assistive technology\.?"
            r"(?: ?Request an? (?:accessible|different|alternative) format\.?)?",
            r"Request an? (?:accessible|different|alternative) format\.?",
            r"If you use assistive technology\b.*\b(?:accessible|alternative|different) format\b.*",
            r"Order a copy(?: of [\w ]{1,40})?\.?",
            r"This file is in an OpenDocument format\.?",
            r"View online",
        )
    ),
    re.IGNORECASE,
)


def strip_boilerplate(line: str) -> str:
    """A line without attachment boilerplate: "" when it is nothing else, else the line with the
    bracketed file facts after a document's name removed ("Minutes (PDF, 507KB, 6 pages)")."""
    # Cheap tests first: most lines are long prose without brackets.
    if len(line) < 400 and _BOILERPLATE.fullmatch(line.strip()):
        return ""
    if "(" not in line:
        return line
    stripped, found = _BRACKETED_FACTS.subn("", line)
    return re.sub(r" +(?=[ ,.;:)]|$)", "", stripped) if found else line
