"""Button presses: one CallbackQueryHandler per kind of button (bot.actions), and one for the rest."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import actions
from bot.actions import Action
from bot.commands import EXPIRED
from bot.telegram.context import Context, admitted, markup, request_of, sending_to
from bot.telegram.delivery import html_or_plain


async def _press(update: Update, context: Context, action: Action | None) -> None:
    query = update.callback_query
    if query is None:
        return
    # Buttons are only on messages the bot sent to a chat; without the message there is nowhere to reply.
    request = request_of(update, "") if query.message is not None else None
    if request is None:
        await query.answer(EXPIRED)
        return
    if not await admitted(update, context):
        return
    pressed = await asyncio.to_thread(context.commands.press, request, action)
    await query.answer(pressed.notice)
    if pressed.edit is not None:
        edit = pressed.edit
        try:
            await html_or_plain(
                lambda text, mode: query.edit_message_text(text, parse_mode=mode, reply_markup=markup(edit)),
                edit.text,
            )
        except BadRequest as exc:  # a second tap on a message that already shows the change
            if "not modified" not in str(exc).lower():
                raise
    for reply in pressed.send:
        await html_or_plain(sending_to(context, request.chat_id, reply), reply.text)


Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


def _pressing(make: Callable[[re.Match[str]], Action]) -> Callback:
    async def pressed(update: Update, context: Context) -> None:
        await _press(update, context, make(context.match) if context.match is not None else None)

    return pressed


async def _unknown(update: Update, context: Context) -> None:
    await _press(update, context, None)


def handlers() -> list[BaseHandler[Update, Context, None]]:
    kinds: list[BaseHandler[Update, Context, None]] = [
        CallbackQueryHandler(_pressing(make), pattern=pattern) for pattern, make in actions.KINDS
    ]
    return [*kinds, CallbackQueryHandler(_unknown)]  # forged, or from an older version of the bot
