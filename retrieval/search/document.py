"""What BM25 indexes of a passage: its announcement's title and publishing organisation, then its text.

GOV.UK shows every page under its organisation ("Complaints procedure – Ministry of Defence"), and
people name it in their questions ("how long does the mod take…", "who is acting boss of nmro"),
while a corporate page's own words rarely do. The heading's terms count in every passage of the
announcement, as the title's always have.
"""

from __future__ import annotations

from retrieval.search.tokenize import tokenize

# What a document holds, recorded with every index (IndexMeta.documents): an index built from other
# documents is rebuilt. 1: title and text; 2: title, organisation and text.
VERSION = 2


def heading_terms(title: str, organisation: str | None) -> list[str]:
    return tokenize(title) + (tokenize(organisation) if organisation else [])


def document_terms(title: str, organisation: str | None, text: str) -> list[str]:
    return heading_terms(title, organisation) + tokenize(text)
