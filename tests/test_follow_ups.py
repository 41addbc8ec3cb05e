"""Follow-ups (and the keywords and fragments around them) through the command layer on every corpus
we hold, the real Content API examples among them, where long items (budgets of a hundred pages) hold
nearly every word a follow-up could use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import actions
from bot.commands import Commands, Request
from retrieval.library import Library
from tests.conftest_retrieval import DATA_DIR, NEWS_2024, SEED_FILE, library_for
from tests.fakebotapi import parse_telegram_html

ITEMS = DATA_DIR / "content-api"


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commands]:
    work: Path = tmp_path_factory.mktemp("follow-ups")
    (work / "no-seeds").mkdir()
    library: Library = library_for(work / "store.db", seeds_dir=work / "no-seeds")
    library.ingest([SEED_FILE, NEWS_2024, ITEMS], progress=False)
    yield Commands(library)
    library.close()


def say(commands: Commands, chat: int, text: str) -> str:
    (reply,) = commands.message(Request(chat, True, chat, "Test", text), text)
    return parse_telegram_html(reply.text)[0]


def answered_from(commands: Commands, chat: int, question: str, title: str) -> None:
    """The chat's last answer is from the announcement titled `title`."""
    assert say(commands, chat, question).startswith(title), "precondition"


def asked_about_vaping(commands: Commands, chat: int) -> None:
    """The chat's last answer is the call for evidence on youth vaping."""
    first = say(commands, chat, "what is the government doing about vaping")
    assert first.startswith("Youth Vaping"), "precondition"


def test_after_a_passage_from_elsewhere_the_next_follow_up_is_about_it(commands: Commands) -> None:
    chat = 501
    assert "Summer Budget 2015" in say(commands, chat, "is there help for first time buyers")
    # Short and shaped like a follow-up, and the budget uses all its words; the budget does not answer
    # it, and the reply shows the drug-driving announcement as the closest passage elsewhere.
    drugs = say(commands, chat, "how many drugs have driving limits")
    assert "Public approval for driving limits for 16 drugs" in drugs, "precondition"
    # What the reply showed is what the next follow-up is about ("illegal": its "illicit drugs").
    illegal = say(commands, chat, "which ones are illegal")
    assert illegal.startswith("Public approval for driving limits for 16 drugs")


def test_how_do_i_respond_follows_a_consultation_and_is_answered_with_the_ways(commands: Commands) -> None:
    chat = 502
    first = say(commands, chat, "what is the post office consultation about")
    assert first.count("Post Office network consultation") >= 1, "precondition"
    # Short, and shaped like no follow-up (no "and", no pronoun): it was asked of every announcement.
    # The ways to respond are fields of the item, not words of its body: nothing could quote them.
    respond = say(commands, chat, "how do i respond")
    assert "Post Office network consultation" in respond
    assert "by email to po.consultation@ukgi.gov.uk" in respond
    assert "1 Victoria Street, London, SW1H 0ET" in respond


def test_who_is_running_it_names_the_publisher_when_the_text_names_no_one(commands: Commands) -> None:
    chat = 503
    asked_about_vaping(commands, chat)
    # The call for evidence names no one; GOV.UK names who published it.
    who = say(commands, chat, "who is running it")
    assert who.startswith("That announcement doesn’t say. It names no one for that.")
    assert "Published by: Office for Health Improvement and Disparities." in who


def test_a_follow_up_about_what_the_announcement_never_mentions_says_so(commands: Commands) -> None:
    chat = 504
    asked_about_vaping(commands, chat)
    # "scotland" is a word of other announcements, so this is not asked of the call for evidence; asked
    # of every announcement, nothing answers it. "I found nothing" would leave the reader wondering
    # whether the bot understood what they were asking about.
    scotland = say(commands, chat, "what about in scotland")
    assert scotland.startswith("Youth Vaping doesn’t mention “scotland”, and I found nothing else")


def test_two_items_of_the_same_title_are_offered_once(commands: Commands) -> None:
    # GOV.UK publishes the Colley fatality notice twice; the decline offered two buttons of the same
    # title, which tell a reader nothing the first did not. (Nothing says where he is buried.)
    asked = "where is colley buried"
    (reply,) = commands.ask(Request(505, True, 505, "Test", asked), asked)
    assert "I found nothing" in parse_telegram_html(reply.text)[0]
    titles = [b.text for row in reply.buttons for b in row]
    assert titles.count("Sir George Pomeroy Colley killed in Boer War") == 1


def test_after_a_question_nothing_answers_a_bare_follow_up_is_not_about_the_answer_before(
    commands: Commands,
) -> None:
    chat = 506
    asked_about_vaping(commands, chat)
    declined = say(commands, chat, "who is paying for the new flood defences in lowestoft")
    assert declined.startswith("I found nothing in the announcements"), "precondition"
    # The reader moved on to flood defences: "when" is about them, not about the call for evidence on
    # vaping, whose "doesn't say" would answer a question the reader never asked.
    when = say(commands, chat, "and when?")
    assert "Vaping" not in when
    assert when.startswith("“and when?” needs a question to follow")
    # Nor is "more" the vaping question's further matches.
    (more,) = commands.message(Request(chat, True, chat, "Test", "more"), "more")
    assert "More matches" not in parse_telegram_html(more.text)[0]


def test_a_message_nothing_answers_that_names_no_new_topic_keeps_the_conversation(commands: Commands) -> None:
    chat = 508
    asked_about_vaping(commands, chat)
    # Words no announcement uses ("dud") point nowhere else: the reader may still be on vaping.
    assert say(commands, chat, "what do i do with a dud one").startswith("I found nothing"), "precondition"
    summary = say(commands, chat, "can you summarise it")
    assert "Youth Vaping" in summary


def test_a_pronoun_follow_up_with_a_word_its_announcement_lacks_is_answered_from_it(
    commands: Commands,
) -> None:
    chat = 509
    first = say(commands, chat, "what are the rules on buying fireworks?")
    assert first.startswith("Stay safe this fireworks season"), "precondition"
    # The article never says "stop": its curfew is "midnight on Fireworks Night". "They" are the
    # fireworks; the reply had said the article "doesn't mention “stop”".
    stop = say(commands, chat, "what time do they have to stop")
    assert stop.startswith("Stay safe this fireworks season")
    assert "The firework curfew is midnight on Fireworks Night" in stop
    # A place the article never names still gets the reply that says so.
    asked_about_vaping(commands, chat + 100)
    scotland = say(commands, chat + 100, "is it happening in scotland")
    assert scotland.startswith("Youth Vaping doesn’t mention “scotland”")


