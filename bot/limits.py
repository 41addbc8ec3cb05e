"""How much one chat may ask: at most `per_window` questions in any `window` seconds.

A chat that asks faster is told once to slow down and then ignored until its oldest question leaves
the window, so one person pasting 500 questions costs the bot 20 answers and one reply, and everybody
else keeps being answered. Knows nothing of Telegram: keys are whatever the caller counts by.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ANSWER = "answer"
    SLOW_DOWN = "slow down"  # the first refusal: say so, once
    IGNORE = "ignore"  # later refusals: silence, or the chat would be flooded with "slow down"


@dataclass
class _Chat:
    asked: deque[float] = field(default_factory=deque)
    warned: bool = False


class ChatLimit:
    """Not thread-safe: the Telegram side calls it on the event loop only."""

    def __init__(
        self,
        per_window: int,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_chats: int = 100_000,
    ) -> None:
        self.per_window = per_window
        self.window = window
        self._clock = clock
        self._max_chats = max_chats
        self._chats: dict[Hashable, _Chat] = {}

    @property
    def enabled(self) -> bool:
        return self.per_window > 0

    def check(self, key: Hashable) -> Verdict:
        """Count one question from `key`, unless it is refused."""
        if not self.enabled:
            return Verdict.ANSWER
        now = self._clock()
        chat = self._chats.get(key)
        if chat is None:
            if len(self._chats) >= self._max_chats:
                self._forget_idle(now)
            chat = self._chats[key] = _Chat()
        while chat.asked and chat.asked[0] <= now - self.window:
            chat.asked.popleft()
        if len(chat.asked) < self.per_window:
            chat.asked.append(now)
            chat.warned = False
            return Verdict.ANSWER
        if chat.warned:
            return Verdict.IGNORE
        chat.warned = True
        return Verdict.SLOW_DOWN

    def _forget_idle(self, now: float) -> None:
        # Many one-off chats must not grow this for the life of the process; a chat whose newest
        # question left the window has nothing left to limit.
        idle = [
            key for key, chat in self._chats.items() if not chat.asked or chat.asked[-1] <= now - self.window
        ]
        for key in idle:
            del self._chats[key]
        if len(self._chats) >= self._max_chats:  # all busy (a bot farm): drop the oldest entries
            for key in list(self._chats)[: len(self._chats) // 10 or 1]:
                del self._chats[key]
