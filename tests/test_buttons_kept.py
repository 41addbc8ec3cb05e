"""Buttons that survive restarts and work on any process (issue 11 point 6, issue 12 point 4).

What "More matches", search paging and the other keyed buttons stand for is kept in the database, not in
a process: a button still works after the bot restarts (a new Library and Application on the same
database) and when another process made it. A key past its time says "That list has expired: ask
again" and its buttons are taken off the message; the hourly housekeeping deletes expired keys and old
questions. The real bot long-polls the fake Bot API; stores are real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import actions
from bot.commands import BUTTON_KEPT, LIST_EXPIRED, QUESTIONS_KEPT, Commands, Request
from bot.config import BotSettings
from bot.telegram.context import Context
from bot.telegram.jobs import housekeeping
from retrieval.library import Library
from tests.botharness import button, buttons, exchange, only, running_bot
from tests.fakebotapi import DEFAULT_USER_ID, Call, FakeBotAPI

BROAD = "impact funds investing in affordable housing"  # several announcements answer it: "More matches"
ALICE = DEFAULT_USER_ID


async def press(fake: FakeBotAPI, data: str, message: dict[str, object], expect: str) -> list[Call]:
    return await exchange(fake, fake.callback, data, message, expect=expect)


async def test_more_matches_and_search_pages_work_after_a_restart(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library_2024: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, bot_settings, library_2024):
        answer = only(await exchange(fake, fake.message, BROAD), "sendMessage")
        listed = only(await exchange(fake, fake.command, "search government"), "sendMessage")
    library_2024.close()

    # A new process: a new Library and a new Application on the same database.
    again = Library(bot_settings)
    try:
        async with running_bot(fake, bot_settings, again):
            more = await press(fake, button(answer, "More matches"), answer.result, "editMessageText")
            page = only(more, "editMessageText")
            assert page.result["text"].startswith("More matches (1/")
            back = await press(fake, button(page, "« Answer"), answer.result, "editMessageText")
            assert only(back, "editMessageText").params["text"] == answer.params["text"]

            turned = await press(fake, button(listed, "Next ›"), listed.result, "editMessageText")
            assert "(page 2)" in only(turned, "editMessageText").result["text"].split("\n")[0]
    finally:
        again.close()
    assert not [c for c in fake.calls if c.method == "answerCallbackQuery" and c.params.get("text")]


async def test_a_button_made_through_one_library_works_through_another(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library_2024: Library
) -> None:
    fake = fake_bot_api
    other = Library(bot_settings)  # another worker on the same database, open all along
    try:
        async with running_bot(fake, bot_settings, library_2024):
            answer = only(await exchange(fake, fake.message, BROAD), "sendMessage")
        async with running_bot(fake, bot_settings, other):
            more = await press(fake, button(answer, "More matches"), answer.result, "editMessageText")
        assert only(more, "editMessageText").result["text"].startswith("More matches (1/")

        # And the terminal chat's command layer, on a third Library, reads the same key.
        third = Library(bot_settings)
        try:
            request = Request(ALICE, True, ALICE, "Test", "")
            pressed = Commands(third).press(request, actions.parse(button(answer, "More matches")))
        finally:
            third.close()
        assert pressed.notice is None and pressed.edit is not None
        assert pressed.edit.text == more[-1].params["text"]
    finally:
        other.close()


async def test_an_expired_list_says_so_and_its_buttons_go(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library_2024: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, bot_settings, library_2024):
        answer = only(await exchange(fake, fake.message, BROAD), "sendMessage")
        assert [b["text"] for b in buttons(answer)] == ["Full announcement", "More matches", "👍", "👎"]

        # Past its time, before housekeeping has deleted it: expired all the same.
        key = library_2024.remember(
            ALICE,
            "more",
            {"text": BROAD},
            BUTTON_KEPT,
            now=datetime.now(UTC) - BUTTON_KEPT - timedelta(hours=1),
        )
        calls = await press(fake, f"more:{key}:1", answer.result, "answerCallbackQuery")
        assert only(calls, "answerCallbackQuery").params["text"] == LIST_EXPIRED

        # A month on, housekeeping has deleted the answer's own key: the same polite note, and the
        # buttons that needed it are taken off; those that still work stay.
        never = datetime.min.replace(tzinfo=UTC)  # questions and alert records: none pruned here
        library_2024.prune(datetime.now(UTC) + BUTTON_KEPT + timedelta(days=1), never, never)
        calls = await press(fake, button(answer, "More matches"), answer.result, "editMessageReplyMarkup")
        assert only(calls, "answerCallbackQuery").params["text"] == "That list has expired: ask again."
        kept = only(calls, "editMessageReplyMarkup")
        assert [b["text"] for b in buttons(kept)] == ["Full announcement", "👍", "👎"]
        assert not [c for c in calls if c.method in ("editMessageText", "sendMessage")]

        # The buttons left still work.
        opened = await exchange(fake, fake.callback, button(kept, "Full announcement"), answer.result)
        assert only(opened, "sendMessage").result["text"].startswith(answer.result["text"].split("\n")[0])


async def test_housekeeping_deletes_expired_keys_and_old_questions_only(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library_2024: Library
) -> None:
    long_ago = datetime.now(UTC) - QUESTIONS_KEPT - timedelta(days=1)
    library_2024.log_question(ALICE, "an old question", "none", now=long_ago)
    library_2024.remember(ALICE, "search", {"text": "old words"}, BUTTON_KEPT, now=long_ago)
    async with running_bot(fake_bot_api, bot_settings, library_2024) as app:
        answer = only(await exchange(fake_bot_api, fake_bot_api.message, BROAD), "sendMessage")
        before = library_2024.chat_data(ALICE)
        await housekeeping(Context(app))
        after = library_2024.chat_data(ALICE)

        assert (before.questions, before.button_keys) == (2, 2)
        assert (after.questions, after.button_keys) == (1, 1)  # today's question and its key stay
        more = await press(fake_bot_api, button(answer, "More matches"), answer.result, "editMessageText")
        assert only(more, "editMessageText").result["text"].startswith("More matches (1/")
