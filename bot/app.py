"""`make run`: the Telegram bot with a token, else the terminal chat, on a store filled on first use."""

from __future__ import annotations

import os
import sys

from telegram.error import InvalidToken

from bot.commands import Commands
from bot.config import BotSettings, webhook_problem
from retrieval.library import Library
from retrieval.store.database import sqlite_file


def run(settings: BotSettings) -> int:
    problem = webhook_problem(settings) if _has_token(settings) else None
    if problem is not None:
        print(problem, file=sys.stderr)
        return 2
    private_store(settings.database_url)
    library = Library(settings)
    report = library.prepare()
    if report is not None:
        print(f"First run: ingested the seed corpus ({report.summary()}).")
    if not _has_token(settings):
        from bot.terminal import chat

        print("No TELEGRAM_BOT_TOKEN set. To run the Telegram bot, create one with @BotFather in Telegram")
        print("(/newbot), then put TELEGRAM_BOT_TOKEN=<token> in .env and run `make run` again.")
        try:
            # As the Telegram bot does once started: the store's file read ahead (a restarted
            # terminal on a large store would otherwise pay for the disk on its first questions).
            library.settle()
            return chat(Commands(library))
        finally:
            library.close()
    from bot.telegram.app import TokenRevoked, build_application, serve

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
    except TokenRevoked:
        # One line, and a failure exit, so that a supervisor reports it rather than restarting a bot
        # that can no longer hear anything.
        print(
            "Stopped: Telegram no longer accepts the bot token (HTTP 401), it was revoked or replaced; "
            "put the current one from @BotFather in TELEGRAM_BOT_TOKEN.",
            file=sys.stderr,
        )
        return 1
    finally:
        library.close()
    return 0


def _has_token(settings: BotSettings) -> bool:
    return settings.telegram_bot_token is not None and bool(
        settings.telegram_bot_token.get_secret_value().strip()
    )


def private_store(database_url: str) -> None:
    """The SQLite file holds chat ids and what each chat follows: when the bot makes it, its folder is
    made 0700 and the file 0600 (SQLite gives its -wal and -shm files the file's mode). An existing
    folder or file keeps the mode its owner chose."""
    path = sqlite_file(database_url)
    if path is None:
        return
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)  # an empty file is an empty SQLite database
