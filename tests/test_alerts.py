"""Subscriptions and alerts, end to end: the real bot long-polls a fake Bot API and syncs a fake GOV.UK.

A user subscribes with /subscribe, manages subscriptions with /subscriptions and its buttons, and gets
one alert for each new announcement that matches. The sync job is run directly where a test needs to
know when it has finished; the last tests let the job queue run it on its own.
"""

from __future__ import annotations

import asyncio
import html
import logging
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot import subscriptions
from bot.config import BotSettings
from bot.sync import run_sync
from bot.telegram.context import Context
from bot.telegram.jobs import sync_job
from retrieval.library import Library
from tests.botharness import AnyApplication, bot_settings_for, running_bot
from tests.conftest_retrieval import cli_env
from tests.fakebotapi import DEFAULT_USER_ID, Call, FakeBotAPI, parse_telegram_html
from tests.fakegovuk import LATER_FIXTURE, FakeGovuk, load_fixtures

ALICE = DEFAULT_USER_ID
BOB = 515151
CAROL = 616161
PRESS_TITLE = "£12 million to protect Tewkesbury homes from flooding"
PRESS_URL = "https://www.gov.uk/government/news/12-million-to-protect-tewkesbury-homes-from-flooding"
LATER_TITLE = "Free blood pressure checks for 2.5 million more people at local pharmacies"
SEARCH = "/api/search.json"


# --- helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path: Path, fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk) -> BotSettings:
    """The `library` fixture's database, both fakes, and a GOV.UK client that does not dawdle."""
    return bot_settings_for(
        tmp_path,
        fake_bot_api.base_url,
        govuk_api_base_url=fake_govuk.base_url,
        govuk_requests_per_second=100,
        govuk_timeout=2,
        govuk_backoff=0.01,
    )


async def sync_now(app: AnyApplication) -> None:
    """One run of the bot's own sync job; when it returns, its alerts have been sent."""
    await sync_job(Context(app))


async def command(fake: FakeBotAPI, text: str, user: int = ALICE) -> Call:
    """Send a command (or, without a leading "/", a question) from `user` in their private chat; the
    bot's reply."""
    before = len(fake.calls_of("sendMessage"))
    fake.message(text, user_id=user)
    calls = await fake.wait_for_async("sendMessage", count=before + 1, timeout=10)
    reply = calls[-1]
    assert reply.ok and reply.params["chat_id"] == user, reply.params
    return reply


async def press(fake: FakeBotAPI, data: str, message: dict[str, Any], user: int = ALICE) -> Call:
    """Press a button of `message`; the bot's edit of it."""
    before = len(fake.calls_of("editMessageText"))
    fake.callback(data, message=message, user_id=user)
    calls = await fake.wait_for_async("editMessageText", count=before + 1, timeout=10)
    return calls[-1]


def plain(call: Call) -> str:
    return parse_telegram_html(call.params["text"])[0]


def remove_buttons(call: Call) -> list[tuple[str, str]]:
    markup = call.params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


def alerts_to(fake: FakeBotAPI, chat_id: int, include_failed: bool = False) -> list[dict[str, Any]]:
    return [
        p
        for p in fake.sent_messages(include_failed=include_failed)
        if p["chat_id"] == chat_id and "New announcement matching" in p["text"]
    ]


# Generous: a sync runs in a child process, which on a shared machine under load took 14 s to bring
# the fixtures in (a wait returns as soon as its condition holds, so only a failure waits this long).
SYNC_WAIT = 60.0


