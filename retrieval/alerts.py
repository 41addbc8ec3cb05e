"""Alerts without Telegram: who follows what, which new announcements match, and the once-per-chat rule.

Whatever syncs GOV.UK (the bot's job or `python -m bot sync`) queues the announcements it added or
changed; the bot's job takes what is due, sends it, marks each alert sent and then clears the batch
from the queue. Items synced by another process, or left over when the bot stopped half way, are
still checked; an alert marked sent is never due again, so a chat hears once about an announcement
however many subscriptions match it or updates arrive.

A subscription matches an announcement when one of its passages (with its title) covers at least
MIN_COVERAGE of the words' weight: the tokenizer and idf weighting that decide whether a question is
answered, with a stricter share, since an alert nobody asked for costs more than a declined answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from retrieval.answer import Passage, best_match
from retrieval.library import Library
from retrieval.search.tokenize import tokenize
from retrieval.store import Subscription
from retrieval.store.schema import SUBSCRIPTION_WORDS

MAX_PER_CHAT = 20
MAX_WORDS = SUBSCRIPTION_WORDS  # characters
MIN_COVERAGE = 0.75
# How long an expired claim still keeps its announcement queued (see Store.claimed).
CLAIM_SETTLE = timedelta(hours=1)
# The terminal chat's subscriptions: kept and listed like any chat's, but no Telegram chat has this id,
# so nobody is alerted for them.
LOCAL_CHAT_ID = 0


class WordsTooCommon(ValueError):
    """Nothing in these words is searchable (stop words, punctuation)."""


class WordsTooLong(ValueError):
    """Longer than a subscription may be."""


def normalise(words: str) -> str:
    return " ".join(words.split())


def subscribe(library: Library, chat_id: int, words: str) -> Subscription:
    """Follow `words` (spacing normalised). WordsTooLong, WordsTooCommon, or the store's
    DuplicateSubscription or SubscriptionLimit when it may not."""
    words = normalise(words)
    if len(words) > MAX_WORDS:  # before tokenizing: a long word is not "too common"
        raise WordsTooLong(words)
    if not tokenize(words):
        raise WordsTooCommon(words)
    return library.subscribe(chat_id, words, MAX_PER_CHAT)


@dataclass(frozen=True)
class Alert:
    chat_id: int
    words: str
    passage: Passage


@dataclass(frozen=True)
class Due:
    """The queued announcements looked at (clear them with `done` once the alerts are handled), and the
    alerts to send for them."""

    announcement_ids: list[int]
    alerts: list[Alert]


def matching(library: Library, announcement_ids: Sequence[int]) -> list[Alert]:
    """Alerts still to send for these announcements: at most one per chat and announcement, none for
    one already sent."""
    if not announcement_ids:
        return []
    library.refresh()  # another process may have synced them: weigh words by the current corpus
    subscriptions = library.store.subscriptions_except(LOCAL_CHAT_ID)
    sent = library.store.alerts_sent(announcement_ids)
    index = library.index
    terms = {s.subscription_id: tokenize(s.words) for s in subscriptions}
    alerts: list[Alert] = []
    for announcement_id in announcement_ids:
        rows = library.store.chunks_of([announcement_id])
        if not rows:
            continue
        for subscription in subscriptions:
            key = (subscription.chat_id, announcement_id)
            if key in sent:
                continue
            match = best_match(terms[subscription.subscription_id], rows, index, MIN_COVERAGE)
            if match is not None:
                alerts.append(Alert(subscription.chat_id, subscription.words, match[0]))
                sent.add(key)
    return alerts


def due(library: Library, limit: int = 500) -> Due:
    """The oldest queued announcements and the alerts they call for."""
    queued = library.queued_alerts(limit)
    return Due(queued, matching(library, queued))


def sent(library: Library, alert: Alert) -> None:
    """Never again for this chat and announcement (also after a failed send that may have arrived)."""
    library.mark_sent(alert.chat_id, alert.passage.announcement_id)


def claim(library: Library, alert: Alert, seconds: float) -> bool:
    """The right to send this alert for `seconds`: False if it was sent or another worker is sending
    it. A sender that dies holds it only until the claim expires; the alert is then due again."""
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    return library.store.claim_alert(alert.chat_id, alert.passage.announcement_id, until)


def release(library: Library, alert: Alert) -> None:
    """Not sent, for a passing reason: the next run may claim it again."""
    library.store.release_claim(alert.chat_id, alert.passage.announcement_id)


def done(library: Library, batch: Due) -> None:
    """Clear the batch from the queue, except announcements with an alert still claimed (by a worker
    that may have died mid-send): they stay queued until that alert is sent."""
    pending = library.store.claimed(batch.announcement_ids, datetime.now(UTC) - CLAIM_SETTLE)
    library.dequeue_alerts([a for a in batch.announcement_ids if a not in pending])


def queue(library: Library, announcement_ids: Sequence[int]) -> None:
    """Check these announcements against the subscriptions at the next `due`."""
    library.queue_alerts(announcement_ids)
