"""The BM25 index over chunks: compact arrays, exact BM25Okapi scores, persisted and memory-mapped.

Scoring is rank-bm25's BM25Okapi (k1 1.5, b 0.75, negative idf floored at 0.25 x mean idf), computed in
the same float64 order, so both give the same scores. rank-bm25 loops over every chunk in Python for
each question term; here each term's postings (chunk, term frequency) sit in CSC arrays and a compiled
loop touches only the chunks that contain a question term, then keeps the top k in a small sorted buffer.

Postings keep term frequencies rather than precomputed scores (as bm25s does): adding chunks changes N,
avgdl and every idf, and with frequencies an update is one linear merge of the arrays instead of a
rebuild. Arrays are saved as .npy files and loaded with mmap, so a restart reads no text and tokenizes
nothing. Each save is a new generation directory; CURRENT names the live one and is swapped atomically.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import shutil
import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from numba import njit

K1 = 1.5
B = 0.75
EPSILON = 0.25
FORMAT = 2  # 2: the vocabulary as sorted arrays instead of terms.txt


@dataclass(frozen=True)
class IndexMeta:
    store_id: str
    store_version: int
    tokenizer: int
    format: int = FORMAT


# -- compiled kernels -----------------------------------------------------------------------------


@njit(cache=True, nogil=True)
def _doc_term_pairs(flat, offsets):  # pragma: no cover - compiled
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
            pair_tfs[p] = min(j - i, 65535)
            pair_docs[p] = d
            p += 1
            i = j
    return pair_terms[:p], pair_tfs[:p], pair_docs[:p]


@njit(cache=True, nogil=True)
def _invert(pair_terms, pair_tfs, pair_docs, n_terms):  # pragma: no cover - compiled
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


@njit(cache=True, nogil=True)
def _merge(old_indptr, old_docs, old_tfs, doc_map, add_indptr, add_docs, add_tfs):  # pragma: no cover
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


@njit(cache=True, nogil=True)
def _search(indptr, docs, tfs, idf, norm, query, k, acc, seen, touched):  # pragma: no cover - compiled
    n_touched = 0
    for qi in range(query.size):
        t = query[qi]
        w = idf[t]
        for p in range(indptr[t], indptr[t + 1]):
            d = docs[p]
            tf = np.float64(tfs[p])
            if not seen[d]:
                seen[d] = True
                touched[n_touched] = d
                n_touched += 1
                acc[d] = 0.0
            acc[d] += w * (tf * (K1 + 1.0) / (tf + norm[d]))
    top_docs = np.empty(k, np.int64)
    top_scores = np.empty(k, np.float64)
    size = 0
    for i in range(n_touched):
        d = touched[i]
        s = acc[d]
        seen[d] = False
        if size == k and not (s > top_scores[k - 1] or (s == top_scores[k - 1] and d < top_docs[k - 1])):
            continue
        j = size if size < k else k - 1
        while j > 0 and (s > top_scores[j - 1] or (s == top_scores[j - 1] and d < top_docs[j - 1])):
            top_scores[j] = top_scores[j - 1]
            top_docs[j] = top_docs[j - 1]
            j -= 1
        top_scores[j] = s
        top_docs[j] = d
        if size < k:
            size += 1
    return top_docs[:size], top_scores[:size]


# -- the index ------------------------------------------------------------------------------------


def okapi_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """rank-bm25's idf, with math.log so that values match it to the last bit."""
    values, inverse = np.unique(df, return_inverse=True)
    raw = np.array([math.log(n_docs - v + 0.5) - math.log(v + 0.5) for v in values.tolist()], np.float64)
    idf = raw[inverse]
    present = df > 0  # terms left only by removed chunks are not in the corpus any more
    if present.any():
        # rank-bm25 adds the idfs one by one in first-seen order; cumsum is sequential too, sum() is not.
        floor = EPSILON * (float(np.cumsum(idf[present])[-1]) / int(present.sum()))
        idf = np.where(idf < 0, floor, idf)
    return idf


