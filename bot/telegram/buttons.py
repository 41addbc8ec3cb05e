"""Button presses: one CallbackQueryHandler per kind of button (bot.actions), and one for the rest."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import actions
from bot.actions import Action
from bot.commands import EXPIRED
from bot.render import Reply
from bot.telegram.admins import with_admin
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
    request = await with_admin(update, context, request, action)
    pressed = await asyncio.to_thread(context.commands.press, request, action)
    await query.answer(pressed.notice)
    if pressed.drop and pressed.edit is None:
        await _drop_buttons(query.message, pressed.drop)
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
        message = query.message
        if isinstance(message, Message) and message.chat.type != ChatType.PRIVATE:
            # In a group, the new message answers the one whose button was pressed, so that it reads
            # as the reply to that answer (and to whoever asked), not as something posted to all.
            await html_or_plain(_replying_to(message, reply), reply.text)
        else:
            await html_or_plain(sending_to(context, request.chat_id, reply), reply.text)


Send = Callable[[str, ParseMode | None], Coroutine[Any, Any, Message]]


def _replying_to(message: Message, reply: Reply) -> Send:
    def send(text: str, mode: ParseMode | None) -> Coroutine[Any, Any, Message]:
        return message.reply_text(text, parse_mode=mode, reply_markup=markup(reply), do_quote=True)

    return send


async def _drop_buttons(message: object, drop: frozenset[str]) -> None:
    """Take off the message the buttons that no longer work (bot.actions.refers_to)."""
    if not isinstance(message, Message) or message.reply_markup is None:
        return
    rows = message.reply_markup.inline_keyboard

    def works(data: object) -> bool:
        return not isinstance(data, str) or actions.refers_to(data) not in drop

    kept = [[b for b in row if works(b.callback_data)] for row in rows]
    kept = [row for row in kept if row]
    if sum(map(len, kept)) == sum(map(len, rows)):
        return
    try:
        await message.edit_reply_markup(InlineKeyboardMarkup(kept) if kept else None)
    except BadRequest as exc:  # pressed twice at once: the first press took them off already
        if "not modified" not in str(exc).lower():
            raise


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
