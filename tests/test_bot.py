"""The bot end to end: the real Application, long-polling a fake Bot API, answered from a real Library.

Each test plays a user (messages, commands, button presses, inline queries) and asserts on the JSON
the bot sent. One bot serves the whole module (seed corpus plus the 20 dated GOV.UK items of
15 October 2024); every test starts with a cleared call log and ends by checking Telegram's limits on
everything the bot sent during it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.config import BotSettings
from retrieval.library import Library
from tests.botharness import (
    all_pages,
    announcement_id,
    button,
    buttons,
    check_limits,
    contains_in_order,
    exchange,
    is_answer,
    methods,
    one_bot_per_module,
    only,
    page_text,
    running_bot,
    silence,
    words,
)
from tests.fakebotapi import DEFAULT_GROUP_ID, DEFAULT_USER_ID, Call, FakeBotAPI

pytestmark = pytest.mark.asyncio(loop_scope="module")

BOT = "govuk_answers_bot"
PLEDGE = "How much did the Home Secretary pledge against live-streamed abuse?"
PEERS = "How many hereditary peers will the Bill remove from the House of Lords?"
HONG_KONG = "What did the UK and Canada say about Hong Kong?"
BROAD = "impact funds investing in affordable housing"  # several announcements answer it: "More matches"


# ------------------------------------------------------------------ one bot for the module


fake, settings, lib, bot, startup_calls, fresh_log = one_bot_per_module("bot")


def body_of(library: Library, ident: int) -> str:
    """The stored body of the announcement `ident`, which the test has just found by its title."""
    stored = library.announcement(ident)
    assert stored is not None, f"announcement {ident} is not stored"
    return stored.body


# ------------------------------------------------------------------ questions and answers


async def test_question_is_answered_with_the_quoted_passage(fake: FakeBotAPI) -> None:
    calls = await exchange(fake, fake.message, PLEDGE)

    reply = only(calls, "sendMessage")
    text = reply.params["text"]
    assert reply.params["parse_mode"] == "HTML"
    assert reply.params["chat_id"] == DEFAULT_USER_ID
    title, kind, rest = text.split("\n", 2)
    assert title == "<b>Revolutionary new tools to tackle streaming of child abuse</b>"
    assert kind == "News story"
    quote = re.fullmatch(r"<blockquote>(.*)</blockquote>", rest, re.S)
    assert quote is not None, rest
    bold = re.findall(r"<b>(.*?)</b>", quote.group(1), re.S)
    assert len(bold) == 1 and "£300,000" in bold[0] and "pledged" in bold[0]
    # The first button opens the announcement the quote comes from.
    assert buttons(reply)[0]["text"] == "Full announcement"
    # Telegram shows it with a bold title, a quote and a bold sentence inside the quote.
    types = [e["type"] for e in reply.result["entities"]]
    assert types.count("bold") == 2 and types.count("blockquote") == 1


async def test_full_announcement_button_sends_the_whole_announcement(fake: FakeBotAPI, lib: Library) -> None:
    answer = only(await exchange(fake, fake.message, PLEDGE), "sendMessage")

    calls = await exchange(fake, fake.callback, button(answer, "Full announcement"), answer.result)

    assert methods(calls)[0] == "answerCallbackQuery"
    sent = only(calls, "sendMessage")  # one message, however long: its pages turn in place
    assert sent.params["chat_id"] == DEFAULT_USER_ID
    assert sent.result["text"].startswith("Revolutionary new tools to tackle streaming of child abuse")
    body = body_of(lib, announcement_id(lib, "Revolutionary new tools"))
    shown = words(" ".join(page_text(c) for c in await all_pages(fake, sent)))
    assert contains_in_order(shown, words(body))
    assert not [c for c in calls if c.method == "editMessageText"]  # the answer stays as it was


async def test_more_matches_edit_the_answer_in_place_and_come_back(fake: FakeBotAPI) -> None:
    answer = only(await exchange(fake, fake.message, BROAD), "sendMessage")
    assert [b["text"] for b in buttons(answer)] == ["Full announcement", "More matches", "👍", "👎"]
    message_id = answer.result["message_id"]

    async def press(data: str) -> Call:
        calls = await exchange(fake, fake.callback, data, answer.result, expect="editMessageText")
        assert methods(calls) == ["answerCallbackQuery", "editMessageText"], methods(calls)
        edit = calls[1]
        assert (edit.params["chat_id"], edit.params["message_id"]) == (DEFAULT_USER_ID, message_id)
        return edit

    page1 = await press(button(answer, "More matches"))
    assert page1.result["text"].startswith("More matches (1/1)")
    titles = re.findall(r"<b>(.*?)</b>", page1.params["text"])[1:]
    assert len(titles) >= 2 and len(set(titles)) >= 2  # another paragraph and another announcement
    read_buttons = [b for b in buttons(page1) if b["callback_data"].startswith("read:")]
    assert len(read_buttons) == len(titles)
    assert "Next" not in str(buttons(page1)) and "Previous" not in str(buttons(page1))

    again = await press(button(page1, "« Answer"))
    assert again.params["text"] == answer.params["text"]
    assert buttons(again) == buttons(answer)  # 👍/👎 too, for the same question


async def test_dated_answer_shows_date_organisation_and_link(fake: FakeBotAPI) -> None:
    reply = only(await exchange(fake, fake.message, PEERS), "sendMessage")

    text = reply.params["text"]
    assert text.startswith("<b>Removal of hereditary peers from Parliament")
    assert text.split("\n")[1] == "News · 15 October 2024 · Cabinet Office"
    quote = re.search(r"<blockquote>(.*)</blockquote>", text, re.S)
    assert quote and "hereditary" in quote.group(1)
    link = re.search(r'<a href="(https://www\.gov\.uk/[^"]+)">', text)
    assert link and "removal-of-hereditary-peers" in link.group(1)
    assert any(e["type"] == "text_link" for e in reply.result["entities"])


@pytest.mark.parametrize("question", ["recipe for chocolate cake", "How do I renew my passport?"])
async def test_unanswerable_question_says_so_and_suggests_commands(
    fake: FakeBotAPI, lib: Library, question: str
) -> None:
    """Nothing answers: the bot declines, or (outcome "closest") says the passage it shows may not
    answer. Which of the two is the ranking's call; never a confident answer."""
    answer = lib.ask(question, top_k=20)
    assert answer.outcome != "answer", f"{question!r} got a confident answer: {answer.results[0].title!r}"

    reply = only(await exchange(fake, fake.message, question), "sendMessage")

    text = reply.result["text"]
    if answer.outcome == "none":
        assert "found nothing" in text and question in text
        assert "/search" in text and "/latest" in text
        assert "<blockquote>" not in reply.params["text"]
        # The nearest announcements, as buttons that open them (issue 11).
        nearest = {p.announcement_id for p in answer.results}
        opened = {int(b["callback_data"].removeprefix("read:")) for b in buttons(reply)}
        assert opened == nearest and len(opened) <= 3
    else:
        assert text.startswith("This may not answer it, but the closest passage is…\n\n")
        assert answer.results[0].title in text and is_answer(reply.params["text"])
        labels = [b["text"] for b in buttons(reply)]
        assert labels[0] == "Full announcement" and 1 <= len(labels) <= 3