def test_a_bare_follow_up_in_a_chat_with_no_answer_asks_for_the_whole_question(commands: Commands) -> None:
    where = say(commands, 507, "where?")
    assert where.startswith("“where?” needs a question to follow")
    assert say(commands, 507, "since when").startswith("“since when” needs a question to follow")
    # A message of its own words is still asked of every announcement and declined as usual.
    assert say(commands, 507, "where are the new lowestoft flood walls").startswith("I found nothing")
    # "budget" is a word follow-ups ask with ("what's the budget?"), and a topic too.
    assert "needs a question to follow" not in say(commands, 507, "tell me about the budget")


@pytest.mark.parametrize(
    ("chat", "typed"),
    [(520, "when did he say it"), (521, "how much will it cost?"), (522, "what did she say about it")],
)
def test_a_pronoun_with_no_topic_and_no_answer_to_lean_on_asks_for_the_whole_question(
    commands: Commands, chat: int, typed: str
) -> None:
    # Asked of every announcement, "when did he say it" was offered a Home Office speech that
    # happens to "say" things, as the closest passage.
    assert say(commands, chat, typed).startswith(f"“{typed}” needs a question to follow")


def test_a_pronoun_with_a_topic_of_its_own_is_still_asked_of_every_announcement(commands: Commands) -> None:
    assert "needs a question to follow" not in say(commands, 523, "is it safe to use fireworks at home")
    # Right after an answer, a bare pronoun is that answer's follow-up, as before.
    asked_about_vaping(commands, 524)
    assert "closes at 1:01pm on 16 April 2023" in say(commands, 524, "when does it close")


@pytest.mark.parametrize("typed", ["budget", "tell me about the budget"])
def test_a_word_several_titles_hold_lists_those_announcements(commands: Commands, typed: str) -> None:
    # Two budgets and the documents of one: no passage answers the word alone, but "I found nothing"
    # hid the very announcements it names.
    listed = say(commands, 510, typed)
    assert listed.startswith(f"Search: {typed}")
    assert {"Summer Budget 2015", "Spring Budget 2017"} <= set(re.findall(r"^\d+\. (.+)$", listed, re.M))


@pytest.mark.parametrize(
    ("chat", "typed", "summary"),
    [
        (
            530,
            "tell me about the fireworks announcement",
            "GOV.UK’s own summary of Stay safe this fireworks season",
        ),
        (531, "what's the vaping consultation about?", "GOV.UK’s own summary of Youth Vaping"),
        # two titles hold "post office": the word for the document tells them apart
        (
            532,
            "what is the post office consultation about",
            "GOV.UK’s own summary of Post Office network consultation",
        ),
        (
            533,
            "can you summarise the un statement",
            "GOV.UK’s own summary of The Houthis must not drag Yemen",
        ),
        # no word for the document: the closest passage was a quote from the regulator
        (
            560,
            "whats the story with the door supervisor",
            "GOV.UK’s own summary of Unlicensed door supervisor convicted after working at club",
        ),
        (
            561,
            "what's going on with the hereditary peers?",
            "GOV.UK’s own summary of Removal of hereditary peers from Parliament",
        ),
    ],
)
def test_an_announcement_named_by_its_topic_is_summarised(
    commands: Commands, chat: int, typed: str, summary: str
) -> None:
    # Asked as questions, each was declined: no passage says "announcement" or "consultation".
    assert say(commands, chat, typed).startswith(summary)


def test_a_topic_several_titles_hold_is_listed_and_one_no_title_holds_is_asked(commands: Commands) -> None:
    listed = say(commands, 535, "summarise the budget one")
    assert listed.startswith("Search: budget")
    assert {"Summer Budget 2015", "Spring Budget 2017"} <= set(re.findall(r"^\d+\. (.+)$", listed, re.M))
    asked = say(commands, 536, "tell me about the knife crime report")
    assert asked.startswith(
        "I found nothing in the announcements that answers “tell me about the knife crime report”"
    )


def test_an_item_of_the_list_shown_is_opened_by_its_number_in_plain_words(commands: Commands) -> None:
    listed = say(commands, 537, "what's new")
    titles = dict(re.findall(r"^(\d+)\. (.+?) · ", listed, re.M))
    # Typed as a question, "read 2" quoted a passage about a bill's Second Reading.
    for typed, number in [("read 2", "2"), ("2", "2"), ("open the third one", "3")]:
        assert say(commands, 537, typed).startswith(titles[number])
    # Asked about: "tell me more about the second one" summarised the peers' announcement, whose
    # title says "Second Reading", and "what's number 3 about" was asked as a question.
    for typed, number in [("tell me more about the second one", "2"), ("what's number 3 about", "3")]:
        say(commands, 537, "what's new")
        assert say(commands, 537, typed).startswith(titles[number])
    # A number alone, with no list shown, is no request to open anything: it is asked as typed.
    assert say(commands, 538, "2").startswith("I found nothing")
    # "second" is looked up as the word it is (one title holds it), not as "2".
    assert say(commands, 538, "second").startswith("Removal of hereditary peers")


@pytest.mark.parametrize(
    ("chat", "typed"),
    [(545, "any speeches by the foreign office?"), (546, "can i see speeches by the foreign office")],
)
def test_filters_with_only_words_that_ask_for_a_list_are_that_list(
    commands: Commands, chat: int, typed: str
) -> None:
    # "any" and "?" were left beside the filters, so the message was asked as a question and a Hong
    # Kong consular page that mentions the Foreign Office was offered as the closest passage.
    listed = say(commands, chat, typed)
    assert re.match(r"\d+ announcements of type Speech from Foreign", listed)
    assert "The Houthis must not drag Yemen into a regional war" in listed


def test_what_happened_in_a_month_is_the_list_of_that_month(commands: Commands) -> None:
    # Asked as a question, "what happened in october 2024" was declined.
    listed = say(commands, 547, "what happened in october 2024")
    assert re.match(r"\d+ announcements from 1 October 2024 to 31 October 2024", listed)
    # What happened to something is still a question.
    assert not re.match(
        r"\d+ announcements", say(commands, 548, "what happened to the peers bill in october 2024")
    )


def test_what_does_it_stand_for_after_initials_spells_them_out(commands: Commands) -> None:
    assert say(commands, 549, "what is dapo").startswith("DAPN and DAPO Contract Changes"), "precondition"
    # The announcement "doesn't mention “stand”", the bot said, though it spells DAPO out.
    spelt = say(commands, 549, "what does it stand for?")
    assert "doesn’t mention" not in spelt
    assert "Domestic Abuse Protection Order (DAPO)" in spelt


