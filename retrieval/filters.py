"""Filters people type or say: an organisation, a type of announcement and a date range.

"speeches by HM Treasury this week", "/search pensions since 1 Nov", "news from the EA in October
2024", "what was announced on 15 October 2024". `parse` takes them out of the text and returns what
is left to search for, plus the filters. Organisations are matched loosely against the names the
corpus itself uses: any case, with or without "the", by a common abbreviation (HMT, DfE, EA, MoD)
or by the initials of the name ("Department for Education" is DfE, "Environment Agency" is EA).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

# Abbreviations people use that the initials rule would not find.
_ALIASES: dict[str, tuple[str, ...]] = {
    "hmt": ("HM Treasury",),
    "treasury": ("HM Treasury",),
    "no10": ("Prime Minister's Office, 10 Downing Street",),
    "no 10": ("Prime Minister's Office, 10 Downing Street",),
    "number 10": ("Prime Minister's Office, 10 Downing Street",),
    "downing street": ("Prime Minister's Office, 10 Downing Street",),
    "pm": ("Prime Minister's Office, 10 Downing Street",),
    "pmo": ("Prime Minister's Office, 10 Downing Street",),
    "mod": ("Ministry of Defence",),
    "moj": ("Ministry of Justice",),
    "ho": ("Home Office",),
    "fco": ("Foreign, Commonwealth & Development Office", "Foreign & Commonwealth Office"),
    "fcdo": ("Foreign, Commonwealth & Development Office",),
    "foreign office": ("Foreign, Commonwealth & Development Office", "Foreign & Commonwealth Office"),
    "hmrc": ("HM Revenue & Customs",),
    "dhsc": ("Department of Health and Social Care",),
    "health department": ("Department of Health and Social Care",),
    "defra": ("Department for Environment, Food & Rural Affairs",),
    "dwp": ("Department for Work and Pensions",),
    "dft": ("Department for Transport",),
    "dfe": ("Department for Education",),
    "dsit": ("Department for Science, Innovation and Technology",),
    "desnz": ("Department for Energy Security and Net Zero",),
    "beis": ("Department for Business, Energy & Industrial Strategy",),
    "dbt": ("Department for Business and Trade",),
    "dcms": ("Department for Culture, Media and Sport",),
    "mhclg": ("Ministry of Housing, Communities and Local Government",),
    "dluhc": ("Department for Levelling Up, Housing and Communities",),
    "cabinet office": ("Cabinet Office",),
    "sia": ("Security Industry Authority",),
    "ea": ("Environment Agency",),
    "cqc": ("Care Quality Commission",),
    "ukaea": ("UK Atomic Energy Authority",),
    "opss": ("Office for Product Safety and Standards",),
    "dvla": ("Driver and Vehicle Licensing Agency",),
    "ons": ("Office for National Statistics",),
}

_STATEMENTS = ("Statement", "Statement to Parliament", "Oral statement", "Written statement")
_NEWS = (
    "News story",
    "News",
    "Press release",
    "World news story",
    "World location news article",
    "News article",
)
_CONSULTATIONS = ("Consultation", "Open consultation", "Closed consultation", "Consultation outcome")
_CALLS = (
    "Call for evidence",
    "Open call for evidence",
    "Closed call for evidence",
    "Call for evidence outcome",
)
_GUIDANCE = ("Guidance", "Detailed guide", "Detailed guidance", "Statutory guidance")
_PUBLICATIONS = (
    "Publication",
    "Policy paper",
    "Corporate report",
    "Research and analysis",
    "Independent report",
)

# Words people use for a type -> the type names stored with announcements (GOV.UK's document types,
# humanised: sources/govuk_content.py). Only names nobody uses as a topic: "statistics" or "research"
# would turn "research on vaccines" into a list of one type.
_TYPES: dict[str, tuple[str, ...]] = {
    "speech": ("Speech",),
    "speeches": ("Speech",),
    "press release": ("Press release",),
    "press releases": ("Press release",),
    "news story": ("News story", "News"),
    "news stories": ("News story", "News"),
    "news": _NEWS,
    "statement": _STATEMENTS,
    "statements": _STATEMENTS,
    "written statement": ("Written statement",),
    "written statements": ("Written statement",),
    "oral statement": ("Oral statement",),
    "oral statements": ("Oral statement",),
    "consultation": _CONSULTATIONS,
    "consultations": _CONSULTATIONS,
    "open consultation": ("Open consultation",),
    "open consultations": ("Open consultation",),
    "call for evidence": _CALLS,
    "calls for evidence": _CALLS,
    "guidance": _GUIDANCE,
    "guide": _GUIDANCE,
    "guides": _GUIDANCE,
    "case study": ("Case study",),
    "case studies": ("Case study",),
    "publication": _PUBLICATIONS,
    "publications": _PUBLICATIONS,
    "policy paper": ("Policy paper",),
    "policy papers": ("Policy paper",),
    "letter": ("Correspondence",),
    "letters": ("Correspondence",),
    "fatality notice": ("Fatality notice",),
    "fatality notices": ("Fatality notice",),
    "government response": ("Government response",),
    "government responses": ("Government response",),
    "impact assessment": ("Impact assessment",),
    "impact assessments": ("Impact assessment",),
    "travel advice": ("Travel advice",),
    "foi release": ("Foi release",),
    "foi releases": ("Foi release",),
}


def _singular(words: str) -> str:
    """The singular way of writing a type that _TYPES also lists: "calls for evidence" -> "call for
    evidence", "case studies" -> "case study"; else the words themselves ("news")."""
    for form in (words[:-1], words[:-2], words[:-3] + "y", words.replace("calls ", "call ", 1)):
        if form != words and form in _TYPES:
            return form
    return words


