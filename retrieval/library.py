"""The retrieval package's front door: a store, its index kept in step with it, and the questions.

The index follows the store's corpus version. When they differ (another process ingested, a crash
between a commit and the index save) the index catches up: chunks above its highest id are added,
tombstoned ones dropped, all in one linear merge; a different store or tokenizer means a full build.
While that happens on a worker thread, questions go on being answered by the previous index, and a
chunk the store no longer has is never quoted (answer.rank skips it).
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from retrieval import answer as answering
from retrieval.announcement import AnnouncementRecord
from retrieval.config import Settings
from retrieval.filters import Filters
from retrieval.ingest import IngestReport, ingest_paths, ingest_records
from retrieval.search import persistence
from retrieval.search.bm25 import Batch, BM25Index, IndexMeta, encode
from retrieval.search.tokenize import VERSION as TOKENIZER_VERSION
from retrieval.search.tokenize import tokenize
from retrieval.store import (
    AnnouncementInfo,
    CorpusStats,
    Store,
    StoredAnnouncement,
    Subscription,
    SyncStatus,
    migrate,
)
from retrieval.store.database import database_lock
from retrieval.sync import SyncProblemInfo, sync_problems

log = logging.getLogger(__name__)

PARALLEL_FROM = 100_000  # chunks; below this, starting worker processes costs more than it saves
BATCH = 10_000


def _title_terms(cache: dict[int, list[str]], ann_id: int, title: str) -> list[str]:
    terms = cache.get(ann_id)
    if terms is None:
        if len(cache) > 10_000:
            cache.clear()
        terms = cache[ann_id] = tokenize(title)
    return terms


def encode_rows(rows: list[tuple[int, int, str, str]]) -> Batch:
    """Tokenize store rows (chunk id, announcement id, title, text): title terms count in every chunk."""
    titles: dict[int, list[str]] = {}
    return encode((r[0], _title_terms(titles, r[1], r[2]) + tokenize(r[3])) for r in rows)


def encoded_batches(rows: Iterable[tuple[int, int, str, str]], parallel: bool) -> Iterator[Batch]:
    """Tokenizing is most of a full build, and pure Python: with `parallel`, worker processes on every
    core tokenize batches while this process reads the store and numbers the terms. In order."""
    iterator = iter(rows)
    if not parallel:
        while batch := list(itertools.islice(iterator, BATCH)):
            yield encode_rows(batch)
        return
    workers = max(2, os.cpu_count() or 2)
    context = multiprocessing.get_context("spawn")  # forking a process that runs threads is unsafe
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[Batch]] = deque()
        while batch := list(itertools.islice(iterator, BATCH)):
            pending.append(pool.submit(encode_rows, batch))
            while len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


T = TypeVar("T")


def _call_with_library(settings: Settings, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    library = Library(settings)
    library.child_refresh_from = sys.maxsize  # already out of the serving process: no pauses to avoid
    try:
        return work(library, *args)
    finally:
        library.close()


def _refresh_child(settings: Settings) -> None:
    library = Library(settings)
    try:
        library.refresh()
    finally:
        library.close()


class Library:
    # From this many indexed chunks on, catching up runs in a child process (see _refresh_in_child).
    child_refresh_from = 200_000

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = Store(self.settings.database_url)
        migrate.ensure_current(self.store.engine)
        self.index_dir = self.settings.resolved_index_dir()
        self._index: BM25Index | None = None
        self._refresh_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._last_check = 0.0

    def close(self) -> None:
        if self._worker is not None:
            self._worker.join()
        self.store.close()

    # -- set-up and ingest ----------------------------------------------------------------------

    def prepare(self) -> IngestReport | None:
        """First use needs no set-up: an empty store takes the seed corpus, and the index is made."""
        report = None
        if self.store.count_announcements() == 0 and self.settings.seeds_dir.is_dir():
            # Under the migrations' lock, looking again inside it: two processes starting on an
            # empty store seed it once.
            with database_lock(self.store.engine):
                if self.store.count_announcements() == 0:
                    report = ingest_paths(self.store, [self.settings.seeds_dir], progress=False)
        self.refresh()
        return report

    def ingest(self, paths: Sequence[Path], progress: bool | None = None) -> IngestReport:
        report = ingest_paths(self.store, paths, progress=progress)
        if report.changed:
            self.refresh()
        return report

    def ingest_records(self, records: Sequence[AnnouncementRecord]) -> IngestReport:
        report = ingest_records(self.store, records, progress=False)
        if report.changed:
            self.refresh()
        return report

    # -- the index ------------------------------------------------------------------------------

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
        meta = IndexMeta(store_id=store_id, store_version=version, tokenizer=TOKENIZER_VERSION)
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
        persistence.save(fresh, self.index_dir)
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
        if current is None or (current.meta.store_id, current.meta.tokenizer) != (
            meta.store_id,
            meta.tokenizer,
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

    def in_child_process(self, work: Callable[..., T], *args: Any) -> T:
        """`work(Library(same settings), *args)` in a spawned process, then catch up here.

        For the serving process: parsing, storing and indexing new announcements is Python work that
        holds the GIL, and on a thread of this process it delays every question being answered
        meanwhile. In a child process it does not; this process then only maps the index the child
        saved (a few milliseconds). `work` must be a module-level function; its result is pickled."""
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            result = pool.submit(_call_with_library, self.settings, work, args).result()
        self.refresh()
        return result

    def settle(self) -> None:
        """Ready a long-running process to answer without pauses: load the compiled search code with a
        first question, then freeze what start-up allocated, so that the garbage collector's full
        passes (one every few thousand allocations) no longer walk it: unfrozen, such a pass held
        the GIL for 70 ms while an update was merged in (bench/run.py, fresh)."""
        self.index.warm_up()
        self.ask("warm up the answer path")
        gc.collect()
        gc.freeze()

    def refresh_soon(self, min_interval: float = 1.0) -> None:
        """Cheap check for the answer path: at most once a second, and the work goes to a thread."""
        now = time.monotonic()
        if now - self._last_check < min_interval:
            return
        self._last_check = now
        if self.is_current() or (self._worker is not None and self._worker.is_alive()):
            return
        self._worker = threading.Thread(target=self._refresh_quietly, name="index-refresh", daemon=True)
        self._worker.start()

    def _refresh_quietly(self) -> None:
        try:
            self.refresh()
        except Exception:
            log.exception("index refresh failed; answering from the previous index")

    # -- questions ------------------------------------------------------------------------------

    def ask(
        self, question: str, top_k: int = 5, filters: Filters | None = None, within: int | None = None
    ) -> answering.Answer:
        """The passage that answers; `within` asks one announcement only (a follow-up)."""
        return answering.answer_question(
            self.index, self.store, question, top_k=top_k, filters=filters, within=within
        )

    def search(
        self, words: str, limit: int = 5, offset: int = 0, filters: Filters | None = None
    ) -> list[answering.Passage]:
        return answering.search(self.index, self.store, words, limit=limit, offset=offset, filters=filters)

    def latest(self, n: int = 5, offset: int = 0) -> list[AnnouncementInfo]:
        return self.store.latest(n, offset)

    def announcement(self, announcement_id: int) -> StoredAnnouncement | None:
        return self.store.announcement(announcement_id)

    def stats(self) -> CorpusStats:
        return self.store.stats()

    def corpus_version(self) -> int:
        """Goes up with every change to the passages: cheap, unlike stats()."""
        return self.store.corpus_state()[1]

    def last_sync(self) -> SyncStatus:
        return self.store.last_sync()

    def sync_problems(self) -> list[SyncProblemInfo]:
        """Items a sync failed on, those it gave up on first (retrieval/sync.py): for admins."""
        return sync_problems(self)

    # -- subscriptions and the alert queue (the rules are in retrieval/alerts.py) ---------------

    def subscribe(self, chat_id: int, words: str, limit: int) -> Subscription:
        """DuplicateSubscription or SubscriptionLimit (retrieval.store) when it may not be added."""
        return self.store.subscribe(chat_id, words, limit)

    def subscriptions(self, chat_id: int) -> list[Subscription]:
        return self.store.subscriptions(chat_id)

    def unsubscribe(self, chat_id: int, subscription_id: int | None = None) -> int:
        """Remove one subscription of this chat, or all of them; returns how many went."""
        return self.store.unsubscribe(chat_id, subscription_id)

    def queue_alerts(self, announcement_ids: Sequence[int]) -> None:
        self.store.queue_alerts(announcement_ids)

    def queued_alerts(self, limit: int = 500) -> list[int]:
        return self.store.queued_alerts(limit)

    def mark_sent(self, chat_id: int, announcement_id: int) -> None:
        self.store.mark_sent(chat_id, announcement_id)

    def dequeue_alerts(self, announcement_ids: Sequence[int]) -> None:
        self.store.dequeue_alerts(announcement_ids)
