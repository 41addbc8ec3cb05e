"""Bodies scraped flat from GOV.UK pages, mended where the glue can be told.

Such a body (the shared 2024 sample is one) is a single line: the page's paragraph breaks, headings
and attachment boxes were dropped and the text on either side glued together ("keep to the
curfewPeople are more likely", "Young Leaders CharterPDF,448 KB,3 pagesThis file may not be suitable
for users of assistive technology.Request an accessible format."). Read as it is, a glued pair is one
word the index cannot match ("curfewpeople") and the attachment notice is quoted as text.

So, in a flat body only:
- an attachment's glued file facts ("PDF,448 KB,3 pages") and GOV.UK's accessibility notice are
  dropped, leaving a paragraph break where the attachment box was;
- a lower-case letter glued to a capital ("curfewPeople", "theBlackwater Estuary") gets its space
  back, and so do "email" glued to the address it links, a word glued to a web address ("visitwww."),
  a quote glued to its lead-in ("said:No") and sentences glued at a full stop
  ("relationship.Successful", as retrieval/text.py splits them).
Putting every lost paragraph break back (a break at each glued sentence, and at each lower-case word
glued to a capital unless it is a word a link follows, "the", "on"...) was tried: on the 2024 sample's
training questions the smaller passages ranked worse (top@1 0.795 → 0.770, hit@1 0.680 → 0.648), so
the body stays one paragraph between attachments.
"""

from __future__ import annotations

import re

from retrieval.text import FILE_TYPES, unglue

# A body this long on one line is a scraped page, not an author's single paragraph.
FLAT_CHARS = 600

_BREAK = "\n\n"
_NOTICE = re.compile(
    r"This file may not be suitable for users of assistive technology\.?\s*"
    r"|Request an? (?:accessible|different|alternative) format\.?\s*"
    r"|If you use assistive technology\b[^@]{0,200}?format,? please email\s*"
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+\.?\s*"
    r"|Please tell us what format you need\.\s*"
    r"|It will help us if you say what assistive technology you use\.\s*"
)
# "PDF,448 KB,3 pages" glued between an attachment's title and what follows it: a type and a size at
# least, so that "GOODS" or "3 pages" in prose never match.
_GLUED_FACTS = re.compile(rf"(?:{FILE_TYPES}), ?[\d.,]+ ?(?:[KMG]B|bytes|kB)(?:, ?\d+ pages?)?")
_CASE_GLUE = re.compile(r"(?<=[a-z]{2})(?=[A-Z])")
_EMAIL_GLUE = re.compile(r"\bemail(?=[\w.+-]+@)", re.IGNORECASE)
_WEB_GLUE = re.compile(r"(?<=[a-z]{2})(?=www\.)")  # "visitwww.gov.uk/sia"
_COLON_GLUE = re.compile(r"(?<=[a-z]{2}:)(?=[A-Z][a-z])")  # "Alex Norris … said:No veteran should…"


def is_flat(body: str) -> bool:
    return "\n" not in body and len(body) >= FLAT_CHARS


def mend_flat(body: str) -> str:
    """A flat body without attachment boilerplate and with glued words apart; any other body as it is."""
    if not is_flat(body):
        return body
    text = _NOTICE.sub(_BREAK, body)
    text = _GLUED_FACTS.sub(_BREAK, text)
    text = _EMAIL_GLUE.sub(lambda m: m.group() + " ", text)
    text = _COLON_GLUE.sub(" ", _WEB_GLUE.sub(" ", text))
    text = unglue(_CASE_GLUE.sub(" ", text))
    paragraphs = (p.strip() for p in text.split(_BREAK))
    return _BREAK.join(p for p in paragraphs if p)
