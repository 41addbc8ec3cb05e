"""Build the Telegram Application, and serve it: long polling by default, a webhook when WEBHOOK_URL
is set.

Updates are handled concurrently: a question waits for a worker thread, never for another chat's
reply (a group's send quota, a slow sendMessage). What one chat may ask is limited per minute
(bot/limits.py), what the bot sends by Telegram's limits, per chat (ratelimit.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode, UpdateType
from telegram.ext import Application, ContextTypes, Defaults, JobQueue, TypeHandler

from bot import render
from bot.commands import Commands
from bot.config import BotSettings
from bot.limits import ChatLimit
from bot.logs import protect_token
from bot.telegram import buttons, command_handlers, errors, inline, jobs, questions
from bot.telegram.context import Bot, BotApplication, BotData, Context
from bot.telegram.ratelimit import FairRateLimiter
from bot.telegram.transport import GuardedBot, TokenWatch, WatchedRequest
from retrieval.library import Library

log = logging.getLogger(__name__)

# Only what the handlers answer: Telegram then never sends (nor keeps pending) edits, chat member
# changes, polls or reactions, which the bot would fetch only to drop.
ALLOWED_UPDATES: list[str] = [UpdateType.MESSAGE, UpdateType.CALLBACK_QUERY, UpdateType.INLINE_QUERY]


class TokenRevoked(Exception):
    """Telegram answered 401 while the bot was running: the token was revoked or replaced."""


class _Application(Application[Bot, Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]):
    async def stop(self) -> None:
        # Application.stop waits for every handler still running; one waiting for a group's send quota
        # could hold a restart for a minute. Its reply is given up instead, and counted.
        limiter = self.bot.rate_limiter
        if isinstance(limiter, FairRateLimiter):
            limiter.close()
        await super().stop()
        jobs.release_runner(self)
        if isinstance(limiter, FairRateLimiter) and limiter.abandoned:
            log.info("stopped: %d messages waiting for a chat's send quota were not sent", limiter.abandoned)


def build_application(
    settings: BotSettings,
    library: Library,
    *,
    connect_timeout: float = 10,
    read_timeout: float = 15,
    write_timeout: float = 15,
    rate_limiter: FairRateLimiter | None = None,
) -> BotApplication:
    """The bot, ready to run; the timeouts (seconds) apply to each Bot API request. `rate_limiter`:
    Telegram's limits unless given (tests shorten the backoff)."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    protect_token(token)
    watch = TokenWatch()
    timeouts = {
        "connect_timeout": connect_timeout,
        "read_timeout": read_timeout,
        "write_timeout": write_timeout,
    }
    bot: Bot = GuardedBot(
        token,
        base_url=settings.telegram_api_base_url,
        # Enough connections for every update handled at once; one for the long poll.
        request=WatchedRequest(watch, connection_pool_size=256, **timeouts),
        get_updates_request=WatchedRequest(watch, connection_pool_size=1, **timeouts),
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        rate_limiter=rate_limiter or FairRateLimiter(),
        watch=watch,
    )
    app: BotApplication = (
        Application.builder()
        .application_class(_Application)
        .bot(bot)
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .job_queue(JobQueue[Context]())
        .concurrent_updates(True)
        .post_init(_post_init)
        .build()
    )
    app.bot_data.commands = Commands(library, admin_ids=settings.admin_ids)
    app.bot_data.settings = settings
    app.bot_data.token = watch
    app.bot_data.chat_limit = ChatLimit(settings.chat_questions_per_minute, window=60.0)
    app.add_handler(TypeHandler(Update, _received), group=-1)
    for handler in [
        *command_handlers.handlers(),
        *questions.handlers(),
        *buttons.handlers(),
        *inline.handlers(),
    ]:
        app.add_handler(handler)
    app.add_error_handler(errors.on_error)
    return app


async def _post_init(app: BotApplication) -> None:
    await app.bot.set_my_commands(command_handlers.BOT_COMMANDS)
    # What an empty chat shows under "What can this bot do?", and the profile's one line.
    await app.bot.set_my_description(render.DESCRIPTION)
    await app.bot.set_my_short_description(render.SHORT_DESCRIPTION)
    if app.bot_data.commands is not None:
        await asyncio.to_thread(app.bot_data.commands.library.settle)
    jobs.schedule(app)


async def _received(update: Update, context: Context) -> None:
    context.bot_data.metrics.received(update, time.perf_counter())


def serve(app: BotApplication, settings: BotSettings) -> None:
    """Run until stopped (Ctrl-C, SIGTERM): a webhook if WEBHOOK_URL is set, else long polling.
    TokenRevoked if Telegram stopped accepting the token meanwhile."""
    watch = app.bot_data.token
    if settings.webhook_url:
        from bot.telegram.webhook import run_webhook

        asyncio.run(run_webhook(app, settings, watch, ALLOWED_UPDATES))
    else:
        watch.stop = app.stop_running
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
    if watch.refused:
        raise TokenRevoked
