"""Commands: one CommandHandler per name in the command layer's menu, all answered by it."""

from __future__ import annotations

import asyncio

from telegram import BotCommand, Update
from telegram.ext import BaseHandler, CommandHandler, MessageHandler, filters

from bot.commands import HIDDEN, MENU
from bot.telegram.admins import with_admin
from bot.telegram.context import Context, admitted, request_of, send

BOT_COMMANDS = [BotCommand(name, description) for name, description in MENU]


async def command(update: Update, context: Context) -> None:
    message = update.effective_message
    request = request_of(update, message.text or "") if message is not None else None
    if request is not None and await admitted(update, context):
        request = await with_admin(update, context, request)
        await send(update, context, await asyncio.to_thread(context.commands.reply, request))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    return [
        CommandHandler([name for name, _ in MENU + HIDDEN], command),
        # Unknown commands get a hint in private; in a group they may be meant for another bot.
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, command),
    ]