# ------------------------------------------------------------------ commands


async def test_commands_are_registered(startup_calls: list[Call]) -> None:
    [registered] = [c for c in startup_calls if c.method == "setMyCommands"]
    names = [c["command"] for c in registered.params["commands"]]
    assert {"start", "help", "latest", "search", "read", "about"} <= set(names)
    assert all(c["description"] for c in registered.params["commands"])
    check_limits(startup_calls)


async def test_start_greets_with_three_example_questions_that_get_answers(fake: FakeBotAPI) -> None:
    reply = only(await exchange(fake, fake.command, "start"), "sendMessage")

    text = reply.result["text"]
    assert text.startswith("Hello Test!")
    examples = buttons(reply)  # tapped, each asks its question (issue 11)
    assert len(examples) == 3
    for example in examples:
        assert not re.search(r"\b[a-z][A-Z]", example["text"]), f"odd capitals in {example!r}"
        calls = await exchange(fake, fake.callback, example["callback_data"], reply.result)
        answer = only(calls, "sendMessage")
        assert is_answer(answer.params["text"]), f"{example!r} got {answer.result['text']!r}"


async def test_start_deep_link_opens_the_announcement(fake: FakeBotAPI, lib: Library) -> None:
    ident = announcement_id(lib, "Stay safe this fireworks season")

    calls = await exchange(fake, fake.command, f"start a{ident}")

    sent = [c for c in calls if c.method == "sendMessage"]
    assert sent[0].result["text"].startswith("Stay safe this fireworks season")
    shown = words(" ".join(c.result["text"] for c in sent))
    assert contains_in_order(shown, words(body_of(lib, ident)))