_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?(?:\s+(\d{{4}}))?"
_ISO = r"(\d{4})-(\d{2})-(\d{2})"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thu|fri|sat|sun"
# Days back from today: "in the past fortnight", "the last seven days".
_SPANS = {
    **{"week": 7, "fortnight": 14, "month": 30, "year": 365},
    **{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10},
}


# Words that are all that is left of "what was announced on 15 October" once the filters are read.
_FILLER = frozenset(
    [
        "what",
        "whats",
        "what's",
        "was",
        "were",
        "is",
        "are",
        "has",
        "have",
        "been",
        "any",
        "anything",
        "announcements",
        "announcement",
        "announced",
        "published",
        # "what did defra announce this week", "what did hmrc put out today" (not "does": "what does
        # the environment agency do" asks what it is for)
        "did",
        "announce",
        "publish",
        "release",
        "released",
        "put",
        "out",
        "there",
        "new",
        "the",
        "from",
        "by",
        "on",
        "in",
        "of",
        "show",
        "me",
        "list",
        "all",
        "give",
        "latest",
        "newest",
        "recent",
    ]
)


@dataclass(frozen=True)
class Filters:
    organisations: tuple[str, ...] = ()  # names as the corpus writes them; any of them matches
    types: tuple[str, ...] = ()  # type names as stored; any of them matches
    since: datetime | None = None  # inclusive, UTC
    until: datetime | None = None  # exclusive, UTC
    newest_first: bool = False
    said: tuple[str, ...] = field(default_factory=tuple)  # the phrases read as filters, for replies
    # The types as the words read ("statement"), for replies: "statements" stands for four stored names.
    type_labels: tuple[str, ...] = ()

    def type_words(self) -> str:
        """ "Statement or Speech": the types as asked for (as GOV.UK writes type names), else as stored."""
        labels = [w[:1].upper() + w[1:] for w in self.type_labels]
        return " or ".join(labels or dict.fromkeys(self.types))

    def __bool__(self) -> bool:
        return bool(self.organisations or self.types or self.since or self.until)

    def accepts(self, organisation: str | None, type_: str | None, published: datetime | None) -> bool:
        if self.organisations:
            names = {n.strip().casefold() for n in (organisation or "").split(",")}
            own = (organisation or "").casefold()
            if not any(o.casefold() in names or o.casefold() in own for o in self.organisations):
                return False
        if self.types and (type_ or "").casefold() not in {t.casefold() for t in self.types}:
            return False
        if self.since is not None or self.until is not None:
            if published is None:
                return False
            if self.since is not None and published < self.since:
                return False
            if self.until is not None and published >= self.until:
                return False
        return True

    def describe(self) -> str:
        """In plain words, for a reply: "speeches · HM Treasury · since 1 November 2024"."""
        parts: list[str] = []
        if self.types:
            parts.append(self.type_words())
        if self.organisations:
            parts.append(" or ".join(self.organisations))
        if self.since and self.until and self.until - self.since == timedelta(days=1):
            parts.append(f"on {_day(self.since)}")
        elif self.since and self.until:
            parts.append(f"from {_day(self.since)} to {_day(self.until - timedelta(days=1))}")
        else:
            if self.since:
                parts.append(f"since {_day(self.since)}")
            if self.until:
                parts.append(f"before {_day(self.until)}")
        return " · ".join(parts)


def _day(value: datetime) -> str:
    return f"{value.day} {value:%B %Y}"


def _start(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=UTC)


