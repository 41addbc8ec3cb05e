"""A conversation with the bot, end to end (issue 11): small talk and "what's new" before retrieval,
follow-ups asked of the announcement they follow, declines that help, filters typed or said,
/latest with paging and /read N, and onboarding.

The real Application long-polls the fake Bot API (real HTTP on 127.0.0.1) and answers from a real
store holding the seed corpus and the 20 GOV.UK items of 15 October 2024. Each test talks in a chat
of its own, so that what one leaves behind (a last answer, a last list) is not another's.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import render
from bot.config import BotSettings
from bot.telegram.app import ALLOWED_UPDATES
from bot.telegram.context import BotApplication
from retrieval.library import Library
from retrieval.sources.govuk_client import GovukClient
from retrieval.sync import sync
from tests.botharness import (
    announcement_id,
    buttons,
    exchange,
    is_answer,
    one_bot_per_module,
    only,
    running_bot,
)
from tests.fakebotapi import Call, FakeBotAPI, parse_telegram_html
from tests.fakegovuk import FakeGovuk

pytestmark = pytest.mark.asyncio(loop_scope="module")

PEERS = "How many hereditary peers still sit in the Lords?"
PEERS_TITLE = "Removal of hereditary peers from Parliament moves a step closer"
FIREWORKS = "What are the rules on buying fireworks?"
_chats = itertools.count(7001)


def new_chat() -> int:
    return next(_chats)


# ------------------------------------------------------------------ one bot for the module


fake, settings, lib, bot, startup_calls, fresh_log = one_bot_per_module("conversation")


# ------------------------------------------------------------------ helpers


async def say(fake: FakeBotAPI, text: str, chat: int, **kwargs: Any) -> Call:
    """A message in a private chat (or as `kwargs` say); the one message the bot sent back."""
    if "chat_type" not in kwargs:
        kwargs["user_id"] = chat
    else:
        kwargs["chat_id"] = chat
    return only(await exchange(fake, fake.message, text, **kwargs), "sendMessage")


async def press(fake: FakeBotAPI, reply: Call, label: str, expect: str = "answerCallbackQuery") -> list[Call]:
    """Press the button whose label starts with `label` on the message `reply` sent."""
    data = [b["callback_data"] for b in buttons(reply) if b["text"].startswith(label)]
    assert data, f"no button {label!r} in {buttons(reply)}"
    return await exchange(fake, fake.callback, data[0], reply.result, expect=expect)


def plain(call: Call) -> str:
    """What the user reads: the message text without its markup."""
    return parse_telegram_html(call.params["text"])[0]


def labels(call: Call) -> list[str]:
    return [b["text"] for b in buttons(call)]


def numbered_titles(call: Call) -> dict[int, str]:
    """The items of a list as shown: number -> title."""
    return {int(n): t for n, t in re.findall(r"^(\d+)\. (.+?) · ", plain(call), re.M)}


def set_clock(app: BotApplication, now: datetime | None) -> None:
    """The time the command layer reads (None: the real time)."""
    commands = app.bot_data.commands
    assert commands is not None
    commands.clock = (lambda: now) if now is not None else (lambda: datetime.now(UTC))


# ------------------------------------------------------------------ 1. intents before retrieval


@pytest.mark.parametrize(
    ("typed", "starts", "examples"),
    [
        ("hi there", "Hello Test! Ask me about UK government announcements", True),
        ("thanks!", "Glad to help!", True),
        ("what can you do?", "What I can do", True),
        ("help", "What I can do", True),
        ("ok thanks, bye", "Goodbye!", False),
    ],
)
async def test_small_talk_gets_a_short_friendly_reply_not_a_quote(
    fake: FakeBotAPI, typed: str, starts: str, examples: bool
) -> None:
    reply = await say(fake, typed, new_chat())

    assert plain(reply).startswith(starts) and not is_answer(reply.params["text"])
    asks = [b for b in buttons(reply) if b["callback_data"].startswith("ask:")]
    assert len(asks) == (3 if examples else 0)


async def test_an_example_question_button_asks_it_and_gets_an_answer(fake: FakeBotAPI, lib: Library) -> None:
    hello = await say(fake, "hello", new_chat())
    newest = [a.title for a in lib.latest(12)]

    for label in labels(hello):
        calls = await press(fake, hello, label[:20], expect="sendMessage")
        answer = only(calls, "sendMessage")
        assert is_answer(answer.params["text"]), plain(answer)
        # About one of the newest announcements, and answered (not "may not answer").
        assert plain(answer).split("\n")[0] in newest and not plain(answer).startswith("This may not")


async def test_whats_new_lists_the_newest_and_news_about_x_lists_matches_newest_first(
    fake: FakeBotAPI, lib: Library
) -> None:
    latest = await say(fake, "What’s new?", new_chat())
    assert plain(latest).startswith("24 announcements, newest 15 October 2024")
    assert list(numbered_titles(latest).values()) == [a.title for a in lib.latest(5)]

    news = await say(fake, "any news about fishing licences?", new_chat())
    text = plain(news)
    assert text.startswith("News about fishing licences, newest first")
    dates = [datetime.strptime(d, "%d %B %Y") for d in re.findall(r" · (\d+ \w+ \d{4})", text)]
    assert dates and dates == sorted(dates, reverse=True)
    assert "Angling brothers prosecuted" in text


async def test_a_kind_of_announcement_about_a_topic_is_a_list_of_them(fake: FakeBotAPI) -> None:
    # "speeches about yemen" was asked as a question of every announcement, the kind ignored: the bot
    # said nothing answers it. It is a list request, as "/search speeches yemen" is.
    reply = plain(await say(fake, "speeches about yemen", new_chat()))
    assert reply.startswith("Search: yemen")
    assert "Filters: Speech" in reply
    assert "The Houthis must not drag Yemen into a regional war" in reply
    assert not re.search(r" · (News|Publication) · ", reply)


# ------------------------------------------------------------------ 2. follow-ups


async def test_a_follow_up_the_announcement_does_not_answer_says_so_and_looks_elsewhere(
    fake: FakeBotAPI,
) -> None:
    chat = new_chat()
    first = await say(fake, PEERS, chat)
    assert PEERS_TITLE in plain(first)  # quoted, as an answer or as the closest passage

    cost = await say(fake, "and how much will it cost?", chat)

    text = plain(cost)
    assert text.startswith("That announcement doesn’t say. It gives no cost.")
    assert PEERS_TITLE not in text  # the passage offered comes from another announcement


async def test_a_short_follow_up_is_answered_from_the_announcement_it_follows(fake: FakeBotAPI) -> None:
    chat = new_chat()
    await say(fake, PEERS, chat)

    for follow_up in ("when was it introduced?", "who said that?"):
        reply = await say(fake, follow_up, chat)
        assert is_answer(reply.params["text"]) and plain(reply).startswith(PEERS_TITLE), follow_up
    # Asked afresh, "who said that?" would have no topic at all.
    assert "Baroness Smith" in plain(reply)


ANGLING_TITLE = "Angling brothers prosecuted for 3 counts of illegal fishing"


async def test_since_when_and_a_fragment_after_an_answer_are_follow_ups(fake: FakeBotAPI) -> None:
    chat = new_chat()
    await say(fake, PEERS, chat)
    since = await say(fake, "since when?", chat)
    assert is_answer(since.params["text"]) and plain(since).startswith(PEERS_TITLE)
    assert "1999" in plain(since)

    licence = await say(fake, "how much is a fishing licence", chat)
    assert plain(licence).startswith(ANGLING_TITLE)
    # Asked alone, "for juniors?" quotes a lawyer who appeared "as a junior"; after the answer on
    # licences it narrows that question.
    juniors = await say(fake, "for juniors?", chat)
    assert is_answer(juniors.params["text"]) and "Junior licences are free" in plain(juniors)
    # People say "kids" where GOV.UK writes "junior".
    kids = await say(fake, "what about for kids?", chat)
    assert is_answer(kids.params["text"]) and "Junior licences are free" in plain(kids)


async def test_a_pronoun_keeps_a_follow_up_on_its_announcement_whatever_verb(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "what is the uk doing about hong kong extradition", chat)
    assert plain(first).startswith("UK and Canada joint statement on Hong Kong")

    # The statement never says "sign"; asked afresh, "who signed it" quoted a programme whose
    # applicants "sign the Young Leaders Charter".
    signed = await say(fake, "who signed it?", chat)
    assert plain(signed).startswith("UK and Canada joint statement on Hong Kong")
    # A place the statement does not name is a new topic, pronoun or not: answered from another
    # announcement, and the reply says so first, as "it" pointed at the statement.
    scotland = await say(fake, "is it happening in scotland too", chat)
    assert plain(scotland).startswith(
        "UK and Canada joint statement on Hong Kong doesn’t mention “scotland”. From another announcement:"
    )
    assert "doesn’t say" not in plain(scotland)


async def test_a_verb_the_announcement_says_in_another_form_is_not_a_new_topic(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "what did starmer and trudeau discuss", chat)
    assert plain(first).startswith("PM call with Prime Minister Trudeau of Canada")

    # The call "spoke"; "speak" is not a word of another topic.
    when = await say(fake, "when did they speak", chat)
    assert plain(when).startswith("PM call with Prime Minister Trudeau of Canada")
    assert "spoke to Canadian Prime Minister Justin Trudeau yesterday evening" in plain(when)


async def test_who_and_a_verb_follows_the_answer_to_the_passage_its_words_point_at(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "how much did the marie collins foundation get", chat)
    assert "£635,000 to the Marie Collins Foundation" in plain(first), "precondition"

    # "runs" is a word of another announcement ("running 'seaside specials'"): the message was asked
    # afresh and found nothing; "who runs it" then quoted the Blackpool Tower loco. The word after "who"
    # says what someone does, not what the message is about. Within the announcement, the question's
    # own words point at the fund's passage; the conversation's topic words pointed back at the grant.
    fund = plain(await say(fake, "who runs the fund", chat))
    assert "Revolutionary new tools to tackle streaming of child abuse" in fund
    assert "Joint Security and Resilience Centre" in fund
    it = plain(await say(fake, "who runs it", chat))
    assert "Revolutionary new tools to tackle streaming of child abuse" in it and "Blackpool" not in it


async def test_how_much_are_they_giving_follows_the_answer(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "what did baroness chapman do in jamaica", chat)
    assert plain(first).startswith("British Minister for the Caribbean"), "precondition"

    # "giving" is a word of other announcements and not of this one ("provide £15m"): the message was
    # asked afresh, and the bot found nothing nearer than a statement on Hong Kong.
    # The announcement names three sums the UK gives (£15m, £8m, £500,000) and none as "giving":
    # any of them, from this announcement, follows the answer.
    given = plain(await say(fake, "how much is the uk giving", chat))
    assert "British Minister for the Caribbean" in given and "Hong Kong" not in given
    assert re.search(r"provide[sd]? (?:up to )?£(?:15m|8m|500,000)", given)


async def test_a_short_question_right_after_an_answer_follows_it(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "how much is a fishing licence", chat)
    assert plain(first).startswith(ANGLING_TITLE), "precondition"

    # No "and", no pronoun: it was asked of every announcement, and nothing answered "do kids need one".
    kids = plain(await say(fake, "do kids need one", chat))
    assert kids.startswith(ANGLING_TITLE) and "Junior licences are free for 13 - 16-year-olds" in kids


async def test_a_message_asking_only_for_a_kind_of_fact_follows_the_answer(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "how much is a fishing licence", chat)
    assert plain(first).startswith(ANGLING_TITLE), "precondition"

    # It names no topic at all: asked afresh, it quoted whichever item had a phone number.
    phone = await say(fake, "whats the phone number", chat)
    assert plain(phone).startswith(ANGLING_TITLE) and "0344 800 5386" in plain(phone)


async def test_when_the_text_gives_no_date_the_reply_says_when_it_was_published(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "what is the uk doing about the houthis", chat)
    assert "The Houthis must not drag Yemen into a regional war" in plain(first), "precondition"

    when = plain(await say(fake, "when?", chat))
    assert when.startswith("That announcement doesn’t say. It gives no date for that.")
    assert "It was published on 15 October 2024." in when


async def test_the_topics_words_do_not_make_a_passage_without_a_date_answer_when(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "what did hammond say about the minimum wage", chat)
    assert "Philip Hammond’s speech at the Resolution Foundation" in plain(first), "precondition"

    # Asked with the first question's words, the passage just quoted came back as a confident answer
    # to "when", with no date in the sentence it bolded.
    when = plain(await say(fake, "when was the speech", chat))
    assert when.startswith("This may not answer it, but the closest passage in that announcement is…")


async def test_who_said_that_after_a_speech_offers_the_passage_naming_the_speaker(fake: FakeBotAPI) -> None:
    chat = new_chat()
    first = await say(fake, "what is the uk doing about the houthis", chat)
    assert "The Houthis must not drag Yemen into a regional war" in plain(first), "precondition"

    # No word of its own to be sure of; before, the bot said it could not find it.
    who = plain(await say(fake, "who said that?", chat))
    assert who.startswith("This may not answer it, but the closest passage in that announcement is…")
    assert "Statement by Ambassador Barbara Woodward" in who


async def test_where_after_a_question_of_only_generic_words_is_about_the_announcement(
    fake: FakeBotAPI,
) -> None:
    chat = new_chat()
    first = await say(fake, "how much are the costs?", chat)
    assert plain(first).startswith(ANGLING_TITLE), "precondition: the fines are quoted"

    where = await say(fake, "where?", chat)

    # The question left no topic words, so the title says what "where?" is about; before, the bot
    # said the announcement "names no place", over a passage naming Evesham. (Where they fished, or
    # where they were tried: the question does not say which.)
    assert is_answer(where.params["text"])
    assert "Evesham" in plain(where) or "Northampton Magistrates Court" in plain(where)
    assert "names no place" not in plain(where)


async def test_a_follow_up_near_a_passage_of_its_announcement_is_offered_it_as_the_closest(
    fake: FakeBotAPI,
) -> None:
    chat = new_chat()
    first = await say(fake, "what about flood defences in pevensey and eastbourne", chat)
    assert "Updated plans to protect Pevensey and Eastbourne from flooding" in plain(first)

    # The announcement gives dates; no passage clearly says when the drop-ins are, one comes near.
    reply = await say(fake, "when are the drop in events", chat)

    text = plain(reply)
    assert text.startswith("This may not answer it, but the closest passage in that announcement is…")
    assert "Updated plans to protect Pevensey and Eastbourne from flooding" in text and "rop-in" in text
    assert "👍" in labels(reply)


async def test_a_new_topic_or_a_long_question_is_not_taken_for_a_follow_up(fake: FakeBotAPI) -> None:
    chat = new_chat()
    await say(fake, PEERS, chat)

    reply = await say(fake, "what about flood defences in Pevensey?", chat)

    # Asked of every announcement: the one about Pevensey is quoted or offered, the peers are not.
    assert "doesn’t say" not in plain(reply) and PEERS_TITLE not in plain(reply)
    assert any("Pevensey" in shown for shown in [plain(reply), *labels(reply)])


async def test_after_ten_minutes_a_short_message_is_a_question_of_its_own(
    fake: FakeBotAPI, bot: BotApplication
) -> None:
    chat = new_chat()
    await say(fake, PEERS, chat)
    try:
        set_clock(bot, datetime.now(UTC) + timedelta(minutes=11))
        reply = await say(fake, "who said that?", chat)
    finally:
        set_clock(bot, None)

    # Asked of every announcement, where it has no topic: no quote from the peers any more.
    assert PEERS_TITLE not in plain(reply) and "doesn’t say" not in plain(reply)


async def test_in_a_group_a_reply_to_an_answer_follows_that_answer(fake: FakeBotAPI) -> None:
    group = -(10**12) - new_chat()
    peers = await say(fake, PEERS + " @govuk_answers_bot", group, chat_type="supergroup", **_mention(PEERS))
    assert PEERS_TITLE in plain(peers)  # quoted, as an answer or as the closest passage
    # Someone else asks about something else in between: the last answer is now about fireworks.
    fireworks = await say(
        fake, FIREWORKS + " @govuk_answers_bot", group, chat_type="supergroup", **_mention(FIREWORKS)
    )
    assert "fireworks" in plain(fireworks).lower()

    reply = await say(fake, "and from when?", group, chat_type="supergroup", reply_to_message=peers.result)

    assert is_answer(reply.params["text"]) and plain(reply).startswith(PEERS_TITLE)


def _mention(question: str) -> dict[str, Any]:
    return {"entities": [{"type": "mention", "offset": len(question) + 1, "length": 18}]}


async def test_a_reply_with_a_question_of_its_own_is_asked_of_every_announcement(fake: FakeBotAPI) -> None:
    chat = new_chat()
    peers = await say(fake, PEERS, chat)

    reply = await say(fake, FIREWORKS, chat, reply_to_message=peers.result)

    assert is_answer(reply.params["text"]) and "doesn’t say" not in plain(reply)
    assert "fireworks" in plain(reply).split("\n")[0].lower()


async def test_a_follow_up_survives_a_restart(
    fake: FakeBotAPI, settings: BotSettings, lib: Library, bot: BotApplication
) -> None:
    chat = new_chat()
    await say(fake, PEERS, chat)

    # Another Application on the same store, as after a restart: the context is in the database.
    await bot.updater.stop()  # type: ignore[union-attr]
    try:
        async with running_bot(fake, settings, lib):
            reply = await say(fake, "who said that?", chat)
    finally:
        await bot.updater.start_polling(  # type: ignore[union-attr]
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )

    assert plain(reply).startswith(PEERS_TITLE) and "Baroness Smith" in plain(reply)


# ------------------------------------------------------------------ 3. helpful declines


async def test_a_misspelt_question_offers_did_you_mean_as_a_button_that_asks_it(fake: FakeBotAPI) -> None:
    reply = await say(fake, "what happens to hereditery peers", new_chat())

    assert plain(reply).startswith("This may not answer it")
    [did_you_mean] = [label for label in labels(reply) if label.startswith("Did you mean")]
    assert did_you_mean == "Did you mean: what happens to hereditary peers"
    asked = only(await press(fake, reply, "Did you mean", expect="sendMessage"), "sendMessage")
    assert PEERS_TITLE in plain(asked)


async def test_a_misspelt_question_that_is_answered_says_how_it_was_read(fake: FakeBotAPI) -> None:
    reply = await say(fake, "how many hereditery peers sit in the lords", new_chat())

    assert plain(reply).startswith("Read as “how many hereditary peers sit in the lords”")
    assert PEERS_TITLE in plain(reply)
    assert not [label for label in labels(reply) if label.startswith("Did you mean")]


async def test_a_decline_offers_the_three_nearest_announcements(fake: FakeBotAPI, lib: Library) -> None:
    reply = await say(fake, "How do I renew my passport?", new_chat())

    assert plain(reply).startswith("I found nothing in the announcements that answers")
    opens = [b for b in buttons(reply) if b["callback_data"].startswith("read:")]
    assert len(opens) == 3
    titles = {a.announcement_id: a.title for a in lib.latest(100)}
    for button in opens:
        assert titles[int(button["callback_data"].split(":")[1])].startswith(button["text"].rstrip("…"))


@pytest.mark.parametrize(
    "question",
    [
        "Faint yw pris y drwydded bysgota?",  # Welsh
        "Pryd fydd y rheolau tân gwyllt newydd yn dechrau?",  # Welsh
        "Combien coûte le permis de pêche ?",  # French
        "Quand la nouvelle loi sur les pairs entre-t-elle en vigueur ?",  # French
    ],
)
async def test_a_question_not_in_english_gets_a_note_and_no_guesses(fake: FakeBotAPI, question: str) -> None:
    reply = await say(fake, question, new_chat())

    assert "I can only read questions in English." in plain(reply)
    assert buttons(reply) == []


# ------------------------------------------------------------------ 4. filters


async def test_a_search_with_a_misspelt_word_says_how_it_was_read(fake: FakeBotAPI) -> None:
    typo = plain(await say(fake, "/search fishng licence", new_chat()))
    right = plain(await say(fake, "/search fishing licence", new_chat()))

    assert typo.startswith("Search: fishng licence (page 1)\nRead as “fishing licence”\n")
    assert "Angling brothers prosecuted" in typo.split("\n\n")[1]
    assert "Read as" not in right


async def test_search_reads_type_and_date_filters_and_says_so(fake: FakeBotAPI) -> None:
    reply = await say(fake, "/search speeches yemen since 1 October 2024", new_chat())

    text = plain(reply)
    assert "Filters: Speech · since 1 October 2024" in text
    assert "The Houthis must not drag Yemen" in text and "News ·" not in text


async def test_search_keeps_only_the_organisation_named(fake: FakeBotAPI) -> None:
    reply = await say(fake, "/search licence from the EA", new_chat())

    text = plain(reply)
    assert "Filters: Environment Agency" in text
    sources = re.findall(r"^\w[\w ]* · \d+ \w+ \d{4} · (.+)$", text, re.M)
    assert sources and set(sources) == {"Environment Agency"}


@pytest.mark.parametrize(
    ("command", "header", "count"),
    [
        ("/latest treasury", "2 announcements from HM Treasury, newest 15 October 2024", 2),
        ("/latest EA", "3 announcements from Environment Agency, newest 15 October 2024", 3),
        ("/latest speeches", "3 announcements of type Speech, newest 15 October 2024", 3),
    ],
)
async def test_latest_with_an_organisation_or_a_type(
    fake: FakeBotAPI, command: str, header: str, count: int
) -> None:
    reply = await say(fake, command, new_chat())

    assert plain(reply).startswith(header)
    assert len(numbered_titles(reply)) == count


@pytest.mark.parametrize(
    ("said", "header"),
    [
        ("what was announced on 15 October 2024", "20 announcements on 15 October 2024"),
        (
            "news from the Environment Agency on 15 October 2024",
            "3 announcements from Environment Agency on 15 October 2024, newest 15 October 2024",
        ),
        ("speeches by HM Treasury this week", "No announcement of type Speech from HM Treasury since "),
    ],
)
async def test_filters_said_in_plain_words_give_a_list(fake: FakeBotAPI, said: str, header: str) -> None:
    reply = await say(fake, said, new_chat())

    assert plain(reply).startswith(header) and not is_answer(reply.params["text"])


async def test_an_empty_date_window_shows_the_newest_at_any_date_and_read_opens_it(fake: FakeBotAPI) -> None:
    chat = new_chat()
    reply = await say(fake, "speeches this week", chat)

    text = plain(reply)
    assert text.startswith("No announcement of type Speech since ")
    assert "The newest at any date:\n\n1. The Houthis must not drag Yemen" in text
    opened = await say(fake, "/read 1", chat)
    assert plain(opened).startswith("The Houthis must not drag Yemen")


# ------------------------------------------------------------------ 5. /latest, paging, /read N


async def test_latest_pages_and_its_numbers_work_with_read(fake: FakeBotAPI, lib: Library) -> None:
    chat = new_chat()
    page1 = await say(fake, "/latest", chat)
    assert plain(page1).startswith("24 announcements, newest 15 October 2024\n")
    # One summary line per item: title, type, date, organisation.
    assert (
        "1. Unlicensed door supervisor convicted after working at club · News · 15 October 2024 · "
        in plain(page1)
    )
    assert labels(page1)[-1] == "Next ›"

    calls = await press(fake, page1, "Next ›")
    page2 = only(calls, "editMessageText")
    shown = numbered_titles(page2)
    assert list(shown) == [6, 7, 8, 9, 10]
    assert shown[7] == lib.latest(1, offset=6)[0].title
    assert {"‹ Previous", "Next ›"} <= set(labels(page2))

    read7 = await say(fake, "/read 7", chat)
    assert plain(read7).startswith(shown[7])
    read2 = await say(fake, "/read 2", chat)  # pages of one list add up
    assert plain(read2).startswith(numbered_titles(page1)[2])
    nope = await say(fake, "/read 30", chat)
    assert plain(nope).startswith("The last list I showed you here has items 1 to 10, not 30.")


async def test_read_opens_an_announcement_by_number_in_a_chat_shown_no_list(
    fake: FakeBotAPI, lib: Library
) -> None:
    fireworks = announcement_id(lib, "Stay safe this fireworks season")
    reply = await say(fake, f"/read {fireworks}", new_chat())
    assert plain(reply).startswith("Stay safe this fireworks season")


async def test_latest_paging_buttons_work_after_a_restart(
    fake: FakeBotAPI, settings: BotSettings, lib: Library, bot: BotApplication
) -> None:
    chat = new_chat()
    page1 = await say(fake, "/latest EA", chat)
    await say(fake, "/latest 2 EA", chat)
    two = await say(fake, "/latest 2 EA", chat)

    await bot.updater.stop()  # type: ignore[union-attr]
    try:
        async with running_bot(fake, settings, lib):
            page2 = only(await press(fake, two, "Next ›"), "editMessageText")
            read = await say(fake, "/read 3", chat)
    finally:
        await bot.updater.start_polling(  # type: ignore[union-attr]
            poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
        )

    assert list(numbered_titles(page2)) == [3]
    assert plain(read).startswith(numbered_titles(page1)[3])


# ------------------------------------------------------------------ 6. onboarding


async def test_the_bot_describes_itself_at_start(fake: FakeBotAPI, startup_calls: list[Call]) -> None:
    methods = [c.method for c in startup_calls]
    assert "setMyDescription" in methods and "setMyShortDescription" in methods
    assert fake.description == render.DESCRIPTION and len(fake.description) <= 512
    assert fake.short_description == render.SHORT_DESCRIPTION and len(fake.short_description) <= 120


async def test_start_offers_three_example_questions_the_bot_answers(fake: FakeBotAPI) -> None:
    start = await say(fake, "/start", new_chat())

    assert plain(start).startswith("Hello Test! Ask me about UK government announcements")
    examples = labels(start)
    assert len(examples) == 3 and all(e.startswith("Tell me about ") for e in examples)
    for label in examples:
        answer = only(await press(fake, start, label, expect="sendMessage"), "sendMessage")
        assert is_answer(answer.params["text"]) and not plain(answer).startswith("This may not")


async def test_about_says_in_plain_words_what_the_bot_knows_and_when_it_checked(
    fake: FakeBotAPI, bot: BotApplication, lib: Library
) -> None:
    before = plain(await say(fake, "/about", new_chat()))
    assert "I know 24 announcements, the newest from 15 October 2024." in before
    assert "I have not checked GOV.UK for new ones yet." in before
    assert "Passages" not in before and "Corpus" not in before  # no jargon

    with FakeGovuk() as govuk:  # GOV.UK has nothing new
        client = GovukClient(base_url=govuk.base_url, max_per_second=100)
        result = await asyncio.to_thread(sync, lib, client)
    assert result.error is None
    checked = lib.last_sync().last_success
    assert checked is not None
    try:
        set_clock(bot, checked + timedelta(minutes=12, seconds=5))
        after = plain(await say(fake, "/about", new_chat()))
    finally:
        set_clock(bot, None)

    assert "Last checked GOV.UK 12 minutes ago: nothing new." in after


async def test_typing_more_shows_the_last_answers_further_matches(fake: FakeBotAPI) -> None:
    chat = new_chat()
    nothing_yet = await say(fake, "more", chat)
    assert plain(nothing_yet) == parse_telegram_html(render.NOTHING_ASKED_YET.text)[0]

    answer = await say(fake, "impact funds investing in affordable housing", chat)
    assert "More matches" in labels(answer)
    more = await say(fake, "any more?", chat)

    # What the "More matches" button shows, as a message of its own, with its way back to the answer.
    assert plain(more).startswith("More matches (1/")
    assert "« Answer" in labels(more)
    assert len(re.findall(r"^\d+\. ", plain(more), re.M)) >= 2


async def test_link_publisher_date_and_summary_of_the_last_answer_are_asked_in_plain_words(
    fake: FakeBotAPI, lib: Library
) -> None:
    chat = new_chat()
    before = await say(fake, "link?", chat)
    assert plain(before) == parse_telegram_html(render.ASK_FIRST.text)[0]

    await say(fake, PEERS, chat)
    peers = lib.announcement(announcement_id(lib, PEERS_TITLE))
    assert peers is not None and peers.url and peers.organisation and peers.summary

    link = await say(fake, "link?", chat)
    # Not "transport links" in another announcement: the source of the answer just given.
    assert plain(link).startswith("The source:\n" + peers.title)
    assert peers.url in link.params["text"]
    publisher = await say(fake, "who published it?", chat)
    assert plain(publisher).startswith(f"Published by {peers.organisation}:\n{peers.title}")
    summary = await say(fake, "summarise it", chat)
    assert plain(summary).startswith(f"GOV.UK’s own summary of {peers.title}:")
    assert peers.summary[:60] in plain(summary)
    assert labels(summary) == ["Full announcement"]


async def test_saying_the_answer_missed_gets_an_apology_and_counts_as_a_thumbs_down(
    fake: FakeBotAPI, lib: Library
) -> None:
    chat = new_chat()
    first = await say(fake, "thats wrong", chat)  # nothing asked yet: nothing to note
    assert plain(first) == parse_telegram_html(render.missed_reply(noted=False).text)[0]

    await say(fake, PEERS, chat)
    for complaint in ("that doesn't answer my question", "thats wrong"):
        reply = await say(fake, complaint, chat)
        # Asked as a question, the first was answered with "the big questions in fusion physics".
        assert plain(reply) == parse_telegram_html(render.missed_reply(noted=True).text)[0], complaint
    thumbs_down = [q for q in lib.recent_questions(50, feedback=-1) if q.chat_id == chat]
    assert [q.text for q in thumbs_down] == [PEERS]


async def test_typing_next_or_more_after_a_list_shows_its_next_page_until_it_ends(
    fake: FakeBotAPI, lib: Library
) -> None:
    chat = new_chat()
    await say(fake, "/latest", chat)  # 24 announcements, five a page
    page2 = await say(fake, "next", chat)
    assert list(numbered_titles(page2)) == [6, 7, 8, 9, 10]
    assert numbered_titles(page2)[7] == lib.latest(1, offset=6)[0].title
    pages = [await say(fake, "more", chat) for _ in range(3)]
    assert [min(numbered_titles(p)) for p in pages] == [11, 16, 21]
    read = await say(fake, "/read 12", chat)  # the typed pages add up, as pressed ones do
    assert plain(read).startswith(numbered_titles(pages[0])[12])
    end = await say(fake, "next", chat)
    assert plain(end) == parse_telegram_html(render.END_OF_LIST.text)[0]

    # An answer given after the list is what "more" continues.
    await say(fake, "impact funds investing in affordable housing", chat)
    more = await say(fake, "more", chat)
    assert plain(more).startswith("More matches (1/")


async def test_a_pasted_gov_uk_link_opens_that_announcement_and_is_what_follow_ups_are_about(
    fake: FakeBotAPI, lib: Library
) -> None:
    chat = new_chat()
    peers = lib.announcement(announcement_id(lib, PEERS_TITLE))
    assert peers is not None and peers.url and peers.organisation
    opened = await say(fake, peers.url + "?utm_source=share", chat)
    # The announcement itself, as /read shows it.
    assert opened.params["text"] == render.announcement_page(peers.announcement_id, peers).text

    publisher = await say(fake, "who published it?", chat)
    assert plain(publisher).startswith(f"Published by {peers.organisation}:\n{peers.title}")

    # A page the bot does not hold: the words of its address are asked instead.
    elsewhere = await say(fake, "https://www.gov.uk/government/news/hereditary-peers-second-reading", chat)
    assert PEERS_TITLE in plain(elsewhere)
