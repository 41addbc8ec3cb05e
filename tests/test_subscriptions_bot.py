"""Subscriptions as good as GOV.UK's email alerts (issue 11 point 7), end to end: the real bot long-polls the
fake Bot API and syncs the fake GOV.UK; stores are real.

/unsubscribe WORDS removes only that one and removing all asks first; in a group only its administrators
(asked of Telegram with getChatMember) change what it follows; each alert has Unsubscribe and Mute for a
day, which work after a restart; /follow NAME follows an organisation; /subscribe daily WORDS holds the
matches for one digest a day; subscribing shows the last three announcements that match.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import BotSettings
from bot.telegram.context import Context
from bot.telegram.jobs import send_digests, sync_job
from retrieval.library import Library
from tests.botharness import (
    AnyApplication,
    bot_settings_for,
    button,
    buttons,
    check_limits,
    exchange,
    only,
    running_bot,
)
from tests.fakebotapi import DEFAULT_GROUP_ID, DEFAULT_USER_ID, Call, FakeBotAPI, parse_telegram_html
from tests.fakegovuk import LATER_FIXTURE, FakeGovuk, load_fixtures

ALICE = DEFAULT_USER_ID
BOB = 515151
GROUP = DEFAULT_GROUP_ID
FLOOD_TITLE = "£12 million to protect Tewkesbury homes from flooding"
LATER_TITLE = "Free blood pressure checks for 2.5 million more people at local pharmacies"


@pytest.fixture
def settings(tmp_path: Any, fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk) -> BotSettings:
    """The `library` fixture's database, both fakes, a GOV.UK client that does not dawdle, and digests
    at 08:00 UTC."""
    return bot_settings_for(
        tmp_path,
        fake_bot_api.base_url,
        govuk_api_base_url=fake_govuk.base_url,
        govuk_requests_per_second=100,
        govuk_timeout=2,
        govuk_backoff=0.01,
        digest_hour=8,
    )


async def sync_now(app: AnyApplication) -> None:
    """One run of the bot's own sync job; when it returns, its alerts have been sent."""
    await sync_job(Context(app))


async def say(fake: FakeBotAPI, text: str, user: int = ALICE, group: bool = False) -> Call:
    """`text` from `user`, in their private chat or in the group; the bot's reply."""
    where: dict[str, Any] = {"chat_id": GROUP, "chat_type": "supergroup"} if group else {"chat_id": user}
    mention = "@govuk_answers_bot"
    if text.startswith(mention):  # as Telegram marks a mention
        where["entities"] = [{"type": "mention", "offset": 0, "length": len(mention)}]
    return only(await exchange(fake, fake.message, text, user_id=user, **where), "sendMessage")


def plain(call: Call) -> str:
    return parse_telegram_html(call.params["text"])[0]


def alerts_to(fake: FakeBotAPI, chat_id: int) -> list[Call]:
    return [
        c
        for c in fake.calls_of("sendMessage")
        if c.ok and c.params["chat_id"] == chat_id and c.params["text"].startswith("🔔")
    ]


def another_flood_item() -> dict[str, Any]:
    """A second announcement about flood defences, published after the first."""
    item = copy.deepcopy(load_fixtures("press_release")[0])
    item["base_path"] = "/government/news/new-flood-defences-for-upton-upon-severn"
    item["content_id"] = "4f1c2a9e-6b1d-4c55-9d0e-3a7f2b8c1d99"
    item["title"] = "New flood defences for Upton-upon-Severn"
    for field in ("first_published_at", "public_updated_at", "updated_at"):
        item[field] = "2026-10-21T09:00:00Z"
    return item


async def test_unsubscribe_words_removes_only_that_one_and_all_of_them_only_when_confirmed(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, library):
        for words in ("flood defences", "bus fares", "quantum computing"):
            await say(fake, f"/subscribe {words}")

        one = await say(fake, "/unsubscribe Bus  Fares")
        assert plain(one) == "Removed “bus fares”. You still follow “flood defences”, “quantum computing”."
        unknown = await say(fake, "/unsubscribe train fares")
        assert plain(unknown).startswith("You don’t follow “train fares”.")

        asked = await say(fake, "/unsubscribe")
        assert plain(asked) == (
            "Remove all 2 subscriptions of this chat (“flood defences”, “quantum computing”)?"
        )
        kept = await exchange(
            fake, fake.callback, button(asked, "No, keep them"), asked.result, expect="editMessageText"
        )
        assert only(kept, "editMessageText").result["text"] == "Kept all 2 subscriptions."
        assert len(library.subscriptions(ALICE)) == 2

        asked = await say(fake, "/unsubscribe")
        gone = await exchange(
            fake, fake.callback, button(asked, "Yes, remove all"), asked.result, expect="editMessageText"
        )
        assert only(gone, "editMessageText").result["text"] == "Removed all 2 subscriptions."
    assert library.subscriptions(ALICE) == []