def _norm(name: str) -> str:
    text = name.casefold().replace("&", " and ").replace("’", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(w for w in text.split() if w != "the")


def initials(name: str) -> set[str]:
    """ "Department for Education" -> {"dfe", "de"}; "Environment Agency" -> {"ea"}."""
    words = [w for w in re.split(r"[\s,&]+", name) if w]
    small = {"for", "of", "and", "the", "on", "in"}
    full = "".join(w[0] for w in words if w.lower() != "the").lower()
    big = "".join(w[0] for w in words if w.lower() not in small).lower()
    return {v for v in (full, big) if len(v) >= 2}


def organisation_index(names: Iterable[str]) -> dict[str, set[str]]:
    """Every way to write each organisation of the corpus -> the names as the corpus writes them."""
    index: dict[str, set[str]] = {}
    known: set[str] = set()
    for raw in names:
        for name in (n.strip() for n in raw.split(",") if n.strip()):
            known.add(name)
        known.add(raw.strip())
    for name in known:
        # "the attorney general" or "the prime minister" names the office that speaks for them.
        holder = re.sub(r"['’]s Office$", "", name)
        for key in {_norm(name), *initials(name), _norm(holder)}:
            index.setdefault(key, set()).add(name)
    lowered = {_norm(n): n for n in known}
    for alias, targets in _ALIASES.items():
        hits = {lowered[_norm(t)] for t in targets if _norm(t) in lowered}
        if hits:
            index.setdefault(alias, set()).update(hits)
    return index


def _take(pattern: str, text: str) -> tuple[re.Match[str] | None, str]:
    match = re.search(pattern, text, re.I)
    if match is None:
        return None, text
    return match, (text[: match.start()] + " " + text[match.end() :]).strip()


def _date_range(text: str, today: date) -> tuple[datetime | None, datetime | None, str | None, str]:
    """The first date phrase in `text`: (since, until, the phrase, text without it)."""
    rules: list[tuple[str, object]] = [
        (rf"\b(?:since|from|after)\s+{_DAY_MONTH}\b", "since"),
        (rf"\b(?:since|from|after)\s+{_ISO}\b", "since-iso"),
        (rf"\b(?:before|until)\s+{_DAY_MONTH}\b", "until"),
        (rf"\b(?:on\s+)?{_DAY_MONTH}\b", "on"),
        (rf"\b(?:on\s+)?{_ISO}\b", "on-iso"),
        (rf"\b(?:in\s+)?({_MONTH})\s+(\d{{4}})\b", "month"),
        (r"\btoday\b", "today"),
        (r"\byesterday\b", "yesterday"),
        (r"\bthis week\b", "this week"),
        (r"\blast week\b", "last week"),
        (r"\bthis month\b", "this month"),
        (r"\blast month\b", "last month"),
        (r"\bthis year\b", "this year"),
        # "what's happened since monday", "and last year?", "in the past 3 days": asked as questions,
        # "since monday" was searched for as words (a fishing licence line's "Monday to Friday").
        (r"\blast year\b", "last year"),
        (rf"\bsince\s+(?:last\s+)?({_WEEKDAY})\b", "since-weekday"),
        (
            r"\b(?:in\s+)?(?:the\s+)?(?:past|last)\s+(\d{1,3}|two|three|four|five|six|seven|ten)\s+days\b",
            "days",
        ),
        (r"\b(?:in\s+)?(?:the\s+)?past\s+(week|fortnight|month|year)\b", "past"),
        (r"\bsince\s+(\d{4})\b", "since-year"),
        # "speeches from 2016" asks for 2016's, as "in 2016" does.
        (r"\b(?:in|during|from|of)\s+(\d{4})\b", "year"),
    ]
    for pattern, kind in rules:
        match, rest = _take(pattern, text)
        if match is None:
            continue
        g = match.groups()
        try:
            if kind in ("since", "until", "on"):
                day = int(g[0])
                month = _MONTHS[g[1].lower()]
                year = int(g[2]) if g[2] else today.year
                d = date(year, month, day)
                if not g[2] and kind != "until" and d > today:
                    d = date(year - 1, month, day)  # "since 1 Nov" in February means last November
                if kind == "since":
                    return _start(d), None, match.group(0), rest
                if kind == "until":
                    return None, _start(d), match.group(0), rest
                return _start(d), _start(d + timedelta(days=1)), match.group(0), rest
            if kind in ("since-iso", "on-iso"):
                d = date(int(g[0]), int(g[1]), int(g[2]))
                if kind == "since-iso":
                    return _start(d), None, match.group(0), rest
                return _start(d), _start(d + timedelta(days=1)), match.group(0), rest
            if kind == "month":
                month, year = _MONTHS[g[0].lower()], int(g[1])
                first = date(year, month, 1)
                after = date(year + (month == 12), month % 12 + 1, 1)
                return _start(first), _start(after), match.group(0), rest
            if kind == "since-weekday":
                # "since thursday" typed on a Thursday means a week ago, not this morning.
                back = (today.weekday() - _WEEKDAYS.index(g[0].lower()[:3])) % 7 or 7
                return _start(today - timedelta(days=back)), None, match.group(0), rest
            if kind in ("days", "past"):
                days = _SPANS.get(g[0].lower()) or int(g[0])
                return _start(today - timedelta(days=days)), None, match.group(0), rest
            if kind in ("year", "since-year"):
                year = int(g[0])
                if not 1990 <= year <= today.year + 1:
                    continue
                until = _start(date(year + 1, 1, 1)) if kind == "year" else None
                return _start(date(year, 1, 1)), until, match.group(0), rest
        except (ValueError, KeyError):
            continue
        monday = today - timedelta(days=today.weekday())
        spans = {
            "today": (today, today + timedelta(days=1)),
            "yesterday": (today - timedelta(days=1), today),
            "this week": (monday, None),
            "last week": (monday - timedelta(days=7), monday),
            "this month": (today.replace(day=1), None),
            "last month": ((today.replace(day=1) - timedelta(days=1)).replace(day=1), today.replace(day=1)),
            "this year": (today.replace(month=1, day=1), None),
            "last year": (today.replace(year=today.year - 1, month=1, day=1), today.replace(month=1, day=1)),
        }
        first_day, end_day = spans[str(kind)]
        return _start(first_day), _start(end_day) if end_day else None, match.group(0), rest
    return None, None, None, text


def parse(text: str, organisations: Sequence[str] = (), now: datetime | None = None) -> tuple[str, Filters]:
    """(what is left to search for, the filters read from `text`)."""
    today = (now or datetime.now(UTC)).date()
    # Two spaces or a line break typed between a filter's words ("press  releases") are one space.
    rest = " " + " ".join(text.split()) + " "
    said: list[str] = []
    since, until, phrase, rest = _date_range(rest, today)
    if phrase:
        said.append(phrase.strip())
    newest = False
    match, rest = _take(r"\b(newest|latest|most recent)( first)?\b", rest)
    if match:
        newest = True
    types: list[str] = []
    type_labels: list[str] = []
    for words in sorted(_TYPES, key=len, reverse=True):
        match, rest = _take(rf"\b{re.escape(words)}\b", rest)
        if match:
            types.extend(_TYPES[words])
            type_labels.append(_singular(words))
            said.append(match.group(0))
    orgs: list[str] = []
    index = organisation_index(organisations)
    # Longest way of writing first, so "environment agency" wins over "ea" inside another word.
    for key in sorted(index, key=len, reverse=True):
        if len(key) < 2:
            continue
        if len(key) <= 4:
            # "co", "ea", "mod" are words or parts of words too: an abbreviation counts when it is
            # written in capitals ("EA", "DfE") or follows "by", "from" or "of".
            pattern = rf"\b(?:by|from|of)\s+(?:the\s+)?{re.escape(key)}\b"
            match = re.search(pattern, rest, re.I)
            if match is None:
                capital = re.search(rf"\b({re.escape(key)})\b", rest, re.I)
                if capital is not None and capital.group(1) != capital.group(1).lower():
                    match = capital
            if match is None:
                continue
            orgs.extend(sorted(index[key]))
            said.append(match.group(0).strip())
            rest = rest[: match.start()] + " " + rest[match.end() :]
            continue
        pattern = rf"(?:\b(?:by|from|of)\s+(?:the\s+)?)?\b{re.escape(key)}\b"
        match = re.search(pattern, rest, re.I)
        if match is None:
            # Names written with "&" or commas in the corpus: compare on the normalised text too.
            normalised = " " + _norm(rest) + " "
            if f" {key} " not in normalised:
                continue
            orgs.extend(sorted(index[key]))
            said.append(key)
            rest = normalised.replace(f" {key} ", " ")
            continue
        orgs.extend(sorted(index[key]))
        said.append(match.group(0).strip())
        rest = rest[: match.start()] + " " + rest[match.end() :]
    leftover = " ".join(w for w in rest.split() if w)
    if all(w.casefold().strip("?!.,") in _FILLER for w in leftover.split()):
        leftover = ""  # "what was announced" once the date is taken: nothing left to search for
    return leftover.strip(), Filters(
        organisations=tuple(dict.fromkeys(orgs)),
        types=tuple(dict.fromkeys(types)),
        type_labels=tuple(dict.fromkeys(type_labels)),
        since=since,
        until=until,
        newest_first=newest,
        said=tuple(said),
    )
