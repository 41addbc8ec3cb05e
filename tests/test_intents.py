"""What a message is, before any retrieval (bot/intents.py), and when a short message follows up the
last answer (bot/conversation.py): tables of phrasings as people type them. Cheap: no model, no
store; the words the corpus knows are given as a plain set."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot import conversation, intents
from retrieval.search.tokenize import term


@pytest.mark.parametrize(
    ("typed", "kind", "rest"),
    [
        # small talk
        ("hi there", "greeting", ""),
        ("Hello!", "greeting", ""),
        ("good morning bot", "greeting", ""),
        ("hey, how are you?", "greeting", ""),
        ("thanks!", "thanks", ""),
        ("Thank you very much 🙏", "thanks", ""),
        ("cheers mate", "thanks", ""),
        ("ok great", "thanks", ""),
        ("👍", "thanks", ""),
        ("🦆", "question", "🦆"),  # no words and no meaning we know: the question path asks for words
        ("ok thanks, bye", "goodbye", ""),
        ("Bye!", "goodbye", ""),
        ("that's all for now, thanks", "goodbye", ""),
        ("no thanks", "goodbye", ""),  # asked as a question, and declined
        ("lol", "thanks", ""),
        ("thanks that's really useful", "thanks", ""),  # asked, it quoted "using the stairs"
        ("clear guidance on vaping", "question", "clear guidance on vaping"),
        ("haha what about fees", "question", "what about fees"),
        # help
        ("help", "help", ""),
        ("Help me please", "help", ""),
        ("what can you do?", "help", ""),
        # the last answer explained: asked as a question, a maths curriculum was the closest
        ("explain in simple terms", "about", "summary"),
        ("can you explain that please", "about", "summary"),
        ("explain how the loan works", "question", "explain how the loan works"),
        ("are you a robot?", "help", ""),  # a budget's line on robotics was quoted
        ("hlep", "help", ""),
        # a request's word typed with a slip: asked as questions, these were declined
        ("whats nwe", "latest", ""),
        ("latets", "latest", ""),
        ("lastest", "latest", ""),  # one letter more
        ("whats teh latest", "latest", ""),  # a small word's slip, asked and declined as not English
        ("news abuot fireworks", "news", "fireworks"),
        ("what am i subscirbed to", "subscriptions", ""),  # a question about Fiji's email updates
        ("whats neww", "latest", ""),  # a letter doubled
        ("subscirbe to flooding", "subscribe", "flooding"),
        ("who made you", "help", ""),
        ("How does this work?", "help", ""),
        ("?", "help", ""),
        # the newest announcements, maybe filtered
        ("what's new?", "latest", ""),
        ("What’s the latest?", "latest", ""),
        ("latest", "latest", ""),
        # "today" is a date to list by: everything, newest first, was listed
        ("Anything new today?", "latest", "today"),
        ("whats new today", "latest", "today"),
        # the number of items wanted, as /latest N takes it: asked as a question, it was declined
        ("give me 10 latest", "latest", "10"),
        # a summary of what a title names, with no word for the document: "summarise the spring budget"
        # quoted "financing plans are summarised in Annex A"
        ("summarise the spring budget", "describe", "spring budget"),
        ("can you summarise the bingham lecture", "describe", "bingham lecture"),
        ("tldr the peers bill", "describe", "peers bill"),
        ("summarise it", "about", "summary"),
        ("show me the 5 latest announcements", "latest", "5"),
        ("latest 2 from the treasury", "latest", "2 from the treasury"),
        ("latest from the MoD", "latest", "from the mod"),
        ("latest speeches", "latest", "speeches"),
        ("what's new this week", "latest", "this week"),
        ("Hi! What's new?", "latest", ""),
        ("what has been announced", "latest", ""),
        # news about a topic, newest first
        ("news about flooding", "news", "flooding"),
        # what someone follows, then what is new: asked as one question, a graduate scheme in flood
        # risk was the closest passage
        ("hi, i'm a journalist looking into flooding. what's the latest?", "news", "flooding"),
        ("I am researching knife crime - anything new?", "news", "knife crime"),
        ("looking into flooding. when is it?", "question", "looking into flooding. when is it?"),
        ("Any news on the fishing licence?", "news", "the fishing licence"),
        ("anything on hereditary peers", "news", "hereditary peers"),
        ("what's new on pensions?", "news", "pensions"),
        ("updates on energy bills", "news", "energy bills"),
        # more of the last answer's matches; a topic after "more" makes it a question
        ("more", "more", ""),
        ("next page", "more", ""),
        ("any more?", "more", ""),
        ("Show me more results please", "more", ""),
        ("what else?", "more", ""),
        ("thanks, more please", "more", ""),
        ("more about the budget", "question", "more about the budget"),
        ("what else did the minister say", "question", "what else did the minister say"),
        ("next week's flood warnings", "question", "next week's flood warnings"),
        # a detail of the last answer, not a new question
        ("link?", "about", "link"),
        ("what's the source", "about", "link"),
        ("where did you get that", "about", "link"),
        ("who published it?", "about", "publisher"),
        # asked politely or indirectly: "can you give me the link" quoted a passage about "links"
        ("can you give me the link", "about", "link"),
        ("could you tell me who published it", "about", "publisher"),
        ("do you know when it was published?", "about", "date"),
        (
            "could you tell me when the consultation closes",
            "question",
            "could you tell me when the consultation closes",
        ),
        ("who made the announcement", "about", "publisher"),
        ("who announced this?", "about", "publisher"),
        ("who announced the new funding", "question", "who announced the new funding"),
        ("when was it published", "about", "date"),
        # "when was that announced" asked for the date of what was just quoted; as a question the
        # bot quoted the court case's date (21 April) instead of the announcement's (15 October)
        ("when was that announced", "about", "date"),
        ("when was the announcement made public?", "about", "date"),
        ("what date did it come out", "about", "date"),
        ("when was the new funding announced", "question", "when was the new funding announced"),
        ("summarise it please", "about", "summary"),
        ("can you sum it up", "about", "summary"),
        # where to read the whole of what was quoted: asked as a question, nothing answered it
        ("where can i read the full thing", "about", "link"),
        ("can i read the whole announcement?", "about", "link"),
        ("full text please", "about", "link"),
        # "I couldn't find that in that announcement"
        ("is there a link", "about", "link"),
        ("do you have a link for that?", "about", "link"),
        ("any link?", "about", "link"),
        ("where can i read more", "about", "link"),
        ("where can i read more about the budget", "question", "where can i read more about the budget"),
        # whether what was quoted still stands: its date, any update, a withdrawal
        ("is it still current?", "about", "date"),
        ("is that still valid", "about", "date"),
        ("is this up to date", "about", "date"),
        ("has it been updated since?", "about", "date"),
        ("is the grant still open", "question", "is the grant still open"),
        ("who said that?", "question", "who said that?"),  # asked of the announcement: its speaker
        # reactions to an answer, each asked as a question before: doubt, not following it, "no"
        ("are you sure?", "about", "source"),
        ("really?", "about", "source"),
        ("is that right", "about", "source"),
        ("says who", "about", "source"),
        ("is that still right", "question", "is that still right"),
        ("is the right to buy ending", "question", "is the right to buy ending"),
        ("huh?", "about", "summary"),
        ("what?", "about", "summary"),
        ("i don't understand", "about", "summary"),
        ("what does that mean", "about", "summary"),
        ("what does vpp mean", "question", "what does vpp mean"),
        ("no", "wrong", ""),
        ("nope", "wrong", ""),
        ("not really", "wrong", ""),
        ("no that doesn't answer it", "wrong", ""),
        ("no, i meant adults", "correction", "adults"),
        # /search typed without its slash ("search flooding" was declined as a question)
        ("search flooding", "search", "flooding"),
        ("search for pensions since 2016", "search", "pensions since 2016"),
        ("search and rescue helicopters", "question", "search and rescue helicopters"),
        # alerts asked for without a topic, and stopped by the topic's name ("stop the vaping ones")
        ("subscribe", "subscribe", ""),
        ("how do i subscribe", "subscribe", ""),
        ("how do i sign up for chevening", "question", "how do i sign up for chevening"),
        ("stop the vaping ones", "unsubscribe", "vaping"),
        ("stop the boats", "question", "stop the boats"),
        ("link between smoking and cancer", "question", "link between smoking and cancer"),
        # a pasted GOV.UK link: its path
        (
            "https://www.gov.uk/government/news/angling-brothers-prosecuted?utm_source=x",
            "page",
            "/government/news/angling-brothers-prosecuted",
        ),
        ("gov.uk/guidance/fishing-licence/", "page", "/guidance/fishing-licence"),
        ("is https://www.gov.uk/x still current?", "question", "is https://www.gov.uk/x still current?"),
        # a slip in the asking word ("wats", "wot's") is still what's new
        ("wats new", "latest", ""),
        ("wot's the latest from defra", "latest", "from defra"),
        ("wat is new on flooding", "news", "flooding"),
        # what happened lately is what is new; what happened to something is a question
        ("what happened today", "latest", "today"),
        ("what's happened this week?", "latest", "this week"),
        ("anything happen yesterday", "latest", "yesterday"),
        ("what happened to the peers bill", "question", "what happened to the peers bill"),
        # alerts asked for in plain words: asked as questions, they quoted a passage about flooding
        # and Fiji's "subscribe to email updates"
        ("alert me about flooding", "subscribe", "flooding"),
        ("can you notify me when there's news on flood defences?", "subscribe", "flood defences"),
        ("keep me posted on the hereditary peers bill", "subscribe", "the hereditary peers bill"),
        ("send me a daily digest about bus fares", "subscribe", "daily bus fares"),
        ("subscribe me to vaping please", "subscribe", "vaping"),
        ("what am i subscribed to?", "subscriptions", ""),
        ("my alerts", "subscriptions", ""),
        # shown with how to remove them, not removed unasked; as a question, police stop and search
        ("stop", "subscriptions", ""),
        ("stop!", "subscriptions", ""),
        ("please stop", "subscriptions", ""),
        ("stop sending me alerts about flooding", "unsubscribe", "flooding"),
        ("unsubscribe me", "unsubscribe", ""),
        # the topic before the word for alerts: asked as a question, it quoted a flood-alerts passage
        ("stop the flooding alerts", "unsubscribe", "flooding"),
        ("no more fireworks updates please", "unsubscribe", "fireworks"),
        ("unsubscribe me from the flooding alerts", "unsubscribe", "flooding"),
        ("stop the boats", "question", "stop the boats"),
        ("how do i stop flood alerts", "question", "how do i stop flood alerts"),
        ("how do i get alerts about flooding", "question", "how do i get alerts about flooding"),
        ("tell me about flood alerts", "question", "tell me about flood alerts"),
        # told now, not alerted later
        ("let me know about the peers bill", "question", "let me know about the peers bill"),
        ("let me know when there's news on the peers bill", "subscribe", "the peers bill"),
        # telling the bot it missed
        ("that's wrong", "wrong", ""),
        ("that doesn't answer my question", "wrong", ""),
        ("no, not what i asked", "wrong", ""),
        ("you are wrong", "wrong", ""),
        ("what is wrong with the cqc", "question", "what is wrong with the cqc"),
        # a small-talk word is a whole word: "tax" is no "ta", "you" no "yo", "kids" no "k"
        ("tax changes in the budget", "question", "tax changes in the budget"),
        ("youth unemployment figures", "question", "youth unemployment figures"),
        ("hi, tax changes?", "question", "tax changes?"),
        # questions, pleasantries before them dropped
        (
            "hi, how much did the Home Secretary pledge?",
            "question",
            "how much did the Home Secretary pledge?",
        ),
        ("Thanks! And how much will it cost?", "question", "And how much will it cost?"),
        ("How do I renew my passport?", "question", "How do I renew my passport?"),
        ("help with energy bills", "question", "help with energy bills"),
        ("new rules on fireworks", "question", "new rules on fireworks"),
        ("what was announced on 15 October 2024", "question", "what was announced on 15 October 2024"),
        ("what is happening to the national debt", "question", "what is happening to the national debt"),
        (
            "whats happening to class 4 national insurance",
            "question",
            "whats happening to class 4 national insurance",
        ),
        ("Newcastle housing", "question", "Newcastle housing"),
        ("and when?", "question", "and when?"),
        # correcting the last question; a question that only starts like one stays a question
        ("sorry, I meant fireworks, not firearms!", "correction", "fireworks not firearms"),
        ("no i meant for adults", "correction", "for adults"),
        ("oops meant the rod licence", "correction", "the rod licence"),
        ("what i meant was the 2024 budget", "correction", "the 2024 budget"),
        ("*fireworks", "correction", "fireworks"),
        ("mean house price in london", "question", "mean house price in london"),
        ("meant to be a tax rebate this year?", "question", "meant to be a tax rebate this year?"),
        ("*important* when is the deadline", "question", "*important* when is the deadline"),
    ],
)
def test_a_message_is_read_as_what_people_mean(typed: str, kind: str, rest: str) -> None:
    assert intents.classify(typed) == intents.Intent(kind, rest)  # type: ignore[arg-type]


# What the corpus uses, as a stand-in for the index: the test needs no store.
CORPUS_WORDS = """hereditary peers lords bill reform flood defences fishing licence fireworks cost price date
pevensey eastbourne permit river"""
CORPUS = {term(w) for w in CORPUS_WORDS.split()}


def known(words: Sequence[str]) -> list[bool]:
    return [term(w.casefold()) in CORPUS for w in words]


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("How do I renew my passport?", True),
        ("recipe for chocolate cake", True),
        ("flood defences pevensey", True),
        ("hereditary peers", True),  # too short to judge
        ("Faint yw pris y drwydded bysgota?", False),  # Welsh: how much is the fishing licence?
        ("Pryd fydd y rheolau newydd yn dechrau?", False),  # Welsh: when will the new rules start?
        ("Combien coûte le permis de pêche ?", False),  # French
        ("Quand la nouvelle loi entre-t-elle en vigueur ?", False),  # French
        ("Il y a une réunion à Londres demain", False),  # French with an English stop-word ("a")
        ("what is la liga doing about racism", True),  # one foreign function word in English
    ],
)
def test_a_question_not_in_english_is_noticed(question: str, english: bool) -> None:
    assert intents.looks_english(question, known) is english


@pytest.mark.parametrize(
    ("message", "follows"),
    [
        ("and how much will it cost?", True),
        ("when?", True),
        ("and from when?", True),
        ("who said that", True),
        ("what about the bill?", True),
        ("how many are left?", True),
        ("is it law yet?", True),  # a pronoun
        ("from when", True),
        ("what else can it be used for", True),  # a pronoun leans on the answer: up to nine words
        ("what else counts as voter id", True),  # so does "else": besides what was just said
        ("when is the new passport fee due to go up", False),  # an opener alone: at most six
        ("How many hereditary peers still sit in the Lords after the reform?", False),  # too long
        ("flood defences", False),  # neither an opener nor a pronoun
        ("recipe for chocolate cake", False),
    ],
)
def test_a_follow_up_is_short_and_leans_on_the_answer(message: str, follows: bool) -> None:
    assert conversation.sounds_like_follow_up(message) is follows


@pytest.mark.parametrize(
    ("message", "topic"),
    [
        ("also flooding", "flooding"),
        ("And fireworks too!", "fireworks"),
        ("and for hereditary peers as well please", "hereditary peers"),
        ("knife crime too", "knife crime"),
        # a follow-up or a question, not a topic to add
        ("and when?", None),
        ("also what did he say about pay", None),
        ("is it too", None),
        ("flooding", None),
    ],
)
def test_a_topic_added_with_also_is_read(message: str, topic: str | None) -> None:
    assert intents.also_topic(message) == topic


@pytest.mark.parametrize(
    ("message", "questions"),
    [
        (
            "when is the firework curfew and how much is the fine",
            ["when is the firework curfew", "how much is the fine"],
        ),
        ("who is penny dash? what did she find?", ["who is penny dash", "what did she find?"]),
        (
            "how much did the uk give to jamaica and what for",
            ["how much did the uk give to jamaica", "what for"],
        ),
        ("what is the difference between a loan and a grant", None),
        ("tell me about fireworks and what the rules are", None),  # the first part asks nothing
        ("when? and how?", None),  # fragments: one follow-up
    ],
)
def test_several_questions_in_one_message_are_parted(message: str, questions: list[str] | None) -> None:
    assert intents.questions_in(message) == (questions or [message])


def test_a_topic_of_its_own_makes_a_new_question() -> None:
    peers_terms = {term(w) for w in ("hereditary", "peers", "lords", "bill", "reform")}

    def peers(words: Sequence[str]) -> list[bool]:
        return [term(w.casefold()) in peers_terms for w in words]

    # "flood defences" are in the corpus but not in the announcement about peers: a new topic.
    assert conversation.strong_topic_words("what about flood defences?", known, peers) == [
        "flood",
        "defences",
    ]
    # The announcement's own words, and words asking for a kind of fact, are no new topic.
    assert conversation.strong_topic_words("what about the bill?", known, peers) == []
    assert conversation.strong_topic_words("and how much will it cost?", known, peers) == []
    # Words the corpus never uses (a typo, another language) say nothing either way.
    assert conversation.strong_topic_words("and the zqxj?", known, peers) == []


def test_a_bare_follow_up_borrows_the_topic_of_the_question_it_follows() -> None:
    assert conversation.topic_of("How many hereditary peers still sit in the Lords?") == (
        "hereditary peers sit lords"
    )


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("and how much will it cost?", "It gives no cost."),
        ("how much was pledged?", "It gives no amount."),
        ("when?", "It gives no date for that."),
        ("who said that", "It names no one for that."),
        ("where?", "It names no place for that."),
        ("how many are left?", "It gives no figure for that."),
        ("what does it change?", None),
    ],
)
def test_what_an_announcement_does_not_give_is_named(question: str, note: str | None) -> None:
    assert conversation.missing_fact(question, lambda kind: False) == note


def test_a_kind_of_fact_the_announcement_holds_is_never_said_to_be_missing() -> None:
    # It names places, just none found to answer: "it names no place" would be untrue.
    assert conversation.missing_fact("where?", lambda kind: kind == "place") is None
    assert conversation.missing_fact("when?", lambda kind: kind == "place") == "It gives no date for that."
