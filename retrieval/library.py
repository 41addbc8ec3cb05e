"""The retrieval package's front door: ask, search, latest, read, ingest, sync state, subscriptions.

It owns a store (retrieval/store) and an index keeper (retrieval/index_keeper.py) that holds the
BM25 index at the store's corpus version; everything else is delegated to the module whose concern it
is, and every method returns plain records.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import secrets
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from retrieval import answer as answering
from retrieval.announcement import AnnouncementRecord
from retrieval.config import Settings
from retrieval.filters import Filters
from retrieval.index_keeper import IndexKeeper
from retrieval.ingest import IngestReport, ingest_paths, ingest_records
from retrieval.ranking import english
from retrieval.ranking.passages import FACTS
from retrieval.ranking.query import AnswerType
from retrieval.search.bm25 import BM25Index
from retrieval.search.tokenize import term
from retrieval.sources.govuk import announcement_key
from retrieval.store import (
    AnnouncementInfo,
    ButtonState,
    ChatData,
    ConversationTurn,
    CorpusStats,
    DayCount,
    DigestItem,
    LoggedQuestion,
    ShownList,
    Store,
    StoredAnnouncement,
    Subscription,
    SyncStatus,
    migrate,
    page_cache,
)
from retrieval.store.database import database_lock, sqlite_file
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

    def refresh_soon(self, min_interval: float = 0.0) -> None:
        """The answer path's version check: waits for a catch-up when another process has ingested."""
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

    def settle(self) -> threading.Thread | None:
        """Ready a long-running process to answer without pauses: have the OS read a SQLite store's
        file into its page cache (in the background: retrieval/store/page_cache.py), load the compiled
        search code with a first question, then freeze what start-up allocated, so that the garbage
        collector's full passes (one every few thousand allocations) no longer walk it: unfrozen,
        such a pass held the GIL for 70 ms while an update was merged in (bench/run.py, fresh).
        Returns the read-ahead's thread, if one was started."""
        path = sqlite_file(self.settings.database_url)
        reading = page_cache.read_ahead_in_background(path) if path is not None else None
        self.index.warm_up()
        english.load()
        self.ask("warm up the answer path")
        gc.collect()
        gc.freeze()
        return reading

    # -- questions ------------------------------------------------------------------------------

    def ask(
        self, question: str, top_k: int = 5, filters: Filters | None = None, within: int | None = None
    ) -> answering.Answer:
        """The passage that answers; `within` asks one announcement only (a follow-up)."""
        return answering.answer_question(
            self.index, self.store, question, top_k=top_k, filters=filters, within=within
        )

    def search(
        self,
        words: str,
        limit: int = 5,
        offset: int = 0,
        filters: Filters | None = None,
        whole_topic: bool = False,
    ) -> list[answering.Passage]:
        """Announcements matching `words`, best first (answer.search); `whole_topic`: only those
        holding as much of the words as the best match."""
        return answering.search(
            self.index,
            self.store,
            words,
            limit=limit,
            offset=offset,
            filters=filters,
            whole_topic=whole_topic,
        )

    def read_as(self, words: str) -> dict[str, str]:
        """The misspelt words of `words` and the corpus words a search reads instead."""
        return answering.read_as(self.index, words)

    def latest(self, n: int = 5, offset: int = 0, filters: Filters | None = None) -> list[AnnouncementInfo]:
        """Newest first; `filters` (retrieval/filters.py) keep matching announcements only."""
        return self.store.latest(n, offset, filters)

    def count_latest(self, filters: Filters | None = None) -> int:
        """How many announcements `latest` lists with these filters, over all its pages."""
        return self.store.count_matching(filters)

    def known_words(self, words: Sequence[str]) -> list[bool]:
        """For each word, whether the corpus uses it (its index term, e.g. its stem): cheap, no store."""
        index = self.index
        return [bool(t) and index.df_of(t) > 0 for t in map(term, (w.casefold() for w in words))]

    def words_in_announcement(self, announcement_id: int, words: Sequence[str]) -> list[bool]:
        """For each word, whether the announcement (its title or an indexed passage) uses it. Read
        from the index's postings and the announcement's chunk ids, never its text: the cost does
        not grow with the announcement's length."""
        index = self.index
        own = np.asarray(self.store.chunk_ids_of([announcement_id]), np.int64)
        found: list[bool] = []
        for word in words:
            t = term(word.casefold())
            i = index.vocabulary.get(t) if t and len(own) else None
            if i is None or i + 1 >= len(index.indptr):
                found.append(False)
                continue
            rows = index.docs[index.indptr[i] : index.indptr[i + 1]]
            found.append(bool(np.isin(index.chunk_ids[rows], own).any()))
        return found

    def gives_fact(self, announcement_id: int, kind: AnswerType) -> bool:
        """Whether any passage of the announcement holds that kind of fact (an amount, a date, a
        place...): what lets a reply say "it names no place" rather than "I could not find it"."""
        return any(FACTS[kind].search(row.text) for row in self.store.chunks_of([announcement_id]))

    def announcement_at(self, path: str) -> int | None:
        """The announcement published at this GOV.UK path ("/government/news/…"), if it is held."""
        return self.store.announcement_id_by_key(announcement_key(path))

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

    def subscribe(
        self, chat_id: int, words: str, limit: int, kind: str = "words", daily: bool = False
    ) -> Subscription:
        """DuplicateSubscription or SubscriptionLimit (retrieval.store) when it may not be added."""
        return self.store.subscribe(chat_id, words, limit, kind=kind, daily=daily)

    def change_subscription(
        self,
        chat_id: int,
        subscription_id: int,
        *,
        daily: bool | None = None,
        muted_until: datetime | None = None,
        unmute: bool = False,
    ) -> Subscription | None:
        """Daily or immediate delivery, a mute until a time, or no mute; None if the chat has no
        such subscription."""
        return self.store.change_subscription(
            chat_id, subscription_id, daily=daily, muted_until=muted_until, unmute=unmute
        )

    def organisations(self) -> list[str]:
        """The organisation fields of the corpus, for matching names loosely (retrieval/filters.py)."""
        return self.store.organisations()

    def announcement_infos(self, announcement_ids: Sequence[int]) -> dict[int, AnnouncementInfo]:
        return self.store.announcement_infos(announcement_ids)

    def hold_for_digest(self, items: Sequence[DigestItem]) -> None:
        self.store.hold_for_digest(items)

    def digest_items(self, held_before: datetime) -> list[DigestItem]:
        return self.store.digest_items(held_before)

    def clear_digest(self, chat_id: int, announcement_ids: Sequence[int]) -> None:
        self.store.clear_digest(chat_id, announcement_ids)

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

    # -- what the bot keeps per chat: button keys, questions asked and their feedback -----------

    def remember(
        self, chat_id: int, kind: str, payload: Mapping[str, Any], ttl: timedelta, now: datetime | None = None
    ) -> str:
        """A short key for a button to carry (callback_data holds 64 bytes) standing for `payload`
        until `ttl` has passed, for any process on this store."""
        now = now or datetime.now(UTC)
        key = secrets.token_urlsafe(9)  # 12 characters, 72 random bits: not guessable across chats
        self.store.save_button(ButtonState(key, chat_id, kind, dict(payload), now + ttl), now)
        return key

    def recall(self, key: str, now: datetime | None = None) -> ButtonState | None:
        """What a button's key stands for; None once it has expired or was forgotten."""
        return self.store.button(key, now or datetime.now(UTC))

    def log_question(self, chat_id: int, text: str, outcome: str, now: datetime | None = None) -> int:
        return self.store.log_question(chat_id, text, outcome, now or datetime.now(UTC))

    def give_feedback(self, question_id: int, chat_id: int, helpful: bool) -> bool:
        """👍 or 👎 on the reply to a question this chat asked; False if it is no longer kept."""
        return self.store.set_feedback(question_id, chat_id, 1 if helpful else -1, datetime.now(UTC))

    def last_question(self, chat_id: int, since: datetime) -> str | None:
        """What this chat last asked, at or after `since` (answered or not), if anything."""
        return self.store.last_question(chat_id, since)

    def missed(self, chat_id: int, now: datetime, within: timedelta) -> bool:
        """The chat said the reply to its last question (asked within `within`) missed: a 👎 for it.
        False if it asked none that recently."""
        question_id = self.store.last_question_id(chat_id, now - within)
        return question_id is not None and self.give_feedback(question_id, chat_id, helpful=False)

    def question_counts(self, since: datetime) -> list[DayCount]:
        return self.store.question_counts(since)

    def recent_questions(
        self, limit: int, outcome: str | None = None, feedback: int | None = None
    ) -> list[LoggedQuestion]:
        return self.store.recent_questions(limit, outcome=outcome, feedback=feedback)

    def prune(self, now: datetime, questions_before: datetime, alerts_before: datetime) -> dict[str, int]:
        """Delete expired button keys, and questions and alert records older than the given times;
        how many of each went."""
        return {
            "button keys": self.store.delete_expired_buttons(now),
            "questions": self.store.delete_questions_before(questions_before),
            "alerts": self.store.delete_alerts_sent_before(alerts_before),
        }

    def chat_data(self, chat_id: int) -> ChatData:
        return self.store.chat_data(chat_id)

    def forget_chat(self, chat_id: int) -> ChatData:
        """Delete everything the store keeps about this chat."""
        return self.store.forget_chat(chat_id)

    # -- a chat's conversation: follow-ups and numbered lists (records in retrieval/store) --------

    def remember_answer(
        self, chat_id: int, announcement_id: int, question: str, ttl: timedelta, now: datetime
    ) -> None:
        """This chat's last answer quoted `announcement_id`, for follow-ups within `ttl`."""
        self.store.remember_answer(chat_id, announcement_id, question, now, now + ttl)

    def last_answer(self, chat_id: int, now: datetime) -> ConversationTurn | None:
        """This chat's last answer, if it is recent enough to follow up."""
        return self.store.conversation(chat_id, now)

    def forget_answer(self, chat_id: int) -> None:
        """Follow-ups in this chat no longer follow its last answer: the chat moved on from it."""
        self.store.forget_answer(chat_id)

    def remember_list(
        self, chat_id: int, list_key: str, items: Mapping[int, int], ttl: timedelta, now: datetime
    ) -> ShownList:
        """This chat was shown `items` (number -> announcement id) of the list `list_key`, for
        /read N within `ttl`; pages of the same list add up."""
        return self.store.remember_list(chat_id, list_key, items, now, now + ttl)

    def shown_list(self, chat_id: int, now: datetime) -> ShownList | None:
        return self.store.shown_list(chat_id, now)

    def forget_conversation(self, chat_id: int) -> int:
        """Delete this chat's last answer and last list (part of /forget)."""
        return self.store.forget_conversation(chat_id)
