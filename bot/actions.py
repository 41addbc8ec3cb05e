"""Button presses as typed actions, and the callback_data that carries them (at most 64 bytes).

A button cannot carry a question (64 bytes), so answers and searches carry a short key that the command
layer maps back to the words. Each kind has one pattern: the Telegram side registers one handler per
pattern, the terminal parses what the user pressed with the same patterns. Numbers are ASCII digits
only: "²" is a digit to Python's \\d and str.isdigit, but int() refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = r"([A-Za-z0-9_-]{1,24})"
_NUMBER = r"([0-9]{1,30})"

READ = re.compile(rf"^read:{_NUMBER}$")
MORE = re.compile(rf"^more:{_KEY}:{_NUMBER}$")
ANSWER = re.compile(rf"^ans:{_KEY}$")
SEARCH = re.compile(rf"^search:{_KEY}:{_NUMBER}$")
UNSUBSCRIBE = re.compile(rf"^unsub:{_NUMBER}$")
ASK = re.compile(rf"^ask:{_KEY}$")
LATEST = re.compile(rf"^latest:{_KEY}:{_NUMBER}$")
PAGE = re.compile(rf"^page:{_NUMBER}:{_NUMBER}$")
FEEDBACK = re.compile(rf"^fb:{_NUMBER}:([01])$")
ALERT_UNSUBSCRIBE = re.compile(rf"^aunsub:{_NUMBER}$")
MUTE = re.compile(rf"^mute:{_NUMBER}$")
UNMUTE = re.compile(rf"^unmute:{_NUMBER}$")
DAILY = re.compile(rf"^daily:{_NUMBER}:([01])$")
UNSUBSCRIBE_ALL = re.compile(r"^unsuball:([01])$")
FORGET = re.compile(r"^forget:([01])$")


@dataclass(frozen=True)
class Read:
    """Open a whole announcement ("Full announcement", numbered lists)."""

    announcement_id: int

    @property
    def data(self) -> str:
        return f"read:{self.announcement_id}"


@dataclass(frozen=True)
class MoreMatches:
    """A page of further matches for the question behind `key`, in place of the answer."""

    key: str
    page: int

    @property
    def data(self) -> str:
        return f"more:{self.key}:{self.page}"


@dataclass(frozen=True)
class BackToAnswer:
    key: str

    @property
    def data(self) -> str:
        return f"ans:{self.key}"


@dataclass(frozen=True)
class SearchPage:
    key: str
    page: int

    @property
    def data(self) -> str:
        return f"search:{self.key}:{self.page}"


@dataclass(frozen=True)
class Unsubscribe:
    subscription_id: int

    @property
    def data(self) -> str:
        return f"unsub:{self.subscription_id}"


@dataclass(frozen=True)
class Ask:
    """Ask the question behind `key` as if it were typed: an example question, "Did you mean"."""

    key: str

    @property
    def data(self) -> str:
        return f"ask:{self.key}"


@dataclass(frozen=True)
class LatestPage:
    """A page of the newest announcements, with the filters behind `key`, in place of the list."""

    key: str
    page: int

    @property
    def data(self) -> str:
        return f"latest:{self.key}:{self.page}"


@dataclass(frozen=True)
class ReadPage:
    """Another page of an announcement being read, in place of the page shown."""

    announcement_id: int
    page: int

    @property
    def data(self) -> str:
        return f"page:{self.announcement_id}:{self.page}"


@dataclass(frozen=True)
class Feedback:
    """👍 (`helpful`) or 👎 on the reply to a logged question."""

    question_id: int
    helpful: bool

    @property
    def data(self) -> str:
        return f"fb:{self.question_id}:{int(self.helpful)}"


@dataclass(frozen=True)
class AlertUnsubscribe:
    """ "Unsubscribe" under an alert: remove the subscription that sent it (the alert stays)."""

    subscription_id: int

    @property
    def data(self) -> str:
        return f"aunsub:{self.subscription_id}"


@dataclass(frozen=True)
class Mute:
    """No alerts from this subscription for a day."""

    subscription_id: int

    @property
    def data(self) -> str:
        return f"mute:{self.subscription_id}"


@dataclass(frozen=True)
class Unmute:
    subscription_id: int

    @property
    def data(self) -> str:
        return f"unmute:{self.subscription_id}"


@dataclass(frozen=True)
class Daily:
    """This subscription's matches once a day in a digest (`daily`), or each at once."""

    subscription_id: int
    daily: bool

    @property
    def data(self) -> str:
        return f"daily:{self.subscription_id}:{int(self.daily)}"


