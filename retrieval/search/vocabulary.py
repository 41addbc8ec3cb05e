"""Term -> id as two arrays: the terms (UTF-8) sorted, and their ids; looked up by binary search.

A Python dict of 400,000 terms takes ~100 ms to build, holding the GIL, each time a new index generation
is loaded; questions on other threads would wait that long. These arrays are memory-mapped instead, at
no cost. The dict is still built where terms are added (index updates).
"""

from __future__ import annotations

import numpy as np

# Terms looked up before, per vocabulary: one binary search over a memory-mapped array costs ~3 us,
# and a question makes dozens (its words, their stand-ins, spelling candidates), mostly words asked
# before. Bounded; dict reads and writes are atomic in CPython, so threads may share it.
_MEMO_MAX = 200_000


class Vocabulary:
    def __init__(self, sorted_terms: np.ndarray, ids: np.ndarray) -> None:
        self.sorted_terms = sorted_terms  # bytes (numpy "S"), ascending, each once
        self.ids = ids  # int32: ids[i] is the id of sorted_terms[i]
        self._memo: dict[str, int | None] = {}

    @classmethod
    def from_terms(cls, terms: list[str]) -> Vocabulary:
        """`terms` in id order."""
        encoded = np.array([t.encode() for t in terms], dtype=np.bytes_) if terms else np.zeros(0, "S1")
        order = np.argsort(encoded, kind="stable")
        return cls(encoded[order], order.astype(np.int32))

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, term: str) -> int | None:
        try:
            return self._memo[term]
        except KeyError:
            pass
        key = term.encode()
        found = None
        if len(key) <= self.sorted_terms.dtype.itemsize:  # longer than every term: not one of them
            i = int(np.searchsorted(self.sorted_terms, key))
            found = int(self.ids[i]) if i < len(self.ids) and self.sorted_terms[i] == key else None
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
        self._memo[term] = found
        return found

    def ids_of(self, terms: list[str]) -> np.ndarray:
        """The id of each term, -1 where the vocabulary lacks it, in one vectorised binary search.

        A key longer than the array's item size would make numpy cast the whole array to the wider
        type for the search (about 2 ms at 400k terms, for every question that holds one): such a
        key is no term of it, so it is never searched."""
        out = np.full(len(terms), -1, np.int64)
        width = self.sorted_terms.dtype.itemsize
        encoded = [t.encode() for t in terms]
        fits = [k for k, key in enumerate(encoded) if len(key) <= width]
        if not fits or not len(self.sorted_terms):
            return out
        keys = np.array([encoded[k] for k in fits], dtype=self.sorted_terms.dtype)
        at = np.minimum(np.searchsorted(self.sorted_terms, keys), len(self.sorted_terms) - 1)
        found = self.sorted_terms[at] == keys
        out[np.asarray(fits)[found]] = np.asarray(self.ids)[at[found]]
        return out

    def terms(self) -> list[str]:
        """In id order."""
        out = [""] * len(self.ids)
        for term, i in zip(self.sorted_terms.tolist(), self.ids.tolist(), strict=True):
            out[i] = term.decode()
        return out

    def well_formed(self) -> bool:
        """Terms strictly ascending (binary search finds each) and ids a permutation of 0..n-1 (each id
        indexes the postings): a damaged vocabulary would answer with another term's chunks."""
        n = len(self.ids)
        if self.sorted_terms.ndim != 1 or self.ids.ndim != 1 or len(self.sorted_terms) != n:
            return False
        if n == 0:
            return True
        if int(self.ids.min()) < 0 or int(self.ids.max()) >= n:
            return False
        if not bool(np.all(np.bincount(self.ids, minlength=n) == 1)):
            return False
        return bool(np.all(self.sorted_terms[1:] > self.sorted_terms[:-1]))