async def test_help_lists_the_commands_with_examples(fake: FakeBotAPI) -> None:
    text = only(await exchange(fake, fake.command, "help"), "sendMessage").result["text"]

    for command in ("/latest", "/search", "/read", "/about"):
        assert command in text
    assert "e.g. /search speeches pensions since 1 Nov" in text and "/latest treasury" in text
    assert "How much did the Home Secretary pledge" in text  # an example question


async def test_latest_lists_five_with_types_and_buttons_that_open_them(
    fake: FakeBotAPI, lib: Library
) -> None:
    reply = only(await exchange(fake, fake.command, "latest"), "sendMessage")

    newest = lib.latest(5)
    text = reply.result["text"]
    assert text.startswith("24 announcements, newest 15 October 2024")
    for number, item in enumerate(newest, 1):
        line = f"{number}. {item.title} · {item.type} · 15 October 2024 · {item.organisation}"
        assert line in text.split("\n")
    rows = buttons(reply)
    assert [b["callback_data"] for b in rows[:5]] == [f"read:{a.announcement_id}" for a in newest]
    assert rows[5]["text"] == "Next ›"

    calls = await exchange(fake, fake.callback, rows[2]["callback_data"], reply.result)
    assert methods(calls)[0] == "answerCallbackQuery"
    opened = [c for c in calls if c.method == "sendMessage"]
    assert opened[0].result["text"].startswith(newest[2].title)


USAGE = (
    "Usage: /latest [N] [FILTERS], where N is 1 to 20 and the filters an organisation, a type or dates: "
    "/latest 10, /latest treasury, /latest speeches this week."
)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("latest 3", "24 announcements, newest 15 October 2024"),
        (
            "latest 500",
            "24 announcements, newest 15 October 2024 (20 a page: I list at most 20 at a time, not 500)",
        ),
        ("latest abc", USAGE),
        ("latest 0", USAGE),
        ("latest ²", USAGE),
        ("latest 2 3", USAGE),
    ],
)
async def test_latest_with_a_number(fake: FakeBotAPI, command: str, expected: str) -> None:
    reply = only(await exchange(fake, fake.command, command), "sendMessage")

    assert reply.result["text"].split("\n")[0] == expected
    if expected != USAGE:
        count = 3 if command == "latest 3" else 20
        assert len([b for b in buttons(reply) if b["callback_data"].startswith("read:")]) == count
        assert re.findall(r"^(\d+)\. ", reply.result["text"], re.M) == [str(n) for n in range(1, count + 1)]
    else:
        assert not buttons(reply)


