"""What every handler and job shares, typed: the command layer, the settings, the timing of replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.commands import Commands, Request
from bot.config import BotSettings
from bot.render import Reply
from bot.telegram.metrics import Metrics


@dataclass
class BotData:
    """context.bot_data. PTB makes it without arguments, so build_application fills it in."""

    commands: Commands | None = None
    settings: BotSettings | None = None
    metrics: Metrics = field(default_factory=Metrics)


# The Bot API client; typed by its rate limiter's per-request argument (AIORateLimiter: max_retries).
Bot = ExtBot[int]


class Context(CallbackContext[Bot, dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets, with typed access to what build_application set up."""

    @property
    def commands(self) -> Commands:
        commands = self.bot_data.commands
        if commands is None:
            raise RuntimeError("build_application sets bot_data.commands")
        return commands

    @property
    def settings(self) -> BotSettings:
        settings = self.bot_data.settings
        if settings is None:
            raise RuntimeError("build_application sets bot_data.settings")
        return settings


BotApplication = Application[Bot, Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]


def request_of(update: Update, text: str) -> Request | None:
    """The command layer's view of an update; None for one from no chat (an inline query)."""
    chat = update.effective_chat
    if chat is None:
        return None
    user = update.effective_user
    return Request(
        chat_id=chat.id,
        private=chat.type == ChatType.PRIVATE,
        user_id=user.id if user else None,
        first_name=user.first_name if user else None,
        text=text,
    )


def markup(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
            for row in reply.buttons
        ]
    )


async def send(update: Update, context: Context, replies: list[Reply]) -> None:
    """Each reply as a message in the update's chat; in a group, quoting the message it answers."""
    message = update.effective_message
    if message is None:
        return
    for reply in replies:
        context.bot_data.metrics.replied(update)
        await message.reply_text(
            reply.text, reply_markup=markup(reply), do_quote=message.chat.type != ChatType.PRIVATE
        )