async def wait_until(condition: Callable[[], bool], timeout: float = SYNC_WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        await asyncio.sleep(0.05)


# --- subscribing -------------------------------------------------------------------------------------


async def test_subscribe_is_kept_across_a_restart(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library):
        reply = await command(fake_bot_api, "/subscribe   flood   defences")
        assert "I will send you each new announcement about “flood defences”" in plain(reply)

    # A new process: a new Library and a new Application on the same database.
    again = Library(settings)
    try:
        async with running_bot(fake_bot_api, settings, again):
            listed = await command(fake_bot_api, "/subscriptions")
    finally:
        again.close()
    assert "1. “flood defences” · each at once" in plain(listed)
    assert [text for text, _ in remove_buttons(listed)] == ["Remove 1. flood defences", "Send 1. daily"]


async def test_subscriptions_lists_them_with_remove_buttons_and_unsubscribe_removes_all(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library):
        empty = await command(fake_bot_api, "/subscriptions")
        assert "You follow nothing yet" in plain(empty)
        for words in ("flood defences", "bus fares", "quantum computing"):
            await command(fake_bot_api, f"/subscribe {words}")
        listed = await command(fake_bot_api, "/subscriptions")
        assert plain(listed).splitlines()[1:4] == [
            "1. “flood defences” · each at once",
            "2. “bus fares” · each at once",
            "3. “quantum computing” · each at once",
        ]
        buttons = [b for b in remove_buttons(listed) if b[0].startswith("Remove")]
        assert [text for text, _ in buttons] == [
            "Remove 1. flood defences",
            "Remove 2. bus fares",
            "Remove 3. quantum computing",
        ]

        edited = await press(fake_bot_api, buttons[1][1], listed.result)
        [answer] = fake_bot_api.calls_of("answerCallbackQuery")
        assert answer.params["text"] == "Removed."
        assert edited.params["message_id"] == listed.result["message_id"]
        assert plain(edited).splitlines()[1:3] == [
            "1. “flood defences” · each at once",
            "2. “quantum computing” · each at once",
        ]
        assert len([b for b in remove_buttons(edited) if b[0].startswith("Remove")]) == 2

        # Someone else's button press cannot remove this chat's subscriptions.
        assert subscriptions.unsubscribe(library, BOB, int(buttons[0][1].split(":")[1])) == 0

        asked = await command(fake_bot_api, "/unsubscribe")  # all of them: only once the chat says so
        assert plain(asked).startswith("Remove all 2 subscriptions of this chat (“flood defences”, “quantum")
        gone = await press(fake_bot_api, dict(remove_buttons(asked))["Yes, remove all"], asked.result)
        assert "Removed all 2 subscriptions" in plain(gone)
        after = await command(fake_bot_api, "/subscriptions")
        assert "You follow nothing yet" in plain(after)
        nothing = await command(fake_bot_api, "/unsubscribe")
        assert "You had no subscriptions" in plain(nothing)


async def test_pressing_remove_twice_is_harmless(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library):
        await command(fake_bot_api, "/subscribe flood defences")
        await command(fake_bot_api, "/subscribe bus fares")
        listed = await command(fake_bot_api, "/subscriptions")
        data = remove_buttons(listed)[0][1]
        await press(fake_bot_api, data, listed.result)
        # A second tap on the same message: a short answer, no apology for an error.
        fake_bot_api.callback(data, message=listed.result)
        await fake_bot_api.wait_for_async("answerCallbackQuery", count=2)
        # And a forged button with a number no database column holds.
        fake_bot_api.callback("unsub:" + "9" * 30, message=listed.result)
        await fake_bot_api.wait_for_async("answerCallbackQuery", count=3)
        await fake_bot_api.wait_idle_async(quiet=0.3)
        answers = [c.params.get("text") for c in fake_bot_api.calls_of("answerCallbackQuery")]
        assert answers == ["Removed."] + ["That subscription was already gone."] * 2
        assert not any("Sorry" in p["text"] for p in fake_bot_api.sent_messages())
    assert [words for _, words in subscriptions.subscriptions_of(library, ALICE)] == ["bus fares"]


async def test_at_most_twenty_subscriptions_per_chat_and_other_polite_refusals(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    for n in range(19):
        subscriptions.subscribe(library, ALICE, f"topic{n} grants")
    async with running_bot(fake_bot_api, settings, library):
        twentieth = await command(fake_bot_api, "/subscribe flood defences")
        assert "I will send you" in plain(twentieth)
        refused = await command(fake_bot_api, "/subscribe bus fares")
        assert "at most 20 subscriptions" in plain(refused)
        assert "Remove one first" in plain(refused)
        # Another chat has its own twenty.
        assert "I will send you" in plain(await command(fake_bot_api, "/subscribe bus fares", user=BOB))

        await command(fake_bot_api, "/subscribe flood defences", user=BOB)
        duplicate = await command(fake_bot_api, "/subscribe bus fares", user=BOB)
        assert "already follow" in plain(duplicate)
        assert "For example: /subscribe" in plain(await command(fake_bot_api, "/subscribe", user=BOB))
        assert "too common" in plain(await command(fake_bot_api, "/subscribe the and of", user=BOB))
    assert len(subscriptions.subscriptions_of(library, ALICE)) == 20
    bobs = [words for _, words in subscriptions.subscriptions_of(library, BOB)]
    assert bobs == ["bus fares", "flood defences"]


# --- alerts ------------------------------------------------------------------------------------------


async def test_a_matching_new_announcement_is_alerted_and_others_are_not(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library) as app:
        await command(fake_bot_api, "/subscribe flood defences")
        await command(fake_bot_api, "/subscribe hospital car parking charges", user=BOB)
        await sync_now(app)

    [alert] = alerts_to(fake_bot_api, ALICE)
    text = parse_telegram_html(alert["text"])[0]
    assert text.startswith("🔔 New announcement matching “flood defences”")
    assert PRESS_TITLE in text
    assert "Press release · 6 October 2026" in text
    assert "flood" in html.unescape(alert["text"].split("<blockquote>")[1]).lower()  # the matching passage
    assert f'<a href="{PRESS_URL}">' in alert["text"]
    assert alerts_to(fake_bot_api, BOB) == []


async def test_one_alert_per_announcement_however_many_subscriptions_match_or_updates_come(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library) as app:
        for words in ("flood defences", "Tewkesbury", "River Severn flooding"):
            await command(fake_bot_api, f"/subscribe {words}")
        await command(fake_bot_api, "/subscribe Tewkesbury", user=BOB)
        await sync_now(app)
        assert len(alerts_to(fake_bot_api, ALICE)) == 1
        assert len(alerts_to(fake_bot_api, BOB)) == 1

        updated = load_fixtures("press_release")[0]
        updated["public_updated_at"] = "2026-10-22T10:00:00Z"
        body = updated["details"]["body"]
        updated["details"]["body"] = body.replace("8 new flood gates", "9 new flood gates")
        fake_govuk.add_item(updated)
        await sync_now(app)
        assert "9 new flood gates" in _body(library, PRESS_URL)  # it was synced
        await sync_now(app)

    assert len(alerts_to(fake_bot_api, ALICE)) == 1
    assert len(alerts_to(fake_bot_api, BOB)) == 1


def _body(library: Library, url: str) -> str:
    [info] = [a for a in library.latest(50) if a.url == url]
    stored = library.announcement(info.announcement_id)
    assert stored is not None
    return stored.body


async def test_a_chat_that_blocked_the_bot_is_unsubscribed_and_not_tried_again(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library) as app:
        await command(fake_bot_api, "/subscribe flood defences")
        await command(fake_bot_api, "/subscribe Tewkesbury")
        await command(fake_bot_api, "/subscribe blood pressure checks")
        await command(fake_bot_api, "/subscribe blood pressure checks", user=BOB)
        fake_bot_api.block_chat(ALICE)
        await sync_now(app)
        # One attempt, answered 403 Forbidden; the chat's subscriptions are gone.
        assert len(alerts_to(fake_bot_api, ALICE, include_failed=True)) == 1
        assert subscriptions.subscriptions_of(library, ALICE) == []

        fake_govuk.add_item(load_fixtures(LATER_FIXTURE)[0])
        await sync_now(app)

    assert len(alerts_to(fake_bot_api, ALICE, include_failed=True)) == 1  # not tried again
    [bob] = alerts_to(fake_bot_api, BOB)  # the next sync did run and alert
    assert LATER_TITLE in bob["text"]


async def test_items_synced_by_the_cli_are_alerted_by_the_bot_but_a_backfill_is_not(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library: Library
) -> None:
    other = Library(settings)  # `python -m bot sync` in another process
    try:
        async with running_bot(fake_bot_api, settings, library) as app:
            await command(fake_bot_api, "/subscribe flood defences")
            await command(fake_bot_api, "/subscribe blood pressure checks")
            backfill = await asyncio.to_thread(run_sync, settings, other, datetime(2026, 10, 1, tzinfo=UTC))
            assert backfill.added == 4
            await sync_now(app)
            assert alerts_to(fake_bot_api, ALICE) == []  # history, not news

            fake_govuk.add_item(load_fixtures(LATER_FIXTURE)[0])
            plain_run = await asyncio.to_thread(run_sync, settings, other)
            assert plain_run.added == 1
            await sync_now(app)  # the bot's own run finds nothing new, and still alerts
    finally:
        other.close()
    [alert] = alerts_to(fake_bot_api, ALICE)
    assert LATER_TITLE in alert["text"]


# --- /latest and /about ------------------------------------------------------------------------------


async def test_latest_and_about_show_what_the_sync_brought(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library) as app:
        before = await command(fake_bot_api, "/about")
        assert "I have not checked GOV.UK for new ones yet." in plain(before)
        await sync_now(app)
        latest = await command(fake_bot_api, "/latest")
        about = await command(fake_bot_api, "/about")

    lines = plain(latest).splitlines()
    # Newest first by the date GOV.UK first published them; the undated seed corpus comes after.
    assert lines[0] == "8 announcements, newest 9 October 2026"
    assert [line.split(" · ", 1)[1] for line in lines if " · " in line][:4] == [
        "World news story · 9 October 2026 · Foreign, Commonwealth & Development Office",
        "Speech · 8 October 2026 · Department for Science, Innovation and Technology",
        "News story · 7 October 2026 · Department for Transport",
        "Press release · 6 October 2026 · Department for Environment, Food & Rural Affairs, "
        "Environment Agency",
    ]
    assert lines[2].startswith("1. UK and Peru agree £9.5 million partnership to protect the Amazon · ")
    text = plain(about)
    assert "I know 8 announcements, the newest from 9 October 2026." in text
    assert "Last checked GOV.UK just now: 4 new or changed." in text


# --- the running bot on its own ----------------------------------------------------------------------


async def test_the_running_bot_syncs_on_its_own_and_alerts_subscribers(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library: Library
) -> None:
    every_second = settings.model_copy(update={"sync_interval": 1})
    async with running_bot(fake_bot_api, every_second, library):
        await command(fake_bot_api, "/subscribe blood pressure checks")
        await command(fake_bot_api, "/subscribe quantum engineers", user=BOB)
        # The job brings the fixtures in (so they are answerable) without being asked.
        await wait_until(lambda: library.stats().announcements == 8)
        fake_govuk.add_item(load_fixtures(LATER_FIXTURE)[0])
        [call] = await fake_bot_api.wait_for_async(
            "sendMessage", lambda c: LATER_TITLE in c.params["text"], timeout=SYNC_WAIT
        )
        answer = await command(fake_bot_api, "How much funding is there for free blood pressure checks?")
    assert call.params["chat_id"] == ALICE
    assert "New announcement matching “blood pressure checks”" in call.params["text"]
    assert LATER_TITLE in plain(answer)
    # Bob's words matched the speech, which came in with the first sync: also alerted, once.
    assert len(alerts_to(fake_bot_api, BOB)) == 1


async def test_the_bots_job_is_busy_while_a_cli_sync_runs(
    tmp_path: Path,
    fake_bot_api: FakeBotAPI,
    fake_govuk: FakeGovuk,
    settings: BotSettings,
    library: Library,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.telegram.jobs")
    fake_govuk.delay_next(SEARCH, 30)
    env = cli_env(settings.database_url, GOVUK_API_BASE_URL=fake_govuk.base_url, GOVUK_TIMEOUT="60")
    cli = subprocess.Popen(
        [sys.executable, "-m", "bot", "sync"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_until(lambda: len(fake_govuk.requests) == 1)  # the CLI holds the lease, searching
        every_second = settings.model_copy(update={"sync_interval": 1})
        async with running_bot(fake_bot_api, every_second, library):
            await wait_until(lambda: "sync: another sync is running" in caplog.text)
            assert len(fake_govuk.requests) == 1  # the bot did not search while the CLI ran
            # Stopped, the CLI releases its lease; the bot's next run does the work.
            cli.send_signal(signal.SIGTERM)
            await asyncio.to_thread(cli.wait, 20)
            await wait_until(lambda: library.stats().announcements == 8)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
