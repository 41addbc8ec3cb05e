"""Turn questions and passages into index terms, the same way for both.

Normalise Unicode (’ and ' alike), split words glued by lost markup ("onGOV.UK"), fold case, drop English
stop-words, stem with Snowball (so "pledges" finds "pledged"), and write amounts without separators
("£300,000" and "300000" both give 300000).
"""

from __future__ import annotations

import re
import threading
import unicodedata

import Stemmer

# Bumped whenever the terms a text gives change: a persisted index built with another version is rebuilt.
VERSION = 4
MAX_WORD = 40  # longer "words" are glued links or encoded data: junk that would bloat the vocabulary

# English function words (contractions too) and question filler ("please", "tell"): they say nothing
# about which passage answers.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's
    her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it
    it's its itself let's me more most mustn't my myself no nor not of off on once only or other ought
    our ours ourselves out over own same shan't she she'd she'll she's should shouldn't so some such
    than that that's the their theirs them themselves then there there's these they they'd they'll
    they're they've this those through to too under until up very was wasn't we we'd we'll we're we've
    were weren't what what's when when's where where's which while who who's whom why why's with won't
    would wouldn't you you'd you'll you're you've your yours yourself yourselves also many much please
    tell s t
    """.split()  # noqa: SIM905 - as a list literal, one word a line, this block would be 180 lines
)

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "′": "'"})
# A lower-case run followed by a capital: "onGOV", "centuryRemoval" (markup lost between two words).
_GLUED_WORDS = re.compile(r"(?<=[a-z]{2})(?=[A-Z])")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)*")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
# Initials joined by an ampersand ("A&E", "R&D", "NS&I", "B&B") are one word: split at the "&", each
# letter was dropped as too short and "a&e waiting times" searched for "waiting times" alone. Written
# without the "&" so that "nsi", as people type it, finds "NS&I".
_AMPERSAND_INITIALS = re.compile(r"(?<![^\W_])[^\W\d_]{1,3}(?:&[^\W\d_]{1,3})+(?![^\W_])")

# Words Snowball stems onto an unrelated word's stem: "housing" onto "hous", the stem of the House of
# Commons and the House of Lords, so "what does the queens speech say about housing" bolded "My
# Lords and Members of the House of Commons". Homes and houses reach it as stand-ins.
_OWN_STEMS = {"housing": "housing"}

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe; the index may be refreshed on a worker thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def normalise(text: str) -> str:
    if not text.isascii():  # NFKC and the quote table cost more than the rest; ASCII needs neither
        text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)
    return _GLUED_WORDS.sub(" ", text).casefold()


def words(text: str) -> list[str]:
    """Surface words of a text after normalisation, before stop-words and stemming."""
    text = normalise(text)
    if "&" in text:
        text = _AMPERSAND_INITIALS.sub(lambda m: m.group(0).replace("&", ""), text)
    return _TOKEN.findall(_THOUSANDS.sub("", text) if "," in text else text)


# word -> term ("" for a stop-word). Shared by every thread: dict reads and writes are atomic in CPython.
_TERM_CACHE: dict[str, str] = {}


def term(word: str) -> str:
    cached = _TERM_CACHE.get(word)
    if cached is not None:
        return cached
    if word in STOP_WORDS or (len(word) == 1 and not word.isdigit()) or len(word) > MAX_WORD:
        result = ""
    elif word[0].isdigit():
        result = word
    elif word in _OWN_STEMS:
        result = _OWN_STEMS[word]
    else:
        result = _stemmer().stemWord(word.removesuffix("'s"))
    if len(_TERM_CACHE) < 2_000_000:
        _TERM_CACHE[word] = result
    return result


def tokenize(text: str) -> list[str]:
    """Index terms of a text, in order, repeats kept (BM25 counts them)."""
    found = words(text)
    # map/filter run in C: this is the hot loop of building an index over a million chunks.
    terms = list(map(_TERM_CACHE.get, found))
    if None in terms:
        terms = [t if t is not None else term(w) for t, w in zip(terms, found, strict=True)]
    return list(filter(None, terms))
