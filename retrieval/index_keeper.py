"""Keeps the BM25 index at the store's corpus version: loads, catches up, rebuilds, in a child process
when it is large; a question waits for it only when the store has moved on (bounded).

The index follows the store's corpus version. When they differ (another process ingested, a crash
between a commit and the index save) the index catches up: chunks above its highest id are added,
tombstoned ones dropped, all in one linear merge; a different store or tokenizer means a full build.
Each question first checks the version (one small read) and waits for a catch-up, up to
CATCH_UP_WAIT; past that, questions go on being answered by the previous index, and a chunk the store
no longer has is never quoted (answer.py skips it).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Iterable, Iterator

import numpy as np

from retrieval.config import Settings
from retrieval.search import persistence
from retrieval.search.bm25 import Batch, BM25Index, IndexMeta, encode
from retrieval.search.document import VERSION as DOCUMENTS_VERSION
from retrieval.search.document import heading_terms
from retrieval.search.tokenize import VERSION as TOKENIZER_VERSION
from retrieval.search.tokenize import tokenize
from retrieval.store import ChunkText, Store
from retrieval.workers import in_order

log = logging.getLogger(__name__)

PARALLEL_FROM = 100_000  # chunks; below this, starting worker processes costs more than it saves
BATCH = 10_000
CATCH_UP_WAIT = 10.0  # seconds a question waits for the index to reach the store's version


def _heading_terms(
    cache: dict[int, list[str]], ann_id: int, title: str, organisation: str | None
) -> list[str]:
    terms = cache.get(ann_id)
    if terms is None:
        if len(cache) > 10_000:
            cache.clear()
        terms = cache[ann_id] = heading_terms(title, organisation)
    return terms


def encode_rows(rows: list[ChunkText]) -> Batch:
    """Tokenize store rows (chunk id, announcement id, title, organisation, text): the heading's
    terms (search/document.py) count in every chunk."""
    headings: dict[int, list[str]] = {}
    return encode((r[0], _heading_terms(headings, r[1], r[2], r[3]) + tokenize(r[4])) for r in rows)


def encoded_batches(rows: Iterable[ChunkText], parallel: bool) -> Iterator[Batch]:
    """Tokenizing is most of a full build, and pure Python: with `parallel`, worker processes on every
    core tokenize batches while this process reads the store and numbers the terms. In order."""
    return in_order(encode_rows, rows, BATCH, parallel)


def _refresh_child(settings: Settings) -> None:
    store = Store(settings.database_url)
    keeper = IndexKeeper(store, settings)
    try:
        keeper.refresh()
    finally:
        keeper.close()
        store.close()


class IndexKeeper:
    # From this many indexed chunks on, catching up runs in a child process (see _refresh_in_child).
    child_refresh_from = 200_000

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.index_dir = settings.resolved_index_dir()
        self._index: BM25Index | None = None
        self._refresh_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._start_lock = threading.Lock()  # one catch-up at a time, however many questions wait on it
        self._last_check = 0.0

    def close(self) -> None:
        if self._worker is not None:
            self._worker.join()

    @property
    def index(self) -> BM25Index:
        if self._index is None:
            self.refresh()
        assert self._index is not None
        return self._index

    def refresh(self) -> bool:
        """Bring the index up to the store's version now; True if a new generation had to be built."""
        with self._refresh_lock:
            index = self._index
            if index is not None and len(index) >= self.child_refresh_from and not self.is_current():
                self._refresh_in_child()
            with persistence.file_lock(self.index_dir):
                return self._refresh_here()

    def _refresh_here(self) -> bool:
        store_id, version = self.store.corpus_state()
        meta = IndexMeta(
            store_id=store_id, store_version=version, tokenizer=TOKENIZER_VERSION, documents=DOCUMENTS_VERSION
        )
        current = self._index
        saved = persistence.saved_meta(self.index_dir)
        if current is None or (saved is not None and saved.store_version > current.meta.store_version):
            # A restart, or another process caught up. A damaged generation loads as None (and is set
            # aside): the index is then caught up from `current`, or rebuilt.
            current = persistence.load(self.index_dir) or current
        if current is not None and current.meta == meta and self._covers_store(current):
            self._index = current
            return False
        started = time.perf_counter()
        fresh = self._updated(current, meta)
        try:
            persistence.save(fresh, self.index_dir)
        except OSError as error:
            if not persistence.read_only(error):
                raise
            # A store in a read-only folder still answers: the index lives in this process only.
            log.warning("index folder %s is read-only: the index is kept in memory", self.index_dir)
        self._index = fresh
        log.info(
            "index at version %d: %d chunks (%.2f s)", version, len(fresh), time.perf_counter() - started
        )
        return True

    def _refresh_in_child(self) -> None:
        """Merging and saving a large index copies hundreds of megabytes in numpy and file writes that
        hold the GIL: done here, questions on other threads would stall for a second. A child process
        does it and saves a new generation; this process then only maps the result."""
        process = multiprocessing.get_context("spawn").Process(
            target=_refresh_child, args=(self.settings,), name="index-refresh"
        )
        process.start()
        process.join()
        if process.exitcode != 0:
            log.warning(
                "index refresh in a child process failed (exit %s); refreshing here", process.exitcode
            )

    def _updated(self, current: BM25Index | None, meta: IndexMeta) -> BM25Index:
        if current is None or (current.meta.store_id, current.meta.tokenizer, current.meta.documents) != (
            meta.store_id,
            meta.tokenizer,
            meta.documents,
        ):
            return BM25Index.build(self._documents(), meta)
        top = int(current.chunk_ids[-1]) if len(current) else 0
        removed, n_added = self.store.changes_since(current.meta.store_version, top)
        removed = removed[np.isin(removed, current.chunk_ids)]
        if len(current) - len(removed) + n_added != self.store.count_chunks():
            log.warning("index and store disagree beyond the change log; rebuilding the index")
            return BM25Index.build(self._documents(), meta)
        return current.with_changes(self._documents(above=top), removed, meta)

    def _documents(self, above: int = 0) -> Iterator[Batch]:
        """The chunks above `above`, tokenized, in id order."""
        parallel = above == 0 and self.store.count_chunks() >= PARALLEL_FROM
        return encoded_batches(self.store.iter_chunk_texts(above=above), parallel)

    def _covers_store(self, index: BM25Index) -> bool:
        """The index holds as many chunks as the store, with the same lowest and highest ids. The
        version alone once let two writers that read it at the same time leave an index at the
        store's version without the second one's chunks; a mismatch now sends the index through
        catch-up (_updated), which rebuilds when the change log cannot explain it."""
        span = self.store.chunk_span()
        ids = index.chunk_ids
        held = (len(index), int(ids[0]), int(ids[-1])) if len(index) else (0, 0, 0)
        return held == (span.count, span.first, span.last)

    def is_current(self) -> bool:
        store_id, version = self.store.corpus_state()
        index = self._index
        return index is not None and (index.meta.store_id, index.meta.store_version) == (store_id, version)

    def refresh_soon(self, min_interval: float = 0.0, wait: float = CATCH_UP_WAIT) -> None:
        """The answer path's check, before each question: one read of the corpus version (skipped if
        the last was under `min_interval` seconds ago). When the index is behind, because another
        process ingested, the question waits for the catch-up, which maps the generation that process
        saved when it shares this index folder (milliseconds) and merges the new passages otherwise:
        answered from the old index, a question about what was just ingested would find nothing.
        After `wait` seconds (a large catch-up) it is answered from the index it has."""
        now = time.monotonic()
        if now - self._last_check < min_interval:
            return
        self._last_check = now
        if self.is_current():
            return
        with self._start_lock:
            worker = self._worker
            if worker is None or not worker.is_alive():
                worker = self._worker = threading.Thread(
                    target=self._refresh_quietly, name="index-refresh", daemon=True
                )
                worker.start()
        worker.join(wait)

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception:
            log.exception("index refresh failed; answering from the previous index")
