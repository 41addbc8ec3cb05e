"""Prove FakeBotAPI is faithful enough: the real python-telegram-bot Application must work
against it exactly as it does against Telegram, including the errors it raises."""

from __future__ import annotations

import asyncio
import html
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from tests.fakebotapi import DEFAULT_USER_ID, DROP, FakeBotAPI

# pytest registers the fixture under its own name, "fake_bot_api"; the alias keeps ruff's F811
# quiet about test parameters of that name. Drop this once tests/conftest.py imports it.
from tests.fakebotapi import fake_bot_api as _fake_bot_api_fixture  # noqa: F401
from tests.ports import free_port

AnyApp = Application[Any, Any, Any, Any, Any, Any]

# ------------------------------------------------------------------ a tiny echo bot

START_TEXT = "Hello! Ask me about a GOV.UK announcement."


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])
    await update.message.reply_text(START_TEXT, reply_markup=keyboard)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(
        f"You said: <b>{html.escape(update.message.text)}</b>", parse_mode=ParseMode.HTML
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer("Loading…")
    await query.edit_message_text(f"You pressed <i>{html.escape(query.data)}</i>", parse_mode=ParseMode.HTML)


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    article = InlineQueryResultArticle(
        id="answer-1",
        title=f"Echo: {query.query}",
        input_message_content=InputTextMessageContent(
            f"<b>{html.escape(query.query)}</b>", parse_mode="HTML"
        ),
    )
    await query.answer([article], cache_time=0)


def build_app(
    fake: FakeBotAPI, token: str | None = None, rate_limiter: BaseRateLimiter[Any] | None = None
) -> AnyApp:
    builder = Application.builder().token(token or fake.token).base_url(fake.base_url)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    app.add_handler(CommandHandler("start", on_start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(InlineQueryHandler(on_inline))
    return app


@asynccontextmanager
async def polling(app: AnyApp) -> AsyncIterator[AnyApp]:
    # By hand rather than run_polling(): that one owns the event loop and signal handlers.
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


@pytest.fixture
async def bot(fake_bot_api: FakeBotAPI) -> AsyncIterator[AnyApp]:
    async with polling(build_app(fake_bot_api)) as app:
        yield app


# ------------------------------------------------------------------ round trips through PTB


async def test_text_gets_html_echo(fake_bot_api: FakeBotAPI, bot: AnyApp) -> None:
    fake_bot_api.message("tax & <benefits>")

    [call] = await fake_bot_api.wait_for_async("sendMessage")

    assert call.params["chat_id"] == DEFAULT_USER_ID  # JSON-decoded to int, not "424242"
    assert call.params["text"] == "You said: <b>tax &amp; &lt;benefits&gt;</b>"
    assert call.params["parse_mode"] == "HTML"
    # The fake answers like Telegram: tags become entities, offsets in UTF-16 units.
    assert call.result["text"] == "You said: tax & <benefits>"
    assert call.result["entities"] == [{"type": "bold", "offset": 10, "length": 16}]
    assert [c.method for c in fake_bot_api.calls if c.method != "getUpdates"][:2] == [
        "getMe",
        "deleteWebhook",
    ]


async def test_start_command_needs_bot_command_entity(
    fake_bot_api: FakeBotAPI,
    bot: AnyApp,
) -> None:
    update = fake_bot_api.command("start")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    [call] = await fake_bot_api.wait_for_async("sendMessage")
    assert call.params["text"] == START_TEXT
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "More", "callback_data": "more:1"}]]}

    # Without the entity PTB does not treat "/start" as a command, so the echo handler answers.
    fake_bot_api.message("/start", entities=[])
    await fake_bot_api.wait_for_async("sendMessage", count=2)
    assert fake_bot_api.sent_messages()[-1]["text"] == "You said: <b>/start</b>"


async def test_button_round_trip(fake_bot_api: FakeBotAPI, bot: AnyApp) -> None:
    fake_bot_api.command("start")
    [sent] = await fake_bot_api.wait_for_async("sendMessage")

    update = fake_bot_api.callback("more:1", sent.result)

    [answer] = await fake_bot_api.wait_for_async("answerCallbackQuery")
    [edit] = await fake_bot_api.wait_for_async("editMessageText")
    assert answer.ok and answer.params["callback_query_id"] == update["callback_query"]["id"]
    assert answer.params["text"] == "Loading…"
    assert edit.ok
    assert (edit.params["chat_id"], edit.params["message_id"]) == (DEFAULT_USER_ID, sent.result["message_id"])
    assert edit.result["text"] == "You pressed more:1"
    assert "reply_markup" not in edit.result  # an edit without reply_markup drops the keyboard


async def test_inline_query_answered(fake_bot_api: FakeBotAPI, bot: AnyApp) -> None:
    update = fake_bot_api.inline_query("council tax")

    [call] = await fake_bot_api.wait_for_async("answerInlineQuery")

    assert call.ok
    assert call.params["inline_query_id"] == update["inline_query"]["id"]
    [result] = call.params["results"]
    assert result["id"] == "answer-1"
    assert result["title"] == "Echo: council tax"
    assert result["input_message_content"]["message_text"] == "<b>council tax</b>"


