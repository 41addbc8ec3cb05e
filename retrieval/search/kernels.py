"""The BM25 formula, and the numba-compiled loops that build, merge, check and search postings.

The formula is written once, as plain Python: `BM25Index.score_terms` calls it as it is, and the search
loop has it compiled in, so a text scored either way gets the same float64 bits (tests/test_index.py).

The loops are compiled on first use and the machine code is cached beside this file (cache=True), so a
restart loads it (~100 ms) instead of compiling. nogil: a search on one thread does not hold up the
others. No bounds checks are compiled in, so a posting that points outside the arrays would read or
write foreign memory: persistence.py checks the bounds of every generation it loads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

import numpy as np
from numba import njit

# rank-bm25's BM25Okapi defaults.
K1 = 1.5
B = 0.75
EPSILON = 0.25  # a negative idf is floored at EPSILON x the mean idf
MAX_TF = 65_535  # term frequencies are stored as uint16; a longer run of one term counts this much

F = TypeVar("F", bound=Callable[..., Any])


def _compiled(function: F) -> F:
    # numba ships no type hints: the cast keeps each kernel's signature visible to the type checker.
    return cast(F, njit(cache=True, nogil=True)(function))


def term_score(idf: float, tf: float, norm: float) -> float:
    """One query term's share of a chunk's score, in rank-bm25's float64 order. `norm` is the chunk's
    `length_norm`. A chunk's score is the sum of these over the query's terms (repeats included), in
    query order, starting from 0.0."""
    return idf * (tf * (K1 + 1.0) / (tf + norm))


_term_score = njit(inline="always")(term_score)


@overload
def length_norm(doc_len: float, avgdl: float) -> float: ...
@overload
def length_norm(doc_len: np.ndarray, avgdl: float) -> np.ndarray: ...
def length_norm(doc_len: float | np.ndarray, avgdl: float) -> float | np.ndarray:
    """K1 x (1 - b + b x length / average length), for one chunk (a float) or all of them (float64
    array): numpy applies the same operations in the same order, so both give the same bits."""
    return K1 * (1 - B + B * doc_len / avgdl)


@_compiled
def doc_term_pairs(flat: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per chunk, its distinct terms and their counts, in chunk order."""
    n_docs = offsets.size - 1
    pair_terms = np.empty(flat.size, np.int32)
    pair_tfs = np.empty(flat.size, np.uint16)
    pair_docs = np.empty(flat.size, np.int32)
    p = 0
    for d in range(n_docs):
        seg = np.sort(flat[offsets[d] : offsets[d + 1]])
        i = 0
        while i < seg.size:
            j = i
            while j < seg.size and seg[j] == seg[i]:
                j += 1
            pair_terms[p] = seg[i]
            pair_tfs[p] = min(j - i, MAX_TF)
            pair_docs[p] = d
            p += 1
            i = j
    return pair_terms[:p], pair_tfs[:p], pair_docs[:p]


