"""Per-update handling time, measured inside the bot: from the update reaching the handlers to the
reply being handed to the Bot API client."""

from __future__ import annotations

import time
from collections import OrderedDict, deque

from telegram import Update


class Metrics:
    def __init__(self, keep: int = 100_000, pending: int = 1000) -> None:
        # Many updates get no reply (group chatter, button presses, inline queries): their start
        # times must not pile up for the life of the process.
        self._started: OrderedDict[int, float] = OrderedDict()
        self._pending = pending
        self.durations_ms: deque[float] = deque(maxlen=keep)

    def received(self, update: Update, now: float) -> None:
        self._started[update.update_id] = now
        while len(self._started) > self._pending:
            self._started.popitem(last=False)

    def replied(self, update: Update) -> None:
        started = self._started.pop(update.update_id, None)
        if started is not None:
            self.durations_ms.append((time.perf_counter() - started) * 1000)
