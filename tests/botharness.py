"""Run the real bot (bot.app.build_application) against a FakeBotAPI inside a test's event loop.

    async with running_bot(fake, settings, library) as app:
        fake.message("How much did the Home Secretary pledge?")
        [call] = await fake.wait_for_async("sendMessage")

Application.run_polling would own the event loop and the signal handlers, so the application is
driven by hand; post_init only runs inside run_polling / run_webhook, so it is called here too
(it registers the commands and schedules the jobs).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application
from bot.config import BotSettings
from retrieval.library import Library

if TYPE_CHECKING:  # conftest imports this module before pytest_plugins loads tests.fakebotapi
    from tests.fakebotapi import FakeBotAPI

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
DATA_DIR = Path(__file__).parent / "data"
CORPUS_2024 = DATA_DIR / "govuk-news-2024-10-15.jsonl"
TOKEN = "123456:TEST-TOKEN"


def bot_settings_for(directory: Path, api_base_url: str, **overrides: object) -> BotSettings:
    """Settings for a bot whose database lives in `directory` and whose Bot API is `api_base_url`.
    No .env is read, so a developer's own settings cannot change what the tests see."""
    values: dict[str, object] = {
        "database_url": f"sqlite:///{directory}/bot.db",
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api_base_url,
        "sync_interval": 0,
    }
    values.update(overrides)
    return BotSettings(_env_file=None, **values)  # type: ignore[arg-type]


def prepared_library(settings: BotSettings, with_2024: bool = False) -> Library:
    """A Library holding the seed corpus (and, if asked, the dated 2024 GOV.UK items)."""
    library = Library(settings)
    library.prepare()
    if with_2024:
        report = library.ingest([CORPUS_2024], progress=False)
        assert not report.errors, report.errors
    library.ask("warm up the ranker")  # the first question compiles the index's kernels
    return library


@asynccontextmanager
async def running_bot(
    fake: FakeBotAPI, settings: BotSettings, library: Library, **build_options: Any
) -> AsyncIterator[AnyApplication]:
    """The bot, long-polling `fake`, for the duration of the block; stopped and shut down after.

    `build_options` go to build_application (e.g. read_timeout). The library stays open: whoever
    made it closes it.
    """
    if settings.telegram_api_base_url != fake.base_url:
        raise ValueError(f"settings point at {settings.telegram_api_base_url}, not at {fake.base_url}")
    app = build_application(settings, library, **build_options)
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