async def test_in_a_group_only_its_administrators_change_what_it_follows(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    fake = fake_bot_api
    refused = "Only this group’s administrators can change what it follows or what I keep about it."
    fake.set_member(GROUP, ALICE, "administrator")
    fake.set_member(GROUP, 777, "creator")
    async with running_bot(fake, settings, library):
        assert plain(await say(fake, "/subscribe flood defences", user=BOB, group=True)) == refused
        assert library.subscriptions(GROUP) == []

        done = await say(fake, "/subscribe flood defences", user=ALICE, group=True)
        assert plain(done).startswith("Done: I will send you each new announcement about “flood defences”")
        await say(fake, "/subscribe@govuk_answers_bot bus fares", user=777, group=True)
        assert [s.words for s in library.subscriptions(GROUP)] == ["flood defences", "bus fares"]

        # Anyone may look; only administrators may press what changes it.
        listed = await say(fake, "/subscriptions", user=BOB, group=True)
        pressed = await exchange(
            fake,
            fake.callback,
            button(listed, "Remove 1."),
            listed.result,
            user_id=BOB,
            expect="answerCallbackQuery",
        )
        assert only(pressed, "answerCallbackQuery").params["text"] == refused
        assert not [c for c in pressed if c.method == "editMessageText"]
        assert plain(await say(fake, "/unsubscribe", user=BOB, group=True)) == refused
        assert plain(await say(fake, "/forget", user=BOB, group=True)) == refused
        assert len(library.subscriptions(GROUP)) == 2

        pressed = await exchange(
            fake,
            fake.callback,
            button(listed, "Remove 1."),
            listed.result,
            user_id=ALICE,
            expect="editMessageText",
        )
        assert only(pressed, "answerCallbackQuery").params.get("text") == "Removed."
        assert [s.words for s in library.subscriptions(GROUP)] == ["bus fares"]

        # Telegram is asked only when it matters: not for a question or a listing.
        fake.clear()
        await say(fake, "/subscriptions", user=BOB, group=True)
        await say(
            fake, "@govuk_answers_bot how much was pledged against live-streamed abuse?", user=BOB, group=True
        )
        assert fake.calls_of("getChatMember") == []
        check_limits(fake.calls)


async def test_each_alert_can_unsubscribe_or_mute_for_a_day_even_after_a_restart(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, library) as app:
        await say(fake, "/subscribe flood defences")
        await say(fake, "/subscribe Tewkesbury flooding", user=BOB)
        await say(fake, "/subscribe flood defences", user=BOB)
        await sync_now(app)
    [alert] = alerts_to(fake, ALICE)
    [bobs] = alerts_to(fake, BOB)
    rows = alert.params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [
        ["Full announcement"],
        ["Unsubscribe", "Mute for a day"],
    ]
    assert FLOOD_TITLE in plain(alert)
    library.close()

    again = Library(settings)  # the bot restarted between the alert and the press
    try:
        async with running_bot(fake, settings, again) as app:
            muted = await exchange(
                fake,
                fake.callback,
                button(alert, "Mute for a day"),
                alert.result,
                expect="editMessageReplyMarkup",
            )
            notice = only(muted, "answerCallbackQuery").params["text"]
            assert re.fullmatch(
                r"Muted “flood defences” until \d\d:\d\d UTC on .+\. /subscriptions to unmute\.", notice
            )
            assert [b["text"] for b in buttons(only(muted, "editMessageReplyMarkup"))] == [
                "Full announcement",
                "Unsubscribe",
            ]
            listed = await say(fake, "/subscriptions")
            assert "muted until" in plain(listed) and button(listed, "1. unmute")

            fake_govuk.add_item(another_flood_item())
            await sync_now(app)
            assert len(alerts_to(fake, ALICE)) == 1  # muted: nothing new
            assert "New flood defences for Upton-upon-Severn" in plain(alerts_to(fake, BOB)[-1])

            gone = await exchange(
                fake,
                fake.callback,
                button(bobs, "Unsubscribe"),
                bobs.result,
                user_id=BOB,
                expect="editMessageReplyMarkup",
            )
            assert (
                only(gone, "answerCallbackQuery").params["text"] == "Unsubscribed from “Tewkesbury flooding”."
            )
            assert [b["text"] for b in buttons(only(gone, "editMessageReplyMarkup"))] == ["Full announcement"]
            assert [s.words for s in again.subscriptions(BOB)] == ["flood defences"]
    finally:
        again.close()


async def test_follow_an_organisation_by_a_short_name(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library_2024: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, library_2024) as app:
        followed = await say(fake, "/follow dhsc")
        text = plain(followed)
        assert text.startswith(
            "Done: I will send you each new announcement from Department of Health and Social Care, as soon "
            "as it is published."
        )
        shown = [b["text"] for b in buttons(followed)]
        assert 1 <= len(shown) <= 3 and shown[0].startswith("1. ")
        unknown = await say(fake, "/follow the ministry of silly walks")
        assert plain(unknown).startswith("I know no organisation called “the ministry of silly walks”")

        await sync_now(app)  # the first items: none from DHSC
        assert alerts_to(fake, ALICE) == []
        fake_govuk.add_item(load_fixtures(LATER_FIXTURE)[0])
        await sync_now(app)

    [alert] = alerts_to(fake, ALICE)
    assert plain(alert).startswith("🔔 New from Department of Health and Social Care")
    assert LATER_TITLE in plain(alert)
    assert [b["text"] for b in buttons(alert)] == ["Full announcement", "Unsubscribe", "Mute for a day"]


async def test_a_daily_subscription_sends_one_digest_a_day_instead_of_alerts(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, settings: BotSettings, library: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, library) as app:
        subscribed = await say(fake, "/subscribe daily flood defences")
        assert "in one digest a day" in plain(subscribed)
        await say(fake, "/subscribe daily blood pressure checks")
        await say(fake, "/subscribe blood pressure checks", user=BOB)
        await sync_now(app)
        fake_govuk.add_item(load_fixtures(LATER_FIXTURE)[0])
        await sync_now(app)
        assert alerts_to(fake, ALICE) == []  # held for the digest
        assert len(alerts_to(fake, BOB)) == 1  # an immediate subscription is not held

        context = Context(app)
        now = datetime.now(UTC)
        assert await send_digests(context, now) == 0  # not before the next 08:00 UTC
        tomorrow = (now + timedelta(days=1)).replace(hour=8, minute=30)
        assert await send_digests(context, tomorrow) == 1
        assert await send_digests(context, tomorrow + timedelta(hours=1)) == 0  # once a day

    [digest] = [c for c in fake.calls_of("sendMessage") if "daily digest" in c.params["text"]]
    assert digest.params["chat_id"] == ALICE
    text = plain(digest)
    assert text.startswith("📰 Your daily digest: 2 new announcements")
    assert FLOOD_TITLE in text and LATER_TITLE in text
    assert "for flood defences" in text and "for blood pressure checks" in text
    assert [b["text"][:3] for b in buttons(digest)] == ["1. ", "2. "]
    check_limits(fake.calls)


async def test_delivery_switches_between_daily_and_at_once_with_a_button(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, library):
        await say(fake, "/subscribe flood defences")
        listed = await say(fake, "/subscriptions")
        assert "1. “flood defences” · each at once" in plain(listed)
        daily = await exchange(
            fake, fake.callback, button(listed, "Send 1. daily"), listed.result, expect="editMessageText"
        )
        edit = only(daily, "editMessageText")
        assert "1. “flood defences” · daily digest" in plain(edit)
        assert library.subscriptions(ALICE)[0].daily
        back = await exchange(
            fake, fake.callback, button(edit, "Send 1. at once"), listed.result, expect="editMessageText"
        )
        assert "each at once" in plain(only(back, "editMessageText"))
    assert not library.subscriptions(ALICE)[0].daily


async def test_subscribing_shows_the_last_three_announcements_that_match(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library_2024: Library
) -> None:
    async with running_bot(fake_bot_api, settings, library_2024):
        reply = await say(fake_bot_api, "/subscribe flooding")
    text = plain(reply)
    assert "The last 3 that match:" in text
    opened = [int(b["callback_data"].removeprefix("read:")) for b in buttons(reply)]
    assert len(opened) == 3
    for ident in opened:  # each is about flooding, as an alert for these words would be
        stored = library_2024.announcement(ident)
        assert stored is not None and "flood" in (stored.title + stored.body).lower()


async def test_alerts_asked_for_in_plain_words_subscribe_list_and_unsubscribe(
    fake_bot_api: FakeBotAPI, settings: BotSettings, library_2024: Library
) -> None:
    fake = fake_bot_api
    async with running_bot(fake, settings, library_2024):
        subscribed = await say(fake, "alert me about flooding")
        # As /subscribe flooding answers: what it follows now and the last three that match.
        assert "The last 3 that match:" in plain(subscribed)
        assert [s.words for s in library_2024.subscriptions(ALICE)] == ["flooding"]
        listed = await say(fake, "what am i subscribed to?")
        assert "flooding" in plain(listed)
        gone = await say(fake, "stop sending me alerts about flooding")
        assert plain(gone).startswith("Removed “flooding”.")
    assert library_2024.subscriptions(ALICE) == []
