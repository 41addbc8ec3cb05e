"""Run the real bot (bot.telegram.app.build_application) against a FakeBotAPI inside a test's event loop.

    async with running_bot(fake, settings, library) as app:
        fake.message("How much did the Home Secretary pledge?")
        [call] = await fake.wait_for_async("sendMessage")

Application.run_polling would own the event loop and the signal handlers, so the application is
driven by hand; post_init only runs inside run_polling / run_webhook, so it is called here too
(it registers the commands and schedules the jobs).
"""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from bot.config import BotSettings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.context import BotApplication
from retrieval.library import Library
from tests.conftest_retrieval import db_url, index_dir_of

if TYPE_CHECKING:  # conftest imports this module before pytest_plugins loads tests.fakebotapi
    from tests.fakebotapi import Call, FakeBotAPI

AnyApplication = BotApplication
DATA_DIR = Path(__file__).parent / "data"
CORPUS_2024 = DATA_DIR / "govuk-news-2024-10-15.jsonl"
TOKEN = "123456:TEST-TOKEN"
QUIET = 0.15  # seconds without a Bot API call, after the expected one, that mean the bot is done
SILENCE = 0.4  # seconds without any call that show the bot chose not to answer


def bot_settings_for(directory: Path, api_base_url: str, **overrides: Any) -> BotSettings:
    """Settings for a bot whose database lives in `directory` and whose Bot API is `api_base_url`.
    No .env is read, so a developer's own settings cannot change what the tests see."""
    url = db_url(directory / "bot.db")  # a SQLite file, or a PostgreSQL schema (TEST_DATABASE_URL)
    values: dict[str, Any] = {
        "database_url": url,
        "index_dir": index_dir_of(url),
        "telegram_bot_token": TOKEN,
        "telegram_api_base_url": api_base_url,
        "sync_interval": 0,
        # Most tests ask one chat many things in a minute; tests of the limit set their own.
        "chat_questions_per_minute": 0,
    }
    values.update(overrides)
    # _env_file is BaseSettings.__init__'s own argument, which the fields-only signature mypy derives
    # for a pydantic model leaves out.
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg]


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
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES)
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


# ------------------------------------------------------------------ talking to the bot


def check_limits(calls: list[Call]) -> None:
    """Every request was accepted, and nothing broke a Telegram limit (the fake rejects most of these
    already; this also catches what it only records)."""
    from tests.fakebotapi import parse_telegram_html

    for call in calls:
        if call.method == "getUpdates":
            continue
        assert call.ok, f"{call.method} failed: {call.response.get('description')} {call.params}"
        texts = []
        markups = [call.params.get("reply_markup")]
        if call.method in ("sendMessage", "editMessageText"):
            texts.append(call.params["text"])
        if call.method == "answerInlineQuery":
            assert len(call.params["results"]) <= 50
            for result in call.params["results"]:
                texts.append(result["input_message_content"]["message_text"])
                markups.append(result.get("reply_markup"))
        if call.method == "answerCallbackQuery":
            assert len(call.params.get("text") or "") <= 200
        for text in texts:
            plain, entities = parse_telegram_html(text)
            assert 1 <= len(plain) <= 4096 and len(text) <= 4096
            assert len(entities) <= 100
        for markup in markups:
            for row in (markup or {}).get("inline_keyboard", []):
                for button in row:
                    if "callback_data" in button:
                        assert 1 <= len(button["callback_data"].encode()) <= 64, button


async def exchange(
    fake: FakeBotAPI,
    make_update: Callable[..., Any],
    *args: Any,
    expect: str | None = "sendMessage",
    until: Callable[[Call], bool] | None = None,
    **kwargs: Any,
) -> list[Call]:
    """Push one update and return the Bot API calls the bot made for it: wait for the `expect`ed call
    (one that satisfies `until`, if given; None: expect silence), then until the bot has gone quiet."""
    before = len(fake.calls)
    seen = len([c for c in fake.calls_of(expect) if until is None or until(c)]) if expect else 0
    make_update(*args, **kwargs)
    if expect:
        await fake.wait_for_async(expect, until, count=seen + 1, timeout=10)
    await fake.wait_idle_async(quiet=QUIET if expect else SILENCE)
    return [c for c in fake.calls[before:] if c.method != "getUpdates"]


async def silence(fake: FakeBotAPI, make_update: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Call]:
    """Push one update that the bot should not answer; return what it did anyway."""
    return await exchange(fake, make_update, *args, expect=None, **kwargs)


