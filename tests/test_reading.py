"""Reading a whole announcement (issue 11 point 5), end to end: the real bot long-polls the fake Bot API.

"Full announcement" and /read open one message of at most 3,500 characters whose pages turn in place
(‹ Previous, Next ›), with a button that opens the announcement on GOV.UK. A withdrawn announcement says
so first, with the date and GOV.UK's explanation; headings are bold and table rows are lines. In a group
the page answers the message whose button was pressed, and paging never adds a message.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest_asyncio

from bot.config import BotSettings
from retrieval.announcement import AnnouncementRecord
from retrieval.library import Library
from tests.botharness import (
    AnyApplication,
    all_pages,
    announcement_id,
    buttons,
    check_limits,
    contains_in_order,
    exchange,
    only,
    page_text,
    running_bot,
    words,
)
from tests.fakebotapi import DEFAULT_GROUP_ID, DEFAULT_USER_ID, FakeBotAPI, parse_telegram_html

BOB = 515151
PEERS = "How many hereditary peers will the Bill remove from the House of Lords?"
GRANTS_URL = "https://www.gov.uk/government/publications/hedge-and-pond-grants"


@pytest_asyncio.fixture
async def bot(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library_2024: Library
) -> AsyncIterator[AnyApplication]:
    async with running_bot(fake_bot_api, bot_settings, library_2024) as app:
        yield app


async def test_a_long_speech_opens_as_one_page_that_turns_in_place(
    fake_bot_api: FakeBotAPI, library_2024: Library, bot: AnyApplication
) -> None:
    fake = fake_bot_api
    ident = announcement_id(library_2024, "Bingham Lecture")
    stored = library_2024.announcement(ident)
    assert stored is not None and len(stored.body) > 30_000

    opened = await exchange(fake, fake.command, f"start a{ident}")  # a t.me link to the announcement
    first = only(opened, "sendMessage")

    assert len(first.params["text"]) <= 3500
    assert first.result["text"].startswith("Attorney General's 2024 Bingham Lecture on the rule of law")
    rows = first.params["reply_markup"]["inline_keyboard"]
    assert [[b["text"] for b in row] for row in rows] == [["Next ›"], ["Open on GOV.UK"]]
    assert rows[1][0]["url"] == stored.url

    pages = await all_pages(fake, first)
    count = len(pages)
    assert count >= 8
    for n, page in enumerate(pages, 1):
        assert len(page.params["text"]) <= 3500
        assert page.result["text"].endswith(f"Page {n} of {count}")
        labels = [b["text"] for b in buttons(page)]
        assert labels == [
            *(["‹ Previous"] if n > 1 else []),
            *(["Next ›"] if n < count else []),
            "Open on GOV.UK",
        ]
    assert contains_in_order(words(" ".join(page_text(p) for p in pages)), words(stored.body))
    assert len(fake.calls_of("sendMessage")) == 1  # paging never added a message
    check_limits(fake.calls)

    back = await exchange(
        fake, fake.callback, buttons(pages[-1])[0]["callback_data"], first.result, expect="editMessageText"
    )
    assert only(back, "editMessageText").params["text"] == pages[-2].params["text"]


async def test_a_withdrawn_announcement_says_so_first_and_shows_headings_and_tables(
    fake_bot_api: FakeBotAPI, library_2024: Library, bot: AnyApplication
) -> None:
    body = "\n\n".join(
        [
            "Farmers can apply for grants for hedges and ponds.",
            "## Who can apply",
            "Anyone who farms in England.",
            "\n".join(
                [
                    "| Item | Grant | Notes |",
                    "| --- | --- | --- |",
                    "| Hedges | £10 a metre | |",
                    "| Ponds | £500 each | new ponds only |",
                ]
            ),
        ]
    )
    record = AnnouncementRecord(
        title="Grants for hedges and ponds",
        body=body,
        type="Guidance",
        url=GRANTS_URL,
        organisation="Department for Environment, Food & Rural Affairs",
        extra={
            "withdrawn_at": "2025-03-12T10:00:00+00:00",
            "withdrawn_explanation": "This scheme closed to new applications on 12 March 2025.",
        },
    )
    library_2024.ingest_records([record])
    ident = announcement_id(library_2024, "Grants for hedges and ponds")

    page = only(await exchange(fake_bot_api, fake_bot_api.command, f"start a{ident}"), "sendMessage")

    shown, entities = parse_telegram_html(page.params["text"])
    lines = shown.split("\n")
    assert (
        lines[0] == "⚠️ Withdrawn on 12 March 2025. This scheme closed to new applications on 12 March 2025."
    )
    assert lines[2] == "Grants for hedges and ponds"
    bold = {shown[e["offset"] : e["offset"] + e["length"]] for e in entities if e["type"] == "bold"}
    assert {"Withdrawn on 12 March 2025.", "Who can apply", "Item · Grant · Notes"} <= bold
    assert "Item · Grant · Notes\nHedges · £10 a metre\nPonds · £500 each · new ponds only" in shown
    assert "|" not in shown and "##" not in shown
    assert buttons(page) == [{"text": "Open on GOV.UK", "url": GRANTS_URL}]  # one page: nothing to turn


async def test_in_a_group_the_page_answers_the_answer_and_pages_without_new_messages(
    fake_bot_api: FakeBotAPI, library_2024: Library, bot: AnyApplication
) -> None:
    fake = fake_bot_api
    question = f"@govuk_answers_bot {PEERS}"
    mention = [{"type": "mention", "offset": 0, "length": len("@govuk_answers_bot")}]
    asked = await exchange(
        fake, fake.message, question, chat_id=DEFAULT_GROUP_ID, chat_type="supergroup", entities=mention
    )
    answer = only(asked, "sendMessage")
    bingham = announcement_id(library_2024, "Bingham Lecture")

    # Another member opens a long announcement from a button under the bot's answer.
    opened = await exchange(fake, fake.callback, f"read:{bingham}", answer.result, user_id=BOB)
    page = only(opened, "sendMessage")
    assert page.params["chat_id"] == DEFAULT_GROUP_ID
    assert page.result["reply_to_message"]["message_id"] == answer.result["message_id"]
    assert len(page.params["text"]) <= 3500

    pages = await all_pages(fake, page, user_id=BOB)
    assert len(pages) >= 8
    assert len(fake.calls_of("sendMessage")) == 2  # the answer and the one page: no flood
    check_limits(fake.calls)


async def test_read_of_a_missing_announcement_and_a_stale_page_button(
    fake_bot_api: FakeBotAPI, library_2024: Library, bot: AnyApplication
) -> None:
    fake = fake_bot_api
    missing = only(await exchange(fake, fake.command, "start a999999"), "sendMessage")
    assert "There is no announcement 999999" in missing.result["text"]

    pressed = await exchange(
        fake, fake.callback, "page:999999:2", missing.result, expect="answerCallbackQuery"
    )
    assert [c.method for c in pressed] == ["answerCallbackQuery"]
    assert "no longer available" in pressed[0].params["text"]

    ident = announcement_id(library_2024, "Bingham Lecture")
    far = await exchange(fake, fake.callback, f"page:{ident}:9999", missing.result, expect="editMessageText")
    edit = only(far, "editMessageText")
    assert edit.params["chat_id"] == DEFAULT_USER_ID
    assert re.search(r"Page (\d+) of \1$", edit.result["text"])  # past the end: the last page
