"""Is a word English? The 82,765 words of symspellpy's English frequency dictionary (SCOWL's words
that Google Books uses most, British and American spellings both; MIT licence), read from the
installed package the first time a question holds a word its corpus lacks.

A question word the corpus does not use is either a real word the corpus has no use for ("leaving",
"weekend", "visa") or a slip of one it has ("couocils", "fuud"). Reading a real word as the nearest
corpus word answers another question ("leaving" -> "leading"), so only words that are not English
are read as another word: a word that is no English at all, or a rare word that a slip of a far
commoner one makes ("fores" -> forces, "wok" -> work; `query.SLIP_ODDS`).
"""

from __future__ import annotations

import threading
from importlib import resources

_DICTIONARY = "frequency_dictionary_en_82_765.txt"
_lock = threading.Lock()
_counts: dict[str, int] | None = None


def load() -> dict[str, int]:
    """The dictionary, read now if not yet (a long-running process reads it at start-up: 50 ms)."""
    global _counts, _by_shape
    if _counts is None:
        with _lock:
            if _counts is None:
                text = resources.files("symspellpy").joinpath(_DICTIONARY).read_text(encoding="utf-8")
                counts = {}
                for line in text.splitlines():
                    word, _, count = line.partition(" ")
                    # Two-letter entries are mostly abbreviations ("cd", "st"), not words to protect.
                    if len(word) > 2:
                        counts[word] = int(count)
                # By first letter and length, for the words two slips from a typed one.
                grouped: dict[tuple[str, int], list[str]] = {}
                for word in counts:
                    grouped.setdefault((word[0], len(word)), []).append(word)
                _by_shape = grouped
                _counts = counts
    return _counts


_by_shape: dict[tuple[str, int], list[str]] | None = None


def shaped(letter: str, length: int) -> list[str]:
    """The dictionary's words that begin with `letter` and are `length` long (`load` groups them)."""
    load()
    assert _by_shape is not None
    return _by_shape.get((letter, length), [])


def frequency(word: str) -> int:
    """How often `word` (lower case) occurs in Google Books' English; 0 if it is no English word (a
    slip, a name, a coinage)."""
    return load().get(word, 0)