def only(calls: list[Call], method: str) -> Call:
    matching = [c for c in calls if c.method == method]
    assert len(matching) == 1, f"expected one {method}, got {[(c.method, c.params) for c in calls]}"
    return matching[0]


def methods(calls: list[Call]) -> list[str]:
    return [c.method for c in calls]


def buttons(call: Call) -> list[dict[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def button(call: Call, label: str) -> str:
    """The callback_data of the button whose text starts with `label`."""
    found = [b["callback_data"] for b in buttons(call) if b["text"].startswith(label)]
    assert found, f"no button {label!r} in {buttons(call)}"
    return found[0]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", html.unescape(text).casefold())


def contains_in_order(haystack: list[str], needle: list[str]) -> bool:
    """True if `needle` occurs in `haystack` as one contiguous run."""
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def ends_like(text: str) -> Callable[[Call], bool]:
    """A sent message that ends with the last words of `text` (the last part of a long reply)."""
    tail = words(text)[-8:]
    return lambda call: call.ok and words(call.result["text"])[-8:] == tail


def is_answer(text: str) -> bool:
    return "<blockquote>" in text


def announcement_id(lib: Library, title_part: str) -> int:
    [found] = [a.announcement_id for a in lib.latest(100) if title_part in a.title]
    return found


async def all_pages(fake: FakeBotAPI, first: Call, user_id: int | None = None) -> list[Call]:
    """Every page of an announcement being read: the message `first` sent, then each edit of it that
    pressing "Next ›" makes, until the last page has none."""
    pages = [first]
    while next_page := [b for b in buttons(pages[-1]) if b["text"] == "Next ›"]:
        who: dict[str, Any] = {"user_id": user_id} if user_id is not None else {}
        calls = await exchange(
            fake, fake.callback, next_page[0]["callback_data"], first.result, expect="editMessageText", **who
        )
        edit = only(calls, "editMessageText")
        assert edit.params["message_id"] == first.result["message_id"], "a page is shown in place"
        pages.append(edit)
    return pages


_PAGE_FOOTER = re.compile(r"\n\nPage \d+ of \d+$")


def page_text(call: Call) -> str:
    """What a page shows of the announcement itself, as Telegram displays it: without the heading a
    later page repeats ("Title (continued)") and the "Page 2 of 9" under it."""
    text = _PAGE_FOOTER.sub("", call.result["text"])
    first, _, rest = text.partition("\n\n")
    return rest if first.endswith(" (continued)") else text


def one_bot_per_module(folder: str) -> tuple[Any, ...]:
    """The fixtures of a test module that talks to one running bot, in this order: the fake Bot API,
    the settings, a library holding both corpora, the bot, what it did on start, and a fresh call
    log for every test (checked against Telegram's limits after it). Assign them to module names:

        fake, settings, lib, bot, startup_calls, fresh_log = one_bot_per_module("bot")
    """
    from tests.fakebotapi import FakeBotAPI

    @pytest.fixture(scope="module")
    def fake() -> Iterator[FakeBotAPI]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("NO_PROXY", "127.0.0.1,localhost")
            mp.setenv("no_proxy", "127.0.0.1,localhost")
            with FakeBotAPI() as server:
                yield server

    @pytest.fixture(scope="module")
    def settings(tmp_path_factory: pytest.TempPathFactory, fake: FakeBotAPI) -> BotSettings:
        return bot_settings_for(tmp_path_factory.mktemp(folder), fake.base_url)

    @pytest.fixture(scope="module")
    def lib(settings: BotSettings) -> Iterator[Library]:
        library = prepared_library(settings, with_2024=True)
        yield library
        library.close()

    @pytest_asyncio.fixture(scope="module", loop_scope="module")
    async def bot(fake: FakeBotAPI, settings: BotSettings, lib: Library) -> AsyncIterator[AnyApplication]:
        async with running_bot(fake, settings, lib) as app:
            yield app

    @pytest.fixture(scope="module")
    def startup_calls(fake: FakeBotAPI, bot: AnyApplication) -> list[Call]:
        """What the bot did on start, before any test cleared the log."""
        return [c for c in fake.calls if c.method != "getUpdates"]

    @pytest_asyncio.fixture(autouse=True, loop_scope="module")
    async def fresh_log(
        fake: FakeBotAPI, bot: AnyApplication, startup_calls: list[Call]
    ) -> AsyncIterator[None]:
        fake.clear()
        yield
        await fake.wait_idle_async(quiet=QUIET)
        check_limits(fake.calls)

    return fake, settings, lib, bot, startup_calls, fresh_log
