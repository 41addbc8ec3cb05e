"""Who may change a group's subscriptions and data: its administrators, asked of Telegram (getChatMember)
only when a message or button needs it (bot.commands.Commands.needs_admin), never for questions."""

from __future__ import annotations

import dataclasses
import logging

from telegram import Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.actions import Action
from bot.commands import Request
from bot.telegram.context import Context

log = logging.getLogger(__name__)

MANAGERS = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})


async def with_admin(
    update: Update, context: Context, request: Request, action: Action | None = None
) -> Request:
    """`request`, with `admin` set when the command layer needs to know it."""
    if not context.commands.needs_admin(request, action):
        return request
    return dataclasses.replace(request, admin=await is_admin(update, context))


async def is_admin(update: Update, context: Context) -> bool:
    """Whether the sender administers the update's chat. An administrator who posts anonymously sends
    as the group itself; if Telegram cannot be asked, the answer is no (nothing changes)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None:
        return False
    if update.message is not None and message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("could not ask Telegram whether user %s administers chat %s: %s", user.id, chat.id, exc)
        return False
    return member.status in MANAGERS
