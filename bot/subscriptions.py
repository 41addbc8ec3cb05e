"""Subscriptions as the bot offers them: retrieval/alerts.py keeps the rules and the store keeps the rows;
this module turns a refusal into the polite sentence a user reads, and lists a chat's subscriptions
as (id, words) for the buttons. The Telegram job (bot/telegram/jobs.py) only sends what is due."""

from __future__ import annotations

from retrieval import alerts
from retrieval.library import Library
from retrieval.store import DuplicateSubscription, SubscriptionLimit

LOCAL_CHAT_ID = alerts.LOCAL_CHAT_ID
MAX_PER_CHAT = alerts.MAX_PER_CHAT
MAX_WORDS = alerts.MAX_WORDS


class SubscriptionError(ValueError):
    """A polite reason the subscription was not made."""


def subscribe(library: Library, chat_id: int, words: str) -> str:
    """Follow `words`; the words as kept (spacing normalised). SubscriptionError says why not."""
    try:
        return alerts.subscribe(library, chat_id, words).words
    except alerts.WordsTooLong:
        raise SubscriptionError(f"Please keep a subscription under {MAX_WORDS} characters.") from None
    except alerts.WordsTooCommon:
        raise SubscriptionError(
            "Those words are too common to follow. Try more specific ones, e.g. flood defences."
        ) from None
    except DuplicateSubscription:
        raise SubscriptionError(f"You already follow “{alerts.normalise(words)}”.") from None
    except SubscriptionLimit:
        raise SubscriptionError(
            f"A chat can have at most {MAX_PER_CHAT} subscriptions. Remove one first."
        ) from None


def subscriptions_of(library: Library, chat_id: int) -> list[tuple[int, str]]:
    """(subscription id, words), oldest first."""
    return [(s.subscription_id, s.words) for s in library.subscriptions(chat_id)]


def unsubscribe(library: Library, chat_id: int, subscription_id: int | None = None) -> int:
    """Remove one subscription of this chat, or all of them; returns how many went."""
    return library.unsubscribe(chat_id, subscription_id)