async def test_nothing_sent_for_sticker(fake_bot_api: FakeBotAPI, bot: AnyApp) -> None:
    fake_bot_api.sticker()
    await fake_bot_api.wait_idle_async(quiet=0.3)
    assert fake_bot_api.sent_messages(include_failed=True) == []


# ------------------------------------------------------------------ the fake refuses what Telegram refuses


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("<b>unclosed", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<p>paragraph</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<b><i>crossed</b></i>", "Unmatched end tag"),
        ("1 < 2", 'Unsupported start tag ""'),
        ("fish & chips", 'Unescaped "&"'),
        ("&nbsp;", "Unsupported HTML entity"),
    ],
)
async def test_malformed_html_is_bad_request(
    fake_bot_api: FakeBotAPI,
    text: str,
    fragment: str,
) -> None:
    async with build_app(fake_bot_api) as app:
        with pytest.raises(BadRequest, match=r"^Can't parse entities: ") as caught:
            await app.bot.send_message(DEFAULT_USER_ID, text, parse_mode=ParseMode.HTML)
    # PTB strips "Bad Request: " and then str.capitalize()s the rest, lower-casing it.
    assert fragment.lower() in caught.value.message
    assert fake_bot_api.sent_messages() == []


async def test_limits_are_bad_requests(fake_bot_api: FakeBotAPI) -> None:
    async with build_app(fake_bot_api) as app:
        ok = await app.bot.send_message(
            DEFAULT_USER_ID,
            '<b>b</b> <a href="https://www.gov.uk">link</a> <tg-spoiler>s</tg-spoiler> '
            '<span class="tg-spoiler">s</span> <blockquote expandable>q</blockquote> &#8226; &quot;',
            parse_mode=ParseMode.HTML,
        )
        assert ok.text == 'b link s s q • "'
        assert ok.entities[1].url == "https://www.gov.uk"

        with pytest.raises(BadRequest, match="Message is too long"):
            await app.bot.send_message(DEFAULT_USER_ID, "x" * 4097)
        await app.bot.send_message(DEFAULT_USER_ID, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")

        # PTB capitalize()s error texts, so Telegram's UPPER_CASE codes arrive as "Button_data_invalid".
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            await app.bot.send_message(
                DEFAULT_USER_ID,
                "pick",
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="é" * 33)]]),
            )

        too_many = [
            InlineQueryResultArticle(id=str(i), title="t", input_message_content=InputTextMessageContent("t"))
            for i in range(51)
        ]
        query_id = fake_bot_api.inline_query("q", push=False)["inline_query"]["id"]
        with pytest.raises(BadRequest, match=r"(?i)RESULTS_TOO_MUCH"):
            await app.bot.answer_inline_query(query_id, too_many)

        fake_bot_api.block_chat(777)
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await app.bot.send_message(777, "hello?")

        with pytest.raises(BadRequest, match="method not found"):
            await app.bot.do_api_request("noSuchMethod")


# PTB's own RetryAfter constructor reads the deprecated int-valued retry_after.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_429_is_retried_by_rate_limiter(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.fail_next("sendMessage", 429, retry_after=1)

    async with polling(build_app(fake_bot_api, rate_limiter=AIORateLimiter(max_retries=2))):
        fake_bot_api.message("hello")
        first, second = await fake_bot_api.wait_for_async("sendMessage", count=2, timeout=6)

    assert first.status == 429
    assert first.response["parameters"] == {"retry_after": 1}
    assert second.ok and second.params == first.params
    assert second.time - first.time >= 1.0  # AIORateLimiter waits retry_after + 0.1 s


