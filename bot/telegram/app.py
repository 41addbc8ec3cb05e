"""Build the Telegram Application, and serve it: long polling by default, a webhook when WEBHOOK_URL
is set."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ContextTypes, Defaults, JobQueue, TypeHandler

from bot.commands import Commands
from bot.config import BotSettings
from bot.logs import protect_token
from bot.telegram import buttons, command_handlers, errors, inline, jobs, questions
from bot.telegram.context import BotApplication, BotData, Context
from retrieval.library import Library


def build_application(
    settings: BotSettings,
    library: Library,
    *,
    connect_timeout: float = 10,
    read_timeout: float = 15,
    write_timeout: float = 15,
) -> BotApplication:
    """The bot, ready to run; the timeouts (seconds) apply to each Bot API request."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    protect_token(token)
    app: BotApplication = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        .job_queue(JobQueue[Context]())
        # Telegram answers 429 with retry_after when we send too fast; the limiter waits and retries.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .defaults(
            Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True))
        )
        .connect_timeout(connect_timeout)
        .read_timeout(read_timeout)
        .write_timeout(write_timeout)
        .post_init(_post_init)
        .build()
    )
    app.bot_data.commands = Commands(library)
    app.bot_data.settings = settings
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
    if app.bot_data.commands is not None:
        await asyncio.to_thread(app.bot_data.commands.library.settle)
    jobs.schedule(app)


async def _received(update: Update, context: Context) -> None:
    context.bot_data.metrics.received(update, time.perf_counter())


def serve(app: BotApplication, settings: BotSettings) -> None:
    """Run until stopped (Ctrl-C, SIGTERM): a webhook if WEBHOOK_URL is set, else long polling."""
    if settings.webhook_url:
        secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            # Listen where Telegram will post: the path of WEBHOOK_URL (a reverse proxy in front
            # passes it through unchanged); a fixed path would 404 every update for any other URL.
            url_path=urlsplit(settings.webhook_url).path or "/",
            secret_token=secret,
            webhook_url=settings.webhook_url,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