def test_a_did_you_mean_for_a_request_does_what_the_request_asks(commands: Commands) -> None:
    request = Request(551, True, 551, "Test", "latezt")
    (reply,) = commands.message(request, "latezt")
    [data] = [b.data for row in reply.buttons for b in row if b.text == "Did you mean: latest"]
    assert data is not None
    pressed = commands.press(request, actions.parse(data))
    # Pressed, the corrected words are read as a message is: the newest announcements, not a
    # question about "latest".
    assert re.match(r"\d+ announcements, newest ", parse_telegram_html(pressed.send[0].text)[0])


def test_news_about_a_topic_lists_only_what_holds_all_of_it(commands: Commands) -> None:
    # Newest first, the budgets' "peer-to-peer lenders" and a drugs campaign's "their peers" were
    # listed as news about hereditary peers, with the one announcement about them.
    listed = say(commands, 525, "news about hereditary peers")
    titles = re.findall(r"^\d+\. (.+)$", listed, re.M)
    assert titles == [
        "Removal of hereditary peers from Parliament moves a step closer with Second Reading in the House of "
        "Commons"
    ]
    # Ordered by relevance, /search still lists what holds part of the words, after the rest.
    (reply,) = commands.search(
        Request(526, True, 526, "Test", "/search hereditary peers"), ["hereditary", "peers"]
    )
    searched = re.findall(r"^\d+\. (.+)$", parse_telegram_html(reply.text)[0], re.M)
    assert searched[0] == titles[0] and len(searched) > 1


def test_news_about_a_topic_says_which_word_no_announcement_uses(commands: Commands) -> None:
    listed = say(commands, 527, "news about knife crime")
    assert "No announcement uses “knife”: these match the rest." in listed
    assert "No announcement uses" not in say(commands, 528, "news about fishng licences")  # read as fishing


def test_what_else_quotes_another_passage_of_the_announcement_or_says_there_is_no_more(
    commands: Commands,
) -> None:
    chat = 511
    first = say(commands, chat, "who is the uk minister for the caribbean")
    assert first.startswith("British Minister for the Caribbean"), "precondition"
    seen = first.split("\n")[2]
    # The passage just quoted came again: "else" asks for what the reader has not seen.
    more = say(commands, chat, "who else is she meeting")
    assert more.startswith("British Minister for the Caribbean")
    assert seen not in more
    assert "business figures and Chevening scholars" in more
    # The PM's call with Trudeau is one passage long.
    call = say(commands, chat + 100, "what did the prime minister say to trudeau")
    assert call.startswith("PM call with Prime Minister Trudeau"), "precondition"
    again = say(commands, chat + 100, "what else did they discuss")
    assert again.startswith("That is all it says about that")


def test_sorry_i_meant_asks_the_last_question_again_corrected(commands: Commands) -> None:
    chat = 540
    assert say(commands, chat, "when can you set off firearms").startswith("I found nothing"), "precondition"
    # Asked as a question on its own, the correction was declined too.
    fixed = say(commands, chat, "sorry i meant fireworks")
    assert fixed.startswith("Read as “when can you set off fireworks”")
    assert "The firework curfew is midnight on Fireworks Night" in fixed


@pytest.mark.parametrize(
    ("chat", "first", "correction", "read_as"),
    [
        # what it names after "not"
        (
            551,
            "where are the drop in events in eastbourne",
            "sorry i meant pevensey bay not eastbourne",
            "where are the drop in events in pevensey bay",
        ),
        # the phrase after the same preposition, "under 16s" in it
        (
            552,
            "how much is a fishing licence for under 16s",
            "no, i meant for adults",
            "how much is a fishing licence for adults",
        ),
        (
            553,
            "what is the firework curfew on bonfire night",
            "i meant on diwali",
            "what is the firework curfew on diwali",
        ),
        # as many words as it brings, ending in the same word
        (
            554,
            "how much is the fishing licence",
            "oops i meant the rod licence",
            "how much is the rod licence",
        ),
        # a slip of the keyboard, starred
        (
            555,
            "how much did the home secretery pledge against live streaming",
            "*secretary",
            "how much did the home secretary pledge against live streaming",
        ),
        # a whole question is asked as it is
        (556, "what is the firework curfew", "i meant when can i buy fireworks", "when can i buy fireworks"),
    ],
)
def test_a_correction_replaces_what_it_says_was_meant(
    commands: Commands, chat: int, first: str, correction: str, read_as: str
) -> None:
    say(commands, chat, first)
    assert say(commands, chat, correction).startswith(f"Read as “{read_as}”")


def test_a_correction_with_nothing_asked_before_is_asked_as_it_stands(commands: Commands) -> None:
    reply = say(commands, 539, "sorry i meant fireworks")
    assert not reply.startswith("Read as")
    assert reply.startswith("Stay safe this fireworks season")


def test_also_a_topic_right_after_subscribing_is_one_more_subscription(commands: Commands) -> None:
    chat = 557
    assert say(commands, chat, "subscribe to fireworks").startswith("Done"), "precondition"
    # Asked as a question, "also flooding" quoted a passage on flooding.
    assert say(commands, chat, "also flooding").startswith(
        "Done: I will send you each new announcement about “flooding”"
    )
    assert say(commands, chat, "knife crime too").startswith(
        "Done: I will send you each new announcement about “knife crime”"
    )
    listed = say(commands, chat, "what alerts do i have")
    assert all(f"“{words}”" in listed for words in ("fireworks", "flooding", "knife crime"))
    # After a question, the chat has moved on: "also vaping" is asked, not followed.
    say(commands, chat, "when can you set off fireworks")
    assert say(commands, chat, "also vaping").startswith("Youth Vaping")
    assert "vaping" not in say(commands, chat, "what alerts do i have")


def test_french_made_of_corpus_words_is_noticed_and_offered_no_nonsense(commands: Commands) -> None:
    # "date" and "limite" (read as limit) are the corpus's, so it passed for English and was offered
    # "Did you mean “fuelle est la date limite”?"
    reply = say(commands, 558, "quelle est la date limite")
    assert "I can only read questions in English." in reply
    assert "Did you mean" not in reply


