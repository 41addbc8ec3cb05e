"""`make run`: the Telegram bot with a token, else the terminal chat, on a store filled on first use."""

from __future__ import annotations

import sys

from telegram.error import InvalidToken

from bot.commands import Commands
from bot.config import BotSettings
from retrieval.library import Library


def run(settings: BotSettings) -> int:
    library = Library(settings)
    report = library.prepare()
    if report is not None:
        print(f"First run: ingested the seed corpus ({report.summary()}).")
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        from bot.terminal import chat

        print("No TELEGRAM_BOT_TOKEN set. To run the Telegram bot, create one with @BotFather in Telegram")
        print("(/newbot), then put TELEGRAM_BOT_TOKEN=<token> in .env and run `make run` again.")
        try:
            return chat(Commands(library))
        finally:
            library.close()
    from bot.telegram.app import build_application, serve

    try:
        serve(build_application(settings, library), settings)
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
