"""The Bot API client as the bot needs it: a revoked token stops the bot, and an update the library
cannot read is skipped instead of being fetched again forever."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from telegram import Update
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import InvalidToken
from telegram.ext import ExtBot
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)


class TokenWatch:
    """Set once Telegram answers 401 to any call: the token was revoked or replaced in @BotFather.
    Nothing the bot does can succeed after that, so whoever serves the bot stops it (`stop`) and
    exits non-zero, and a supervisor sees a failure instead of a running process that hears nothing."""

    def __init__(self) -> None:
        self.refused = False
        self.stop: Callable[[], None] | None = None

    def refuse(self) -> None:
        if self.refused:
            return
        self.refused = True
        if self.stop is not None:
            self.stop()


class WatchedRequest(HTTPXRequest):
    """Every Bot API call, the long poll included, goes through one of these: the one place that
    sees a 401 whichever call got it (a handler's reply, an alert, getUpdates)."""

    def __init__(self, watch: TokenWatch, **options: Any) -> None:
        super().__init__(**options)
        self._watch = watch

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        code, payload = await super().do_request(
            url,
            method,
            request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if code == HTTPStatus.UNAUTHORIZED:
            self._watch.refuse()
        return code, payload


def readable(raw: Any, bot: ExtBot[Any] | None) -> Update | None:
    """The update, or None (logged) when python-telegram-bot cannot read it, e.g. a poll without a
    field the library requires, as older self-hosted Bot API servers send."""
    try:
        if not isinstance(raw, dict):
            raise TypeError(f"an update must be a JSON object, not {type(raw).__name__}")
        return Update.de_json(raw, bot)
    except Exception as exc:
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        log.warning(
            "skipped update %s: python-telegram-bot cannot read it (%s: %s)",
            update_id,
            type(exc).__name__,
            exc,
        )
        return None


class GuardedBot(ExtBot[int]):
    """ExtBot with two guards on getUpdates.

    Unreadable updates: the library parses a whole batch at once, and one bad update makes it drop
    the batch without confirming it, so the same batch comes back at once, for ever (3 MB of log a
    second). Here each update is tried alone; bad ones are logged once and confirmed by moving the
    offset past them.

    Revoked token: PTB's polling loop logs a traceback and ends, leaving a process that looks healthy
    but hears nothing. The 401 is seen by WatchedRequest, which stops the bot; polling here just
    returns nothing so that stopping is quiet.
    """

    def __init__(self, *args: Any, watch: TokenWatch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watch = watch
        self._confirm_upto: int | None = None  # the offset that confirms the last skipped update

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[Update, ...]:
        if self._watch.refused:
            return ()
        # The Updater only knows the updates it was given: when the last of a batch was skipped,
        # its offset would fetch that one again.
        if self._confirm_upto is not None and (offset is None or offset < self._confirm_upto):
            offset = self._confirm_upto
        try:
            return await super().get_updates(
                offset=offset,
                limit=limit,
                timeout=timeout,
                allowed_updates=allowed_updates,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
                api_kwargs=api_kwargs,
            )
        except InvalidToken:
            if self._watch.refused:
                return ()
            raise

    async def _post(
        self,
        endpoint: str,
        data: JSONDict | None = None,
        *,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> Any:
        result = await super()._post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            api_kwargs=api_kwargs,
        )
        if endpoint != "getUpdates" or not isinstance(result, list):
            return result
        kept: list[Any] = []
        for raw in result:
            if readable(raw, self) is not None:
                kept.append(raw)
            elif isinstance(raw, dict) and isinstance(raw.get("update_id"), int):
                self._confirm_upto = max(self._confirm_upto or 0, raw["update_id"] + 1)
        return kept
