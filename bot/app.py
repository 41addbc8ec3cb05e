"""Build and run the Telegram Application: long polling by default, a webhook when WEBHOOK_URL is set."""

from __future__ import annotations

import logging
import sys
from typing import Any
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import AIORateLimiter, Application, ContextTypes, Defaults

from bot import handlers, subscriptions
from bot.config import BotSettings
from bot.logs import protect_token
from bot.metrics import Metrics
from retrieval.library import Library

log = logging.getLogger(__name__)

INDEX_CHECK_SECONDS = 10


def build_application(
    settings: BotSettings,
    library: Library,
    *,
    connect_timeout: float = 10,
    read_timeout: float = 15,
    write_timeout: float = 15,
) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bot, ready to run; the timeouts (seconds) apply to each Bot API request."""
    token = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else ""
    protect_token(token)
    app = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_base_url)
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
    subscriptions.ensure_tables(library)
    app.bot_data["library"] = library
    app.bot_data["settings"] = settings
    app.bot_data["metrics"] = Metrics()
    handlers.register(app)
    return app


async def _post_init(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.bot.set_my_commands(handlers.COMMANDS)
    app.bot_data["library"].settle()
    if app.job_queue is not None:
        app.job_queue.run_repeating(_check_index, interval=INDEX_CHECK_SECONDS, first=INDEX_CHECK_SECONDS)
        from bot.jobs import schedule_sync

        schedule_sync(app)


async def _check_index(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Another process may have ingested: catch up on a worker thread, keep answering meanwhile."""
    context.bot_data["library"].refresh_soon(min_interval=0)


def run(settings: BotSettings) -> int:
    library = Library(settings)
    report = library.prepare()
    if report is not None:
        print(f"First run: ingested the seed corpus ({report.summary()}).")
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        from bot.terminal import chat

        print("No TELEGRAM_BOT_TOKEN set. To run the Telegram bot, create one with @BotFather in Telegram")
        print("(/newbot), then put TELEGRAM_BOT_TOKEN=<token> in .env and run `make run` again.")
        return chat(library)
    app = build_application(settings, library)
    try:
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
    except InvalidToken:
        # PTB's message quotes the token; a traceback on stderr would put it in the service's logs.
        print(
            "Telegram refused the bot token. Check TELEGRAM_BOT_TOKEN in .env (copy it again from "
            "@BotFather)\nand TELEGRAM_API_BASE_URL if you changed it.",
            file=sys.stderr,
        )
        return 1
    finally:
        library.close()
    return 0
