""" "Sorry, I meant fireworks": the chat's last question asked again with the correction in place.

People correct themselves the way they would with a person: "i meant fireworks", "no, for adults",
"*fireworks", "i meant the rod licence not the fishing one". Asked as a question on its own, such a
message was declined ("I found nothing that answers “sorry i meant fireworks”"), though it says
exactly what to ask. What it replaces in the last question, tried in this order:
1. what it names after "not" / "instead of" / "rather than" ("fireworks not firearms");
2. the phrase after the same preposition ("for adults" replaces "for kids"), or, with no such
   phrase, it is added ("for adults" after "how much is a fishing licence");
3. as many words as it brings, ending in its own last word ("the rod licence" replaces "fishing
   licence", "pledged" replaces "pledge");
4. the one word spelt most like it ("fireworks" replaces "firearms": a slip of the keyboard or of
   memory);
5. the phrase after the question's last preposition ("adults" replaces "kids" in "… for kids").
Otherwise it is added to the question. A correction phrased as a whole question is asked as it is.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from retrieval.ranking.query import phrased_as_question
from retrieval.search.tokenize import STOP_WORDS, term

_PREPOSITIONS = frozenset(
    "for in at on about from by to with without during after before under over near around into".split()  # noqa: SIM905
)
_ARTICLES = re.compile(r"^(?:the|a|an|my|our|their)\s+", re.I)
_NOT = re.compile(r"^(?P<new>.+?),?\s+(?:not|instead of|rather than)\s+(?P<old>.+)$", re.I)
# Spelt this much alike, two words are one slip apart ("firearms" / "fireworks" 0.71, "licence" /
# "license" 0.86); unrelated words of a short question stay below ("kids" / "adults" 0.4).
_ALIKE = 0.7
_WORD = re.compile(r"[\w'’£$€%-]+")


def rewrite(previous: str, correction: str) -> str:
    """The question `previous` as `correction` says it was meant."""
    correction = correction.strip().rstrip("?!.").strip()
    said = _NOT.match(correction)
    if said is not None:
        new, old = _ARTICLES.sub("", said.group("new")), _ARTICLES.sub("", said.group("old"))
        # "the rod licence not the fishing one": "one" stands for the word they share.
        old = re.sub(r"\bones?$", new.split()[-1], old)
        replaced = _replace_words(previous, old, new)
        if replaced is not None:
            return replaced
        correction = said.group("new")
    if phrased_as_question(correction):
        return correction
    tokens = _WORD.findall(previous)
    fix = _WORD.findall(correction)
    if not tokens or not fix:
        return f"{previous} {correction}".strip()
    lowered = [t.casefold() for t in tokens]
    if fix[0].casefold() in _PREPOSITIONS:
        at = _last(lowered, fix[0].casefold())
        if at is None:
            return f"{previous.rstrip(' ?!.')} {correction}"
        return _spliced(tokens, at, _phrase_end(lowered, at), correction)
    bare = _ARTICLES.sub("", correction)
    content = [w for w in _WORD.findall(bare) if w.casefold() not in STOP_WORDS]
    if content:
        head = term(content[-1].casefold())
        at = next((i for i in range(len(lowered) - 1, -1, -1) if term(lowered[i]) == head), None)
        if at is not None:
            # As many words as it brings: "the rod licence" replaces "fishing licence", "pledged" only
            # "pledge" of "the home secretary pledge".
            start = at
            while at - start < len(content) - 1 and start > 0 and lowered[start - 1] not in STOP_WORDS:
                start -= 1
            return _spliced(tokens, start, at + 1, bare)
        if len(content) == 1:
            word = content[0].casefold()
            # Stop-words are no slip for a topic word ("them" for "theme").
            alike = [(_likeness(word, w), i) for i, w in enumerate(lowered) if w not in STOP_WORDS]
            ratio, at = max(alike, default=(0.0, 0))
            if ratio >= _ALIKE:
                return _spliced(tokens, at, at + 1, bare)
    at = max((i for i, w in enumerate(lowered) if w in _PREPOSITIONS), default=None)
    while at and lowered[at - 1] in _PREPOSITIONS:  # "for under 16s": the phrase opens at "for"
        at -= 1
    if at is not None and at + 1 < len(tokens):
        return _spliced(tokens, at + 1, _phrase_end(lowered, at), bare)
    return f"{previous.rstrip(' ?!.')} {correction}"


def _replace_words(previous: str, old: str, new: str) -> str | None:
    pattern = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in old.split()) + r"\b", re.I)
    if pattern.search(previous) is None:
        return None
    return pattern.sub(new, previous, count=1)


def _likeness(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _last(lowered: list[str], word: str) -> int | None:
    return next((i for i in range(len(lowered) - 1, -1, -1) if lowered[i] == word), None)


def _phrase_end(lowered: list[str], at: int) -> int:
    """Where the phrase a preposition at `at` opens ends: at the next preposition after a word of its
    own ("for under 16s" is one phrase), or at the end."""
    return next((i for i in range(at + 2, len(lowered)) if lowered[i] in _PREPOSITIONS), len(lowered))


def _spliced(tokens: list[str], start: int, end: int, words: str) -> str:
    return " ".join([*tokens[:start], words, *tokens[end:]])