class Vocabulary:
    """Term -> id as two arrays: the terms (UTF-8) sorted, and their ids; looked up by binary search.

    A Python dict of 400,000 terms takes ~100 ms to build, holding the GIL, each time a new index
    generation is loaded; questions on other threads would wait that long. These arrays are
    memory-mapped instead, at no cost. The dict is still built where terms are added (index updates)."""

    def __init__(self, sorted_terms: np.ndarray, ids: np.ndarray) -> None:
        self.sorted_terms = sorted_terms
        self.ids = ids

    @classmethod
    def from_terms(cls, terms: list[str]) -> Vocabulary:
        encoded = np.array([t.encode() for t in terms], dtype=np.bytes_) if terms else np.zeros(0, "S1")
        order = np.argsort(encoded, kind="stable")
        return cls(encoded[order], order.astype(np.int32))

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, term: str) -> int | None:
        key = term.encode()
        i = int(np.searchsorted(self.sorted_terms, key))
        if i < len(self.ids) and self.sorted_terms[i] == key:
            return int(self.ids[i])
        return None

    def terms(self) -> list[str]:
        """In id order."""
        out = [""] * len(self.ids)
        for term, i in zip(self.sorted_terms.tolist(), self.ids.tolist(), strict=True):
            out[i] = term.decode()
        return out