@_compiled
def invert(
    pair_terms: np.ndarray, pair_tfs: np.ndarray, pair_docs: np.ndarray, n_terms: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counting sort of (term, chunk) pairs by term; chunks stay ascending within a term."""
    indptr = np.zeros(n_terms + 1, np.int64)
    for t in pair_terms:
        indptr[t + 1] += 1
    for t in range(n_terms):
        indptr[t + 1] += indptr[t]
    fill = indptr[:-1].copy()
    docs = np.empty(pair_terms.size, np.int32)
    tfs = np.empty(pair_terms.size, np.uint16)
    for i in range(pair_terms.size):
        t = pair_terms[i]
        q = fill[t]
        docs[q] = pair_docs[i]
        tfs[q] = pair_tfs[i]
        fill[t] = q + 1
    return indptr, docs, tfs


@_compiled
def merge(
    old_indptr: np.ndarray,
    old_docs: np.ndarray,
    old_tfs: np.ndarray,
    doc_map: np.ndarray,
    add_indptr: np.ndarray,
    add_docs: np.ndarray,
    add_tfs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Old postings of kept chunks (renumbered by doc_map, -1 = dropped), then the added chunks'."""
    n_terms = add_indptr.size - 1
    n_old_terms = old_indptr.size - 1
    indptr = np.zeros(n_terms + 1, np.int64)
    for t in range(n_terms):
        kept = 0
        if t < n_old_terms:
            for p in range(old_indptr[t], old_indptr[t + 1]):
                if doc_map[old_docs[p]] >= 0:
                    kept += 1
        indptr[t + 1] = indptr[t] + kept + add_indptr[t + 1] - add_indptr[t]
    docs = np.empty(indptr[n_terms], np.int32)
    tfs = np.empty(indptr[n_terms], np.uint16)
    for t in range(n_terms):
        q = indptr[t]
        if t < n_old_terms:
            for p in range(old_indptr[t], old_indptr[t + 1]):
                d = doc_map[old_docs[p]]
                if d >= 0:
                    docs[q] = d
                    tfs[q] = old_tfs[p]
                    q += 1
        for p in range(add_indptr[t], add_indptr[t + 1]):
            docs[q] = add_docs[p]
            tfs[q] = add_tfs[p]
            q += 1
    return indptr, docs, tfs


@_compiled
def search(
    indptr: np.ndarray,
    docs: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    norm: np.ndarray,
    query: np.ndarray,
    k: int,
    acc: np.ndarray,
    seen: np.ndarray,
    touched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The k best chunks (row numbers) and their scores, best first, ties to the lower row. `acc`,
    `seen` and `touched` are scratch arrays of one slot per chunk, left as they were found."""
    n_touched = 0
    for qi in range(query.size):
        t = query[qi]
        w = idf[t]
        for p in range(indptr[t], indptr[t + 1]):
            d = docs[p]
            if not seen[d]:
                seen[d] = True
                touched[n_touched] = d
                n_touched += 1
                acc[d] = 0.0
            acc[d] += _term_score(w, np.float64(tfs[p]), norm[d])
    top_docs = np.empty(k, np.int64)
    top_scores = np.empty(k, np.float64)
    size = 0
    for i in range(n_touched):
        d = touched[i]
        seen[d] = False
        size = _place(top_docs, top_scores, size, d, acc[d])
    return top_docs[:size], top_scores[:size]


@_compiled
def _place(top_docs: np.ndarray, top_scores: np.ndarray, size: int, d: int, s: float) -> int:
    """Insert passage `d` of score `s` into the best-first top-k (k = the arrays' length) holding
    `size`, higher score first and lower id first on a tie; the new size."""
    k = len(top_docs)
    if size == k and not (s > top_scores[k - 1] or (s == top_scores[k - 1] and d < top_docs[k - 1])):
        return size
    j = size if size < k else k - 1
    while j > 0 and (s > top_scores[j - 1] or (s == top_scores[j - 1] and d < top_docs[j - 1])):
        top_scores[j] = top_scores[j - 1]
        top_docs[j] = top_docs[j - 1]
        j -= 1
    top_scores[j] = s
    top_docs[j] = d
    return size + 1 if size < k else size


# Slack on every bound below: partial sums are added in another order than the exact score, so they
# may differ from it in the last bits. A relative 1e-9 is millions of times that, and prunes the same.
_SLACK = 1e-9


@_compiled
def _exact_score(
    indptr: np.ndarray,
    docs: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    norm: np.ndarray,
    query: np.ndarray,
    d: int,
) -> float:
    """Chunk `d`'s score as `search` adds it up: its terms' shares in query order, from 0.0."""
    s = 0.0
    for qi in range(query.size):
        t = query[qi]
        lo, hi = indptr[t], indptr[t + 1]
        p = lo + np.searchsorted(docs[lo:hi], d)
        if p < hi and docs[p] == d:
            s += _term_score(idf[t], np.float64(tfs[p]), norm[d])
    return s


@_compiled
def term_bounds(
    indptr: np.ndarray, docs: np.ndarray, tfs: np.ndarray, idf: np.ndarray, norm: np.ndarray
) -> np.ndarray:
    """For each term, the most it adds to any one chunk's score (once): its share in the chunk where
    it weighs most. Within 0.45-0.8 of the bound idf x (K1 + 1) that needs no postings read."""
    out = np.zeros(indptr.size - 1, np.float64)
    for t in range(indptr.size - 1):
        best = 0.0
        w = idf[t]
        for p in range(indptr[t], indptr[t + 1]):
            best = max(best, _term_score(w, np.float64(tfs[p]), norm[docs[p]]))
        out[t] = best
    return out


@_compiled
def search_pruned(
    indptr: np.ndarray,
    docs: np.ndarray,
    tfs: np.ndarray,
    idf: np.ndarray,
    norm: np.ndarray,
    query: np.ndarray,
    k: int,
    acc: np.ndarray,
    seen: np.ndarray,
    touched: np.ndarray,
    bounds: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """What `search` returns, bit for bit, without reading most of the longest postings.

    A term adds at most `bounds[term]` to any chunk's score (`term_bounds`: the most it adds to one
    chunk; idf x (K1 + 1) would do, but is a third looser for a common word, and a loose bound on
    the words left unread is what makes the search read them). Terms are read from the highest
    bound (the rarest) down; once k chunks' partial scores exceed what the terms not yet read could add
    together, a chunk only those terms hold cannot enter the top k (MaxScore). The rest of the terms
    are then looked up for the chunks that may still place only, dropping those that fall behind,
    and the few left are scored exactly, in `search`'s order of addition. Needs every term's share to
    be positive: otherwise it is `search`."""
    unique = np.unique(query)
    m = unique.size
    if m == 0 or k <= 0:
        return search(indptr, docs, tfs, idf, norm, query, k, acc, seen, touched)
    counts = np.zeros(m, np.int64)
    for qi in range(query.size):
        counts[np.searchsorted(unique, query[qi])] += 1
    bound = np.empty(m, np.float64)
    for j in range(m):
        if not idf[unique[j]] > 0.0:
            return search(indptr, docs, tfs, idf, norm, query, k, acc, seen, touched)
        bound[j] = counts[j] * bounds[unique[j]]
    order = np.argsort(-bound, kind="mergesort")
    # rest[j]: the most the terms from order[j] on could add together (with slack).
    rest = np.zeros(m + 1, np.float64)
    for j in range(m - 1, -1, -1):
        rest[j] = (rest[j + 1] + bound[order[j]]) * (1.0 + _SLACK)
    n_touched = 0
    threshold = -np.inf
    read = m
    for j in range(m):
        u = order[j]
        t = unique[u]
        w = idf[t]
        c = np.float64(counts[u])
        for p in range(indptr[t], indptr[t + 1]):
            d = docs[p]
            if not seen[d]:
                seen[d] = True
                touched[n_touched] = d
                n_touched += 1
                acc[d] = 0.0
            acc[d] += c * _term_score(w, np.float64(tfs[p]), norm[d])
        # Stop once k chunks have more than the unread terms could add. Counting them is one pass;
        # the k-th best partial score itself (a lower bound on the k-th best score) is found once.
        above = _above(touched, n_touched, acc, rest[j + 1] / (1.0 - _SLACK))
        if above.size >= k:
            threshold = np.partition(above, above.size - k)[above.size - k] * (1.0 - _SLACK)
            read = j + 1
            break
    for i in range(n_touched):
        seen[touched[i]] = False
    # The chunks that may still place (marked in `seen`), and what they have so far.
    survivors = touched[:n_touched].astype(np.int64)
    n = _still_placing(survivors, n_touched, acc, seen, rest[read], threshold)
    for i in range(n):
        seen[survivors[i]] = True
    ascending = False
    for j in range(read, m):
        u = order[j]
        t = unique[u]
        w = idf[t]
        c = np.float64(counts[u])
        at, hi = indptr[t], indptr[t + 1]
        if n * 16 < hi - at:
            # Few chunks against long postings: look each up, galloping on from the last one found.
            if not ascending:
                survivors[:n].sort()  # stays sorted: _still_placing keeps the order
                ascending = True
            for i in range(n):
                d = survivors[i]
                step = 1
                while at + step < hi and docs[at + step] < d:
                    step *= 2
                at += np.searchsorted(docs[at + step // 2 : min(at + step + 1, hi)], d) + step // 2
                if at < hi and docs[at] == d:
                    acc[d] += c * _term_score(w, np.float64(tfs[at]), norm[d])
        else:  # many: one pass over the postings costs less than sorting and searching
            for p in range(at, hi):
                d = docs[p]
                if seen[d]:
                    acc[d] += c * _term_score(w, np.float64(tfs[p]), norm[d])
        if n >= k:
            threshold = max(threshold, np.partition(acc[survivors[:n]], n - k)[n - k] * (1.0 - _SLACK))
        n = _still_placing(survivors, n, acc, seen, rest[j + 1], threshold)
    for i in range(n):
        seen[survivors[i]] = False
    top_docs = np.empty(k, np.int64)
    top_scores = np.empty(k, np.float64)
    size = 0
    for i in range(n):
        d = survivors[i]
        size = _place(top_docs, top_scores, size, d, _exact_score(indptr, docs, tfs, idf, norm, query, d))
    return top_docs[:size], top_scores[:size]


@_compiled
def _still_placing(
    survivors: np.ndarray, n: int, acc: np.ndarray, seen: np.ndarray, unread: float, threshold: float
) -> int:
    """Keep (in order, in place) the first `n` survivors whose partial score plus what the unread
    terms could add reaches the threshold, unmarking the others in `seen`; how many are kept."""
    kept = 0
    for i in range(n):
        d = survivors[i]
        if (acc[d] + unread) * (1.0 + _SLACK) >= threshold:
            survivors[kept] = d
            kept += 1
        else:
            seen[d] = False
    return kept


@_compiled
def _above(touched: np.ndarray, n: int, acc: np.ndarray, floor: float) -> np.ndarray:
    """The partial scores above `floor`: when k or more are, the k-th best of them is the k-th best
    of all, found without sorting every chunk touched."""
    above = 0
    for i in range(n):
        above += acc[touched[i]] > floor
    out = np.empty(above, np.float64)
    at = 0
    for i in range(n):
        if acc[touched[i]] > floor:
            out[at] = acc[touched[i]]
            at += 1
    return out
