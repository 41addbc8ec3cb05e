"""A handler that fails: log it with the update and its cause, and apologise to the chat.

Not every failure earns an apology. After a timeout the reply may well have arrived late (Telegram
often delivers what it did not confirm in time): an apology would come before, or after, the answer
itself. A revoked token and a stop that gave up waiting for a send quota are not the chat's business,
and nothing could be sent anyway.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import InvalidToken, TelegramError, TimedOut

from bot.telegram.context import Context
from bot.telegram.ratelimit import SendAbandoned

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    error = context.error
    if isinstance(error, SendAbandoned) or (
        isinstance(error, InvalidToken) and context.bot_data.token.refused
    ):
        log.debug("update %s: %s", update_id, error)
        return
    if isinstance(error, TimedOut):
        log.warning(
            "update %s: Telegram did not confirm a reply in time, it may arrive late: %s", update_id, error
        )
        return
    log.error("update %s failed: %s", update_id, error, exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, APOLOGY)
        except TelegramError as exc:
            log.warning("could not apologise for update %s: %s", update_id, exc)