async def test_search_pages_with_next(fake: FakeBotAPI, lib: Library) -> None:
    assert len(lib.search("government", limit=10)) > 5
    reply = only(await exchange(fake, fake.command, "search government"), "sendMessage")

    text = reply.result["text"]
    assert text.startswith("Search: government (page 1)")
    entries = re.findall(r"^(\d+)\. (.+)\n(.+)\n(.+)$", text, re.M)
    assert [e[0] for e in entries] == ["1", "2", "3", "4", "5"]
    assert all(len(snippet) > 20 for *_, snippet in entries)  # each with a snippet of its text
    assert [b["text"] for b in buttons(reply)][-1] == "Next ›"

    calls = await exchange(fake, fake.callback, button(reply, "Next"), reply.result, expect="editMessageText")
    assert methods(calls) == ["answerCallbackQuery", "editMessageText"]
    page2 = calls[1]
    assert page2.params["message_id"] == reply.result["message_id"]
    assert page2.result["text"].startswith("Search: government (page 2)")
    assert re.findall(r"^(\d+)\. ", page2.result["text"], re.M)[0] == "6"
    first_titles = {e[1] for e in entries}
    assert not first_titles & set(re.findall(r"^\d+\. (.+)$", page2.result["text"], re.M))
    assert "‹ Previous" in [b["text"] for b in buttons(page2)]


async def test_search_without_words_gives_a_hint(fake: FakeBotAPI) -> None:
    text = only(await exchange(fake, fake.command, "search"), "sendMessage").result["text"]
    assert text == "What should I search for? For example: /search flood defences"


async def test_read_long_speech_in_pages_of_one_message(fake: FakeBotAPI, lib: Library) -> None:
    ident = announcement_id(lib, "Bingham Lecture")
    body = body_of(lib, ident)
    assert len(body) > 30_000

    first = only(await exchange(fake, fake.command, f"start a{ident}"), "sendMessage")
    pages = await all_pages(fake, first)

    assert len(pages) >= 8
    for call in pages:  # each accepted by the fake, which parses the HTML as Telegram does
        assert call.ok and len(call.params["text"]) <= 3500
    assert first.result["text"].startswith("Attorney General's 2024 Bingham Lecture on the rule of law")
    shown = words(" ".join(page_text(c) for c in pages))
    assert contains_in_order(shown, words(body))


async def test_read_unknown_or_malformed_id(fake: FakeBotAPI) -> None:
    fresh = 5151  # a chat shown no list: /read N is announcement N
    calls = await exchange(fake, fake.command, "read 999999", user_id=fresh)
    text = only(calls, "sendMessage").result["text"]
    assert "There is no announcement 999999" in text

    for command in ("read", "read ²", "read 1 2", "read abc"):
        text = only(await exchange(fake, fake.command, command), "sendMessage").result["text"]
        assert text.startswith("Usage: /read N, where N is a number from the last list"), command


async def test_about_gives_counts_and_date_range(fake: FakeBotAPI, lib: Library) -> None:
    text = only(await exchange(fake, fake.command, "about"), "sendMessage").result["text"]

    # In plain words (issue 11): how many, how new the newest is, when GOV.UK was last checked.
    assert lib.stats().announcements == 24
    assert "I know 24 announcements, the newest from 15 October 2024." in text
    assert "I have not checked GOV.UK for new ones yet." in text


async def test_unknown_command_in_private(fake: FakeBotAPI) -> None:
    text = only(await exchange(fake, fake.command, "frobnicate"), "sendMessage").result["text"]
    assert "/help" in text


# ------------------------------------------------------------------ inline mode


async def test_inline_query_offers_quoted_answers(fake: FakeBotAPI) -> None:
    call = only(
        await exchange(fake, fake.inline_query, "live streaming abuse pledge", expect="answerInlineQuery"),
        "answerInlineQuery",
    )

    results = call.params["results"]
    assert 1 <= len(results) <= 50
    for result in results:
        assert result["type"] == "article"
        assert result["title"] and result["description"]
        content = result["input_message_content"]
        assert "<blockquote>" in content["message_text"]
        assert content["parse_mode"] == "HTML"
    assert results[0]["title"] == "Revolutionary new tools to tackle streaming of child abuse"
    assert "£300,000" in results[0]["description"]


async def test_empty_inline_query_gets_no_results(fake: FakeBotAPI) -> None:
    call = only(await exchange(fake, fake.inline_query, "", expect="answerInlineQuery"), "answerInlineQuery")
    assert call.params["results"] == []


# ------------------------------------------------------------------ groups


