"""Evidence about one candidate passage that BM25 does not see.

BM25 scores a bag of words. Whether a passage *answers* also depends on how much of the question it
covers alone and with its title, whether the question's words sit together in one sentence, whether it
holds the kind of fact asked for (an amount for "how much", a date for "when", a name for "who"), where
it sits in its announcement and how it compares with that announcement's other passages, how strongly
the rest of that announcement matches, whether the sentence it matches with is only a heading, and
whether the announcement was withdrawn. Each is a number here; `model.py` weighs them with weights
fitted on the training questions (`fit.py`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from retrieval.ranking import passages
from retrieval.ranking.passages import FACTS, Parsed
from retrieval.ranking.query import AnswerType, Detail, Query, wanted_detail, wanted_type
from retrieval.search.document import organisation_words
from retrieval.search.tokenize import term, tokenize, words

FEATURES = (
    "bm25_rel",
    "bm25_share",
    "cov_text",
    "cov_all",
    "cov_title",
    "cov_sentence",
    "cov_window",
    "cov_rest",
    "cov_rest_window",
    "density",
    "type_passage",
    "type_sentence",
    "type_missing",
    "strong_sentence",
    "typed_window",
    "first_position",
    "position_inv",
    "ann_top",
    "ann_rank_inv",
    "ann_mass",
    "length_log",
    "withdrawn",
    "fresh",
    "precise_passage",
    "precise_sentence",
    "heading",
    "sentences_log",
    "bm25_vs_announcement",
    "sentence_vs_announcement",
    "rest_window_vs_announcement",
    "counted_missing",
    "counted_sentence",
)

# Most wrong first passages are another passage of the right announcement, one that repeats the
# question's words more. How a passage compares with the best of its own announcement's candidates
# is evidence its absolute figures do not give: these are its gap to that best, 0 for the best.
_VS_ANNOUNCEMENT = (
    ("bm25_vs_announcement", "bm25_rel"),
    ("sentence_vs_announcement", "cov_sentence"),
    ("rest_window_vs_announcement", "cov_rest_window"),
)


@dataclass(frozen=True)
class Candidate:
    """A passage the first stage found, with what the second stage needs and no announcement body."""

    chunk_id: int
    announcement_id: int
    position: int
    text: str
    title: str
    published: datetime | None
    withdrawn: bool
    bm25: float
    analysis: str | None = None  # its sentences and their terms, as stored (passages.analysis)
    organisation: str | None = None


@dataclass(frozen=True)
class _Sentences:
    """What choosing a passage's bold sentence needs, kept from `gather` so that only the passages
    shown pay for the choice."""

    sentences: Sequence[str]
    masks: list[int]
    title_mask: int
    typed: Sequence[bool]
    strong: Sequence[bool]
    best: int  # the sentence the evidence reads
    detail: Sequence[bool] | None  # holds the precise form the question's detail asks for
    counted: list[bool] | None  # gives a number of what "how many" counts


@dataclass
class Evidence:
    matrix: np.ndarray  # candidates x FEATURES
    covered: Coverage
    per_candidate: list[_Sentences]
    bold_weights: Sequence[float] | None = None

    @property
    def wants(self) -> AnswerType | None:
        return self.covered.wants

    def sentence(self, row: int) -> str:
        """The sentence of candidate `row` to show in bold: the best by `bold_weights` when there
        are any, else the one the evidence reads."""
        c = self.per_candidate[row]
        if self.bold_weights is None or len(c.sentences) < 2:
            return c.sentences[c.best]
        rows = bold_rows(self.covered, c)
        scores = [sum(w * f for w, f in zip(self.bold_weights, r, strict=True)) for r in rows]
        best = max(range(len(c.sentences)), key=lambda i: (scores[i], -i))
        # "Prime Minister Theresa May said:" shares the most words with "what did the pm say", but what
        # she said is the quote after it; it is the answer only to who said it.
        if best + 1 < len(c.sentences) and self.wants != "person" and _SAID.search(c.sentences[best]):
            best += 1
        return c.sentences[best]


# What makes a sentence the one to bold, weighed by `bold_weights` (fitted on which sentence of a
# right passage holds the expected text): the share of the question it covers; whether it holds
# the kind of fact asked for, and in its precise form; the share it covers of what the question
# asks beyond the announcement's title (a heading repeats the title's words and answers nothing);
# whether it reads as a heading or a label ("Home Repair Assistance", "In 2011, onshore wind:"); the
# form the question's detail asks for ("18 weeks" for "how long"); a number of what "how many"
# counts; whether it opens the passage; its length.
BOLD_FEATURES = (
    "coverage",
    "fact",
    "precise_fact",
    "beyond_title",
    "heading",
    "detail",
    "counted",
    "first",
    "length_log",
)
_ENDS_A_SENTENCE = tuple('.!?…"”’)')


_BULLETS = ("•", "-", "*", "–")
_TABLE_ROW = re.compile(r": [^;]+; [^:;]+: | \| ")  # named cells (chunking._table_lines), or bare ones
# A field of a form or a register, its label and its value on one line (chunking._fields): "Volume: 4.2
# cubic metres per day".
_FIELD = re.compile(r"[A-Z][\w ]{0,60}: \S")
# A line that only says who speaks next ("Prime Minister Theresa May said:").
_SAID = re.compile(
    r"\b(said|says|added|adds|commented|explained|stated|continued|told [A-Z][\w ]{0,40})[:,]\s*$"
)


_BY = re.compile(r"\b(statement|letter|message|foreword|article|speech) (by|from)\b", re.IGNORECASE)


def _heading(sentence: str) -> float:
    text = sentence.rstrip()
    # A question in the text ("How can I apply for the Young Leaders Programme?") heads its answer,
    # as a label does: it repeats what was asked and answers nothing.
    if text.endswith((":", "?")):
        return 1.0
    # A short list item ("• car traffic increased by 1.3 %") is often the answer, and never a heading.
    if text.lstrip().startswith(_BULLETS):
        return 0.0
    # A table row ("Pupils: Service children; Per pupil rate: £300") is short and unpunctuated, and is
    # the answer as often as a list item is.
    if _TABLE_ROW.search(text) or _FIELD.match(text):
        return 0.0
    return 1.0 if not text.endswith(_ENDS_A_SENTENCE) and len(text.split()) < 9 else 0.0


def _lead_in(sentence: str) -> float:
    """_heading of a sentence holding the precise fact asked for. A line that says whose words follow
    ("Joint statement by Foreign Secretary, Jeremy Hunt and …, Chrystia Freeland:", "Home Secretary
    Sajid Javid said:") names who speaks, which is what "who signed it" asks. A line leading into a
    list ("We received 113 written responses from:") still heads the list that answers."""
    text = sentence.rstrip()
    if text.endswith(":") and (_SAID.search(text) or _BY.search(text)):
        return 0.0
    return _heading(sentence)


def bold_rows(covered: Coverage, c: _Sentences) -> list[tuple[float, ...]]:
    """BOLD_FEATURES of each sentence of a passage."""
    no = [False] * len(c.sentences)
    return [
        (
            covered.share(m),
            1.0 if t else 0.0,
            1.0 if st else 0.0,
            covered.rest_share(m, c.title_mask) if c.title_mask != covered.everything else 0.0,
            _lead_in(sentence) if st else _heading(sentence),
            1.0 if d else 0.0,
            1.0 if k else 0.0,
            1.0 if i == 0 else 0.0,
            math.log(len(sentence) + 1),
        )
        for i, (m, t, st, sentence, d, k) in enumerate(
            zip(c.masks, c.typed, c.strong, c.sentences, c.detail or no, c.counted or no, strict=True)
        )
    ]


def _share(query: Query, present: set[str]) -> float:
    total = query.total_weight
    if not total:
        return 0.0
    return sum(c.weight for c in query.concepts if not c.terms.isdisjoint(present)) / total


_MONEY_WORDS = frozenset(["money", "cash", "quid", "pounds"])


class Coverage:
    """The question's concepts a text holds, as a bit mask (bit k: concept k), and the shares of the
    question's weight that masks stand for, each share summed once per question (memoised): a
    question meets a few hundred sentences but only a few dozen different masks."""

    def __init__(self, query: Query) -> None:
        self.wants = query.wants
        self.concepts = query.concepts
        self.total = query.total_weight
        self._sums: dict[int, float] = {}
        self._shares: dict[int, float] = {}
        self.everything = (1 << len(self.concepts)) - 1
        # Each term of any concept, with the bits of the concepts it satisfies: a text's mask is then
        # one intersection in C and a few ORs, not one set test per concept (~100 texts a question).
        self._bits: dict[str, int] = {}
        for k, concept in enumerate(self.concepts):
            for t in concept.terms:
                self._bits[t] = self._bits.get(t, 0) | 1 << k
        self._terms = frozenset(self._bits)
        self._initials = frozenset(t[0] for t in self._bits)
        # "Money" is what a sum of it says: "when did javid pledge the money" is answered by "pledged
        # a further £300,000" and not by "predators are making money".
        self.money = sum(1 << k for k, c in enumerate(self.concepts) if c.word in _MONEY_WORDS)

    def with_sums(self, masks: list[int], parsed: Parsed) -> list[int]:
        """`masks` of `parsed`'s sentences, each holding a sum of money also holding the money words."""
        if not self.money:
            return masks
        sums = parsed.flags("amount", strong=True)
        return [m | self.money if s else m for m, s in zip(masks, sums, strict=True)]

    def mask(self, terms: Iterable[str]) -> int:
        m = 0
        for t in self._terms.intersection(terms):
            m |= self._bits[t]
        return m

    def words_mask(self, text_words: Sequence[str]) -> int:
        """`mask(tokenize(text))` from the text's words (`tokenize.words`). A word's term begins with
        the word's first letter (stemming cuts and rewrites endings only; numbers are kept whole), so
        a word no concept's term begins like cannot hold one and is not stemmed."""
        initials, bits = self._initials, self._bits
        m = 0
        for w in text_words:
            if w[0] in initials:
                m |= bits.get(term(w), 0)
        return m

    def weight(self, mask: int) -> float:
        total = self._sums.get(mask)
        if total is None:
            # In concept order, as _share adds them: the same floating-point sum.
            total = self._sums[mask] = sum(c.weight for k, c in enumerate(self.concepts) if mask >> k & 1)
        return total

    def share(self, mask: int) -> float:
        found = self._shares.get(mask)
        if found is None:
            found = self._shares[mask] = self.weight(mask) / self.total if self.total else 0.0
        return found

    def rest_share(self, mask: int, title_mask: int) -> float:
        """Of the question's concepts its title does not hold (what it asks beyond the topic), the
        share `mask` holds. An on-topic question the text does not answer fails here: the event's
        name is in the title, the cost it asks for is in no sentence."""
        rest = self.everything & ~title_mask
        total = self.weight(rest)
        if not total:
            return 1.0
        return self.weight(mask & rest) / total


_COLUMN = {name: i for i, name in enumerate(FEATURES)}


# A person named once with their role ("Home Secretary Sajid Javid said:") is "the Home Secretary" in
# the rest of the announcement ("The Home Secretary last week pledged a further £300,000"): the
# passage that answers a question naming them often never says their name.
_ROLE = re.compile(
    r"\b((?:[A-Z][a-z]+ ){0,2}(?:Secretary|Minister|Chancellor|Ambassador|Commissioner|Mayor|President"
    r"|Chair|Chairman|Chairwoman|Director|Executive|General))(?: of [A-Z][a-z]+(?: [A-Z][a-z]+)?)?,? "
    r"((?:(?:Dr|Sir|Dame|Lord|Lady|Baroness|Professor|Rt Hon|The Rt Hon) )?(?:[A-Z][a-z]+ ){1,2}[A-Z][a-z]+)"
)
_ROLE_HINT = re.compile(
    r"Secretary|Minister|Chancellor|Ambassador|Commissioner|Mayor|President|Chair|Director|Executive|General"
)


@functools.lru_cache(maxsize=8192)
def _named_roles(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each role the text writes before a name: (the role in lower case, the name's terms). The same
    passages come back question after question: read once."""
    if _ROLE_HINT.search(text) is None:
        return ()
    found = []
    for m in _ROLE.finditer(text):
        role = m.group(1).casefold()
        if role not in ("director general", "general"):
            found.append((role, tuple(term(w) for w in words(m.group(2)))))
    return tuple(found)


def _roles(covered: Coverage, texts: Iterable[str]) -> list[tuple[str, int]]:
    """(role as the text writes it, lower case; the bits of the question's concepts that name the
    person holding it), from passages naming someone with their role."""
    found: dict[str, int] = {}
    for text in texts:
        for role, name in _named_roles(text):
            if bits := covered.mask(name):
                found[role] = found.get(role, 0) | bits
    return list(found.items())


def has_fact(kind: AnswerType, text: str) -> bool:
    return bool(FACTS[kind].search(text))


# The details whose form a sentence either has or lacks: "how long" wants "18 weeks", and "No10" is a
# number but no length of time.
_FACT_FORMS: frozenset[Detail] = frozenset(
    ("duration", "frequency", "share", "age", "deadline", "time", "phone", "email")
)


def holds_asked_fact(question: str, text: str) -> bool:
    """Whether `text` holds the kind of fact `question` asks for, in the form its detail asks for
    (True when it asks for none)."""
    kind = wanted_type(question)
    if kind is not None and not has_fact(kind, text):
        return False
    detail = wanted_detail(question)
    return detail not in _FACT_FORMS or bool(passages.DETAILS[detail].search(text))


def gives_asked_form(question: str, text: str) -> bool:
    """Whether `text` gives a fact in the precise form `question` asks for ("under 40 years old" for
    "whats the age limit"); False when it asks for no such form."""
    return wanted_detail(question) in _FACT_FORMS and holds_asked_fact(question, text)


# Chunk ids are never reused for other text (the store's ids only grow), so reading a passage once
# serves every later question that meets it, with the facts found in it so far. Bounded; dict reads
# and writes are atomic in CPython.
_PARSED: dict[int, Parsed] = {}
_PARSED_MAX = 50_000


def _parse(candidate: Candidate) -> Parsed:
    parsed = _PARSED.get(candidate.chunk_id)
    if parsed is None or parsed.sentences[0] not in candidate.text:
        parsed = passages.read(candidate.text, candidate.analysis)
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[candidate.chunk_id] = parsed
    return parsed


def forget_passages() -> None:
    """Forget every passage and title read so far: the next questions read theirs from the store,
    as a fresh process would (bench.run asks its questions again under other conditions)."""
    _PARSED.clear()
    _TITLE_WORDS.clear()


# A title's words, by its text: a title is met by many questions. Its mask is made from its words,
# not its terms (`Coverage.words_mask`): stemming every word of 24 new titles cost a fifth of a
# fresh question.
_TITLE_WORDS: dict[str, tuple[str, ...]] = {}


def _title_words(title: str) -> tuple[str, ...]:
    found = _TITLE_WORDS.get(title)
    if found is None:
        if len(_TITLE_WORDS) >= _PARSED_MAX:
            _TITLE_WORDS.clear()
        found = _TITLE_WORDS[title] = tuple(words(title))
    return found


_COUNT_WORDS = frozenset(passages.NUMBER_WORDS)
_COUNT_NEAR = 3  # "1,200 new homes", "40 of the children", "children in care rose to 70,440"


_PHONE = passages.DETAILS["phone"]


def _is_count(word: str) -> bool:
    # A year is a date, not a count: "children in 2024" says nothing of how many.
    return (word[0].isdigit() and not (len(word) == 4 and word[:2] in ("19", "20"))) or word in _COUNT_WORDS


_AGED = frozenset({"age", "aged", "ages"})
# A small number that names one of a series counts nothing: "the Employer's Class 1 NIC", "Level 5",
# "section 27", "PO Box 42", "by the end of year 4" (but "each year 5,000 people…" counts).
_LABELS = frozenset(
    """
    class level phase stage section article tier grade part chapter table schedule category type band
    no version route line paragraph clause annex appendix figure page step round option theme room
    floor zone unit box year key
    """.split()  # noqa: SIM905 - a word list, easier to read as text
)


def _names_no_count(ws: Sequence[str], j: int) -> bool:
    """An age ("children (people aged under 18)", "3 and 4 year olds") or a label."""
    after = ws[j + 1 : j + 3]
    return (
        any(w in _AGED for w in ws[max(j - 2, 0) : j])
        # The top of an age range: "people aged between 55 and 74", "aged 16 to 18".
        or (j >= 3 and ws[j - 1] in ("and", "to") and any(w in _AGED for w in ws[j - 4 : j - 2]))
        or (j > 0 and ws[j - 1] in _LABELS and len(ws[j]) <= 3)
        or (len(after) == 2 and after[0] in ("year", "years") and after[1] in ("old", "olds"))
    )


# A share of them is not how many: "88% of affordable homes" does not say how many homes.
_SHARE = re.compile(r"\d[\d.,]*\s?(%|per ?cent\b)", re.IGNORECASE)


def _numbers_in(sentence: str) -> tuple[list[str], list[int]]:
    """A sentence's words and where a number in them counts something. A phone number counts
    nothing ("Out of hours 020 7944 4292" says no number of hours), nor a share, an age or a label."""
    ws = words(_SHARE.sub(" ", _PHONE.sub(" ", sentence)))
    return ws, [j for j, w in enumerate(ws) if _is_count(w) and not _names_no_count(ws, j)]


def counted_flags(sentences: Sequence[str], typed: Sequence[bool], counted: frozenset[str]) -> list[bool]:
    """Which sentences give a number of what "how many" counts: a number within a few words of one of
    its words. A passage about the same thing with some other number in it does not answer."""
    found = [False] * len(sentences)
    for i, sentence in enumerate(sentences):
        if not typed[i]:
            continue
        ws, counts = _numbers_in(sentence)
        if counts and any(
            term(w) in counted and any(abs(j - k) <= _COUNT_NEAR for k in counts) for j, w in enumerate(ws)
        ):
            found[i] = True
    return found


def counts_closely(text: str, counted: frozenset[str]) -> bool:
    """Whether `text` puts a number right before what "how many" counts ("seven specific
    recommendations", "over 47 million drivers"): closer than `counted_flags` asks, for a passage
    read from further down than the results."""
    for sentence in passages.sentences_of(text):
        ws, counts = _numbers_in(sentence)
        if any(
            term(w) in counted and any(0 < j - k <= _COUNT_NEAR for k in counts) for j, w in enumerate(ws)
        ):
            return True
    return False


# A name or a place the question itself gives is not what it asks: "who else is baroness chapman
# meeting?" is not answered by "Baroness Chapman arrives in Jamaica", nor "who from the sia commented
# on the samuel miller case?" by "Samuel Miller committed fraud".
_NOT_THEIR_OWN: frozenset[AnswerType] = frozenset(("person",))


_NO_ONE = frozenset(tokenize("government"))


def _facts(parsed: Parsed, kind: AnswerType, query: Query | None = None) -> Sequence[bool]:
    flags: Sequence[bool] = (
        parsed.future_date_flags()
        if kind == "date" and query is not None and query.future
        else parsed.flags(kind)
    )
    if query is not None and kind == "date" and query.detail == "deadline":
        # A time limit answers a deadline as well as a date does: "within 10 months of the end of
        # each financial period" is when a charity's annual return is due.
        flags = [f or d for f, d in zip(flags, parsed.detail_flags("deadline"), strict=True)]
    if query is None or kind not in _NOT_THEIR_OWN or not any(flags):
        return flags
    # "The Government" names no one: "the Hong Kong Government" did not sign the UK and Canada's
    # statement on Hong Kong.
    own = set(query.terms) | _NO_ONE
    pattern = FACTS[kind]
    return [
        flag
        and any(
            not own.issuperset(_named(m, sentence)) or _DESCRIBED.match(sentence, m.end())
            for m in pattern.finditer(sentence)
        )
        for flag, sentence in zip(flags, parsed.sentences, strict=True)
    ]


_HONORIFIC = re.compile(r"(Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Baroness|Baron|Professor|Prof|Rt Hon)")
_NAME_AFTER = re.compile(r"(?: [A-Z][\w'’-]+)+")


def _named(found: re.Match[str], sentence: str) -> list[str]:
    """The terms of who a match names: after a bare honorific, the name that follows it ("Mr
    Miller", whom "who from the sia commented on the samuel miller case" already names)."""
    if _HONORIFIC.fullmatch(found.group(0)) and (name := _NAME_AFTER.match(sentence, found.end())):
        return tokenize(name.group(0))
    return tokenize(found.group(0))


def _to_come(
    query: Query, typed: Sequence[bool], sentences: Sequence[str], published: datetime | None
) -> Sequence[bool]:
    """For "when will…", the sentences whose date may be to come: "In 2015 the total demand…", in a
    speech of 2016, says nothing of when demand will peak."""
    if not (query.future and query.wants == "date" and published is not None and any(typed)):
        return typed
    return [t and passages.dates_to_come(s, published) for t, s in zip(typed, sentences, strict=True)]


# Except where the text says who they are: "who is professor arin dube" is answered by "Professor
# Arin Dube, as a recognised expert on minimum wage policy", the name followed by what they are.
_DESCRIBED = re.compile(r",? ?(as |is |was |who is )?(a|an|the|one of)\b")


def _precise(parsed: Parsed, query: Query) -> Sequence[bool] | None:
    """Which sentences hold the fact in the precise form the question asks for, if it asks one."""
    if query.detail is None:
        return None
    if query.detail == "definition" and query.defines is not None:
        return parsed.definition_flags(query.defines)
    if query.detail == "named" and query.named is not None:
        return parsed.named_flags(query.named)
    return parsed.detail_flags(query.detail)


def _strong(parsed: Parsed, kind: AnswerType) -> Sequence[bool]:
    return parsed.flags(kind, strong=True)


def sentence_bold_rows(query: Query, candidate: Candidate) -> tuple[Sequence[str], list[tuple[float, ...]]]:
    """A passage's sentences and their BOLD_FEATURES, as `gather` reads them (for fitting)."""
    covered = Coverage(query)
    parsed = _parse(candidate)
    masks = covered.with_sums([covered.mask(st) for st in parsed.terms], parsed)
    wants = query.wants
    sentences = parsed.sentences
    typed = _facts(parsed, wants, query) if wants else [False] * len(sentences)
    typed = _to_come(query, typed, sentences, candidate.published)
    strong = _strong(parsed, wants) if wants else [False] * len(sentences)
    title_mask = covered.words_mask(_title_words(candidate.title))
    detail = _precise(parsed, query)
    counted = counted_flags(sentences, typed, query.counted) if query.counted else None
    found = _Sentences(sentences, masks, title_mask, typed, strong, 0, detail, counted)
    return sentences, bold_rows(covered, found)


def gather(
    query: Query,
    candidates: Sequence[Candidate],
    sentence_weights: tuple[float, float] = (1.0, 0.3),
    bold_weights: Sequence[float] | None = None,
) -> Evidence:
    """Evidence for each candidate, and what choosing the sentence of each to show in bold needs
    (`Evidence.sentence`). The sentence the evidence reads is the one that covers most of the
    question, plus `sentence_weights[1]` if it holds the kind of fact asked for; the one shown is
    the best by `bold_weights` (BOLD_FEATURES) when given, else that same sentence."""
    covered = Coverage(query)
    per_candidate: list[_Sentences] = []
    if not candidates:
        return Evidence(np.zeros((0, len(FEATURES)), np.float64), covered, per_candidate, bold_weights)
    top = max(c.bm25 for c in candidates) or 1.0
    # BM25 as a share of the most the question's terms could score: raw BM25 grows with the corpus's
    # idfs (and with a question's repeated words), so read raw, a score means one thing in the 46
    # passages of the seed file and another in a million.
    bound = query.best_bm25 or 1.0
    by_announcement: dict[int, float] = {}
    mass: dict[int, float] = {}
    for c in candidates:
        by_announcement[c.announcement_id] = max(by_announcement.get(c.announcement_id, 0.0), c.bm25)
        mass[c.announcement_id] = mass.get(c.announcement_id, 0.0) + c.bm25
    ranked = sorted(by_announcement, key=lambda a: -by_announcement[a])
    ann_rank = {a: r for r, a in enumerate(ranked)}
    total_mass = sum(mass.values()) or 1.0
    dated = sorted({c.published for c in candidates if c.published is not None})
    title_masks: dict[int, int] = {}
    heading_masks: dict[int, int] = {}
    wants = query.wants
    w_cov, w_type = sentence_weights
    mask, share, rest_share = covered.mask, covered.share, covered.rest_share
    rows: list[tuple[float, ...]] = []
    by_ann_texts: dict[int, list[str]] = {}
    for c in candidates:
        by_ann_texts.setdefault(c.announcement_id, []).append(c.text)
    roles = {a: _roles(covered, texts) for a, texts in by_ann_texts.items()}
    for c in candidates:
        title_mask = title_masks.get(c.announcement_id)
        if title_mask is None:
            title_mask = title_masks[c.announcement_id] = covered.words_mask(_title_words(c.title))
            # What the question asks beyond its topic leaves out the publisher's name as well: every
            # passage of the page is found under it ("department of health … phone number"), so a
            # passage that happens to write it out (the page's summary) covers nothing more for it.
            heading_masks[c.announcement_id] = title_mask | covered.words_mask(
                _title_words(organisation_words(c.organisation) if c.organisation else "")
            )
        heading_mask = heading_masks[c.announcement_id]
        parsed = _parse(c)
        sentences, sentence_terms = parsed.sentences, parsed.terms
        n_sentences = len(sentences)
        masks = covered.with_sums([mask(st) for st in sentence_terms], parsed)
        if held := roles[c.announcement_id]:
            lowered = [sentence.casefold() for sentence in sentences]
            masks = [
                m | sum(bits for role, bits in held if role in low)
                for m, low in zip(masks, lowered, strict=True)
            ]
        text_mask = 0
        for m in masks:
            text_mask |= m
        covs = [share(m) for m in masks]
        pairs = [masks[i] | masks[i + 1] for i in range(n_sentences - 1)]
        windows = [share(m) for m in pairs]
        if wants:
            typed = _facts(parsed, wants, query)
            typed = _to_come(query, typed, sentences, c.published)
            strong = _strong(parsed, wants)
            scores = [
                w_cov * cv + (w_type if t else 0.0) + (w_type if st else 0.0)
                for cv, t, st in zip(covs, typed, strong, strict=True)
            ]
            passage_has = any(typed)
            # The best coverage of a sentence, or of a pair of neighbours, that holds the fact.
            typed_window = max(
                (
                    cv
                    for cv, t in zip(
                        [*covs, *windows],
                        [*typed, *(typed[i] or typed[i + 1] for i in range(len(windows)))],
                        strict=True,
                    )
                    if t
                ),
                default=0.0,
            )
        else:
            # Nothing is asked for: no sentence holds it, and each score is the coverage alone
            # (plus the same two zeros, so that the sums are the same floats).
            typed = strong = [False] * n_sentences
            scores = [w_cov * cv + 0.0 + 0.0 for cv in covs]
            passage_has = False
            typed_window = 0.0
        precise = _precise(parsed, query)
        counts = counted_flags(sentences, typed, query.counted) if query.counted else None
        # The first of the highest scores, as max over (score, -position) picks it.
        best = scores.index(max(scores))
        per_candidate.append(_Sentences(sentences, masks, title_mask, typed, strong, best, precise, counts))
        matched = masks[best].bit_count()
        sentence_len = max(len(sentence_terms[best]), 1)
        published = c.published
        ann = c.announcement_id
        rows.append(
            (
                c.bm25 / top,
                max(c.bm25, 0.0) / bound,
                share(text_mask),
                share(text_mask | title_mask),
                share(title_mask),
                covs[best],
                max(windows) if windows else covs[best],
                rest_share(text_mask, heading_mask),
                max([rest_share(m, heading_mask) for m in pairs])
                if pairs
                else rest_share(masks[best], heading_mask),
                min(matched / sentence_len, 1.0),
                1.0 if wants and passage_has else 0.0,
                1.0 if wants and typed[best] else 0.0,
                1.0 if wants and not passage_has else 0.0,
                1.0 if wants and strong[best] else 0.0,
                typed_window,
                1.0 if c.position == 0 else 0.0,
                1.0 / (1 + c.position),
                1.0 if ann_rank[ann] == 0 else 0.0,
                1.0 / (1 + ann_rank[ann]),
                mass[ann] / total_mass,
                math.log(max(len(c.text), 20)),
                1.0 if c.withdrawn else 0.0,
                (dated.index(published) + 1) / len(dated) if query.recent and published is not None else 0.0,
                1.0 if precise and any(precise) else 0.0,
                1.0 if precise and precise[best] else 0.0,
                _heading(sentences[best]),
                math.log1p(n_sentences),
                0.0,  # the three gaps to the announcement's best, below
                0.0,
                0.0,
                1.0 if counts is not None and not any(counts) else 0.0,
                1.0 if counts and counts[best] else 0.0,
            )
        )
    # One conversion of all rows: the same float64 values as writing each row into the matrix.
    matrix = np.array(rows, np.float64)
    # Each candidate's row of its announcement (in order of first appearance), then each column's
    # best per announcement in one unbuffered maximum.
    group_of: dict[int, int] = {}
    groups = np.array([group_of.setdefault(c.announcement_id, len(group_of)) for c in candidates])
    sources = [_COLUMN[of] for _, of in _VS_ANNOUNCEMENT]
    tops = np.full((len(group_of), len(sources)), -np.inf)
    np.maximum.at(tops, groups, matrix[:, sources])
    matrix[:, [_COLUMN[gap] for gap, _ in _VS_ANNOUNCEMENT]] = matrix[:, sources] - tops[groups]
    return Evidence(matrix, covered, per_candidate, bold_weights)
