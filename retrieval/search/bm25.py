"""The BM25 index over chunks: compact arrays, exact BM25Okapi scores.

Scoring is rank-bm25's BM25Okapi (k1 1.5, b 0.75, negative idf floored at 0.25 x mean idf), computed in
the same float64 order, so both give the same scores. rank-bm25 loops over every chunk in Python for
each question term; here each term's postings (chunk, term frequency) sit in CSC arrays and a compiled
loop touches only the chunks that contain a question term, then keeps the top k in a small sorted buffer.
It skips most of the longest postings, those of common terms that cannot lift a chunk into the top k
(kernels.search_pruned), and gives the same chunks and scores as reading them all.

Postings keep term frequencies rather than precomputed scores (as bm25s does): adding chunks changes N,
avgdl and every idf, and with frequencies an update is one linear merge of the arrays instead of a
rebuild. persistence.py saves the arrays and maps them back, so a restart tokenizes nothing.
"""

from __future__ import annotations

import itertools
import math
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np

from retrieval.search import kernels
from retrieval.search.kernels import EPSILON, K1, MAX_TF, length_norm, term_score
from retrieval.search.vocabulary import Vocabulary

Doc = tuple[int, list[str]]  # (chunk id, its terms, title's included)


@dataclass(frozen=True)
class IndexMeta:
    """What an index was built from: the store (its id and corpus version), the tokenizer version and
    what a passage's document holds."""

    store_id: str
    store_version: int
    tokenizer: int
    documents: int = 1  # what each passage's document holds (search/document.py); 1 before it was recorded


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


