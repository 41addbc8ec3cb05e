"""A handler that fails: log it with the update and its cause, and apologise to the chat."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.telegram.context import Context

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(update.effective_chat.id, APOLOGY)
        except TelegramError as exc:
            log.warning("could not apologise for update %s: %s", update_id, exc)
