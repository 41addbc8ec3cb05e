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
# letter after the capital, so it stays whole too.
_GLUED = re.compile(r"(?<=[A-Za-z0-9)]{2}[.!?])(?=[A-Z][a-z])|(?<=[A-Za-z0-9][.!?][\"”])(?=[A-Z])")
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