def mention(text: str) -> tuple[str, list[dict[str, Any]]]:
    full = f"@{BOT} {text}"
    return full, [{"type": "mention", "offset": 0, "length": len(BOT) + 1}]


async def test_group_plain_message_gets_no_reply(fake: FakeBotAPI) -> None:
    calls = await silence(fake, fake.message, PLEDGE, chat_type="supergroup")
    assert calls == []


async def test_group_mention_and_reply_to_the_bot_are_answered(fake: FakeBotAPI) -> None:
    text, entities = mention(PLEDGE)
    asked = fake.message(text, chat_type="supergroup", entities=entities, push=False)
    calls = await exchange(fake, fake.push_update, asked)
    answer = only(calls, "sendMessage")
    assert answer.params["chat_id"] == DEFAULT_GROUP_ID
    assert "£300,000" in answer.result["text"]
    # In a group the answer quotes the question it answers.
    assert answer.result["reply_to_message"]["message_id"] == asked["message"]["message_id"]

    calls = await exchange(
        fake, fake.message, HONG_KONG, chat_type="supergroup", reply_to_message=answer.result
    )
    reply = only(calls, "sendMessage")
    assert reply.params["chat_id"] == DEFAULT_GROUP_ID
    assert "Hong Kong" in reply.result["text"] and is_answer(reply.params["text"])

    # A reply to someone else's message is not for the bot.
    other = fake.message("hello all", chat_type="supergroup", user_id=555)
    assert (
        await silence(fake, fake.message, PLEDGE, chat_type="supergroup", reply_to_message=other["message"])
        == []
    )


async def test_group_mention_is_case_insensitive(fake: FakeBotAPI) -> None:
    text = f"@GovUK_Answers_Bot {HONG_KONG}"
    entities = [{"type": "mention", "offset": 0, "length": len(BOT) + 1}]

    reply = only(
        await exchange(fake, fake.message, text, chat_type="supergroup", entities=entities), "sendMessage"
    )

    # The mention is not taken for words of the question (which would outweigh the real ones).
    assert is_answer(reply.params["text"]) and "Hong Kong" in reply.result["text"]


async def test_group_commands_addressed_to_the_bot(fake: FakeBotAPI) -> None:
    reply = only(await exchange(fake, fake.command, f"latest@{BOT}", chat_type="supergroup"), "sendMessage")
    assert reply.params["chat_id"] == DEFAULT_GROUP_ID
    assert reply.result["text"].startswith("24 announcements, newest 15 October 2024")

    assert await silence(fake, fake.command, "latest@some_other_bot", chat_type="supergroup") == []
    assert await silence(fake, fake.command, "frobnicate", chat_type="supergroup") == []


# ------------------------------------------------------------------ bad input and limits


async def test_markup_in_a_question_is_escaped(fake: FakeBotAPI, lib: Library) -> None:
    question = "A <b>chocolate</b> cake & <script>zqxjk()</script> recipe?"
    assert lib.ask(question).outcome == "none"  # the reply repeats the question

    reply = only(await exchange(fake, fake.message, question), "sendMessage")

    assert reply.ok  # the fake parses the HTML as Telegram does: no "can't parse entities"
    assert "<script>" not in reply.params["text"] and "<b>chocolate</b>" not in reply.params["text"]
    # The no-answer reply repeats the question: the user sees their own text, tags and all.
    assert question in reply.result["text"]
    assert "A &lt;b&gt;chocolate&lt;/b&gt; cake &amp; &lt;script&gt;zqxjk" in reply.params["text"]
    assert reply.result.get("entities", []) == []  # none of it became formatting


async def test_very_long_question_gets_a_reply_within_limits(fake: FakeBotAPI, lib: Library) -> None:
    question = ("Why is the chocolate cake recipe so long and complicated today " * 70)[:4000]
    reply = only(await exchange(fake, fake.message, question), "sendMessage")
    assert len(reply.params["text"]) <= 4096
    if lib.ask(question[:1000]).outcome == "none":  # a decline repeats only the start of the question
        assert len(reply.result["text"]) < 600

    question = (PLEDGE + " ") * 60
    reply = only(await exchange(fake, fake.message, question[:4000]), "sendMessage")
    assert len(reply.params["text"]) <= 4096 and "£300,000" in reply.result["text"]


