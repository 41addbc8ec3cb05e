"""`python -m bot set-webhook` and `delete-webhook`: the webhook is registered with Telegram once, by
the operator, not by each of several workers as it starts (each would post the same URL again, and a
worker started with an old setting would point Telegram at the wrong place)."""

from __future__ import annotations

import asyncio
import sys

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.config import BotSettings, webhook_problem


def _token(settings: BotSettings) -> str:
    return settings.telegram_bot_token.get_secret_value().strip() if settings.telegram_bot_token else ""


def set_webhook(settings: BotSettings) -> int:
    """Register WEBHOOK_URL with its secret and the updates the bot answers; the exit status."""
    if not _token(settings):
        print("set-webhook needs TELEGRAM_BOT_TOKEN.", file=sys.stderr)
        return 2
    if not settings.webhook_url:
        print("set-webhook needs WEBHOOK_URL: where Telegram will post updates.", file=sys.stderr)
        return 2
    problem = webhook_problem(settings)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    return asyncio.run(_call(settings, delete=False))


def delete_webhook(settings: BotSettings, drop_pending: bool) -> int:
    """Stop Telegram posting updates (long polling works again); the exit status."""
    if not _token(settings):
        print("delete-webhook needs TELEGRAM_BOT_TOKEN.", file=sys.stderr)
        return 2
    return asyncio.run(_call(settings, delete=True, drop_pending=drop_pending))


async def _call(settings: BotSettings, delete: bool, drop_pending: bool = False) -> int:
    from bot.telegram.app import ALLOWED_UPDATES  # the handlers' list, not a copy of it

    bot = Bot(_token(settings), base_url=settings.telegram_api_base_url)
    try:
        async with bot:
            if delete:
                await bot.delete_webhook(drop_pending_updates=drop_pending)
                print("Webhook deleted: Telegram keeps updates for long polling.")
                return 0
            assert settings.webhook_url is not None
            secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
            await bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
            print(f"Webhook set: Telegram posts updates to {settings.webhook_url}.")
            return 0
    except InvalidToken:
        # PTB's message quotes the token: a line of our own instead.
        print("Telegram refused the bot token. Check TELEGRAM_BOT_TOKEN.", file=sys.stderr)
        return 1
    except TelegramError as exc:
        print(f"Telegram refused: {exc.message}", file=sys.stderr)
        return 1