class BM25Index:
    """Chunk i (a row) is chunk_ids[i], doc_len[i] terms long; term t's postings are
    docs[indptr[t]:indptr[t + 1]] (rows, ascending) with their counts in tfs; idf[t] its weight."""

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
        bounds: np.ndarray | None = None,
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
        # Plain ndarray views of the same memory for the term lookups a question makes by the dozen
        # (df_of, idf_of): np.memmap reads one item through a Python-level __getitem__, about three
        # times the cost of an ndarray's.
        self._indptr_items: np.ndarray = np.asarray(indptr)
        self._idf_items: np.ndarray = np.asarray(self.idf)
        self.norm = length_norm(doc_len.astype(np.float64), self.avgdl) if n else np.zeros(0)
        self._lock = threading.Lock()
        self._acc = np.zeros(n, np.float64)
        self._seen = np.zeros(n, np.bool_)
        self._touched = np.zeros(n, np.int32)
        # Each term's most to any chunk (kernels.term_bounds): one pass over the postings, 0.15 s at
        # 1M chunks, made where they are in memory (a build, a merge) and saved with the index, so
        # that a loaded index does not read every page of its memory-mapped postings at start.
        self.bounds: np.ndarray = (
            bounds
            if bounds is not None
            else kernels.term_bounds(indptr, docs, tfs, self.idf, self.norm)
            if n
            else np.zeros(len(self.vocabulary), np.float64)
        )

    def __len__(self) -> int:
        return len(self.chunk_ids)

    @property
    def terms(self) -> list[str]:
        return self.vocabulary.terms()

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def build(cls, docs: Iterable[Doc] | Iterable[Batch], meta: IndexMeta) -> BM25Index:
        """From (chunk id, terms), or batches of them, in ascending chunk id order."""
        terms: list[str] = []
        chunk_ids, doc_len, indptr, post_docs, post_tfs = _invert_docs(_as_batches(docs), {}, terms, 0)
        return cls(terms, chunk_ids, doc_len, indptr, post_docs, post_tfs, meta)

    def with_changes(
        self, added: Iterable[Doc] | Iterable[Batch], removed: np.ndarray, meta: IndexMeta
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
        indptr, post_docs, post_tfs = kernels.merge(
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

    def search(self, query_terms: Sequence[str], k: int = 10) -> list[tuple[int, float]]:
        """(chunk id, score) best first, ties broken by chunk id; only chunks sharing a term score."""
        found = [self.vocabulary.get(t) for t in query_terms]
        ids = [i for i in found if i is not None]
        if not ids or not len(self) or k <= 0:
            return []
        query = np.asarray(ids, np.int64)
        with self._lock:
            docs, scores = kernels.search_pruned(
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
                self.bounds,
            )
        return [(int(self.chunk_ids[d]), float(s)) for d, s in zip(docs, scores, strict=True)]

    def score_terms(self, query_terms: Sequence[str], doc_terms: Sequence[str]) -> float:
        """The BM25Okapi score of a text, given as its terms (title's included, as indexed), with this
        index's statistics: for an indexed chunk, exactly what `search` gives it, bit for bit. A text
        not (yet) indexed scores too; a term the corpus lacks weighs as the rarest possible (`idf_of`)."""
        counts = Counter(doc_terms)
        norm = length_norm(float(len(doc_terms)), self.avgdl) if self.avgdl else K1
        score = 0.0
        for t in query_terms:
            tf = counts.get(t, 0)
            if tf:
                score += term_score(self.idf_of(t), float(min(tf, MAX_TF)), norm)
        return score

    def warm_up(self) -> None:
        """Load the compiled search code (from numba's cache, ~100 ms) before the first question."""
        if len(self.vocabulary) and len(self):
            self.search([self.vocabulary.sorted_terms[0].decode()], 1)

    def df_of(self, term: str) -> int:
        """In how many chunks the term occurs (0: the corpus does not use it)."""
        i = self.vocabulary.get(term)
        indptr = self._indptr_items
        if i is None or i + 1 >= len(indptr):
            return 0
        return int(indptr[i + 1] - indptr[i])

    def unknown_idf(self) -> float:
        """The idf of a term no chunk holds: the rarest possible."""
        n = len(self)
        return math.log(n + 0.5) - math.log(0.5)

    def idf_of(self, term: str) -> float:
        """A term the corpus lacks weighs as much as the rarest possible one."""
        i = self.vocabulary.get(term)
        indptr, idf = self._indptr_items, self._idf_items
        if i is None or i >= len(idf) or indptr[i + 1] == indptr[i]:
            return self.unknown_idf()
        return float(idf[i])


def _as_batches(docs: Iterable[Doc] | Iterable[Batch]) -> Iterator[Batch]:
    iterator: Iterator[Doc | Batch] = iter(docs)
    first = next(iterator, None)
    if first is None:
        return
    rest = itertools.chain([first], iterator)
    if isinstance(first, Batch):
        yield from cast(Iterator[Batch], rest)
    else:
        yield from batches_of(cast(Iterator[Doc], rest))


@dataclass(frozen=True)
class Batch:
    """Chunks with their terms numbered locally: what a tokenizing worker sends back. Numbers, not
    strings, so the process that builds the index never handles the corpus's tokens one by one."""

    chunk_ids: np.ndarray  # int64
    lengths: np.ndarray  # int64, terms per chunk
    terms: list[str]  # local id -> term
    term_ids: np.ndarray  # int32, local ids of every chunk's terms, concatenated


def encode(docs: Iterable[Doc]) -> Batch:
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
        flat.extend(cast(list[int], term_ids))  # every None was filled in above
    return Batch(np.array(ids, np.int64), np.array(lengths, np.int64), list(local), np.array(flat, np.int32))


def batches_of(docs: Iterable[Doc], size: int = 10_000) -> Iterator[Batch]:
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
    pair_terms, pair_tfs, pair_docs = kernels.doc_term_pairs(flat, offsets)
    indptr, post_docs, post_tfs = kernels.invert(
        pair_terms, pair_tfs, pair_docs + np.int32(first_doc), len(terms)
    )
    return chunk_ids, doc_len, indptr, post_docs, post_tfs