def bold_of(commands: Commands, chat: int, text: str) -> list[str]:
    (reply,) = commands.message(Request(chat, True, chat, "Test", text), text)
    plain, entities = parse_telegram_html(reply.text)
    utf16 = plain.encode("utf-16-le")
    return [
        utf16[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in entities
        if e["type"] == "bold"
    ]


def test_what_age_after_a_question_on_free_licences_is_the_age_they_are_free_at(commands: Commands) -> None:
    chat = 559
    assert "Junior licences are free for 13 - 16-year-olds." in bold_of(
        commands, chat, "is a fishing licence free for kids"
    ), "precondition"
    # "age" was read as a topic of its own, so "what age" was asked of the announcement alone and
    # bolded "Any angler aged 13 or over … needs a licence": the age a licence is needed from.
    assert "Junior licences are free for 13 - 16-year-olds." in bold_of(commands, chat, "what age")


def test_how_long_is_not_answered_by_a_sentence_with_no_length_of_time(commands: Commands) -> None:
    chat = 562
    answered_from(commands, chat, "what is dan corry reviewing", "Dan Corry appointed")
    # The review's announcement gives no length of time. "got" was read as a topic word ("doesn't
    # mention “got”"); then, asked with the topic, "having previously served as Head of the No10
    # Policy Unit" was quoted as the answer: "No10" is a number, but no length of time.
    reply = say(commands, chat, "how long has he got")
    assert reply.startswith("This may not answer it, but the closest passage in that announcement is")


def test_a_follow_up_names_every_word_the_announcement_lacks(commands: Commands) -> None:
    chat = 563
    answered_from(commands, chat, "which businesses had to close in march 2020", "Closing certain businesses")
    # The page holds only the guidance's summary. No announcement says "takeaways", so only "open"
    # was named, as if the page spoke of takeaways.
    reply = say(commands, chat, "can takeaways stay open")
    assert reply.startswith(
        "Closing certain businesses and venues in England doesn’t mention “takeaways” or “open”"
    )


def test_a_follow_up_answered_from_another_announcement_says_so(commands: Commands) -> None:
    chat = 565
    answered_from(
        commands, chat, "what did cameron say at the anti corruption summit", "Anti-Corruption Summit"
    )
    # The speech never says "signed"; a police scheme forces have signed up to is quoted, which read
    # as if it were about the summit.
    reply = say(commands, chat, "which countries signed up")
    assert reply.startswith(
        "Anti-Corruption Summit 2016: PM's closing remarks doesn’t mention “signed”. "
        "From another announcement:"
    )
    # A message all of whose topic is new is plainly a new question, and is answered as one.
    assert say(commands, chat, "how much is a fishing licence").startswith("Angling brothers prosecuted")


def test_her_and_his_lean_on_the_answer_as_she_and_he_do(commands: Commands) -> None:
    chat = 566
    answered_from(commands, chat, "who is penny dash", "Government pledges further action")
    # Asked afresh, as if "her" pointed at no one, it was declined ("I found nothing…").
    reply = say(commands, chat, "what did her report find")
    assert reply.startswith("Government pledges further action to strengthen patient safety")


@pytest.mark.parametrize(
    ("chat", "message"),
    [
        # Asked of every announcement, its "anything" weighed as a topic word: declined, with the
        # speech's passage on prisons first among the nearest.
        (564, "was there anything on prisons"),
        # Read as news: the newest announcements about prisons, the speech among them.
        (567, "anything on prisons?"),
    ],
)
def test_anything_on_a_topic_is_asked_of_the_announcement_just_quoted(
    commands: Commands, chat: int, message: str
) -> None:
    answered_from(commands, chat, "what bills were in the queens speech 2016", "Queen's Speech 2016")
    reply = say(commands, chat, message)
    assert reply.startswith("Queen's Speech 2016")
    assert "My government will legislate to reform prisons and courts" in reply


def test_anything_on_a_topic_with_no_answer_to_follow_is_news_about_it(commands: Commands) -> None:
    assert say(commands, 568, "anything on prisons?").startswith("News about prisons")


def test_what_is_this_about_with_nothing_quoted_yet_says_what_the_bot_does(commands: Commands) -> None:
    # It was told "Ask me a question first", as if it had asked about an answer.
    assert say(commands, 569, "what is this about?").startswith("What I can do")
    assert say(commands, 570, "summarise it").startswith("Ask me a question first")


def test_a_slip_in_the_words_subscribed_to_is_followed_as_the_word_meant(commands: Commands) -> None:
    # "flodding" was followed as typed: no announcement would ever match it.
    reply = say(commands, 571, "subscribe to flodding")
    assert reply.startswith("Read as “flooding”")
    assert "Done: I will send you each new announcement about “flooding”" in reply
    assert "“flooding”" in say(commands, 571, "what am i subscribed to")


@pytest.mark.parametrize(
    ("chat", "question", "title"),
    [
        # "saying" counted as a topic word, the rarest of the question: it was declined over every
        # corpus, the UK's statement at the UN on Yemen first among the nearest.
        (572, "what is the un saying about yemen", "The Houthis must not drag Yemen into a regional war"),
        # "guy" is no word of any announcement: declined, the door supervisor's conviction first.
        (
            593,
            "is the door supervisor guy going to jail",
            "Unlicensed door supervisor convicted after working",
        ),
    ],
)
def test_a_word_of_asking_weighs_too_little_to_decline(
    commands: Commands, chat: int, question: str, title: str
) -> None:
    reply = say(commands, chat, question)
    assert reply.startswith("This may not answer it, but the closest passage is…")
    assert title in reply


def test_he_or_she_keeps_a_follow_up_on_the_person_the_answer_named(commands: Commands) -> None:
    chat = 573
    answered_from(commands, chat, "how long was samuel miller sentenced for", "Unlicensed door supervisor")
    # "prison" is a word of other announcements, not of his ("18 weeks imprisonment"): a riot at
    # HMP Birmingham was quoted, and the next follow-up was about the riot.
    assert say(commands, chat, "did he go to prison").startswith("Unlicensed door supervisor")
    assert "He must also pay £500 in court costs." in bold_of(commands, chat, "how much did he have to pay")


def test_a_follow_up_of_generic_words_is_not_answered_by_a_passage_off_the_topic(commands: Commands) -> None:
    chat = 574
    answered_from(
        commands, chat, "what is the national living wage going to be in 2020", "Summer Budget 2015"
    )
    # The budget's "appointed Sir Peter Hendy to get this Parliament's rail investment programme…"
    # matched "gets", and was quoted as the answer.
    reply = say(commands, chat, "who gets it")
    assert "Sir Peter Hendy" not in reply
    assert "introduces a new National Living Wage for workers aged 25 and above" in reply


def test_an_item_opened_from_a_list_is_what_follow_ups_are_about(commands: Commands) -> None:
    listed = say(commands, 575, "speeches about the eu")
    first = re.findall(r"^1\. (.+)$", listed, re.M)[0]
    assert say(commands, 575, "open the first one").startswith(first), "precondition"
    # Nothing was remembered as the subject: "who closed it?" needed "a question to follow".
    assert say(commands, 575, "who closed it").startswith(first)
    # "more" still continues the list the item came from.
    assert not say(commands, 575, "more").startswith("More matches")


def test_an_answers_further_matches_are_a_list_read_by_number(commands: Commands) -> None:
    answered_from(commands, 576, "how much is the fishing licence", "Angling brothers prosecuted")
    assert say(commands, 576, "more").startswith("More matches (1/1)"), "precondition"
    # "the second one" opened announcement number 2 of the whole store, a speech on pay; and "more"
    # showed the same page again.
    assert say(commands, 576, "the second one").startswith("The last list I showed you here has items 1 to 1")
    assert say(commands, 576, "more").startswith("That was the end of that list.")


def test_a_pronoun_follow_up_answered_from_another_announcement_says_so(commands: Commands) -> None:
    chat = 577
    first = say(commands, chat, "is the blackpool train still running")
    # "The locomotive will continue operating on the national rail network…"
    assert first.startswith("Blackpool Tower rides again"), "precondition"
    # The loco's story gives its livery, not its "colour": an abuse story's "hair colour" was quoted
    # as if it were about the train.
    assert say(commands, chat, "what colour is it").startswith(
        "Blackpool Tower rides again doesn’t mention “colour”. From another announcement:"
    )


def test_who_is_the_minister_bolds_the_minister_named_after_a_glued_stop(commands: Commands) -> None:
    # The 2024 body reads "…educational institutions.UK Caribbean Minister, Baroness Chapman said:",
    # the stop glued to the initials: read as one sentence with it, the VPP's £15m was bolded.
    chat = 578
    asked = "what did the minister say about the caribbean"
    answered_from(commands, chat, asked, "British Minister for the Caribbean")
    title, bold = bold_of(commands, chat, "who is the minister")
    assert title.startswith("British Minister for the Caribbean")
    assert bold.startswith("UK Caribbean Minister, Baroness Chapman said")


def test_reactions_to_an_answer_are_about_it_not_new_questions(commands: Commands) -> None:
    # Each was asked as a question: "really?" quoted the right to request flexible working, "i dont
    # understand" a study's "clearer understanding", "are you sure?" was told the announcement
    # "doesn't mention “sure”", and "no" quoted another passage of it.
    chat = 579
    answered_from(commands, chat, "is a fishing licence free for kids", "Angling brothers prosecuted")
    doubted = say(commands, chat, "really?")
    assert doubted.startswith("I add nothing to what GOV.UK says")
    assert "Angling brothers prosecuted" in doubted
    lost = say(commands, chat, "i dont understand")
    assert lost.startswith("GOV.UK’s own summary of Angling brothers prosecuted")
    assert "Two brothers from Redditch pleaded guilty" in lost
    assert say(commands, chat, "no").startswith("Sorry that missed")


def test_huh_with_nothing_quoted_yet_gets_the_help(commands: Commands) -> None:
    assert say(commands, 580, "huh?") == say(commands, 580, "help")


def test_a_longer_question_nothing_answers_is_asked_of_the_announcement_quoted(commands: Commands) -> None:
    # Five words do not look like a follow-up, so it was asked of everything and offered the Spring
    # Budget's "Treasury bills" as the closest; the peers announcement uses "bill" and says what it does.
    chat = 581
    answered_from(
        commands, chat, "what is happening with hereditary peers", "GOV.UK’s own summary of Removal o"
    )
    title, bold = bold_of(commands, chat, "what does the bill do")
    assert title.startswith("Removal of hereditary peers")
    assert bold.startswith("This Bill")


def test_the_fine_asked_after_a_conviction_without_one_says_the_answer_is_from_elsewhere(
    commands: Commands,
) -> None:
    # "the fine" speaks of the conviction's penalty; the announcement gives a suspended sentence and
    # court costs, and the angling brothers' fines were quoted as if they were his.
    chat = 582
    answered_from(commands, chat, "door supervisor convicted", "Unlicensed door supervisor convicted")
    fine = say(commands, chat, "how much was the fine")
    assert fine.startswith(
        "Unlicensed door supervisor convicted after working at club doesn’t mention “fine”"
    )
    assert "Angling brothers prosecuted" in fine


def test_a_follow_up_offered_a_closest_passage_elsewhere_says_the_one_followed_lacks_it(
    commands: Commands,
) -> None:
    # The form never says "test"; the English language tests for visas were offered as the closest
    # passage, as if they were the motorcycle instructors', then under "… doesn't mention “test”".
    # A closest passage that says nothing of motorcycles or instructors is no lead worth following.
    chat = 583
    asked = "im thinking of becoming a motorbike instructor how do i apply"
    assert "Apply to be a certified motorcycle instructor" in say(commands, chat, asked), "precondition"
    test = say(commands, chat, "is there a test")
    assert test.startswith(
        "Apply to be a certified motorcycle instructor doesn’t mention “test”, and I found nothing else"
    )
    assert "English" not in test


def test_a_new_topic_named_with_the_gets_no_lead(commands: Commands) -> None:
    chat = 584
    answered_from(commands, chat, "what changed with english tests for visas", "Changes to Secure English")
    assert say(commands, chat, "when is the firework curfew").startswith("Stay safe this fireworks season")


def test_two_questions_in_one_message_are_each_answered_in_turn(commands: Commands) -> None:
    # Asked as one, the curfew was quoted and the fine went unanswered.
    chat = 585
    text = "when is the firework curfew and how much is the fine"
    curfew, fine = (
        parse_telegram_html(r.text)[0]
        for r in commands.message(Request(chat, True, chat, "Test", text), text)
    )
    assert curfew.startswith("1 of 2: “when is the firework curfew”\n\nStay safe this fireworks season")
    # The second follows the first answer, which gives no fine.
    assert fine.startswith(
        "2 of 2: “how much is the fine”\n\nStay safe this fireworks season doesn’t mention “fine”"
    )


def test_a_list_is_changed_by_a_filter_asked_after_it(commands: Commands) -> None:
    # Asked alone, "and in 2016?" listed all of 2016 and "only news please" all the news: the list's
    # other filters were forgotten.
    chat = 586
    listed = say(commands, chat, "what did the environment agency announce in october 2024")
    assert listed.startswith("3 announcements from Environment Agency from 1 October 2024"), "precondition"
    earlier = say(commands, chat, "and in 2016?")
    assert earlier.startswith(
        "2 announcements from Environment Agency from 1 January 2016 to 31 December 2016"
    )
    assert "D17 9LY, Veolia ES (UK) Limited: environmental permit issued" in earlier
    office = say(commands, chat, "what about the home office")
    assert office.startswith("1 announcement from Home Office from 1 January 2016 to 31 December 2016")
    defra = say(commands, chat, "latest from defra")
    assert "Improving food in hospitals and schools" in defra, "precondition"
    news = say(commands, chat, "only news please")
    assert news.startswith(
        "1 announcement of type News from Department for Environment, Food & Rural Affairs"
    )


def test_search_typed_without_its_slash_searches(commands: Commands) -> None:
    typed = say(commands, 587, "search flooding")
    assert typed.startswith("Search: flooding (page 1)")
    (command,) = commands.reply(Request(587, True, 587, "Test", "/search flooding"))
    assert typed == parse_telegram_html(command.text)[0]


def test_who_is_an_office_holder_is_a_question_not_a_list_of_the_office(commands: Commands) -> None:
    # "prime minister" names the Prime Minister's Office, and nothing else was left of the message
    # once it was read as a filter, so the office's announcements were listed.
    chat = 588
    assert say(commands, chat, "who is the prime minister").startswith("PM call with Prime Minister Trudeau")
    assert say(commands, chat, "how many speeches in 2016").startswith("5 announcements of type Speech")


def test_subscribe_alone_asks_what_to_follow(commands: Commands) -> None:
    (prompt,) = commands.reply(Request(589, True, 589, "Test", "/subscribe"))
    assert say(commands, 589, "subscribe") == parse_telegram_html(prompt.text)[0]


def test_an_organisation_named_as_the_speaker_is_asked_first(commands: Commands) -> None:
    # Homes England's fund, which mentions the investment summit, came first as the closest; the
    # Treasury's own news of it second.
    reply = say(commands, 590, "what did the treasury announce about investment")
    assert reply.startswith("Hundreds of millions of new investment secured to get Britain building again")
    assert not reply.startswith("This may not answer it")


def test_whats_the_deal_with_a_topic_no_title_holds_is_asked_as_the_topic(commands: Commands) -> None:
    # No title holds "cards" and "voting", so it was asked with its framing words and declined, the
    # Veteran Card's announcement first among the nearest.
    reply = say(commands, 591, "what's the deal with veteran cards and voting")
    assert reply.startswith("Government backs veterans by approving Veteran Card as voter ID")


def test_the_second_one_with_no_list_shown_says_so(commands: Commands) -> None:
    # It opened announcement number 2 of the store, a speech nobody had been shown.
    assert say(commands, 592, "the second one").startswith("I have shown no list here to pick from.")


def test_a_list_shown_after_an_answer_ends_the_follow_up_on_it(commands: Commands) -> None:
    # "how much were they fined?" after the list was asked of the doctoral loans quoted before it,
    # and answered with their "up to £25,000".
    chat = 594
    assert "Spring Budget 2017" in say(commands, chat, "is there an age limit for doctoral loans"), (
        "precondition"
    )
    assert say(commands, chat, "any news on fishing").startswith("News about fishing")
    fined = say(commands, chat, "how much were they fined")
    assert fined.startswith("Angling brothers prosecuted for 3 counts of illegal fishing")


def test_the_thing_spoken_of_answered_elsewhere_says_the_followed_one_does_not(commands: Commands) -> None:
    # The peers "sit and vote", but no passage says when a vote is: the call for evidence on access
    # to elections answered it, with nothing to show it was not the peers' vote.
    chat = 595
    answered_from(commands, chat, "how many hereditary peers are left", "Removal of hereditary peers")
    vote = say(commands, chat, "when is the vote")
    assert vote.startswith("Removal of hereditary peers from Parliament")
    assert "doesn’t say. From another announcement:\n\nAccess to elections" in vote


@pytest.mark.parametrize(
    ("chat", "typed"),
    [(596, "what are the rules on fireworks"), (597, "firework rules"), (598, "rules for fireworks")],
)
def test_the_rules_on_what_one_title_names_show_that_announcement(
    commands: Commands, chat: int, typed: str
) -> None:
    # "rules" weighed as the rarest word, in the Bingham lecture's "rule of law", and the reply was
    # "I found nothing": the fireworks notice is all rules ("keep to the curfew") but never says "rules".
    assert "Stay safe this fireworks season" in say(commands, chat, typed).split("\n")[:3]


def test_what_about_a_topic_with_nothing_said_before_looks_it_up(commands: Commands) -> None:
    # With no answer or list for it to add to, "what about housing" was asked as a question, and
    # "I found nothing" hid the housing statistics and guides that typing "housing" lists.
    reply = say(commands, 599, "ok what about housing?")
    assert reply == say(commands, 600, "housing")
    assert reply.startswith("Search: housing")


def test_it_with_a_word_of_its_own_stays_on_what_it_stands_for(commands: Commands) -> None:
    # "2020" pointed at the NHS plan's "£8 billion more by 2020-21", which was quoted; "it" is the
    # National Living Wage, whose target is "over £9 by 2020".
    chat = 601
    first = say(commands, chat, "tell me about the national living wage")
    assert "Summer Budget 2015" in first, "precondition"
    assert any("£9 by 2020" in bold for bold in bold_of(commands, chat, "how much will it be by 2020"))


def test_a_passage_looked_at_elsewhere_but_not_shown_is_not_followed(commands: Commands) -> None:
    # A passage of the CQC news was shown as the closest, but the Spring Budget, looked at and not
    # shown, became what the next follow-up followed: "who led it?" quoted Lord Sainsbury's review.
    chat = 602
    answered_from(commands, chat, "who is penny dash", "Government pledges further action")
    shown = say(commands, chat, "how long will it take")
    assert shown.startswith("This may not answer it, but the closest passage in that announcement"), (
        "precondition"
    )
    assert say(commands, chat, "who led it").startswith("Government pledges further action")


def test_a_short_question_in_the_past_tense_follows_the_answer(commands: Commands) -> None:
    # "was anyone hurt" was asked afresh and declined: the statement says "reports of an injured
    # prisoner".
    chat = 603
    answered_from(
        commands, chat, "how many prisoners climbed onto the netting at hmp birmingham", "Statement to"
    )
    hurt = say(commands, chat, "was anyone hurt")
    assert hurt.startswith("Statement to Commons on HMP Birmingham")
    assert "injured prisoner" in hurt


def test_one_topic_word_answered_elsewhere_says_the_followed_one_lacks_it(commands: Commands) -> None:
    # The angling brothers' prosecution was quoted as if someone had been charged over the riot.
    chat = 604
    answered_from(
        commands, chat, "how many prisoners climbed onto the netting at hmp birmingham", "Statement to"
    )
    charged = say(commands, chat, "has anyone been charged")
    assert charged.startswith("Statement to Commons on HMP Birmingham doesn’t mention “charged”.")


def test_the_rest_of_a_question_nothing_answered_is_asked_as_that_question(commands: Commands) -> None:
    # Asked alone, DVLA's accounts' "Amounts falling due within one year" were offered as the closest
    # passage; then the bot asked for the whole question, which the reader had just typed.
    chat = 605
    first = say(commands, chat, "what vaccines does my baby need at 8 weeks")
    assert first.startswith("I found nothing"), "precondition"
    again = say(commands, chat, "and at one year?")
    assert again.startswith("Read as “what vaccines does my baby need at one year”")
    assert "Amounts falling due" not in again
    # Words that look announcements up are still looked up.
    assert say(commands, chat, "and the budget").startswith("Search:")
    # "What about…" after a question nothing answered: a police speech's "Surrey and Sussex" was the
    # closest passage to "in sussex" alone.
    chat = 620
    first = say(commands, chat, "how much is the government putting into flood defences in norfolk")
    assert first.startswith("I found nothing"), "precondition"
    sussex = say(commands, chat, "what about in sussex")
    assert sussex.startswith("Read as “how much is the government putting into flood defences in sussex”")
    assert "Police" not in sussex
    # With nothing asked before, the rest of a question has nothing to add to.
    assert say(commands, 621, "and at one year?").startswith("“and at one year?” needs a question to follow")


def test_a_closest_passage_elsewhere_under_a_lead_leaves_the_followed_one_followed(
    commands: Commands,
) -> None:
    # The budget's passage, offered as the closest after "Living in Fiji doesn't mention currency",
    # became what the chat followed: "do i need a visa" was asked of the budget and declined. (That
    # passage said nothing of Fiji, which "they" are, and is no longer offered at all.)
    chat = 606
    assert "Living in Fiji" in say(commands, chat, "how many people live in fiji"), "precondition"
    currency = say(commands, chat, "what currency do they use")
    assert currency.startswith("Living in Fiji doesn’t mention “currency”"), "precondition"
    assert "Spring Budget" not in currency
    assert say(commands, chat, "do i need a visa").startswith("Living in Fiji")


def test_subscribing_to_an_organisations_name_follows_what_it_publishes(commands: Commands) -> None:
    # It followed the word "hmrc": its last matches were DVLA's accounts and a budget mentioning HMRC.
    chat = 607
    hmrc = say(commands, chat, "subscribe to hmrc")
    assert hmrc.startswith("Done: I will send you each new announcement from HM Revenue & Customs")
    assert "Employee Share Schemes" in hmrc  # published by HMRC
    # Topics after it are still topics, and organisations organisations.
    assert say(commands, chat, "also flooding").startswith(
        "Done: I will send you each new announcement about"
    )
    assert say(commands, chat, "also the treasury").startswith(
        "Done: I will send you each new announcement from HM"
    )


def test_the_latest_asked_in_words_takes_a_number_and_today(commands: Commands) -> None:
    # "give me 10 latest" was declined as a question; "anything new today?" listed everything.
    ten = say(commands, 608, "give me 10 latest")
    assert re.findall(r"^(\d+)\. ", ten, re.M) == [str(n) for n in range(1, 11)]
    # Nothing in these corpora is from today.
    assert say(commands, 609, "anything new today?").startswith("No announcement on ")
    # With a topic, it is news about the topic, not the usage of /latest.
    assert say(commands, 612, "latest 5 on flooding").startswith("News about flooding")


def test_summarise_what_a_title_names_gives_gov_uks_summary(commands: Commands) -> None:
    # "summarise" was a word to find: a passage of the lecture that mentions "the rule of law" came
    # as the closest; the budget's "summarised in Annex A" was quoted as its answer.
    reply = say(commands, 610, "can you summarise the bingham lecture")
    assert reply.startswith("GOV.UK’s own summary of Attorney General's 2024 Bingham Lecture")


def test_a_word_the_followed_announcement_uses_gets_no_lead_saying_it_does_not_say(
    commands: Commands,
) -> None:
    # The Department of Health's procedure says how ("You can make a formal complaint by post, online
    # or by phone"), so "Complaints procedure doesn't say" before the MOD's answer would be untrue.
    chat = 611
    asked = "who runs the complaints procedure at the department of health"
    assert say(commands, chat, asked).startswith(
        "Complaints procedure\nComplaints procedure · Department of Health"
    )
    assert "doesn’t say" not in say(commands, chat, "how do i complain")


def test_whether_there_is_a_thing_is_asked_of_the_announcement_just_quoted(commands: Commands) -> None:
    # "is there an age limit" after the doctoral loans was asked of everything, and a bond's passage
    # came with no word that the consultation on the loans never says.
    chat = 613
    assert "up to £25,000" in say(commands, chat, "how much is the doctoral loan"), "precondition"
    limit = say(commands, chat, "is there an age limit")
    assert limit.startswith("Postgraduate doctoral loans doesn’t mention “limit”")


def test_a_follow_up_word_no_announcement_uses_is_said_to_be_unmentioned(commands: Commands) -> None:
    # The UN statement on Yemen never speaks of shipping, nor does anything else: its opening, near
    # for the topic's words, was offered as the closest passage.
    chat = 614
    assert say(commands, chat, "what did the uk say about yemen at the un").startswith(
        "This may not answer it"
    ), "precondition"
    shipping = say(commands, chat, "what did she say about shipping")
    assert shipping.startswith("The Houthis must not drag Yemen")
    assert "doesn’t mention “shipping”, and I found nothing else" in shipping
    # A slip of a word it uses is read as that word, not said to be unmentioned.
    houthis = say(commands, chat, "what did she say about the houthies")
    assert houthis.startswith("The Houthis must not drag Yemen")
    assert "doesn’t mention" not in houthis
    # Nor is a word the corpus never uses but reads through its stand-ins: "kids" as children, young.
    answered_from(commands, chat + 1, "are fireworks legal after midnight", "Stay safe this fireworks season")
    assert "doesn’t mention" not in say(commands, chat + 1, "can kids buy them")


def test_a_follow_up_typed_without_its_apostrophe_follows_the_answer(commands: Commands) -> None:
    # "dont" read as a topic word: five words, not all generic, so the message was asked of everything
    # and found nothing, where "what happens if i don't" followed the guide.
    chat = 616
    answered_from(commands, chat, "how do i register my pigs", "A guide for pig keepers")
    dont = say(commands, chat, "what happens if i dont")
    assert dont.startswith("A guide for pig keepers")
    assert "if you do not register your holding" in dont


def test_a_question_of_six_words_with_one_topic_word_follows_the_answer(commands: Commands) -> None:
    # Five words, so not shaped like a follow-up: asked of everything, nothing answered it, where
    # Fiji's guide says "If you need emergency medical assistance dial 911 for an ambulance."
    chat = 617
    answered_from(commands, chat, "do i need a visa for fiji", "Living in Fiji")
    assert "dial 911 for an ambulance" in say(commands, chat, "what is the emergency number")
    # Three words of a topic of its own are a new question.
    assert say(commands, chat, "what is the national living wage").startswith("This may not answer it")


def test_within_an_announcement_the_passage_trusted_to_give_the_fact_comes_before_a_nearer_one(
    commands: Commands,
) -> None:
    # The plans' "The drop-ins… kick off Flood Action Week" came first (confidence 0.20) over the
    # passage with the sessions' times and dates (0.51), and a timber groynes sentence led the quote.
    chat = 618
    answered_from(
        commands, chat, "where are the pevensey flood drop in events", "Updated plans to protect Pevensey"
    )
    sessions = say(commands, chat, "when are the drop in sessions")
    assert "All 3 sessions run from 6pm to 7.30pm" in sessions
    assert "Tuesday 15 October" in sessions


def test_it_in_a_follow_up_is_the_thing_the_title_names_not_what_was_asked_of_it(
    commands: Commands,
) -> None:
    # "where is it" was asked with "flux tower measuring": "measuring" drew a passage on what the
    # towers measure, and its "Moors at Arne project" sentence was bolded as where.
    chat = 619
    answered_from(commands, chat, "what is the flux tower measuring", "Flux tower will see how much carbon")
    assert any("Arne Moor in Dorset" in bold for bold in bold_of(commands, chat, "where is it"))


def test_a_long_question_with_no_topic_word_follows_the_answer(commands: Commands) -> None:
    # Seven words, none of them a topic: too long for a follow-up's shape, it was asked of every
    # announcement and found nothing, where the call for applications says "under 40 years old".
    chat = 622
    answered_from(commands, chat, "tell me about the young leaders programme", "UK-Italy Young Leaders")
    assert "under 40 years old" in say(commands, chat, "how old do i have to be")


def test_a_follow_up_is_not_answered_from_elsewhere_by_a_passage_without_its_topic_word(
    commands: Commands,
) -> None:
    # "how many scientists are involved" after the MAST Upgrade was answered, with no word of the
    # switch, from an adoption study that "involved 18 extended interviews": no scientists in it.
    chat = 623
    answered_from(commands, chat, "what is the mast upgrade", "MAST Upgrade")
    scientists = say(commands, chat, "how many scientists are involved")
    # Since "how many" prefers the passage counting what it asks, this is answered, not the closest.
    assert scientists.startswith("MAST Upgrade – helping answer the big questions in fusion physics")
    assert "more than 100 scientists" in scientists


def test_it_is_not_answered_by_a_closest_passage_elsewhere_that_says_nothing_of_it(
    commands: Commands,
) -> None:
    # "when will it finish" after the Defra review: the review's page never says, and the reply
    # offered, under "doesn't mention “finish”", a speech's "Let me finish with one final thought."
    chat = 624
    answered_from(commands, chat, "who is dan corry", "Dan Corry appointed to lead Defra regulation review")
    finish = say(commands, chat, "when will it finish")
    assert finish.startswith("Dan Corry appointed to lead Defra regulation review doesn’t mention “finish”")
    assert "Let me finish" not in finish


def test_how_old_is_it_of_an_undated_item_asks_what_it_is_about(commands: Commands) -> None:
    # Read as asking how recent the item is, the reply said the loco's page "carries no publication
    # date", where it gives the tower's "125th birthday". A dated item still gives its date.
    chat = 625
    answered_from(commands, chat, "which train got named after blackpool tower", "This may not answer it")
    assert "125th birthday" in say(commands, chat, "how old is it")
    answered_from(commands, chat + 1, "when is the firework curfew", "Stay safe this fireworks season")
    assert say(commands, chat + 1, "how old is it").startswith("Published on 15 October 2024")


def test_a_follow_up_asking_for_an_age_the_announcement_gives_is_answered_from_it(
    commands: Commands,
) -> None:
    # The call never says "limit", so the message was asked of everything and answered, under
    # "doesn't mention “limit”", from a budget's bond passage; the call's answer is "under 40 years old".
    chat = 626
    answered_from(commands, chat, "tell me about the young leaders programme", "UK-Italy Young Leaders")
    limit = say(commands, chat, "whats the age limit")
    assert limit.startswith("UK-Italy Young Leaders Programme")
    assert "under 40 years old" in limit
    assert "Spring Budget" not in limit


def test_a_date_the_topic_finds_is_no_answer_to_words_the_announcement_never_uses(commands: Commands) -> None:
    chat = 627
    first = say(commands, chat, "who is the new defra regulation reviewer")
    assert "Dan Corry appointed to lead Defra regulation review" in first, "precondition"
    # The appointment never says when the review reports; its one date near the topic's words is the
    # investment summit "yesterday (14 October)", which was quoted as the answer.
    reply = say(commands, chat, "when does he report")
    assert "International Investment Summit" not in reply
    assert reply.startswith("I couldn’t find that in that announcement.")


def test_a_list_of_one_announcement_is_what_the_next_question_is_about(commands: Commands) -> None:
    # The only news on fishing licences was the angling brothers' prosecution, yet "how much is a
    # junior one" was asked of everything and quoted the Attorney General appearing "as a junior".
    chat = 628
    listed = say(commands, chat, "whats new with fishing licences")
    assert listed.startswith("News about fishing licences"), "precondition"
    assert "2. " not in listed, "precondition: one announcement listed"
    reply = say(commands, chat, "how much is a junior one")
    assert "Junior licences are free for 13 - 16-year-olds." in reply
    assert "Bingham" not in reply


def test_a_bare_follow_up_is_not_offered_a_passage_about_something_else(commands: Commands) -> None:
    chat = 629
    first = say(commands, chat, "sugar levy")
    assert first.startswith("Spring Budget 2017") and "Soft Drinks Industry Levy" in first, "precondition"
    # The budget never says when the levy starts; its Minimum Excise Tax on cigarettes "will take
    # effect from 20 May 2017", and that was offered as the closest passage.
    reply = say(commands, chat, "when does it start")
    assert "Minimum Excise Tax" not in reply
    assert reply.startswith("I couldn’t find that in that announcement.")
