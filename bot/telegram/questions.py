"""Questions: any text in a private chat; in a group, only a mention of the bot or a reply to it."""

from __future__ import annotations

import asyncio
import re

from telegram import Message, Update
from telegram.constants import MessageEntityType
from telegram.ext import BaseHandler, MessageHandler, filters

from bot.telegram.context import Context, admitted, request_of, send


class _AddressedToBot(filters.MessageFilter):
    """In groups: messages that mention the bot or reply to it."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == bot.id:
            return True
        text = message.text or ""
        mention = f"@{bot.username}".lower()
        return any(
            e.type == MessageEntityType.MENTION and text[e.offset : e.offset + e.length].lower() == mention
            for e in message.entities
        )


def strip_mention(text: str, username: str | None) -> str:
    # Usernames are case-insensitive: "@GovUK_Answers_Bot" is a mention too, not words of the question.
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return text


async def question(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    request = request_of(update, strip_mention(message.text, context.bot.username))
    if request is not None and await admitted(update, context):
        await send(update, context, await asyncio.to_thread(context.commands.reply, request))


async def not_text(update: Update, context: Context) -> None:
    request = request_of(update, "")
    if request is not None and await admitted(update, context):
        await send(update, context, await asyncio.to_thread(context.commands.not_text, request))


def handlers() -> list[BaseHandler[Update, Context, None]]:
    # A message sent "via" an inline bot (e.g. one of our own inline answers, shared into this chat)
    # is a quote, not a question.
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE & ~filters.VIA_BOT
    return [
        MessageHandler(filters.ChatType.PRIVATE & text, question),
        MessageHandler(filters.ChatType.GROUPS & text & _AddressedToBot(), question),
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT, not_text),
    ]
