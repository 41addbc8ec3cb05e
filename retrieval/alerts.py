"""Alerts without Telegram: who follows what, which new announcements match, and the once-per-chat rule.

Whatever syncs GOV.UK (the bot's job or `python -m bot sync`) queues the announcements it added or
changed; the bot's job takes what is due, sends it, marks each alert sent and then clears the batch
from the queue. Items synced by another process, or left over when the bot stopped half way, are
still checked; an alert marked sent is never due again, so a chat hears once about an announcement
however many subscriptions match it or updates arrive.

A subscription to words matches an announcement when one of its passages (with its title) covers at
least MIN_COVERAGE of the words' weight: the tokenizer and idf weighting that decide whether a question
is answered, with a stricter share, since an alert nobody asked for costs more than a declined answer.
A subscription to an organisation matches what that organisation published (retrieval/filters.py's
rule, so that "HM Treasury" matches "HM Treasury, Cabinet Office").

A muted subscription matches nothing until its mute ends. A daily one's matches are held (`due` stores
them and marks them alerted) and go out together in the day's digest (`digests`), once a day at the
hour the bot is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from retrieval import filters
from retrieval.answer import Passage, best_match, to_passage
from retrieval.library import Library
from retrieval.search.tokenize import tokenize
from retrieval.store import AnnouncementInfo, ChunkRow, DigestItem, Subscription
from retrieval.store.schema import SUBSCRIPTION_WORDS

MAX_PER_CHAT = 20
MAX_WORDS = SUBSCRIPTION_WORDS  # characters
MIN_COVERAGE = 0.75
ORGANISATION = "organisation"  # Subscription.kind of a followed organisation
MUTE = timedelta(days=1)
# How long an expired claim still keeps its announcement queued (see Store.claimed).
CLAIM_SETTLE = timedelta(hours=1)
RECENT_POOL = 30  # search results looked through for the last matches shown on subscribing
# The terminal chat's subscriptions: kept and listed like any chat's, but no Telegram chat has this id,
# so nobody is alerted for them.
LOCAL_CHAT_ID = 0


class WordsTooCommon(ValueError):
    """Nothing in these words is searchable (stop words, punctuation)."""


class WordsTooLong(ValueError):
    """Longer than a subscription may be."""


class UnknownOrganisation(ValueError):
    """No organisation of the corpus goes by that name."""


def normalise(words: str) -> str:
    return " ".join(words.split())


def subscribe(library: Library, chat_id: int, words: str, daily: bool = False) -> Subscription:
    """Follow `words` (spacing normalised). WordsTooLong, WordsTooCommon, or the store's
    DuplicateSubscription or SubscriptionLimit when it may not."""
    words = normalise(words)
    if len(words) > MAX_WORDS:  # before tokenizing: a long word is not "too common"
        raise WordsTooLong(words)
    if not tokenize(words):
        raise WordsTooCommon(words)
    return library.subscribe(chat_id, words, MAX_PER_CHAT, daily=daily)


def organisations_named(library: Library, name: str) -> list[str]:
    """The corpus's organisations that `name` stands for, matched loosely ("hmrc", "the Environment
    Agency", "DfE"): as retrieval/filters.py reads "from NAME" in a question. UnknownOrganisation if
    none, or if words are left over ("hmrc taxes" is no organisation)."""
    name = normalise(name)
    if len(name) > MAX_WORDS:
        raise WordsTooLong(name)
    rest, found = filters.parse(f"from {name}", library.organisations())
    if not found.organisations or rest.strip(" ?!.,").casefold() not in ("", "from"):
        raise UnknownOrganisation(name)
    return list(found.organisations)


def follow(library: Library, chat_id: int, organisation: str, daily: bool = False) -> Subscription:
    """Follow an organisation by the name the corpus writes it with (see organisations_named)."""
    return library.subscribe(chat_id, organisation, MAX_PER_CHAT, kind=ORGANISATION, daily=daily)


def recent_matches(library: Library, subscription: Subscription, n: int = 3) -> list[AnnouncementInfo]:
    """The newest announcements the subscription would have alerted about: shown on subscribing, so
    that the chat sees what it signs up for."""
    if subscription.kind == ORGANISATION:
        return library.latest(n, 0, filters.Filters(organisations=(subscription.words,)))
    terms = tokenize(subscription.words)
    found = {p.announcement_id for p in library.search(subscription.words, limit=RECENT_POOL)}
    infos = library.announcement_infos(sorted(found))
    newest_first = sorted(
        infos.values(),
        key=lambda a: (a.published is not None, a.published or datetime.min.replace(tzinfo=UTC)),
        reverse=True,
    )
    matching_ones: list[AnnouncementInfo] = []
    for info in newest_first:
        rows = library.store.chunks_of([info.announcement_id])
        if rows and best_match(terms, rows, library.index, MIN_COVERAGE) is not None:
            matching_ones.append(info)
            if len(matching_ones) == n:
                break
    return matching_ones


@dataclass(frozen=True)
class Alert:
    chat_id: int
    words: str
    passage: Passage
    subscription_id: int = 0
    kind: str = "words"
    daily: bool = False


@dataclass(frozen=True)
class Due:
    """The queued announcements looked at (clear them with `done` once the alerts are handled), and the
    alerts to send for them."""

    announcement_ids: list[int]
    alerts: list[Alert]


def matching(library: Library, announcement_ids: Sequence[int], now: datetime | None = None) -> list[Alert]:
    """Alerts still to send for these announcements: at most one per chat and announcement, none for
    one already sent, none from a muted subscription. A chat's immediate subscriptions are tried
    before its daily ones, so a match that one of each finds is sent at once."""
    if not announcement_ids:
        return []
    now = now or datetime.now(UTC)
    library.refresh()  # another process may have synced them: weigh words by the current corpus
    subscriptions = [s for s in library.store.subscriptions_except(LOCAL_CHAT_ID) if not s.muted(now)]
    subscriptions.sort(key=lambda s: (s.daily, s.subscription_id))
    sent = library.store.alerts_sent(announcement_ids)
    terms = {s.subscription_id: tokenize(s.words) for s in subscriptions if s.kind != ORGANISATION}
    alerts: list[Alert] = []
    for announcement_id in announcement_ids:
        rows = library.store.chunks_of([announcement_id])
        if not rows:
            continue
        for subscription in subscriptions:
            key = (subscription.chat_id, announcement_id)
            if key in sent:
                continue
            passage = _match(subscription, terms.get(subscription.subscription_id, []), rows, library)
            if passage is not None:
                alerts.append(
                    Alert(
                        subscription.chat_id,
                        subscription.words,
                        passage,
                        subscription.subscription_id,
                        subscription.kind,
                        subscription.daily,
                    )
                )
                sent.add(key)
    return alerts


def _match(
    subscription: Subscription, terms: list[str], rows: list[ChunkRow], library: Library
) -> Passage | None:
    """The passage to quote if the subscription matches the announcement of `rows`."""
    if subscription.kind == ORGANISATION:
        first = rows[0]
        if not filters.Filters(organisations=(subscription.words,)).accepts(first.organisation, None, None):
            return None
        return to_passage(first, 0.0, set(), library.index)  # its opening paragraph, first sentence bold
    match = best_match(terms, rows, library.index, MIN_COVERAGE)
    return match[0] if match is not None else None


def due(library: Library, limit: int = 500, now: datetime | None = None) -> Due:
    """The oldest queued announcements and the alerts to send for them now. Matches of daily
    subscriptions are held for the digest here (and count as alerted), so they are not in `alerts`."""
    now = now or datetime.now(UTC)
    queued = library.queued_alerts(limit)
    found = matching(library, queued, now)
    held = [
        DigestItem(a.chat_id, a.passage.announcement_id, a.subscription_id, a.words, now)
        for a in found
        if a.daily
    ]
    library.hold_for_digest(held)
    return Due(queued, [a for a in found if not a.daily])


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


# -- daily digests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """One chat's held matches, oldest first, with what each announcement is."""

    chat_id: int
    items: list[DigestItem]
    announcements: dict[int, AnnouncementInfo]


def digest_time(now: datetime, hour: int) -> datetime:
    """The latest digest moment at or before `now`: `hour` o'clock UTC today, or yesterday's if today's
    is still to come. Matches held before it are due and later ones wait for the next, so each chat
    gets at most one digest a day without any record of when it had its last."""
    today = datetime.combine(now.astimezone(UTC).date(), time(hour), tzinfo=UTC)
    return today if today <= now else today - timedelta(days=1)


def digests(library: Library, now: datetime, hour: int) -> list[Digest]:
    """The digests due now, a chat each. Matches whose announcement has gone are dropped."""
    held = library.digest_items(digest_time(now, hour))
    infos = library.announcement_infos(sorted({i.announcement_id for i in held}))
    by_chat: dict[int, list[DigestItem]] = {}
    for item in held:
        if item.announcement_id in infos:
            by_chat.setdefault(item.chat_id, []).append(item)
        else:
            library.clear_digest(item.chat_id, [item.announcement_id])
    return [
        Digest(chat_id, items, {i.announcement_id: infos[i.announcement_id] for i in items})
        for chat_id, items in by_chat.items()
    ]


def digest_sent(library: Library, digest: Digest) -> None:
    library.clear_digest(digest.chat_id, [i.announcement_id for i in digest.items])
