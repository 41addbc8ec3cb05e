"""The retrieval package's front door: ask, search, latest, read, ingest, sync state, subscriptions.

It owns a store (retrieval/store) and an index keeper (retrieval/index_keeper.py) that holds the
BM25 index at the store's corpus version; everything else is delegated to the module whose concern it
is, and every method returns plain records.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from retrieval import answer as answering
from retrieval.announcement import AnnouncementRecord
from retrieval.config import Settings
from retrieval.filters import Filters
from retrieval.index_keeper import IndexKeeper
from retrieval.ingest import IngestReport, ingest_paths, ingest_records
from retrieval.search.bm25 import BM25Index
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

T = TypeVar("T")


def _call_with_library(settings: Settings, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    library = Library(settings)
    library.keeper.child_refresh_from = sys.maxsize  # already out of the serving process: no pauses to avoid
    try:
        return work(library, *args)
    finally:
        library.close()


class Library:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.store = Store(self.settings.database_url)
        migrate.ensure_current(self.store.engine)
        self.keeper = IndexKeeper(self.store, self.settings)
        self.index_dir = self.keeper.index_dir

    def close(self) -> None:
        self.keeper.close()
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

    # -- the index (kept by retrieval/index_keeper.py) -------------------------------------------

    @property
    def index(self) -> BM25Index:
        return self.keeper.index

    def refresh(self) -> bool:
        """Bring the index up to the store's version now; True if a new generation had to be built."""
        return self.keeper.refresh()

    def refresh_soon(self, min_interval: float = 1.0) -> None:
        """Cheap check for the answer path: at most once a second, and the work goes to a thread."""
        self.keeper.refresh_soon(min_interval)

    def is_current(self) -> bool:
        return self.keeper.is_current()

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