@dataclass(frozen=True)
class UnsubscribeAll:
    """The answer to "Remove all your subscriptions?"."""

    confirmed: bool

    @property
    def data(self) -> str:
        return f"unsuball:{int(self.confirmed)}"


@dataclass(frozen=True)
class Forget:
    """The answer to "Delete everything I keep about this chat?"."""

    confirmed: bool

    @property
    def data(self) -> str:
        return f"forget:{int(self.confirmed)}"


Action = (
    Read
    | MoreMatches
    | BackToAnswer
    | SearchPage
    | Unsubscribe
    | Ask
    | LatestPage
    | ReadPage
    | Feedback
    | AlertUnsubscribe
    | Mute
    | Unmute
    | Daily
    | UnsubscribeAll
    | Forget
)


def read(match: re.Match[str]) -> Read:
    return Read(int(match[1]))


def more(match: re.Match[str]) -> MoreMatches:
    return MoreMatches(match[1], int(match[2]))


def answer(match: re.Match[str]) -> BackToAnswer:
    return BackToAnswer(match[1])


def search(match: re.Match[str]) -> SearchPage:
    return SearchPage(match[1], int(match[2]))


def unsubscribe(match: re.Match[str]) -> Unsubscribe:
    return Unsubscribe(int(match[1]))


def ask(match: re.Match[str]) -> Ask:
    return Ask(match[1])


def latest(match: re.Match[str]) -> LatestPage:
    return LatestPage(match[1], int(match[2]))


def read_page(match: re.Match[str]) -> ReadPage:
    return ReadPage(int(match[1]), int(match[2]))


def feedback(match: re.Match[str]) -> Feedback:
    return Feedback(int(match[1]), match[2] == "1")


def alert_unsubscribe(match: re.Match[str]) -> AlertUnsubscribe:
    return AlertUnsubscribe(int(match[1]))


def mute(match: re.Match[str]) -> Mute:
    return Mute(int(match[1]))


def unmute(match: re.Match[str]) -> Unmute:
    return Unmute(int(match[1]))


def daily(match: re.Match[str]) -> Daily:
    return Daily(int(match[1]), match[2] == "1")


def unsubscribe_all(match: re.Match[str]) -> UnsubscribeAll:
    return UnsubscribeAll(match[1] == "1")


def forget(match: re.Match[str]) -> Forget:
    return Forget(match[1] == "1")


# Each pattern with the action it makes; a Telegram handler per line, and `parse` for the terminal.
KINDS = (
    (READ, read),
    (MORE, more),
    (ANSWER, answer),
    (SEARCH, search),
    (UNSUBSCRIBE, unsubscribe),
    (ASK, ask),
    (LATEST, latest),
    (PAGE, read_page),
    (FEEDBACK, feedback),
    (ALERT_UNSUBSCRIBE, alert_unsubscribe),
    (MUTE, mute),
    (UNMUTE, unmute),
    (DAILY, daily),
    (UNSUBSCRIBE_ALL, unsubscribe_all),
    (FORGET, forget),
)

# Buttons that change what a chat follows or keeps: in a group, only its administrators may press them.
MANAGING = (Unsubscribe, AlertUnsubscribe, Mute, Unmute, Daily, UnsubscribeAll, Forget)


def manages(action: Action | None) -> bool:
    return isinstance(action, MANAGING)


def refers_to(data: str) -> str | None:
    """What a button's callback_data depends on, so that a press can take away the buttons that no
    longer work (those of an expired key, a removed subscription, a question already rated):
    "key:K", "sub:N", "mute:N" or "fb:N"; None for buttons that always work."""
    action = parse(data)
    key = getattr(action, "key", None)
    if isinstance(key, str):
        return f"key:{key}"
    match action:
        case AlertUnsubscribe(subscription_id):
            return f"sub:{subscription_id}"
        case Mute(subscription_id):
            return f"mute:{subscription_id}"
        case Feedback(question_id, _):
            return f"fb:{question_id}"
    return None


def parse(data: str) -> Action | None:
    """The action a button's callback_data stands for; None for data no button of ours carries."""
    for pattern, make in KINDS:
        match = pattern.match(data)
        if match is not None:
            return make(match)
    return None
