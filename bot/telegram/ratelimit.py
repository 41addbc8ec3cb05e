"""Sending within Telegram's limits without one chat holding up the others.

python-telegram-bot's AIORateLimiter pauses every request of the bot when any one of them gets a 429,
so a group's flood limit (20 messages a minute) stalled private chats too. Here:

- at most `overall_per_second` messages a second in all (Telegram's 30);
- at most `group_sends` messages in any `group_window` seconds to one group, waited for in turn by that
  group's senders only (with concurrent updates, other chats are answered meanwhile);
- a 429 pauses the chat it was about, and the request is retried after its retry_after;
- a 5xx or a connection error is retried once after `backoff` seconds. A timeout is not: the
  message may well have arrived, and a retry would send it twice.

Waits end with SendAbandoned when the bot stops (`close`), so stopping never waits a minute for a
group's quota.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

Result = bool | JSONDict | list[JSONDict]


class SendAbandoned(TelegramError):
    """The bot stopped while this request waited for its chat's turn."""


@dataclass
class _Group:
    sent: deque[float] = field(default_factory=deque)
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)  # FIFO: a group's replies keep their order


class FairRateLimiter(BaseRateLimiter[int]):
    def __init__(
        self,
        *,
        overall_per_second: float = 30,
        group_sends: int = 20,
        group_window: float = 60.0,
        max_retries: int = 3,
        max_retry_after: float = 120.0,
        network_retries: int = 1,
        backoff: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._group_sends = group_sends
        self._group_window = group_window
        self._max_retries = max_retries
        self._max_retry_after = max_retry_after
        self._network_retries = network_retries
        self._backoff = backoff
        self._clock = clock
        self._groups: dict[int | str, _Group] = {}
        self._paused: dict[int | str, float] = {}  # chat -> when its 429 ends
        self._closing = asyncio.Event()
        self.abandoned = 0

    async def initialize(self) -> None:
        self._closing = asyncio.Event()

    async def shutdown(self) -> None:
        self.close()

    def close(self) -> None:
        """End every wait now; what was waiting is not sent."""
        self._closing.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        chat = _chat_of(data)
        group = chat if isinstance(chat, str) or (isinstance(chat, int) and chat < 0) else None
        throttled = failed = 0
        while True:
            if chat is not None:
                await self._wait_out_pause(chat)
            if group is not None:
                await self._group_turn(group)
            if chat is not None:
                await self._overall.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # The public retry_after warns of a type change in PTB 23; PTB's own limiter reads this.
                wait = exc._retry_after.total_seconds()
                if throttled >= (rate_limit_args or self._max_retries) or wait > self._max_retry_after:
                    raise
                throttled += 1
                log.info("%s to chat %s: Telegram asks to wait %.0f s", endpoint, chat, wait)
                if chat is None:
                    await self._sleep(wait)
                else:
                    self._paused[chat] = max(self._paused.get(chat, 0.0), self._clock() + wait)
            except (TimedOut, BadRequest):  # both are NetworkErrors to PTB
                raise
            except NetworkError as exc:  # a 5xx, or the connection failed
                if failed >= self._network_retries:
                    raise
                failed += 1
                log.info("%s to chat %s failed (%s): retrying in %.1f s", endpoint, chat, exc, self._backoff)
                await self._sleep(self._backoff)

    async def _sleep(self, seconds: float) -> None:
        if self._closing.is_set():
            self._abandon()
        try:
            await asyncio.wait_for(self._closing.wait(), timeout=max(seconds, 0.0))
        except TimeoutError:
            return
        self._abandon()

    def _abandon(self) -> None:
        self.abandoned += 1
        raise SendAbandoned("the bot is stopping")

    async def _wait_out_pause(self, chat: int | str) -> None:
        while (until := self._paused.get(chat)) is not None:
            left = until - self._clock()
            if left <= 0:
                self._paused.pop(chat, None)
                return
            await self._sleep(left)

    async def _group_turn(self, chat: int | str) -> None:
        group = self._groups.get(chat)
        if group is None:
            self._forget_quiet_groups()
            group = self._groups[chat] = _Group()
        async with group.turn:
            while True:
                now = self._clock()
                while group.sent and group.sent[0] <= now - self._group_window:
                    group.sent.popleft()
                if len(group.sent) < self._group_sends:
                    group.sent.append(now)
                    return
                await self._sleep(group.sent[0] + self._group_window - now)

    def _forget_quiet_groups(self) -> None:
        if len(self._groups) < 1000:
            return
        horizon = self._clock() - self._group_window
        for chat, group in list(self._groups.items()):
            if not group.turn.locked() and (not group.sent or group.sent[-1] <= horizon):
                del self._groups[chat]


def _chat_of(data: dict[str, Any]) -> int | str | None:
    chat = data.get("chat_id")
    if chat is None or isinstance(chat, int):
        return chat
    try:
        return int(chat)
    except (TypeError, ValueError):
        return str(chat)  # "@channelname"