async def test_slow_server_times_out(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.delay_next("sendMessage", 1.0)
    async with build_app(fake_bot_api) as app:
        with pytest.raises(TimedOut):
            await app.bot.send_message(DEFAULT_USER_ID, "slow", read_timeout=0.2)


async def test_wrong_token_is_invalid_token(fake_bot_api: FakeBotAPI) -> None:
    app = build_app(fake_bot_api, token="654321:WRONG-TOKEN")
    with pytest.raises(InvalidToken):
        await app.initialize()
    [call] = fake_bot_api.calls_of("getMe")
    assert call.status == 401


async def test_revoked_token_answers_401_to_every_call(fake_bot_api: FakeBotAPI) -> None:
    async with build_app(fake_bot_api) as app:
        await app.bot.send_message(DEFAULT_USER_ID, "before")
        fake_bot_api.revoke_token()
        with pytest.raises(InvalidToken):
            await app.bot.send_message(DEFAULT_USER_ID, "after")
        with pytest.raises(InvalidToken):
            await app.bot.get_updates(timeout=0)
    assert [c.status for c in fake_bot_api.calls_of("sendMessage")] == [200, 401]


async def test_faults_for_one_chat_and_dropped_connections(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.fail_next("sendMessage", 502, chat_id=7)
    fake_bot_api.drop_next("sendMessage", chat_id=8)
    async with build_app(fake_bot_api) as app:
        await app.bot.send_message(DEFAULT_USER_ID, "not chat 7 or 8")  # the faults wait for theirs
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await app.bot.send_message(7, "to seven")
        with pytest.raises(NetworkError, match="httpx"):  # no status line at all
            await app.bot.send_message(8, "to eight")
        await app.bot.send_message(8, "to eight again")
    assert [(c.params["chat_id"], c.status) for c in fake_bot_api.calls_of("sendMessage")] == [
        (DEFAULT_USER_ID, 200),
        (7, 502),
        (8, DROP),
        (8, 200),
    ]


async def test_an_update_python_telegram_bot_cannot_read(fake_bot_api: FakeBotAPI) -> None:
    fake_bot_api.poll_without_option_ids()
    async with build_app(fake_bot_api) as app:
        # What stalls a plain PTB bot: the batch cannot be parsed, so it is never confirmed.
        with pytest.raises(TypeError, match="persistent_id"):
            await app.bot.get_updates(timeout=0)
    assert len(fake_bot_api.pending_updates) == 1


# ------------------------------------------------------------------ webhook


async def test_webhook_round_trip(fake_bot_api: FakeBotAPI) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    app = build_app(fake_bot_api)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(
        listen="127.0.0.1", port=port, url_path="hook", secret_token="s3cret", webhook_url=url
    )
    try:
        [set_webhook] = fake_bot_api.calls_of("setWebhook")
        assert set_webhook.params["url"] == url
        assert set_webhook.params["secret_token"] == "s3cret"
        assert (await app.bot.get_webhook_info()).url == url
        with pytest.raises(Conflict, match="webhook is active"):
            await app.bot.get_updates()

        update = fake_bot_api.message("via webhook", push=False)
        assert await fake_bot_api.post_update_async(url, update, secret_token="s3cret") == 200
        [call] = await fake_bot_api.wait_for_async("sendMessage")
        assert call.params["text"] == "You said: <b>via webhook</b>"

        wrong = fake_bot_api.message("forged", push=False)
        assert await fake_bot_api.post_update_async(url, wrong, secret_token="guess") == 403
        assert await fake_bot_api.post_update_async(url, wrong) == 403
        await fake_bot_api.wait_idle_async(quiet=0.2)
        assert len(fake_bot_api.sent_messages()) == 1
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


# ------------------------------------------------------------------ the wire format itself


async def test_wire_formats_and_polling_rules(fake_bot_api: FakeBotAPI) -> None:
    api = f"{fake_bot_api.base_url}{fake_bot_api.token}"
    async with httpx.AsyncClient(trust_env=False) as client:
        # JSON body, with reply_markup nested as an object rather than a string.
        sent = await client.post(
            f"{api}/sendMessage",
            json={
                "chat_id": 5,
                "text": "42",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "url": "https://x"}]]},
            },
        )
        assert sent.json()["result"]["text"] == "42"
        # Multipart, as PTB sends when it uploads a file; "42" stays a string for text.
        await client.post(
            f"{api}/sendMessage", data={"chat_id": "5", "text": "42"}, files={"doc": ("a.txt", b"hi")}
        )
        params = fake_bot_api.calls_of("send_message")[-1].params
        assert params["chat_id"] == 5 and params["text"] == "42" and params["doc"].data == b"hi"

        fake_bot_api.message("one")
        two = fake_bot_api.message("two")
        fake_bot_api.message("three")
        got = (await client.post(f"{api}/getUpdates", data={"limit": "2"})).json()["result"]
        assert [u["message"]["text"] for u in got] == ["one", "two"]
        # The offset confirms everything below it; the long poll is capped near a second.
        started = asyncio.get_running_loop().time()
        offset = str(two["update_id"] + 1)
        got = (await client.post(f"{api}/getUpdates", data={"offset": offset, "timeout": "30"})).json()[
            "result"
        ]
        assert [u["message"]["text"] for u in got] == ["three"]
        offset = str(got[0]["update_id"] + 1)
        empty = await client.post(f"{api}/getUpdates", data={"offset": offset, "timeout": "30"})
        assert empty.json() == {"ok": True, "result": []}
        assert 0.9 <= asyncio.get_running_loop().time() - started < 1.5
        assert fake_bot_api.pending_updates == []

        commands = [{"command": "start", "description": "Start"}]
        assert (await client.post(f"{api}/setMyCommands", data={"commands": json.dumps(commands)})).json()[
            "result"
        ]
        assert (await client.post(f"{api}/getMyCommands")).json()["result"] == commands
        bad = await client.post(
            f"{api}/setMyCommands", data={"commands": json.dumps([{"command": "Start!", "description": "x"}])}
        )
        assert bad.status_code == 400


async def test_wait_for_explains_timeouts(fake_bot_api: FakeBotAPI) -> None:
    async with build_app(fake_bot_api) as app:
        await app.bot.send_chat_action(DEFAULT_USER_ID, "typing")
    with pytest.raises(AssertionError, match=r"(?s)waiting for 1 sendMessage.*sendChatAction -> 200"):
        await fake_bot_api.wait_for_async("sendMessage", timeout=0.2)
