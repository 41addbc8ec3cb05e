"""Subscriptions as the bot offers them: retrieval/alerts.py keeps the rules and the store keeps the rows;
this module turns a refusal into the polite sentence a user reads, and reads what a user typed
(`/subscribe daily flood defences`, `/follow hmrc`, `/unsubscribe flood defences`). The Telegram job
(bot/telegram/jobs.py) only sends what is due."""

from __future__ import annotations

from retrieval import alerts
from retrieval.library import Library
from retrieval.store import DuplicateSubscription, Subscription, SubscriptionLimit

LOCAL_CHAT_ID = alerts.LOCAL_CHAT_ID
MAX_PER_CHAT = alerts.MAX_PER_CHAT
MAX_WORDS = alerts.MAX_WORDS
ORGANISATION = alerts.ORGANISATION
DAILY_WORDS = ("daily", "digest")  # "/subscribe daily WORDS": one message a day for these words


class SubscriptionError(ValueError):
    """A polite reason the subscription was not made."""


def daily_and_words(text: str) -> tuple[bool, str]:
    """ "daily flood defences" -> (True, "flood defences"); the rest as typed."""
    first, _, rest = text.strip().partition(" ")
    if first.casefold() in DAILY_WORDS and rest.strip():
        return True, rest.strip()
    return False, text.strip()


def subscribe(library: Library, chat_id: int, words: str, daily: bool = False) -> Subscription:
    """Follow `words`; the subscription as kept (spacing normalised). SubscriptionError says why not."""
    try:
        return alerts.subscribe(library, chat_id, words, daily=daily)
    except alerts.WordsTooLong:
        raise SubscriptionError(f"Please keep a subscription under {MAX_WORDS} characters.") from None
    except alerts.WordsTooCommon:
        raise SubscriptionError(
            "Those words are too common to follow. Try more specific ones, e.g. flood defences."
        ) from None
    except DuplicateSubscription:
        raise SubscriptionError(f"You already follow “{alerts.normalise(words)}”.") from None
    except SubscriptionLimit:
        raise _limit() from None


def follow(library: Library, chat_id: int, name: str, daily: bool = False) -> list[Subscription]:
    """Follow the organisations `name` stands for (usually one; "FCO" is two). SubscriptionError says
    why not: no such organisation, or all of them followed already."""
    try:
        names = alerts.organisations_named(library, name)
    except alerts.WordsTooLong:
        raise SubscriptionError(f"Please keep a name under {MAX_WORDS} characters.") from None
    except alerts.UnknownOrganisation:
        raise SubscriptionError(
            f"I know no organisation called “{alerts.normalise(name)}” among the announcements. Try its "
            "full name or a common short one, e.g. /follow Environment Agency or /follow HMRC."
        ) from None
    followed: list[Subscription] = []
    for organisation in names:
        try:
            followed.append(alerts.follow(library, chat_id, organisation, daily=daily))
        except DuplicateSubscription:
            continue
        except SubscriptionLimit:
            if followed:
                break
            raise _limit() from None
    if not followed:
        raise SubscriptionError(f"You already follow {' and '.join(names)}.")
    return followed


def names_organisation(library: Library, words: str) -> bool:
    """Whether the words name one of the corpus's organisations and nothing else ("hmrc", "the
    environment agency"): someone who subscribes to them wants what it publishes."""
    try:
        return bool(alerts.organisations_named(library, words))
    except (alerts.WordsTooLong, alerts.UnknownOrganisation):
        return False


def _limit() -> SubscriptionError:
    return SubscriptionError(f"A chat can have at most {MAX_PER_CHAT} subscriptions. Remove one first.")


def listed(library: Library, chat_id: int) -> list[Subscription]:
    """This chat's subscriptions, oldest first: the numbers /subscriptions shows."""
    return library.subscriptions(chat_id)


def subscriptions_of(library: Library, chat_id: int) -> list[tuple[int, str]]:
    """(subscription id, words), oldest first."""
    return [(s.subscription_id, s.words) for s in library.subscriptions(chat_id)]


def find(library: Library, chat_id: int, words: str) -> Subscription | None:
    """The chat's subscription these words name: its words or organisation in any case and spacing,
    an organisation by a short name too ("/unsubscribe hmrc"), or its number in /subscriptions."""
    mine = library.subscriptions(chat_id)
    wanted = alerts.normalise(words).casefold()
    if wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(mine):
        return mine[int(wanted) - 1]
    for subscription in mine:
        if subscription.words.casefold() == wanted:
            return subscription
    try:
        names = {n.casefold() for n in alerts.organisations_named(library, words)}
    except (alerts.UnknownOrganisation, alerts.WordsTooLong):
        return None
    return next((s for s in mine if s.kind == ORGANISATION and s.words.casefold() in names), None)


def unsubscribe(library: Library, chat_id: int, subscription_id: int | None = None) -> int:
    """Remove one subscription of this chat, or all of them; returns how many went."""
    return library.unsubscribe(chat_id, subscription_id)


def recent_matches(library: Library, subscription: Subscription, n: int = 3) -> list[int]:
    """Ids of the newest announcements that the subscription matches, newest first."""
    return [a.announcement_id for a in alerts.recent_matches(library, subscription, n)]
