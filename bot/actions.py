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


Action = Read | MoreMatches | BackToAnswer | SearchPage | Unsubscribe


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


# Each pattern with the action it makes; a Telegram handler per line, and `parse` for the terminal.
KINDS = (
    (READ, read),
    (MORE, more),
    (ANSWER, answer),
    (SEARCH, search),
    (UNSUBSCRIBE, unsubscribe),
)


def parse(data: str) -> Action | None:
    """The action a button's callback_data stands for; None for data no button of ours carries."""
    for pattern, make in KINDS:
        match = pattern.match(data)
        if match is not None:
            return make(match)
    return None
