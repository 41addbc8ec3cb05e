"""Trust and feedback (issue 11 point 8), end to end: the real bot long-polls the fake Bot API; stores are
real.

Every answer carries 👍 and 👎, stored with the question (a press after a restart too); ADMIN_IDS may run
/stats (questions a day, the share answered, closest and declined, the latest 👎 and declined
questions), nobody else; /forget deletes everything kept about a chat once it says yes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import BotSettings
from retrieval.library import Library
from tests.botharness import (
    CORPUS_2024,
    bot_settings_for,
    button,
    buttons,
    check_limits,
    exchange,
    only,
    prepared_library,
    running_bot,
)
from tests.fakebotapi import DEFAULT_USER_ID, Call, FakeBotAPI, parse_telegram_html

ALICE = DEFAULT_USER_ID
BOB = 515151
PLEDGE = "How much did the Home Secretary pledge against live-streamed abuse?"
BROAD = "impact funds investing in affordable housing"
PASSPORT = "How do I renew my passport?"


@pytest.fixture
def settings(tmp_path: Path, fake_bot_api: FakeBotAPI) -> BotSettings:
    return bot_settings_for(tmp_path, fake_bot_api.base_url, admin_ids=[ALICE])


@pytest.fixture
def lib(settings: BotSettings) -> Library:
    library = prepared_library(settings)
    report = library.ingest([CORPUS_2024], progress=False)
    assert not report.errors
    return library


async def ask(fake: FakeBotAPI, text: str, user: int = ALICE) -> Call:
    return only(await exchange(fake, fake.message, text, user_id=user, chat_id=user), "sendMessage")


def plain(call: Call) -> str:
    return parse_telegram_html(call.params["text"])[0]


async def test_a_thumbs_down_is_kept_with_the_question_even_after_a_restart(
    fake_bot_api: FakeBotAPI, settings: BotSettings, lib: Library
) -> None:
    fake = fake_bot_api
    try:
        async with running_bot(fake, settings, lib):
            answer = await ask(fake, PLEDGE)
            declined = await ask(fake, PASSPORT)
    finally:
        lib.close()
    assert [b["text"] for b in buttons(answer)][-2:] == ["👍", "👎"]
    assert not [b for b in buttons(declined) if b["text"] in ("👍", "👎")]  # nothing to rate

    again = Library(settings)  # a new process on the same database
    try:
        async with running_bot(fake, settings, again):
            rated = await exchange(
                fake, fake.callback, button(answer, "👎"), answer.result, expect="editMessageReplyMarkup"
            )
            assert (
                only(rated, "answerCallbackQuery").params["text"] == "Thanks: noted, so that I can do better."
            )
            left = [b["text"] for b in buttons(only(rated, "editMessageReplyMarkup"))]
            # Rated once: the thumbs go, the rest stays.
            assert left == [b["text"] for b in buttons(answer) if b["text"] not in ("👍", "👎")]
            assert left[0] == "Full announcement"
        [disliked] = again.recent_questions(5, feedback=-1)
        assert disliked.text == PLEDGE and disliked.outcome == "answer"
    finally:
        again.close()


async def test_stats_for_the_bots_administrators_only(
    fake_bot_api: FakeBotAPI, settings: BotSettings, lib: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, lib):
        answer = await ask(fake, PLEDGE)
        await ask(fake, BROAD, user=BOB)
        await ask(fake, PASSPORT, user=BOB)
        await ask(fake, "recipe for chocolate cake")
        await exchange(
            fake, fake.callback, button(answer, "👎"), answer.result, expect="editMessageReplyMarkup"
        )

        refused = await ask(fake, "/stats", user=BOB)
        assert plain(refused) == "Only the bot’s administrators can see /stats."
        stats = await ask(fake, "/stats")
        menu = fake.commands
        check_limits(fake.calls)
    lib.close()

    lines = plain(stats).split("\n")
    assert lines[0] == "Questions in the last 14 days"
    today = datetime.now(UTC)
    day = f"{today.day} {today:%b}: 4 · answered 2 (50%), closest 0 (0%), declined 2 (50%)"
    assert lines[1] == day, lines
    assert lines[2] == "All: 4 · answered 2 (50%), closest 0 (0%), declined 2 (50%)"
    text = plain(stats)
    latest_down = text.split("Latest 👎\n")[1].split("\n\n")[0]
    assert latest_down.startswith(f"• {PLEDGE} (")
    latest_declined = text.split("Latest declined\n")[1]
    assert [line.split(" (")[0] for line in latest_declined.split("\n")] == [
        "• recipe for chocolate cake",
        f"• {PASSPORT}",
    ]
    assert all("stats" not in [c["command"] for c in commands] for commands in menu.values())


async def test_forget_deletes_everything_kept_about_a_chat_once_it_says_yes(
    fake_bot_api: FakeBotAPI, settings: BotSettings, lib: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, lib):
        await ask(fake, "/subscribe flood defences")
        answer = await ask(fake, BROAD)
        await ask(fake, BROAD, user=BOB)
        kept = lib.chat_data(ALICE)
        assert kept.subscriptions == 1 and kept.questions == 1 and kept.button_keys >= 1

        asked = await ask(fake, "/forget")
        assert plain(asked).startswith(
            "Delete everything I keep about this chat? That is 1 subscription; 1 question"
        )
        no = await exchange(fake, fake.callback, button(asked, "No"), asked.result, expect="editMessageText")
        assert only(no, "editMessageText").result["text"] == "Nothing was deleted."
        assert lib.chat_data(ALICE) == kept

        asked = await ask(fake, "/forget")
        yes = await exchange(
            fake, fake.callback, button(asked, "Yes, delete it"), asked.result, expect="editMessageText"
        )
        assert (
            only(yes, "editMessageText").result["text"].startswith("Done: I deleted everything I kept about")
        )
        assert lib.chat_data(ALICE).total == 0
        assert lib.subscriptions(ALICE) == [] and lib.last_answer(ALICE, datetime.now(UTC)) is None
        assert lib.chat_data(BOB).questions == 1  # another chat's stays

        # A button made before /forget knows nothing any more.
        stale = await exchange(
            fake, fake.callback, button(answer, "More matches"), answer.result, expect="answerCallbackQuery"
        )
        assert only(stale, "answerCallbackQuery").params["text"] == "That list has expired: ask again."
        again = await ask(fake, "/forget")
        assert plain(again) == "I keep nothing about this chat."
    lib.close()
