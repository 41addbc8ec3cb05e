"""What BM25 indexes of a passage: its announcement's title and publishing organisation, then its text.

GOV.UK shows every page under its organisation ("Complaints procedure – Ministry of Defence"), and
people name it in their questions ("how long does the mod take…", "who is acting boss of nmro"),
while a corporate page's own words rarely do. The heading's terms count in every passage of the
announcement, as the title's always have.
"""

from __future__ import annotations

import re
from functools import lru_cache

from retrieval.search.tokenize import tokenize

# What a document holds, recorded with every index (IndexMeta.documents): an index built from other
# documents is rebuilt. 1: title and text; 2: title, organisation and text; 3: and the organisation's
# initials.
VERSION = 3

# Words an organisation's initials may leave out: "Driver and Vehicle Licensing Agency" is DVLA,
# "Department for Environment, Food & Rural Affairs" Defra; others keep them ("Ministry of Defence"
# is MOD, "Department for Transport" DfT), so both are made.
_JOINING = frozenset({"of", "for", "and", "the", "on", "in", "to"})


@lru_cache(maxsize=4096)
def initials(organisation: str) -> tuple[str, ...]:
    """What people call an organisation by its initials ("mmo", "hmrc", "mod", "dvla"). A short word in
    capitals is kept whole ("HM Revenue & Customs": hmrc)."""
    parts = re.findall(r"[A-Za-z]+", organisation)
    if len(parts) < 2:
        return ()

    def initial(part: str) -> str:
        return part.lower() if part.isupper() and len(part) <= 3 else part[0].lower()

    every = "".join(initial(p) for p in parts)
    content = "".join(initial(p) for p in parts if p.lower() not in _JOINING)
    return tuple(dict.fromkeys(a for a in (every, content) if len(a) >= 2))


def organisation_words(organisation: str) -> str:
    """The organisation's name and its initials, as one text."""
    return " ".join((organisation, *initials(organisation)))


def heading_terms(title: str, organisation: str | None) -> list[str]:
    return tokenize(title) + (tokenize(organisation_words(organisation)) if organisation else [])


def document_terms(title: str, organisation: str | None, text: str) -> list[str]:
    return heading_terms(title, organisation) + tokenize(text)
