"""What every handler and job shares, typed: the command layer, the settings, the timing of replies."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot import conversation
from bot.commands import Commands, Request
from bot.config import BotSettings
from bot.limits import ChatLimit, Verdict
from bot.render import Reply
from bot.telegram.delivery import html_or_plain
from bot.telegram.metrics import Metrics
from bot.telegram.transport import TokenWatch

log = logging.getLogger(__name__)

SLOW_DOWN = Reply(
    "You are asking faster than I can answer well. Please wait a minute, then ask again: "
    "I will not answer the messages you sent meanwhile."
)
SLOW_DOWN_NOTICE = "Too many at once. Please wait a minute."  # over a pressed button, ≤ 200 characters


@dataclass
class BotData:
    """context.bot_data. PTB makes it without arguments, so build_application fills it in."""

    commands: Commands | None = None
    settings: BotSettings | None = None
    metrics: Metrics = field(default_factory=Metrics)
    chat_limit: ChatLimit = field(default_factory=lambda: ChatLimit(0))
    token: TokenWatch = field(default_factory=TokenWatch)
    # (chat, announcement) -> failed sends of that alert so far; it is given up after a few.
    alert_failures: dict[tuple[int, int], int] = field(default_factory=dict)


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
        replying_to=_answer_replied_to(update),
    )


def _answer_replied_to(update: Update) -> int | None:
    """The announcement of the bot's answer that this message replies to (a follow-up about it)."""
    replied = update.message.reply_to_message if update.message is not None else None
    if replied is None or replied.from_user is None or replied.from_user.id != update.get_bot().id:
        return None
    rows = replied.reply_markup.inline_keyboard if replied.reply_markup is not None else ()
    return conversation.answered_announcement(
        (b.text, b.callback_data if isinstance(b.callback_data, str) else None) for row in rows for b in row
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
        await html_or_plain(_replying(message, reply), reply.text)


def sending_to(
    context: Context, chat_id: int, reply: Reply
) -> Callable[[str, ParseMode | None], Awaitable[Message]]:
    """`reply` as a new message to `chat_id`, for html_or_plain."""

    def send_message(text: str, mode: ParseMode | None) -> Awaitable[Message]:
        return context.bot.send_message(chat_id, text, parse_mode=mode, reply_markup=markup(reply))

    return send_message


def _replying(message: Message, reply: Reply) -> Callable[[str, ParseMode | None], Awaitable[Message]]:
    def reply_text(text: str, mode: ParseMode | None) -> Awaitable[Message]:
        return message.reply_text(
            text, parse_mode=mode, reply_markup=markup(reply), do_quote=message.chat.type != ChatType.PRIVATE
        )

    return reply_text


async def admitted(update: Update, context: Context) -> bool:
    """Whether to answer: false once the chat (inline: the user) has asked more than its share this
    minute. The first refusal says so; later ones are silent, or a flood would get a flood back."""
    chat, user = update.effective_chat, update.effective_user
    key: tuple[str, int] | None = ("chat", chat.id) if chat else ("user", user.id) if user else None
    if key is None:
        return True
    verdict = context.bot_data.chat_limit.check(key)
    if verdict is Verdict.ANSWER:
        return True
    if update.callback_query is not None:
        # A note over the chat, not a message, and it stops the button's spinner: every time.
        await update.callback_query.answer(SLOW_DOWN_NOTICE)
    elif verdict is Verdict.SLOW_DOWN and update.effective_message is not None and chat is not None:
        await send(update, context, [SLOW_DOWN])
    if verdict is Verdict.SLOW_DOWN:
        log.info("%s %s asks too fast: not answering it for a while", *key)
    return False