async def test_sticker_and_photo_get_a_hint_in_private_and_silence_in_groups(fake: FakeBotAPI) -> None:
    for make in (fake.sticker, fake.photo):
        hint = only(await exchange(fake, make), "sendMessage")
        assert "questions written as text" in hint.result["text"]
        assert len(hint.result["text"]) < 200
        assert await silence(fake, make, chat_id=DEFAULT_GROUP_ID) == []


async def test_edited_message_is_ignored(fake: FakeBotAPI) -> None:
    await exchange(fake, fake.message, "recipe for chocolate cake")
    assert await silence(fake, fake.edited_message, PLEDGE) == []


async def test_shared_inline_answer_is_not_taken_for_a_question(fake: FakeBotAPI) -> None:
    [result] = only(
        await exchange(fake, fake.inline_query, PLEDGE, expect="answerInlineQuery"), "answerInlineQuery"
    ).params["results"][:1]
    shared = fake.message(result["input_message_content"]["message_text"], push=False)
    shared["message"]["via_bot"] = {
        "id": fake.bot_user["id"],
        "is_bot": True,
        "first_name": "GOV.UK Answers",
        "username": BOT,
    }

    assert await silence(fake, fake.push_update, shared) == []


@pytest.mark.parametrize(
    "data",
    [
        "more:nonexistent:1",
        "read:abc",
        "zzz",
        "search:gone:2",
        "ans:",
        "more:x:999",
        "read:",
        "read:²",
        "more:x:²",
    ],
)
async def test_forged_or_stale_buttons_get_a_short_answer(fake: FakeBotAPI, data: str) -> None:
    answer = only(await exchange(fake, fake.message, PLEDGE), "sendMessage")

    calls = await exchange(fake, fake.callback, data, answer.result, expect="answerCallbackQuery")

    assert methods(calls) == ["answerCallbackQuery"]
    assert 0 < len(calls[0].params.get("text", "")) <= 200
    # And the bot still answers.
    reply = only(await exchange(fake, fake.message, PEERS), "sendMessage")
    assert is_answer(reply.params["text"])


async def test_stale_read_button_of_a_missing_announcement(fake: FakeBotAPI) -> None:
    answer = only(await exchange(fake, fake.message, PLEDGE), "sendMessage")

    calls = await exchange(fake, fake.callback, "read:999999", answer.result, expect="answerCallbackQuery")

    assert methods(calls) == ["answerCallbackQuery"]
    assert "no longer" in calls[0].params["text"]


async def test_read_splits_long_lists_and_quotes_without_repeating_them(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, tmp_path: Path
) -> None:
    long_item = " ".join(f"Point {n} of the long list item is here." for n in range(200))
    body = "\n\n".join(
        [
            "An opening paragraph.",
            "\n".join(["• short item", f"• {long_item}", "• another item"]),
            "\n".join(f"> Quoted line {n}." for n in range(150)),
            "A closing paragraph.",
        ]
    )
    item = {
        "title": "A very long list",
        "url": "https://www.gov.uk/government/news/a-very-long-list",
        "body": body,
    }
    source = tmp_path / "long.jsonl"
    source.write_text(json.dumps(item) + "\n", encoding="utf-8")
    library.ingest([source], progress=False)
    ident = announcement_id(library, "A very long list")

    async with running_bot(fake_bot_api, bot_settings, library):
        first = only(await exchange(fake_bot_api, fake_bot_api.command, f"start a{ident}"), "sendMessage")
        pages = await all_pages(fake_bot_api, first)

    check_limits(pages)
    shown = " ".join(page_text(c) for c in pages)
    assert shown.count("short item") == shown.count("another item") == shown.count("Quoted line 7.") == 1
    assert contains_in_order(words(shown), words(body_of(library, ident)))
    assert "• short item" in shown and "• Point 0 of the long list" in shown