class BM25Index:
    def __init__(
        self,
        terms: list[str] | Vocabulary,
        chunk_ids: np.ndarray,
        doc_len: np.ndarray,
        indptr: np.ndarray,
        docs: np.ndarray,
        tfs: np.ndarray,
        meta: IndexMeta,
        idf: np.ndarray | None = None,
    ) -> None:
        self.vocabulary = terms if isinstance(terms, Vocabulary) else Vocabulary.from_terms(terms)
        self.chunk_ids = chunk_ids
        self.doc_len = doc_len
        self.indptr = indptr
        self.docs = docs
        self.tfs = tfs
        self.meta = meta
        n = len(chunk_ids)
        self.avgdl = float(int(doc_len.sum()) / n) if n else 0.0
        self.idf = idf if idf is not None else okapi_idf(np.diff(indptr), n)
        self.norm = K1 * (1 - B + B * doc_len.astype(np.float64) / self.avgdl) if n else np.zeros(0)
        self._lock = threading.Lock()
        self._acc = np.zeros(n, np.float64)
        self._seen = np.zeros(n, np.bool_)
        self._touched = np.zeros(n, np.int32)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    @property
    def terms(self) -> list[str]:
        return self.vocabulary.terms()

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def build(cls, docs: Iterable[tuple[int, list[str]]] | Iterable[Batch], meta: IndexMeta) -> BM25Index:
        """From (chunk id, terms), or batches of them, in ascending chunk id order."""
        terms: list[str] = []
        chunk_ids, doc_len, indptr, post_docs, post_tfs = _invert_docs(_as_batches(docs), {}, terms, 0)
        return cls(terms, chunk_ids, doc_len, indptr, post_docs, post_tfs, meta)

    def with_changes(
        self, added: Iterable[tuple[int, list[str]]] | Iterable[Batch], removed: np.ndarray, meta: IndexMeta
    ) -> BM25Index:
        """A new index without the `removed` chunk ids and with `added` (ids above all current ones)."""
        keep = ~np.isin(self.chunk_ids, removed) if len(removed) else np.ones(len(self), np.bool_)
        doc_map = np.where(keep, np.cumsum(keep) - 1, -1).astype(np.int32)
        n_kept = int(keep.sum())
        terms = self.terms
        vocab = {t: i for i, t in enumerate(terms)}
        add_ids, add_len, add_indptr, add_docs, add_tfs = _invert_docs(
            _as_batches(added), vocab, terms, n_kept
        )
        if len(add_ids) and n_kept and add_ids[0] <= self.chunk_ids[keep][-1]:
            raise ValueError("added chunk ids must be above the indexed ones")
        if len(add_indptr) < len(terms) + 1:  # no chunk added: term count unchanged
            add_indptr = np.zeros(len(terms) + 1, np.int64)
        indptr, post_docs, post_tfs = _merge(
            np.asarray(self.indptr),
            np.asarray(self.docs),
            np.asarray(self.tfs),
            doc_map,
            add_indptr,
            add_docs,
            add_tfs,
        )
        chunk_ids = np.concatenate([np.asarray(self.chunk_ids)[keep], add_ids])
        doc_len = np.concatenate([np.asarray(self.doc_len)[keep], add_len])
        return BM25Index(terms, chunk_ids, doc_len, indptr, post_docs, post_tfs, meta)

    # -- querying -------------------------------------------------------------------------------

    def search(self, query_terms: list[str], k: int = 10) -> list[tuple[int, float]]:
        """(chunk id, score) best first, ties broken by chunk id; only chunks sharing a term score."""
        found = [self.vocabulary.get(t) for t in query_terms]
        ids = [i for i in found if i is not None]
        if not ids or not len(self) or k <= 0:
            return []
        query = np.asarray(ids, np.int64)
        with self._lock:
            docs, scores = _search(
                self.indptr,
                self.docs,
                self.tfs,
                self.idf,
                self.norm,
                query,
                k,
                self._acc,
                self._seen,
                self._touched,
            )
        return [(int(self.chunk_ids[d]), float(s)) for d, s in zip(docs, scores, strict=True)]

    def warm_up(self) -> None:
        """Load the compiled search code (from numba's cache, ~100 ms) before the first question."""
        if len(self.vocabulary) and len(self):
            self.search([self.vocabulary.sorted_terms[0].decode()], 1)

    def df_of(self, term: str) -> int:
        """In how many chunks the term occurs (0: the corpus does not use it)."""
        i = self.vocabulary.get(term)
        if i is None or i + 1 >= len(self.indptr):
            return 0
        return int(self.indptr[i + 1] - self.indptr[i])

    def unknown_idf(self) -> float:
        """The idf of a term no chunk holds: the rarest possible."""
        n = len(self)
        return math.log(n + 0.5) - math.log(0.5)

    def idf_of(self, term: str) -> float:
        """A term the corpus lacks weighs as much as the rarest possible one."""
        i = self.vocabulary.get(term)
        if i is None or i >= len(self.idf) or self.indptr[i + 1] == self.indptr[i]:
            n = len(self)
            return math.log(n + 0.5) - math.log(0.5)
        return float(self.idf[i])

    # -- persistence ----------------------------------------------------------------------------

    def save(self, directory: Path) -> Path:
        """Write a new generation and make it current; older generations are removed."""
        directory.mkdir(parents=True, exist_ok=True)
        generation = _next_generation(directory)
        tmp = directory / f".{generation}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for name in ("chunk_ids", "doc_len", "indptr", "docs", "tfs", "idf"):
            np.save(tmp / f"{name}.npy", np.asarray(getattr(self, name)))
        np.save(tmp / "sorted_terms.npy", np.asarray(self.vocabulary.sorted_terms))
        np.save(tmp / "term_ids.npy", np.asarray(self.vocabulary.ids))
        (tmp / "meta.json").write_text(json.dumps(asdict(self.meta)), encoding="utf-8")
        final = directory / generation
        os.replace(tmp, final)
        pointer = directory / ".CURRENT.tmp"
        pointer.write_text(generation, encoding="utf-8")
        os.replace(pointer, directory / "CURRENT")
        for old in directory.glob("gen-*"):
            if old.name != generation:
                shutil.rmtree(old, ignore_errors=True)  # mapped files stay readable until unmapped
        return final

    @staticmethod
    def saved_meta(directory: Path) -> IndexMeta | None:
        """What the current saved generation was built from, without loading it."""
        try:
            generation = (directory / "CURRENT").read_text(encoding="utf-8").strip()
            return IndexMeta(**json.loads((directory / generation / "meta.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    @classmethod
    def load(cls, directory: Path) -> BM25Index | None:
        """The current generation, memory-mapped; None if there is none or it is unreadable."""
        try:
            generation = (directory / "CURRENT").read_text(encoding="utf-8").strip()
            path = directory / generation
            meta = IndexMeta(**json.loads((path / "meta.json").read_text(encoding="utf-8")))
            if meta.format != FORMAT:
                return None
            arrays = {
                name: np.load(path / f"{name}.npy", mmap_mode="r")
                for name in ("chunk_ids", "doc_len", "indptr", "docs", "tfs", "idf")
            }
            vocabulary = Vocabulary(
                np.load(path / "sorted_terms.npy", mmap_mode="r"),
                np.load(path / "term_ids.npy", mmap_mode="r"),
            )
        except (OSError, ValueError, TypeError, EOFError):  # EOFError: an .npy file cut to nothing
            return None
        if not _consistent(arrays, vocabulary):
            return None
        return cls(vocabulary, meta=meta, **arrays)


def _consistent(arrays: dict[str, np.ndarray], vocabulary: Vocabulary) -> bool:
    """Shapes that agree, so that a damaged generation is rebuilt rather than read out of bounds."""
    indptr = arrays["indptr"]
    n_terms = len(vocabulary)
    if any(a.ndim != 1 for a in [*arrays.values(), vocabulary.ids, vocabulary.sorted_terms]):
        return False
    if len(indptr) != n_terms + 1 or len(vocabulary.sorted_terms) != n_terms:
        return False
    if n_terms and (int(vocabulary.ids.min()) < 0 or int(vocabulary.ids.max()) >= n_terms):
        return False
    n_postings = int(indptr[-1]) if len(indptr) else 0
    return (
        len(arrays["chunk_ids"]) == len(arrays["doc_len"])
        and len(arrays["idf"]) == n_terms
        and len(arrays["docs"]) == len(arrays["tfs"]) == n_postings
    )


def _as_batches(docs: Iterable[tuple[int, list[str]]] | Iterable[Batch]) -> Iterator[Batch]:
    iterator = iter(docs)
    first = next(iterator, None)
    if first is None:
        return
    rest = itertools.chain([first], iterator)
    if isinstance(first, Batch):
        yield from rest  # type: ignore[misc]
    else:
        yield from batches_of(rest)  # type: ignore[arg-type]


def _next_generation(directory: Path) -> str:
    numbers = [int(p.name[4:]) for p in directory.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


@dataclass(frozen=True)
class Batch:
    """Chunks with their terms numbered locally: what a tokenizing worker sends back. Numbers, not
    strings, so the process that builds the index never handles the corpus's tokens one by one."""

    chunk_ids: np.ndarray  # int64
    lengths: np.ndarray  # int64, terms per chunk
    terms: list[str]  # local id -> term
    term_ids: np.ndarray  # int32, local ids of every chunk's terms, concatenated


def encode(docs: Iterable[tuple[int, list[str]]]) -> Batch:
    local: dict[str, int] = {}
    flat = array("i")
    lengths = array("q")
    ids = array("q")
    lookup = local.get
    for chunk_id, doc_terms in docs:
        ids.append(chunk_id)
        lengths.append(len(doc_terms))
        term_ids = list(map(lookup, doc_terms))  # in C; a new term is the rare case
        if None in term_ids:
            for n, t in enumerate(doc_terms):
                if term_ids[n] is None:
                    term_ids[n] = local.setdefault(t, len(local))
        flat.extend(term_ids)
    return Batch(np.array(ids, np.int64), np.array(lengths, np.int64), list(local), np.array(flat, np.int32))


def batches_of(docs: Iterable[tuple[int, list[str]]], size: int = 10_000) -> Iterator[Batch]:
    iterator = iter(docs)
    while chunk := list(itertools.islice(iterator, size)):
        yield encode(chunk)


def _invert_docs(
    batches: Iterable[Batch], vocab: dict[str, int], terms: list[str], first_doc: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Number the terms globally (growing vocab/terms), then invert: ids, lengths, indptr, postings."""
    ids: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    flats: list[np.ndarray] = []
    for batch in batches:
        to_global = np.empty(len(batch.terms), np.int32)
        for local_id, t in enumerate(batch.terms):
            i = vocab.get(t)
            if i is None:
                i = vocab[t] = len(terms)
                terms.append(t)
            to_global[local_id] = i
        ids.append(batch.chunk_ids)
        lengths.append(batch.lengths)
        flats.append(to_global[batch.term_ids] if len(batch.term_ids) else batch.term_ids)
    chunk_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
    doc_len = (np.concatenate(lengths) if lengths else np.zeros(0, np.int64)).astype(np.int32)
    flat = np.concatenate(flats) if flats else np.zeros(0, np.int32)
    offsets = np.zeros(len(chunk_ids) + 1, np.int64)
    np.cumsum(doc_len, out=offsets[1:])
    pair_terms, pair_tfs, pair_docs = _doc_term_pairs(flat, offsets)
    indptr, post_docs, post_tfs = _invert(pair_terms, pair_tfs, pair_docs + np.int32(first_doc), len(terms))
    return chunk_ids, doc_len, indptr, post_docs, post_tfs
