"""The second stage and the three outcomes, through the real Library on real SQLite files.

The corpora are the seed file and the 20 real GOV.UK items of 15 October 2024; the questions are
written the way people type them, not copied from the text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main as cli
from retrieval.announcement import AnnouncementRecord
from retrieval.answer import vocab_of
from retrieval.library import Library
from retrieval.ranking.evidence import Coverage, has_fact
from retrieval.ranking.model import load_weights
from retrieval.ranking.passages import parse
from retrieval.ranking.query import AnswerType, Vocab, analyse, wanted_type
from retrieval.ranking.synonyms import PARTICLES, PHRASES, SYNONYMS
from retrieval.ranking.wrapping import asked_part, tidy
from retrieval.search.tokenize import term, tokenize, words
from tests.conftest_retrieval import (
    NEWS_2024,
    SEED_FILE,
    db_url,
    isolate,
    library_for,
    news_item,
    write_jsonl,
)

QUESTIONS = Path(__file__).parent / "data" / "questions"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A store holding only the 2024 GOV.UK sample."""
    work = tmp_path_factory.mktemp("news")
    (work / "no-seeds").mkdir()
    library = library_for(work / "store.db", seeds_dir=work / "no-seeds")
    library.ingest([NEWS_2024], progress=False)
    yield library
    library.close()


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    work = tmp_path_factory.mktemp("seed")
    library = library_for(work / "store.db")
    library.prepare()
    yield library
    library.close()


def test_two_words_find_the_compound_the_text_uses(news: Library) -> None:
    result = news.ask("health care centre in mandeville")
    assert result.results and "healthcare centre in Mandeville" in result.results[0].passage


def test_talk_about_finds_what_a_readout_says_they_spoke_of(news: Library) -> None:
    # The readout of the call says "spoke to" and "discussed", never "talk".
    # Without the stand-ins the first was only the closest and the second found nothing.
    for question in (
        "what did they talk about on the trudeau call",
        "what did the uk and canada leaders talk about",
    ):
        result = news.ask(question)
        assert result.outcome == "answer" and result.answer is not None, question
        assert "The Prime Minister spoke to Canadian Prime Minister Justin Trudeau" in result.answer.passage


def test_a_son_or_daughter_finds_what_is_said_of_juniors(news: Library) -> None:
    # Declined, the angling story first but its passage on who needs a licence ranked low.
    for question in (
        "my son is 14 does he need a fishing licence",
        "does my daughter need a fishing licence",
    ):
        result = news.ask(question)
        assert result.outcome == "answer" and result.answer is not None, question
        assert result.answer.sentence == "Junior licences are free for 13 - 16-year-olds.", question


def test_what_an_announcement_says_is_at_least_its_closest_passage_not_nothing(news: Library) -> None:
    # Its words are the statement's title ("… UK statement at the UN Security Council") but for
    # "say": the bot said nothing answers it, though the statement was its first result.
    result = news.ask("what did the uk say about the houthis")
    assert result.outcome in ("closest", "answer")
    assert result.results[0].title.startswith("The Houthis must not drag Yemen into a regional war")


@pytest.mark.parametrize("question", ["what happened to the cqc", "whats going on with the cqc"])
def test_what_happened_to_a_topic_shows_the_announcement_about_it(news: Library, question: str) -> None:
    # The CQC review's announcement is titled "Government pledges further action to strengthen patient
    # safety": no title word named it, and the calibration doubts any one passage answers so open a
    # question, so the bot said it found nothing, with the CQC's own announcement first below.
    result = news.ask(question)
    assert result.outcome == "closest"
    assert result.results[0].title == "Government pledges further action to strengthen patient safety"
    assert "CQC" in result.results[0].passage


def test_what_is_the_name_a_title_gives_before_its_dash_is_answered_from_its_opening(news: Library) -> None:
    # "MAST Upgrade – helping answer the big questions in fusion physics": "what is the mast upgrade"
    # got, as the closest, a passage on how many experiments the scientists aim to run.
    result = news.ask("what is the mast upgrade")
    assert result.outcome == "answer" and result.answer is not None
    assert "Mega Amp Spherical Tokamak (MAST) Upgrade" in result.answer.sentence


def test_what_does_it_cost_asks_for_a_sum_whatever_comes_between(news: Library) -> None:
    # "cost" stood past the words where a question says what it asks for, so the DAPO pilot's launch
    # ("… pilot in November 2024") was quoted as the answer to what the pilot costs.
    result = news.ask("what does the dapo pilot cost")
    assert result.outcome != "answer"


def test_getting_rid_of_reaches_the_removal_the_text_announces(news: Library) -> None:
    # The bill "will remove the right of the remaining 92 hereditary peers": "getting rid of" shared
    # no word with it, and the bot found nothing.
    result = news.ask("is the government getting rid of hereditary peers")
    assert result.outcome != "none"
    assert result.results[0].title.startswith("Removal of hereditary peers from Parliament")
    assert "remov" in result.results[0].passage.casefold()


def test_getting_rid_of_a_thing_reaches_the_bin_the_text_puts_it_in(news: Library) -> None:
    # "Once any debris has cooled down, tidy it up and soak it in water overnight. Then put it in a
    # rubbish bag and in the bin.": "get rid of" shared no word with it, and nothing was found.
    result = news.ask("how should i get rid of old fireworks")
    assert result.outcome != "none"
    assert "rubbish bag" in result.results[0].sentence


def test_a_phone_number_look_up_finds_the_number_of_what_it_names(news: Library) -> None:
    # "phone" weighed as much as "floodline": the FCDO press office's "Telephone 020 7008 3100"
    # covered as much of the question as Floodline's number, and BM25 preferred it.
    result = news.ask("floodline phone number")
    assert result.outcome == "answer" and result.answer is not None
    assert "Floodline: 0345 988 1188" in result.answer.sentence


def test_a_question_the_text_asks_is_not_the_bold_answer(news: Library) -> None:
    # The call for applications asks itself "How can I apply for the Young Leaders Programme?": it
    # shares every word with the question and was bolded as the answer.
    result = news.ask("who can apply to the young leaders thing")
    assert result.results[0].title == "UK-Italy Young Leaders Programme: call for applications"
    assert not result.results[0].sentence.rstrip().endswith("?")


def test_a_compound_is_split_not_misread_and_one_half_is_not_all_of_it(news: Library) -> None:
    # The sample never says "weekend": it was read as the non-word "weeked" (which stems to "week"),
    # so "18 weeks imprisonment … at Newcastle Crown Court" covered the question's rarest words and
    # was quoted as the answer to a question about the weather.
    result = news.ask("what will the weather be like in newcastle this weekend")
    assert not result.corrections
    assert result.outcome != "answer"


def test_the_american_license_reaches_the_british_licence(news: Library) -> None:
    # "license" is in the sample ("licensing", "unlicensed": the British verb), so it was never read
    # as the noun "licence", and the price of a fishing licence went unfound.
    result = news.ask("how much is a fishing license")
    assert result.outcome == "answer" and result.answer is not None
    assert "an annual licence costs from £35.80" in result.answer.sentence


def test_in_charge_of_asks_who_leads_it(news: Library) -> None:
    # "charge" alone is a fee or an offence; "in charge of" is GOV.UK's "led by". Without the phrase
    # the bot found nothing, with a passage on the circular economy first.
    result = news.ask("who is in charge of the defra review")
    assert result.outcome != "none"
    assert "review led by economist Dan Corry" in result.results[0].sentence


def test_a_misspelt_word_is_read_as_the_corpus_word(news: Library) -> None:
    result = news.ask("fishing without a licnce")
    assert result.corrections == {"licnce": "licence"}
    assert "without a licence" in result.results[0].passage


def test_a_misspelt_name_the_corpus_uses_once_is_read_as_that_name(news: Library) -> None:
    # "Mandeville" appears once in the sample: a word used once may be the corpus's own typo, so no
    # slip could reach it, and the question's rarest word weighed as unknown.
    result = news.ask("did the health centre in mandevile survive the hurricane")
    assert result.corrections == {"mandevile": "mandeville"}
    assert "healthcare centre in Mandeville" in result.results[0].passage


def test_a_four_letter_word_missing_a_letter_is_read_but_an_everyday_short_word_is_not(
    news: Library, seed: Library
) -> None:
    # "yer" was an unknown topic word weighing as much as "licence"; "due" is English, and no slip of
    # "dube", though the seed speech names Arin Dube and never says "due".
    licence = news.ask("how much is a fishing licence for a yer")
    report = seed.ask("when is arin dube's report due")
    assert licence.corrections == {"yer": "year"}
    assert licence.answer is not None and "annual licence costs from £35.80" in licence.answer.sentence
    assert not report.corrections


def test_a_misspelling_is_read_as_the_word_a_typist_most_likely_meant(news: Library) -> None:
    # The sample itself has the typo "governent"; it stems like "government", so the corpus uses both
    # equally: a letter left out is the likelier slip than one replaced.
    result = news.ask("what did the goverment say about fireworks")
    assert result.corrections == {"goverment": "government"}


def test_an_english_word_the_corpus_lacks_is_not_read_as_another(seed: Library) -> None:
    # The seed corpus says nothing of flood defences, nor uses "putting"; "cutting" is one letter away.
    result = seed.ask("how much is the government putting into flood defences in norfolk?")
    assert "putting" not in (result.corrections or {})
    assert result.outcome != "answer"


def test_a_real_word_is_not_read_as_the_corpus_word_one_letter_away(news: Library) -> None:
    # "leaving" is one letter from "leading", which the sample uses; no finger slips from v to d.
    assert "leaving" not in (news.ask("is the uk leaving the echr").corrections or {})


def test_an_everyday_word_is_never_read_as_a_corpus_word_a_slip_away(seed: Library) -> None:
    # The Hammond speech never says "think" but thanks people twice: the reply read "think" as
    # "thank" and said so under its heading.
    result = seed.ask("what does hammond think of the populists")
    assert "think" not in (result.corrections or {})


def test_a_rare_word_a_slip_of_a_far_commoner_one_makes_is_read_as_that_one(news: Library) -> None:
    # "fores" is an English word (a ship's fores), a hundred times rarer than "forces".
    result = news.ask("can armed fores veterans use their card to vote")
    assert result.corrections == {"fores": "forces"}
    assert result.answer is not None and "Armed Forces Veteran Card" in result.answer.passage


def test_any_letter_typed_for_another_is_read_in_a_word_that_is_no_english(news: Library) -> None:
    # An "i" for the "c" is no neighbouring key: "liience" stayed an unknown word and the bot quoted
    # a passage on licences in general, without the court's fines.
    result = news.ask("what is the fine for fishing without a liience")
    assert result.corrections == {"liience": "licence"}
    assert result.answer is not None and "fine of £40" in result.answer.sentence


def test_a_four_letter_slip_is_not_read_where_a_question_word_is_as_near() -> None:
    known = {"fund": 4, "want": 3, "jamaica": 2}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    assert analyse("how much fuud went to jamaica", vocab).corrections == {"fuud": "fund"}
    # "waat" is "want" with a letter replaced, but as likely "what": never read as "want"; where a
    # question is asked it is read as the question word.
    assert analyse("waat did jamaica get", vocab).corrections == {"waat": "what"}
    assert "waat" not in analyse("jamaica fund from the waat", vocab).corrections


def test_who_gave_a_lecture_finds_who_delivered_it(news: Library) -> None:
    # "gave" found only the lecture's own words on Tom Bingham's eight principles.
    result = news.ask("who gave this years bingham lecture")
    assert result.answer is not None
    assert "Attorney General Lord Hermer KC delivered the 2024 Bingham Lecture" in result.answer.sentence


@pytest.mark.parametrize(
    ("corpus", "question", "quoted", "in_bold"),
    [
        # The name itself is no answer to "who is…"; "Head of Delivery" was no role the facts knew, so
        # the passage that gives it was only the closest.
        ("seed", "who is paul makepeace", "Paul Makepeace, Head of Delivery at DRS", True),
        # "money" as a word is in "predators are making money"; the pledge is written "£300,000".
        ("seed", "when did javid pledge the money", "(Tuesday 21 May) pledged a further £300,000", True),
        # Asked for a person, the passage that says who may apply names no one and was at most the
        # closest.
        (
            "news",
            "who can apply for the young leaders thing",
            "you must be a young professional under 40",
            False,
        ),
        (
            "news",
            "who is eligible for the young leaders programme",
            "you must be a young professional under 40",
            False,
        ),
        # A name the question gives is no answer, but the name followed by what they are is: the
        # passage that says so was only the closest.
        ("seed", "who is professor arin dube", "as a recognised expert on minimum wage policy", True),
        # "Change" and "laws" did not reach "amend the Fugitive Offenders Ordinance"; "start" did not
        # reach "introduction" (stemmed apart from "introduced").
        ("seed", "which laws does hong kong want to change", "amend the Fugitive Offenders Ordinance", True),
        ("seed", "what year did the national living wage start", "The introduction of the National", True),
        # "Home Secretary Sajid Javid said:" names him once; the passage on what he pledged says "The
        # Home Secretary", and the line naming him came first with nothing answered.
        ("seed", "how much did javid give to stop child abuse streams", "pledged a further £300,000", True),
        # "Talk" did not reach "conversations"; "repainted" is written "re-painted", which the index
        # splits into "re" and "painted": nothing answered either.
        (
            "seed",
            "who did the uk and canada talk to about the proposals",
            "our respective conversations with the Hong Kong Government",
            True,
        ),
        ("seed", "why was the loco repainted", "re-painted in the distinctive yellow and blue", False),
        # One word to go on left the calibration unsure, and "stand" weighed as a topic the text lacks.
        ("news", "what does dapo stand for", "Domestic Abuse Protection Order (DAPO)", True),
        ("news", "what does mast stand for", "Mega Amp Spherical Tokamak (MAST)", True),
        # The close season's bold was the sentence that repeats the topic ("The annual close season …
        # prevents fishing for coarse fish"), not the one that says why. A reason given with ", so"
        # counts as much as one given with "to protect": the Met Office's warning is why Pevensey
        # needs defences, not the "plans to protect 10,000 homes".
        (
            "news",
            "why is there a close season for coarse fishing",
            "This helps to protect fish when they are spawning",
            True,
        ),
        (
            "news",
            "why do we need new flood defences at pevensey",
            "sea levels rising by at least a metre",
            True,
        ),
        # How someone feels, or their view, is in their own words: the press office's account of the
        # Home Secretary's meeting came first.
        (
            "seed",
            "how did javid feel about child abuse being streamed live",
            "vile and sickens me to the core",
            True,
        ),
        ("seed", "sajid javid's view on live streaming of abuse", "vile and sickens me to the core", True),
        # "Find out" is where information or guidance is: the passage on the card's legal change came
        # first, the one naming the guidance page was not among the first ten.
        ("news", "where can i find out more about the veteran card", "as a service leaver’ guidance", True),
        # A comment is what someone "said": the passage on the fraud itself was quoted instead.
        ("news", "did anyone from the sia comment on the miller fraud", "Jenny Hart, a criminal", True),
        # Profiting is "making money": the press office's account of the meeting came first.
        ("seed", "who is profiting from live streamed abuse", "cowardly predators are making money", True),
        # Staying is continuing: the passage on the loco's livery came first, and nothing answered.
        ("seed", "will the loco stay in use on the railway", "continue operating on the national rail", True),
        # The statement names a "Joint Declaration", not a treaty: the question was only the closest.
        (
            "seed",
            "under which treaty are hong kong rights protected",
            "the Sino-British Joint Declaration",
            True,
        ),
        # Coming down is falling: the speech's passage was only the closest.
        ("seed", "has the national debt started coming down", "national debt is falling sustainably", True),
        # Keeping in touch is staying in contact: the sentence on what they discussed was in bold.
        (
            "news",
            "will the pm stay in touch with trudeau about the allegations",
            "remain in close contact",
            True,
        ),
        # Regulators that overlap duplicate each other: the review's first aim was in bold.
        ("news", "does the defra review check whether regulators overlap", "any duplication", True),
        # "Actually" is a filler even where the corpus never writes it: it weighed as a topic word the
        # passage lacked, and the pledge was only the closest.
        ("seed", "how much did javid actually pledge", "pledged a further £300,000", True),
        # Talking "over the phone" asks for no phone number: the call's account was only the closest.
        (
            "news",
            "what did the pm and trudeau talk about over the phone",
            "They discussed recent developments",
            False,
        ),
    ],
)
def test_a_narrower_ask_is_answered_by_what_gives_it(
    request: pytest.FixtureRequest, corpus: str, question: str, quoted: str, in_bold: bool
) -> None:
    result = request.getfixturevalue(corpus).ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert quoted in (result.answer.sentence if in_bold else result.answer.passage)


@pytest.mark.parametrize(
    "question",
    ["when will the online harms rules be in force", "when will the regulator for online harms be set up"],
)
def test_when_will_is_not_answered_by_what_happened_last_month(seed: Library, question: str) -> None:
    # The seed file says only that the White Paper was launched "last month": a date, but one gone
    # by, and it was quoted as when the regulator will start.
    result = seed.ask(question)
    assert "Online Harms White Paper" in result.results[0].passage
    assert result.outcome != "answer"


def test_when_is_the_next_is_not_answered_by_the_date_it_was_held(news: Library) -> None:
    # The joint statement of 15 October 2024 says the dialogue was "held on Tuesday 15 October 2024",
    # and that was quoted as when the next one is: it is shown as the closest passage, not the answer.
    result = news.ask("when is the next uk switzerland financial dialogue")
    assert result.results[0].title == "UK-Switzerland Financial Dialogue 2024 Joint Statement"
    assert result.outcome == "closest"
    # Asked of the dialogue that was held, the same date answers.
    held = news.ask("when was the uk switzerland financial dialogue held")
    assert held.outcome == "answer" and held.answer is not None
    assert "15 October 2024" in held.answer.sentence


def test_who_commented_on_a_case_is_not_the_person_the_question_names(news: Library) -> None:
    # "Mr Miller used a fraudulent licence…" was bolded: "Mr" read as a name the question had not given.
    result = news.ask("who from the sia commented on the samuel miller case")
    assert result.results[0].title == "Unlicensed door supervisor convicted after working at club"
    assert "Jenny Hart, a criminal investigations manager at the SIA" in result.results[0].sentence


@pytest.mark.parametrize(
    ("question", "bold"),
    [
        # "To apply, please download and complete the application form…" was bolded.
        ("who can apply for the young leaders programme", "you must be a young professional under 40"),
        ("who is eligible for the young leaders programme", "you must be a young professional under 40"),
        # "turned away from the local elections earlier this year" read as a date to come, and the
        # passage that says when stood only as the closest.
        ("when will veterans cards count as voter id", "in time for the 2025 local elections in May"),
        # "He must also pay £500 in court costs." was bolded: "charges" reached only fees and costs.
        ("how many charges did the newcastle bouncer admit to?", "one count of fraud and one count of"),
        # Typed last, "dates" asked for nothing: "Drop-in events are being held in the coming days"
        # was the answer.
        ("pevensey flood plans drop in dates", "between 14 and 20 October"),
        # "Check the labelling … before you buy it." came first, over the limit the notice gives.
        ("can a 16 year old buy fireworks", "illegal for under 18s to buy fireworks"),
        # "A man has been given a suspended sentence for fraud…" came first, or the court's sentence
        # was only the closest passage.
        (
            "what sentance did the newcastle bouncer with the fake sia licence get",
            "sentenced to 18 weeks imprisonment",
        ),
        ("what sentence did the unlicensed bouncer get", "sentenced to 18 weeks imprisonment"),
        # "That review has also been published today (15 October)", the day of the page, was quoted
        # as when the Safety Landscape Review is due: a day of the page's own year gone by, and
        # "today", are no time to come, and "due to" asks for one.
        ("when is dash's safety landscape review due to report", "can be expected in the new year"),
    ],
)
def test_the_bold_sentence_gives_the_fact_in_the_form_asked_for(
    news: Library, question: str, bold: str
) -> None:
    result = news.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert bold in result.answer.sentence


def test_initials_reach_the_name_spelt_out_only_where_the_corpus_never_writes_them() -> None:
    spelt_out = {"depart": 9, "work": 9, "pension": 9, "staff": 9}
    vocab = Vocab(df=lambda t: spelt_out.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    dwp = next(c for c in analyse("how many staff does the dwp have", vocab).concepts if c.word == "dwp")
    assert dwp.known and {"depart", "work", "pension"} <= dwp.terms
    # A corpus that writes "DWP" finds it as typed: the words spelt out would dilute it.
    written = {**spelt_out, "dwp": 3}
    vocab = Vocab(df=lambda t: written.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    dwp = next(c for c in analyse("how many staff does the dwp have", vocab).concepts if c.word == "dwp")
    assert dwp.terms == {"dwp"}


def test_going_up_reaches_the_rise_the_text_gives(tmp_path: Path) -> None:
    with library_of(
        tmp_path,
        {
            "Spring Budget": "The personal allowance will rise to £11,500 next month.",
            "Personal information charter": "We only share your personal data when the law allows it.",
        },
    ) as library:
        result = library.ask("what is the personal allowance going up to")
    assert result.results and "will rise to £11,500" in result.results[0].passage


def test_a_question_word_typed_after_the_topic_is_read_as_one(news: Library) -> None:
    # "wat" is "want" with a letter left out as much as "what": the speech's "I want to talk about"
    # was quoted. Before "was", "does", "is"… a word asks.
    result = news.ask("attorney generals lecture wat was it about")
    assert result.corrections == {"wat": "what"}
    assert result.outcome == "answer" and result.answer is not None
    assert "delivered the 2024 Bingham Lecture" in result.answer.sentence


def test_a_slip_keeps_its_first_letter_before_a_commoner_word_that_changes_it() -> None:
    # Typists rarely miss a word's first letter. "department" stands in every passage of a
    # department's pages (their organisation is indexed with them), so "depart" outnumbered
    # "report", one letter from "repart" as well.
    known = {"report": 2, "depart": 50, "review": 3}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    assert analyse("when is the repart of the review due", vocab).corrections == {"repart": "report"}


def test_a_letter_hit_for_another_reaches_an_english_word_before_stem_sharing_nonsense() -> None:
    # "flodding": two letters swapped make "foldding" and one letter added "floodding", no English
    # words but sharing the stems of the corpus's "fold" and "flood"; the first was read, and
    # offered as "Did you mean “foldding”?". One letter hit for another makes "flooding".
    known = {"flood": 25, "fold": 1, "risk": 4}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    assert analyse("flodding risk", vocab).corrections == {"flodding": "flooding"}


def test_a_contraction_typed_without_its_apostrophe_is_not_a_misspelling() -> None:
    # A corpus that uses "hats" (one letter from "whats") and the two topic words.
    known = {"hat": 3, "firework": 9, "curfew": 2}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    query = analyse("whats the firework curfew", vocab)
    assert not query.corrections
    assert [c.word for c in query.concepts] == ["firework", "curfew"]


def test_a_misspelt_question_word_still_says_what_the_question_asks_for() -> None:
    known = {"firework": 9, "curfew": 2, "wen": 1}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    query = analyse("whne does the firework curfew start", vocab)
    assert query.corrections == {"whne": "when"} and query.wants == "date"
    assert [c.word for c in query.concepts] == ["firework", "curfew", "start"]  # no unknown "whne"
    assert analyse("how mcuh is the curfew fine", vocab).wants == "amount"
    # A word the corpus uses is nobody's typo, and "ho" is as near "how" as "who": left alone.
    assert not analyse("wen curfew", vocab).corrections
    assert not analyse("ho curfew", vocab).corrections


def test_any_letter_hit_in_a_question_word_is_read_as_that_word(news: Library) -> None:
    # "waat", "mueh": no key next to the one meant, so no slip was found; "waat" weighed as a topic
    # word the corpus lacks and "how mueh" asked for no sum.
    asked = news.ask("waat label did the fca give the schroders impact fund")
    assert asked.corrections == {"waat": "what"}
    assert asked.outcome == "answer" and asked.answer is not None
    assert "Financial Conduct Authority" in asked.answer.sentence
    known = {"licence": 9, "sponsor": 2}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    assert analyse("how mueh is a sponsor licence", vocab).wants == "amount"
    # English stays as typed: "wall" is no slip of "what".
    assert not analyse("wall sponsor licence", vocab).corrections


def test_a_slip_in_a_small_word_anywhere_is_read_as_that_word_not_as_a_missing_topic(news: Library) -> None:
    # "affter" and "wiith" are no topic the corpus lacks: read so, they lowered the confidence below
    # answering (closest at 0.28, none at 0.08) though the right passage came first.
    for typed, spelt_right, slip in (
        (
            "how much aid did the uk send affter hurricane beryl",
            "how much aid did the uk send after hurricane beryl",
            {"affter": "after"},
        ),
        ("what was agreed wiith mauritius", "what was agreed with mauritius", {"wiith": "with"}),
    ):
        result, expected = news.ask(typed), news.ask(spelt_right)
        assert result.corrections == slip
        assert result.outcome == expected.outcome == "answer"
        assert result.answer is not None and expected.answer is not None
        assert result.answer.passage == expected.answer.passage


def test_a_misspelt_word_read_right_brings_its_other_forms_as_the_word_would(seed: Library) -> None:
    # "gorwing" is read as "growing", whose other form "grown" is the text's: read as the typo's own
    # forms (none), the passage lost its best word and the reply said it found nothing.
    typed = seed.ask("how long has the uk economy been gorwing according to hammond")
    assert typed.corrections == {"gorwing": "growing"}
    assert typed.outcome == "answer" and typed.answer is not None
    assert "The economy has grown now for nine straight years" in typed.answer.passage


def test_what_a_question_asks_for_is_read_from_its_words_as_corrected() -> None:
    known = {"share": 3, "worker": 5, "low": 4, "pay": 6}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    query = analyse("what sahre of workers are on low pay", vocab)
    assert query.corrections == {"sahre": "share"}
    assert (query.wants, query.detail) == ("number", "share")  # a percentage or a fraction answers


def test_two_swapped_letters_in_a_short_word_are_put_back(news: Library) -> None:
    result = news.ask("how many hereditary peers are lfet in the lords")
    assert result.corrections == {"lfet": "left"}
    assert result.outcome == "answer" and result.answer is not None
    assert "remaining 92 hereditary peers" in result.answer.passage


def test_a_short_word_that_may_be_a_longer_one_with_a_letter_left_out_is_left_alone() -> None:
    # "roal" is "oral" swapped, or "royal" with a letter left out: a guess either way, so no guess.
    known = {"oral": 4, "royal": 3, "hospit": 5, "time": 6}
    vocab = Vocab(df=lambda t: known.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    assert not analyse("chesterfield roal hospital", vocab).corrections
    assert analyse("opening tiem of the hospital", vocab).corrections == {"tiem": "time"}
    assert analyse("a royl hospital", vocab).corrections == {"royl": "royal"}  # a letter left out
    # Three letters are too few: "drg" is not read as whatever "rdg" or "dr" the corpus has.
    assert not analyse(
        "new drg driving limits", Vocab(df=lambda t: {"rdg": 3}.get(t, 0), idf=lambda t: 1.0, unknown_idf=3.0)
    ).corrections


def test_a_letter_typed_twice_is_read_as_once_even_for_a_word_the_corpus_lacks(news: Library) -> None:
    # "booss" was read as "boosts" (a letter left out): the corpus never says "boss", but "boss"
    # has stand-ins it does use ("chief executive", "chair").
    result = news.ask("who is the new booss of the cqc")
    assert result.corrections == {"booss": "boss"}
    assert result.outcome == "answer" and result.answer is not None
    assert "Sir Julian Hartley" in result.answer.passage


def test_a_slip_of_a_word_a_small_corpus_uses_once_is_read_as_it(seed: Library, news: Library) -> None:
    # The seed file says "national debt" in one passage and the 2024 sample "Royal British Legion"
    # in one: a word used once was no target for a slip.
    debt = seed.ask("what is happening to the national detb")
    legion = news.ask("who runs the royal british legeon")
    assert debt.corrections == {"detb": "debt"} and legion.corrections == {"legeon": "legion"}
    assert debt.answer is not None and "national debt is falling" in debt.answer.passage
    assert (
        legion.answer is not None and "Director General of the Royal British Legion" in legion.answer.passage
    )


def test_scammers_are_found_where_the_text_says_fraud(news: Library) -> None:
    # "scammers" is no word of the 2024 sample: the closest passage was about rod licences.
    result = news.ask("which scammers did the sia catch")
    assert result.results and "Samuel Miller committed fraud" in result.results[0].passage


def test_a_phrase_with_a_slip_in_it_is_read_as_the_phrase(news: Library) -> None:
    # "come across" is "discovered" only with the particle typed right: "acrsos" was read as
    # "across" after "come" had been looked up with the slip beside it.
    right = news.ask("where did starmer come across the human rights convention")
    typo = news.ask("where did starmer come acrsos the human rights convention")
    assert typo.corrections == {"acrsos": "across"}
    assert typo.outcome == right.outcome == "answer" and typo.answer is not None and right.answer is not None
    assert typo.answer.passage == right.answer.passage
    assert "discovered the Convention in a law library in Leeds" in typo.answer.passage


def test_a_long_word_with_two_slips_is_read_as_the_word_meant(news: Library) -> None:
    # "goverrmment" is two slips from "government" (a letter doubled, one left out): one slip from
    # nothing, it stayed a topic word no passage has, and the answer was "nothing found".
    result = news.ask("what did the goverrmment say about the hereditery peers")
    assert result.corrections == {"goverrmment": "government", "hereditery": "hereditary"}
    assert result.outcome != "none"
    assert "hereditary peers" in result.results[0].passage


@pytest.mark.parametrize(
    ("typed", "slip", "meant", "expect"),
    [
        # Seven letters left of "guidance" (one left out, two swapped): two slips were read only in
        # words of eight letters or more, and "nothing found" was the answer.
        (
            "what new giadnce is the attorney general bringing out for govt lawyers",
            "giadnce",
            "guidance",
            "amended guidance for assessing legal risk",
        ),
        # Two slips from "election" and from "elections": one word in two forms, not two rivals.
        ("who is the minister for electosn", "electosn", "election", "Alex Norris, minister for elections"),
    ],
)
def test_two_slips_in_a_shorter_word_or_near_two_forms_are_read_as_the_word(
    news: Library, typed: str, slip: str, meant: str, expect: str
) -> None:
    result = news.ask(typed)
    assert result.corrections == {slip: meant}
    assert result.outcome == "answer" and result.answer is not None and expect in result.answer.passage


@pytest.mark.parametrize(
    "question", ["whats the closing date to apply for young leaders", "closing date young leaders programme"]
)
def test_a_closing_date_is_answered_by_the_date_not_by_the_words(news: Library, question: str) -> None:
    # "Applications will not be processed after the closing date." holds the question's words and
    # said "closing date", which counted as a time limit: it was bolded, not the date.
    result = news.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert "until 27 October 2024" in result.answer.sentence


def test_a_corrected_word_weighs_as_the_word_typed_right(news: Library) -> None:
    # "phone" and "number" weigh little once a question asks for contact details; "phine" and
    # "numbre", read as them, still weighed as topic words the passage lacked, and the Floodline
    # number was only the closest.
    right = news.ask("floodline phone number")
    for typed in ("floodline phone numbre", "floodline phine number"):
        result = news.ask(typed)
        assert (result.outcome, result.confidence) == (right.outcome, right.confidence)
        assert result.answer is not None and "0345 988 1188" in result.answer.sentence


def test_a_function_word_with_a_vowel_for_a_vowel_is_read_as_it(seed: Library, news: Library) -> None:
    # "befire" and "woll" are no English words: read as topic words the corpus lacks, they counted
    # against every passage.
    wages = seed.ask("are wages back to where they were befire the recession")
    fund = news.ask("when woll the schroders fund start investing")
    assert wages.corrections == {"befire": "before"} and fund.corrections == {"woll": "will"}
    assert fund.outcome == "answer"


def test_the_with_two_letters_swapped_is_the_not_a_rarer_corpus_word(news: Library) -> None:
    # "teh" was read as "tech", a word of the corpus with a letter put back, and the reply began
    # "Read as “what is tech deadline …”".
    right, typo = (
        news.ask("what is the deadline for young leaders"),
        news.ask("what is teh deadline for young leaders"),
    )
    assert typo.corrections == {"teh": "the"}
    assert typo.answer is not None and right.answer is not None
    assert typo.answer.passage == right.answer.passage


def test_a_question_with_a_misspelt_question_word_is_answered_as_if_spelt_right(news: Library) -> None:
    right, typo = news.ask("when is the firework curfew"), news.ask("whne is the firework curfew")
    assert typo.corrections == {"whne": "when"}
    assert (typo.outcome, typo.results[0].passage) == (right.outcome, right.results[0].passage)
    assert typo.outcome == "answer"


_LICENCE = "how much is a fishing licence"
_PEERS = "how many hereditary peers still sit in the lords"


@pytest.mark.parametrize(
    ("plain", "said"),
    [
        (_LICENCE, "hi, how much is a fishing licence"),
        (_LICENCE, "Hello! how much is a fishing licence"),
        (_LICENCE, "hi there can you tell me how much is a fishing licence"),
        (_LICENCE, "i want to know how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence pls"),
        (_LICENCE, "how much is a fishing licence? thank you mate"),
        # Each of these made "wondering", "idea", "yo", "curious", "explain", "question", "u",
        # "exactly" or "gov.uk" a topic word the answer lacks: the right passage was only the closest.
        (_LICENCE, "i was wondering how much is a fishing licence"),
        (_LICENCE, "any idea how much is a fishing licence"),
        (_LICENCE, "yo how much is a fishing licence"),
        (_LICENCE, "im curious, how much is a fishing licence"),
        (_LICENCE, "can someone explain how much a fishing licence is"),
        (_LICENCE, "Question: how much is a fishing licence"),
        (_LICENCE, "can u tell me how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence exactly??"),
        (_LICENCE, "how much is a fishing licence gov.uk"),
        (_LICENCE, "Dear Sir, how much is a fishing licence"),
        (_LICENCE, "out of interest, how much is a fishing licence"),
        (_LICENCE, "btw how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence please help :) x"),
        # No list foresaw these: a clause of chat and function words in front or after is read as
        # chat, wherever its words come from ("sorry", "bother", "appreciated" were topic words).
        (_LICENCE, "sorry to bother you but how much is a fishing licence"),
        (_LICENCE, "morning all, how much is a fishing licence"),
        (_LICENCE, "random question but how much is a fishing licence"),
        (_LICENCE, "i'd like to find out how much a fishing licence is"),
        (_LICENCE, "how much is a fishing licence? any help appreciated"),
        (_LICENCE, "how much is a fishing licence cheers in advance"),
        (_PEERS, "can i ask how many hereditary peers still sit in the lords"),
        (_PEERS, "wondering, how many hereditary peers still sit in the lords"),
        (_PEERS, "how many hereditary peers still sit in the lords, for a friend"),
        (_PEERS, "sorry if this is a silly question but how many hereditary peers still sit in the lords"),
        (_PEERS, "how many hereditary peers still sit in the lords (if you know)"),
        (_PEERS, "how many hereditary peers still sit in the lords? any ideas?"),
        (_LICENCE, "hello, i have a question. how much is a fishing licence"),
        (_LICENCE, "would you be able to tell me how much a fishing licence is"),
        (_LICENCE, "what i want to know is how much is a fishing licence"),
        (_LICENCE, "i can't find it on gov.uk, how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence if possible"),
        (_LICENCE, "as a journalist i'd like to know how much a fishing licence is"),
        (_LICENCE, "pardon me but how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence i think"),
        (_LICENCE, "cheers for the last answer. how much is a fishing licence"),
        (_LICENCE, "next question: how much is a fishing licence"),
        (_LICENCE, "i'm looking for how much a fishing licence is"),
        (_PEERS, "how many hereditary peers still sit in the lords pls reply"),
        (_PEERS, "how many hereditary peers still sit in the lords (asking for work)"),
        (_PEERS, "yes, how many hereditary peers still sit in the lords"),
        (_PEERS, "question re gov announcements - how many hereditary peers still sit in the lords"),
        (_LICENCE, "help needed: how much is a fishing licence"),
        (_LICENCE, "i heard something about this. how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence would be grateful for an answer"),
        # Unforeseen at the round before's end: a clause with a word the reader did not know
        # ("pain", "obvious", "checking", "told", "here's") or a request after "if you could" was
        # read as the question's topic; past an asking word, "need" did not end the lead.
        (_LICENCE, "sorry to be a pain but how much is a fishing licence"),
        (_LICENCE, "this is probably obvious but how much is a fishing licence"),
        (_LICENCE, "just checking - how much is a fishing licence"),
        (_LICENCE, "i was told to ask here: how much is a fishing licence"),
        (_LICENCE, "ok here's one: how much is a fishing licence"),
        (_LICENCE, "wondering if you could tell me how much a fishing licence is"),
        (_LICENCE, "can i just check how much a fishing licence is"),
        (_LICENCE, "right so how much is a fishing licence"),
        (_LICENCE, "how much is a fishing licence (urgent)"),
        (_LICENCE, "how much is a fishing licence (sorry if obvious)"),
        (_LICENCE, "how much is a fishing licence - need this for work"),
        # Never foreseen, word for word: a word of thanks among the last three and whatever follows.
        (_LICENCE, "how much is a fishing licence ta muchly"),
        (_LICENCE, "how much is a fishing licence? many thanks, jo"),
        # Two spaces or a line break between "how" and "many" hid the "how many" asked: only the
        # closest.
        (_PEERS, "how  many hereditary peers still sit in the lords"),
        (_PEERS, "how\nmany hereditary peers still sit in the lords"),
        (_PEERS, '"how many hereditary peers still sit in the lords" 🤔'),
    ],
)
def test_how_a_question_is_wrapped_or_spaced_changes_nothing(news: Library, plain: str, said: str) -> None:
    as_written, wrapped = news.ask(plain), news.ask(said)
    assert wrapped.outcome == as_written.outcome == "answer"
    assert wrapped.results[0].passage == as_written.results[0].passage
    assert wrapped.confidence == as_written.confidence


def test_what_a_polite_preamble_leaves() -> None:
    assert asked_part("quick question: how many peers are left?") == "how many peers are left?"
    assert asked_part("i was wondering if the pm spoke to trudeau") == "if the pm spoke to trudeau"
    assert asked_part("ok so, what did dan corry do") == "what did dan corry do"
    # The question starts at the last asking word after chat, not the first ("if"), and chat words
    # after it are the question's: "need" here is asked, not chat.
    assert asked_part("sorry if this is a silly question but are the changes going ahead") == (
        "are the changes going ahead"
    )
    assert asked_part("sorry to be a pain but do i need a visa to go to albania") == (
        "do i need a visa to go to albania"
    )
    assert asked_part("right so colley date of death") == "colley date of death"
    assert asked_part("sorry if this is a silly question but colley date of death") == "colley date of death"
    # "tell me about …" looks an announcement up, and a greeting alone is small talk: both kept; so
    # are the names that open with a word a preamble may hold.
    for kept in (
        "can you tell me about the bingham lecture",
        "hi",
        "history of the house",
        "right to buy discount",
        "help to buy isa",
        "well being of veterans",
        "so called legal highs",
        # Chat words are topics too, in a clause with a topic word or where a question starts.
        "help to buy how does it work",
        "urgent care centres how many are there",
        "what interest does the nsi investment bond pay",
        "what is the nic election consultation trying to find out?",
        "how many people have no close friend",
        "where can veterans get help",
        "how do i apply for help",
        "as a student how much can i borrow",
        "what do i think",
        "next steps for housing how much",
        "looking after children how much",
    ):
        assert asked_part(tidy(kept)) == kept
    assert asked_part("sorry to bother you but above what salary are advisers named") == (
        "above what salary are advisers named"
    )
    assert asked_part("i'd like to find out abwr consultation dates") == "abwr consultation dates"
    # A sign-off with no mark before it starts at a word of thanks: "help" and "answer" before one
    # may be what is asked.
    assert asked_part("how do i ask for help thanks") == "how do i ask for help"
    assert asked_part("who does the panel answer to for a friend") == "who does the panel answer to"


def test_a_year_range_and_text_speak_are_read_as_gov_uk_writes_them() -> None:
    assert tidy("pupil premium for 201718") == "pupil premium for 2017-18"
    assert tidy("born in 1999 2000 or 201415?") == "born in 1999 2000 or 2014-15?"
    assert tidy("whats the most u can get") == "whats the most you can get"
    assert tidy("r&d tax relief") == "r&d tax relief"


def test_an_inflected_everyday_word_reaches_what_its_base_form_does(seed: Library) -> None:
    # "rise" stands for "increase" in the text; "rises" did not, and the quote was the National Living
    # Wage's "biggest pay rise in 20 years", not what slow pay growth did to living standards.
    result = seed.ask("how have a decade of low pay rises hit living standards")
    assert result.outcome == "answer" and result.answer is not None
    assert "has slowed the rate of growth in living standards" in result.answer.sentence


def test_everyday_words_reach_the_words_govuk_writes(seed: Library) -> None:
    # "tech" is "technology" in the text, "stop" is "disrupt"; the amount is in another paragraph than
    # the one about a consortium's grant, which the question's own words find first.
    result = seed.ask("how much did javid give for tech to stop live streamed abuse")
    assert result.outcome != "none" and result.results
    assert "£300,000" in result.results[0].sentence


def test_american_spelling_finds_the_british_text(news: Library) -> None:
    result = news.ask("communities that need better flood defenses")
    assert "flood defences" in result.results[0].passage


@contextmanager
def library_of(tmp_path: Path, bodies: dict[str, str]) -> Iterator[Library]:
    """A store holding only announcements with these titles and bodies."""
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    try:
        items = [news_item(n, title=title, body=body) for n, (title, body) in enumerate(bodies.items(), 1)]
        library.ingest([write_jsonl(tmp_path / "news.jsonl", items)], progress=False)
        yield library
    finally:
        library.close()


def test_another_form_of_an_irregular_verb_finds_the_text(tmp_path: Path) -> None:
    # The stemmer joins "buy", "buys" and "buying", but "bought" is another word to it.
    with library_of(
        tmp_path,
        {
            "Empty homes brought back into use": (
                "The council bought 40 empty homes in Hull last year and let them to families."
            ),
            "Housing advice service": (
                "Families in Hull who want to buy a home can get advice from the council's housing team."
            ),
        },
    ) as library:
        result = library.ask("how many homes did hull council buy")
    assert result.results and "bought 40 empty homes" in result.results[0].passage


def test_asking_for_a_phone_number_never_quotes_a_passage_without_one(tmp_path: Path) -> None:
    with library_of(
        tmp_path,
        {
            "DVSA press office": (
                "The DVSA press office deals with enquiries from journalists about driving tests, "
                "MOT testing and vehicle safety. Press office staff can be reached by phone every weekday."
            ),
            "Media enquiries": (
                "Journalists can call the DVSA newsdesk on 0300 123 9000. Out of hours, use the same number."
            ),
        },
    ) as library:
        result = library.ask("dvsa press office phone number")
    # The passage that repeats the question's words gives no number to call: never the answer. Which
    # of the two comes first is the fitted ranker's call (the title names the press office); the one
    # with the number is offered either way.
    assert result.answer is None or "0300 123 9000" in result.answer.passage
    assert any("0300 123 9000" in r.passage for r in result.results[:2])


def test_thousands_as_people_write_them_find_the_number_in_full(seed: Library, news: Library) -> None:
    # GOV.UK writes "£300,000" and "5,000 homes"; people type "300k" and "5k".
    pledge = seed.ask("what was the 300k for")
    assert pledge.outcome == "answer" and pledge.answer is not None
    assert "£300,000" in pledge.answer.sentence
    homes = news.ask("which fund will deliver 5k homes")
    assert homes.outcome == "answer" and homes.answer is not None
    assert "5,000 homes" in homes.answer.sentence


def test_the_bold_sentence_is_the_one_that_answers_not_the_one_that_repeats_the_topic(news: Library) -> None:
    # The passage's other sentences name the door supervisor too; only one says how he was found.
    result = news.ask("how did the police find the unlicensed doorman")
    assert result.results and "Northumbria Police were investigating" in result.results[0].sentence


def test_how_much_question_gets_the_passage_with_the_amount(seed: Library) -> None:
    result = seed.ask("how much did the home secretary pledge for the live streaming tech")
    assert result.outcome == "answer"
    assert result.answer is not None and "£300,000" in result.answer.passage
    assert "£300,000" in result.answer.sentence  # the bold sentence is the one that answers


BINGHAM = "Attorney General's 2024 Bingham Lecture on the rule of law"


def test_words_typed_to_look_an_announcement_up_are_answered_by_it(news: Library) -> None:
    result = news.ask("bingham lecture rule of law")
    assert result.outcome == "answer"
    assert result.answer is not None and result.answer.title == BINGHAM


def test_asking_to_be_told_about_an_announcement_is_answered_by_its_opening(news: Library) -> None:
    # The /start examples are asked this way ("Tell me about <headline>"): they must get an answer,
    # and the passage that says what the announcement is about, not one deep in the speech.
    result = news.ask("tell me about the bingham lecture")
    assert result.outcome == "answer"
    assert result.answer is not None and result.answer.title == BINGHAM
    whole = news.announcement(result.answer.announcement_id)
    assert whole is not None
    assert whole.body.lstrip().startswith(result.answer.passage.split("\n")[0][:60])


@pytest.mark.parametrize("typed", ["fireworks", "tell me about fireworks", "Fireworks"])
def test_one_word_that_only_one_title_holds_is_answered_by_that_announcements_opening(
    news: Library, typed: str
) -> None:
    # Its shortest passage with the word was quoted: "Firework timings may differ in Scotland."
    result = news.ask(typed)
    assert result.outcome == "answer" and result.answer is not None
    assert result.answer.title == "Stay safe this fireworks season"
    whole = news.announcement(result.answer.announcement_id)
    assert whole is not None
    assert whole.body.lstrip().startswith(result.answer.passage.split("\n")[0][:60])


def test_a_question_that_only_names_an_announcement_shows_it_rather_than_nothing(news: Library) -> None:
    result = news.ask("what was in the bingham lecture on the rule of law?")
    assert result.outcome == "closest"  # not a question it can be sure is answered, but not "nothing"
    assert result.answer is None
    assert result.results[0].title == BINGHAM


def test_an_off_topic_question_is_not_answered(news: Library) -> None:
    result = news.ask("how do i renew my passport")
    assert result.outcome != "answer" and result.answer is None


def test_an_unknown_word_no_longer_vetoes_the_right_passage(news: Library) -> None:
    # "lockup" is in no announcement; the rest of the question still finds the SIA prosecution.
    result = news.ask("how many weeks in lockup for the unlicensed door supervisor")
    assert result.outcome != "none"
    assert "18 weeks" in result.results[0].passage


def test_a_word_a_small_corpus_lacks_does_not_sink_a_right_answer(seed: Library) -> None:
    # The seed file's 46 passages never say "hurt", "chancellors" or "according": a missing word
    # weighs like the question's other words, not as the rarest word could, so answers are quoted.
    for question, expect in (
        ("could the extradition plans hurt firms in hong kong?", "UK and Canadian citizens"),
        ("whats the chancellors long term goal on low pay", "ending low pay altogether"),
        ("how long has the uk economy been growing according to hammond", "nine straight years"),
    ):
        result = seed.ask(question)
        assert result.outcome == "answer" and result.answer is not None, question
        assert expect in result.answer.passage, question


def test_further_matches_may_hold_another_paragraph_of_the_same_announcement(news: Library) -> None:
    result = news.ask("hereditary peers house of lords", top_k=6)
    ids = [p.announcement_id for p in result.results]
    assert len(ids) > len(set(ids)), "no second paragraph of any announcement"
    assert max(ids.count(i) for i in ids) <= 2


def test_search_lists_one_passage_per_announcement_and_never_declines(news: Library) -> None:
    results = news.search("fishing licence", limit=10)
    titles = [r.title for r in results]
    assert titles and len(titles) == len(set(titles))
    assert any("licence" in r.passage for r in results)


def test_withdrawn_announcements_rank_below_current_ones(tmp_path: Path) -> None:
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    body = "The scheme pays £500 to every household that installs a heat pump before April."
    records = [
        AnnouncementRecord(
            title="Heat pump grant",
            body=body,
            url="https://www.gov.uk/government/news/heat-pump-grant-old",
            published=datetime(2020, 1, 1, tzinfo=UTC),
            extra={"withdrawn_at": "2021-01-01T00:00:00Z", "withdrawn_explanation": "The scheme closed."},
        ),
        AnnouncementRecord(
            title="Heat pump grant",
            body=body + " Apply online.",
            url="https://www.gov.uk/government/news/heat-pump-grant",
            published=datetime(2019, 1, 1, tzinfo=UTC),
        ),
    ]
    try:
        library.ingest_records(records)
        assert library.ask("how much is the heat pump grant").results[0].withdrawn_at is None
        listed = library.search("heat pump grant household")
        assert [r.withdrawn_at for r in listed] == [None, datetime(2021, 1, 1, tzinfo=UTC)]
    finally:
        library.close()


def test_ask_json_gives_the_outcome_and_a_confidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url(tmp_path / "store.db"))
    for question in ("how much cash did javid pledge for the streaming tools", "recipe for chocolate cake"):
        assert cli(["ask", question, "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["outcome"] in ("answer", "closest", "none")
        assert 0.0 <= data["confidence"] <= 1.0
        assert (data["answer"] is not None) == (data["outcome"] == "answer")


def test_search_json_is_one_object_with_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("DATABASE_URL", db_url(tmp_path / "store.db"))
    assert cli(["search", "blackpool tower locomotive", "--top-k", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["results"] and 1 <= len(data["results"]) <= 2
    assert data["results"][0]["title"] == "Blackpool Tower rides again"
    assert {"passage", "sentence", "url", "published", "score"} <= set(data["results"][0])


def test_eval_reports_the_training_and_held_out_halves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, tmp_path)
    assert cli(["eval", str(QUESTIONS / "seed.jsonl"), "--corpus", str(SEED_FILE)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| seed |")]
    assert [row.split("|")[2].strip() for row in rows] == ["train", "heldout"]
    assert "hit@1" in out and "unanswerable declined" in out


def test_every_question_set_is_split_once_into_two_halves() -> None:
    for path in sorted(QUESTIONS.glob("*.jsonl")):
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        splits = [item.get("split") for item in items]
        assert set(splits) == {"train", "heldout"}, path.name
        assert abs(splits.count("train") - splits.count("heldout")) <= 2, path.name
        assert sum(1 for i in items if i.get("unanswerable")) >= 8, path.name


def test_the_strangers_sets_are_held_out_whole() -> None:
    # Written by someone who never saw the code or the other sets: nothing may be fitted on them.
    paths = sorted((QUESTIONS / "strangers").glob("*.jsonl"))
    assert len(paths) == 3
    for path in paths:
        items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        assert {item.get("split") for item in items} == {"heldout"}, path.name
        assert sum(1 for i in items if i.get("unanswerable")) >= 8, path.name


def test_the_fitted_weights_match_the_evidence_the_ranker_computes() -> None:
    weights = load_weights()  # raises if the features changed and nobody refitted
    assert 0.0 < weights.closest_threshold <= weights.answer_threshold < 1.0


def test_a_when_question_is_not_answered_by_a_passage_without_a_date(tmp_path: Path) -> None:
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    body = (
        "Roads around the riverside park will be closed for the lantern festival, and visitors are "
        "asked to use the park and ride service from the northern car parks."
    )
    try:
        library.ingest_records(
            [AnnouncementRecord(title="Lantern festival road closures", body=body, url="https://x/lantern")]
        )
        result = library.ask("when is the lantern festival")
        assert result.results and "lantern festival" in result.results[0].passage
        assert result.outcome != "answer"  # the passage gives no date: at most the closest
    finally:
        library.close()


@pytest.mark.parametrize(
    "question",
    [
        "whats the fine for fishing without a licence",
        "what is the fee to register a trade mark",
        "how big a fine did he get",
        "whats the max penalty for flying a drone there",
    ],
)
def test_a_fine_a_fee_or_a_penalty_is_asked_as_a_sum_of_money(question: str) -> None:
    # So only a passage that gives a sum can answer it confidently (the kind-of-fact rule).
    assert wanted_type(question) == "amount"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how much is a fishing licence", "amount"),
        ("how much did the ad campaign cost", "amount"),
        ("how much funding is going into flood defences", "amount"),
        ("how much annual leave do staff get", "number"),
        ("how much sand was dredged from the harbour", "number"),
        ("how much of the steel we export goes to europe", "number"),
    ],
)
def test_how_much_asks_for_a_sum_or_for_a_quantity_of_what_follows(question: str, kind: str) -> None:
    assert wanted_type(question) == kind


def test_how_hot_asks_for_a_figure_and_reaches_temperatures(news: Library) -> None:
    # "hot" reaches "temperatures" and "degrees"; "how hot" asks for a figure, which the passage gives.
    result = news.ask("how hot will mast upgrade get")
    assert result.outcome == "answer" and result.answer is not None
    assert "35 million degrees Celsius" in result.answer.sentence
    assert wanted_type("how cold does it get in the arctic") == "number"


def test_how_old_is_answered_by_an_age_after_a_name_or_a_birthday(news: Library, seed: Library) -> None:
    # "old" found "16-year-olds" in the junior licence passage, which was quoted as the brothers' age.
    # A court report gives an age after the name; a celebration gives it as a birthday.
    brothers = news.ask("how old were the brothers caught fishing on the avon")
    tower = seed.ask("how old is the tower in blackpool")
    assert brothers.outcome == "answer" and brothers.answer is not None
    assert "Liam Astley Morris, 19 and Joseph Astley Morris, 21" in brothers.answer.passage
    assert tower.outcome == "answer" and tower.answer is not None
    assert "the 125th birthday of the iconic structure" in tower.answer.sentence


def test_when_is_answered_by_a_date_at_a_sentences_start_or_a_decade(seed: Library) -> None:
    # "Last month…" opening a sentence, and "the 1990s", were not read as dates: the passage seemed to
    # lack the kind of fact asked for, and the right quote was only offered as the closest.
    paper = seed.ask("when did the online harms white paper come out")
    name = seed.ask("when was the blackpool loco first given its name")
    assert paper.outcome == "answer" and paper.answer is not None
    assert paper.answer.sentence.startswith("Last month the Home Secretary launched the Online Harms White")
    assert name.outcome == "answer" and name.answer is not None
    assert "first carried the name back in the 1990s" in name.answer.sentence


def test_when_an_event_was_held_is_answered_whatever_verb_the_text_uses(seed: Library) -> None:
    # The text says the Home Secretary "convened a Hackathon": "held" weighed as half of the question,
    # and the passage that answers was declined.
    result = seed.ask("when was the hackathon held")
    assert result.outcome == "answer" and result.answer is not None
    assert "in November the Home Secretary convened a Hackathon" in result.answer.sentence


def test_how_long_bolds_the_sentence_that_gives_the_span(news: Library) -> None:
    # The passage was right, but the bold sentence was the one that says what he pleaded guilty to:
    # a reader saw "13 May 2024" first, not the sentence.
    result = news.ask("how long in prison for the unlicensed door supervisor")
    assert result.answer is not None
    assert result.answer.sentence.startswith("He was sentenced to 18 weeks imprisonment")


def test_a_yearly_licence_is_an_annual_one(news: Library) -> None:
    result = news.ask("how much is a yearly fishing licence")
    assert result.outcome == "answer" and result.answer is not None
    assert "an annual licence costs from £35.80" in result.answer.sentence


def test_a_question_word_and_the_next_word_are_no_compound(news: Library) -> None:
    # "who led" joined is "wholed", stemmed "whole": a word of the Bingham lecture stood in for "led".
    query = analyse("who led the cqc review", vocab_of(news.index))
    assert all("whole" not in concept.terms for concept in query.concepts)


def test_hk_is_hong_kong(seed: Library) -> None:
    # Before, "hk" was a word the corpus lacked: nothing answered, and the nearest passage was about
    # retraining for new technology.
    result = seed.ask("what hk law is being changed")
    assert result.outcome != "none"
    assert result.results[0].title == "UK and Canada joint statement on Hong Kong"


def test_the_unit_a_question_asks_in_is_not_its_topic(news: Library) -> None:
    # "What date…" is answered by "15 October", not by the word "date": there the word is part of the
    # asking, weighed as filler; in "closing date" it is what the question is about.
    vocab = vocab_of(news.index)

    def weight_of_date(question: str) -> float:
        return next(c.weight for c in analyse(question, vocab).concepts if c.word == "date")

    assert weight_of_date("what date is the hereditary peers vote") < 0.5 * weight_of_date(
        "hereditary peers vote date"
    )


def test_every_curated_stand_in_can_match_the_index() -> None:
    # A stand-in made only of stop-words or symbols is dropped silently: "extra" -> "further" never
    # reached "pledged a further £300,000", since "further" is not indexed.
    dead = {
        word: stand_in
        for word, stand_ins in [
            *SYNONYMS.items(),
            *((" ".join(k), v) for k, v in [*PHRASES.items(), *PARTICLES.items()]),
        ]
        for stand_in in stand_ins
        if not any(term(part) for part in words(stand_in) or [stand_in])
    }
    assert dead == {}


@pytest.mark.parametrize(
    ("kind", "sentence", "holds"),
    [
        ("date", "Last month the Home Secretary launched the Online Harms White Paper.", True),
        ("date", "It first carried the name back in the 1990s.", True),
        ("date", "As the UK leaves the EU, the Spring Budget puts economic stability first.", False),
        ("person", "The account is managed by the digital engagement team.", True),
        ("person", "The audit committee meets four times a year.", False),
        ("place", "Datasets published by BIS can be found on data.gov.uk", True),
        ("place", "Your placement year will be spent in our Bath office.", True),
        ("place", "In Cornwall, the beach was closed.", True),
    ],
)
def test_the_kind_of_fact_a_sentence_holds(kind: AnswerType, sentence: str, holds: bool) -> None:
    # What decides whether a passage can answer "when", "who" or "where" at all: a sentence opening
    # "Last month…" gives a date, the Spring Budget's name does not; a committee is what "who chairs
    # the audit committee?" asks about, not who.
    assert has_fact(kind, sentence) is holds


@pytest.mark.parametrize(
    ("sentence", "named"),
    [
        ("Joint statement by Foreign Secretary, Jeremy Hunt and Minister of Foreign Affairs.", True),
        ("Home Secretary Sajid Javid said:", True),
        ("The Secretary of State for Health will respond.", False),
        ("The Minister for Foreign Affairs will respond.", False),
    ],
)
def test_a_role_then_a_name_is_a_named_person(sentence: str, named: bool) -> None:
    # Only "Jeremy Hunt, Foreign Secretary" read as naming someone precisely; GOV.UK's usual order,
    # role first, weighed as any capitalised words do ("Hong Kong"), so the Hong Kong statement's
    # signatories' passage ranked below two that name no one.
    assert parse(sentence).flags("person", strong=True) == (named,)


def test_an_item_published_twice_is_answered_as_if_once(tmp_path: Path) -> None:
    # GOV.UK publishes some items twice (a notice under two offices, a message from each embassy). The
    # copy's passage scored as high as the original's, so the answer seemed to have no lead over the
    # other announcements, and the bot declined; and the copy filled "More matches" with the same text.
    items = [json.loads(line) for line in NEWS_2024.read_text(encoding="utf-8").splitlines()]
    angling = next(i for i in items if i["title"].startswith("Angling brothers"))
    copy = {**angling, "url": angling["url"] + "-copy", "organisation": "Environment Agency Wales"}
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    library.ingest([write_jsonl(tmp_path / "news.jsonl", [*items, copy])], progress=False)
    try:
        result = library.ask("how old were the brothers caught fishing on the avon")
        assert result.outcome == "answer" and result.answer is not None
        assert "Liam Astley Morris, 19 and Joseph Astley Morris, 21" in result.answer.passage
        texts = [r.passage for r in library.ask("whats the price of a one day fishing licence").results]
        assert len(texts) == len(set(texts))
    finally:
        library.close()


def test_who_is_not_answered_by_a_name_the_question_gives(seed: Library) -> None:
    # "UK and Canadian citizens in Hong Kong" read as naming someone: the question's own words looked
    # like the answer, and the bot quoted a passage that names neither signatory.
    result = seed.ask("who signed the hong kong statement from the uk and canada")
    assert result.answer is None or "Jeremy Hunt" in result.answer.passage


def test_confidences_taken_together_are_each_the_one_computed_alone(news: Library) -> None:
    # The answer path scores its results' confidences in one batch; each must be the float the
    # confidence model gives that result's own features, or an outcome could flip at a threshold.
    from retrieval.answer import _confidences, confidence_features, rank_passages
    from retrieval.ranking.model import sigmoid

    weights = load_weights()
    questions = [json.loads(line)["q"] for line in (QUESTIONS / "govuk-2024.jsonl").read_text().splitlines()]
    checked = 0
    for question in questions[:60]:
        query = analyse(question, vocab_of(news.index))
        ranked = rank_passages(news.index, news.store, query, weights)
        positions = list(range(min(len(ranked.candidates), 20)))
        alone = [
            sigmoid(float(weights.confidence.logits(confidence_features(ranked, at)[None, :])[0]))
            for at in positions
        ]
        assert _confidences(ranked, weights, positions) == alone, question
        checked += len(positions)
    assert checked > 500


def test_a_title_holds_the_same_question_words_read_from_its_words_or_its_terms(news: Library) -> None:
    # Titles are matched against the question from their words, stemming only those that begin as
    # one of the question's terms does (a stem keeps its word's first letter). Were that ever untrue
    # for a title, a question naming the topic would be told its topic is missing, and the passage
    # answering it would rank below one about something else.
    vocab = vocab_of(news.index)
    questions = [
        json.loads(line)["q"]
        for name in ("govuk-2024.jsonl", "content-api.jsonl", "seed.jsonl")
        for line in (QUESTIONS / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    titles = {
        json.loads(line).get("title", "")
        for name in ("govuk-2024.jsonl", "content-api.jsonl", "seed.jsonl")
        for line in (QUESTIONS / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    } | {"Skies over Yorkshire: early, ugly and dying news", "Ŷes — Œuvres d'Ørsted: £2,000 in 2024"}
    assert len(questions) > 1000 and len(titles) > 100
    for question in questions:
        covered = Coverage(analyse(question, vocab))
        for title in titles:
            assert covered.words_mask(words(title)) == covered.mask(tokenize(title)), (question, title)


def test_which_firms_asks_for_a_body_as_which_firm_does(news: Library) -> None:
    # Only the singular asked for a body, so the bold was the homes the funds will build, not who
    # launched them.
    result = news.ask("which firms launched the new impact funds")
    assert result.results[0].title.startswith("Hundreds of millions of new investment")
    assert "Schroders" in result.results[0].sentence


def test_how_long_is_answered_by_a_length_of_time_without_a_figure(news: Library) -> None:
    # "For almost a quarter of a century" read as no length of time, so the Bingham lecture's
    # "some 40 years ago" (when the convention was found, not how long the Act has stood) came first.
    result = news.ask("how long has the human rights act been in place")
    assert result.outcome == "answer" and result.answer is not None
    assert "quarter of a century, the Human Rights Act" in result.answer.sentence


def test_come_across_finds_discovered(news: Library) -> None:
    # "come across" is "discovered" in the lecture; "across" is no word the index keeps, and "come"
    # alone left the passage as the closest only.
    result = news.ask("where did starmer come across the human rights convention")
    assert result.outcome == "answer" and result.answer is not None
    assert "discovered the Convention in a law library in Leeds" in result.answer.sentence


def test_what_is_the_total_cost_asks_for_a_sum_of_money(news: Library) -> None:
    # The Pevensey notice gives the scheme's length (15 years) and its partners (4 councils), never
    # its cost: the opening paragraph was quoted as the total cost.
    result = news.ask("what is the total cost of the pevensey to eastbourne coastal scheme")
    assert result.results[0].title == "Updated plans to protect Pevensey and Eastbourne from flooding"
    assert result.outcome != "answer"


def test_a_line_saying_whose_statement_it_is_is_bold_for_who(seed: Library) -> None:
    # "Joint statement by Foreign Secretary, Jeremy Hunt and Minister of Foreign Affairs, Chrystia
    # Freeland:" ends with a colon, as a heading does, so the passage bolded the sentence after it.
    result = seed.ask("who signed the uk canada statement on hong kong")
    names = next(p for p in result.results if "Chrystia Freeland" in p.passage)
    assert "Jeremy Hunt" in names.sentence


def test_the_asking_words_may_follow_the_topic(seed: Library) -> None:
    # "where" was the eighth word, so the question asked for no place, and the passage on the
    # repainted locomotive came first over the one naming where the seaside specials ran from.
    result = seed.ask("my dad used to go on those seaside trains, where did they go from")
    assert "from Manchester Victoria Station" in result.results[0].passage


def test_scrutinised_reaches_scrutiny(seed: Library) -> None:
    # The stemmer keeps "scrutinis" and "scrutini" apart: the statement's passage on "the highest
    # levels of scrutiny, including in the Legislative Council" was third.
    result = seed.ask("where do they want the extradition proposals properly scrutinised")
    assert result.outcome == "answer" and result.answer is not None
    assert "including in the Legislative Council" in result.answer.sentence


@pytest.mark.parametrize(
    ("question", "first"),
    [
        # "37407 is one of several DRS locomotives…": the engine's number and "one of several" count
        # nothing, and the seed file never says how many were repainted; it was quoted as the answer.
        ("how many DRS locos got the large logo repaint in total", "37407 is one of several"),
        # The Blackpool Tower story names DRS and never says what it stands for: "Paul Makepeace,
        # Head of Delivery at DRS, attended…" was quoted as the answer.
        ("what does drs stand for", "Head of Delivery at DRS"),
        # "at DRS" read as a place, and the same sentence was quoted as where the ceremony was held,
        # which the story never says.
        ("where was the naming ceremony for 37407 held", "attended the naming ceremony"),
        # "'One County, Two Systems'" (sic) counted as numbers, so the joint statement's passage on
        # it was quoted as how many UK citizens live in Hong Kong, which it never says.
        ("how many uk citizens live in hong kong", "One County, Two Systems"),
        # "Which tech companies" asks for their names, which the story never gives: "The Home
        # Secretary met representatives from five… technology companies" was quoted as the answer.
        (
            "which tech companies did the home secretary meet about live streaming abuse",
            "five small and medium",
        ),
        ("which two tech firms did the home secretary meet about live streaming", "five small and medium"),
    ],
)
def test_a_question_the_seed_file_leaves_open_is_not_answered(
    seed: Library, question: str, first: str
) -> None:
    result = seed.ask(question)
    assert first in result.results[0].passage
    assert result.outcome != "answer"


def test_so_in_front_of_a_question_leaves_what_it_asks(seed: Library) -> None:
    # With "so" first, the message no longer opened with a question word, so its "where" (eighth
    # word) asked for a place: the answer turned into another passage, offered as the closest.
    question = "could this tech help police work out where people are watching abuse from"
    plain, so = seed.ask(question), seed.ask(f"so {question}")
    assert plain.outcome == "answer", "precondition"
    assert (so.outcome, so.results[0].chunk_id) == (plain.outcome, plain.results[0].chunk_id)


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        # "Which uk minister" asked for no kind of fact ("which minister" did), and "‘One County, Two
        # Systems’" read as two names: the passage on it was quoted as who signed.
        ("which uk minister signed the joint statement on hong kong extradition", "answer"),
        ("which canadian minister signed the hong kong statement", "answer"),
        # "…conversations with the Hong Kong Government" named someone: "Government" alone was a body.
        ("who put their names to the uk canada statement on hong kong", "closest"),
    ],
)
def test_who_signed_a_statement_is_the_passage_naming_its_signatories(
    seed: Library, question: str, outcome: str
) -> None:
    result = seed.ask(question)
    assert "Jeremy Hunt" in result.results[0].sentence
    assert result.outcome == outcome


@pytest.mark.parametrize(
    "question",
    [
        "which five companies pitched their anti-livestream tools to javid",
        "names of the 5 tech firms that showed javid the anti abuse streaming tools pls",
    ],
)
def test_which_five_companies_is_not_answered_by_a_sentence_naming_none(seed: Library, question: str) -> None:
    # "The Home Secretary met representatives from five small and medium sized technology companies"
    # names none of them; it was quoted as the answer.
    result = seed.ask(question)
    assert "five small and medium sized technology companies" in result.results[0].passage
    assert result.outcome != "answer"


@pytest.mark.parametrize(
    ("question", "held"),
    [
        # Chat no list of greetings foresaw, in front of the question: its words counted as topics
        # the answer lacks, and the right passage, though first, was nothing or the closest.
        ("i've been looking everywhere, where is the pevensey bay drop in", "2 Collier Rd"),
        ("i'm a bit lost, when did starmer speak to trudeau", "yesterday evening"),
        # …and after it: a short clause set off by a dash or a comma, or a remark after its question mark.
        ("when did starmer speak to trudeau - asking for my nan", "yesterday evening"),
        ("where is the pevensey bay drop in, no rush", "2 Collier Rd"),
        ("where is the pevensey bay drop in? saw it on the environment agency site", "2 Collier Rd"),
    ],
)
def test_chat_around_a_question_does_not_keep_it_from_its_answer(
    news: Library, question: str, held: str
) -> None:
    result = news.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert held in result.answer.sentence


def test_words_in_front_of_a_later_question_still_name_its_topic(seed: Library) -> None:
    # Asked alone, "where did they go from" finds a passage of the Chancellor's speech ("…can go
    # hand-in-hand") more surely than the whole message finds the seaside specials: the words in front
    # are its topic, and a reading without them that points elsewhere is not taken.
    result = seed.ask("my dad used to go on those seaside trains, where did they go from")
    assert result.results[0].title == "Blackpool Tower rides again"


def test_how_old_someone_is_is_not_answered_by_a_passage_without_an_age(news: Library) -> None:
    # The SIA's court report gives the day Samuel Miller pleaded guilty, never his age: it was quoted.
    result = news.ask("how old is samuel miller the door supervisor")
    assert "Samuel Miller pleaded guilty" in result.results[0].passage
    assert result.outcome != "answer"
    # An age the text gives still answers.
    aged = news.ask("how old are the astley morris brothers")
    assert aged.outcome == "answer" and aged.answer is not None
    assert "Liam Astley Morris, 19" in aged.answer.passage


def test_what_am_i_supposed_to_do_offers_the_passage_that_says(news: Library) -> None:
    # "Supposed", a word no item uses, weighed as the question's topic, and "gone off" shared no word
    # with "letting off fireworks": nothing was offered, though the passage that says what to do
    # ("…soak it in water overnight. Then put it in a rubbish bag and in the bin.") was first.
    result = news.ask("what am i supposed to do with used fireworks after they've gone off")
    assert result.outcome != "none"
    assert "soak it in water overnight" in result.results[0].passage


def test_which_class_is_answered_by_the_sentence_naming_the_class(seed: Library) -> None:
    # "37407 is one of several DRS locomotives…" came first; the class is named in "The vintage
    # ‘Class 37’ loco…".
    result = seed.ask("what class of train is the blackpool tower loco")
    assert result.outcome == "answer" and result.answer is not None
    assert "‘Class 37’" in result.answer.sentence


@pytest.mark.parametrize(
    "question",
    ["where did those old seaside specials set off from", "where did the old seaside trains go from"],
)
def test_old_reaches_the_vintage_the_text_says(seed: Library, question: str) -> None:
    # The seed file never writes "old": the word weighed as a missing topic, and the passage on the
    # vintage loco's seaside specials "from Manchester Victoria Station" was the closest or nothing.
    result = seed.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert "from Manchester Victoria Station" in result.answer.passage


@pytest.mark.parametrize(
    ("question", "held"),
    [
        # "Anyone with information about illegal fishing activities can contact the Environment
        # Agency incident hotline 24/7 on 0800 807060": the licence sales number came first, from a
        # passage that also says "where illegal fishing is reported".
        ("who do i call to report illegal fishing", "0800 807060"),
        ("phone number to report illegal fishing", "0800 807060"),
        # "yr" was no word the corpus uses: "Remember it is illegal for under 18s to buy fireworks."
        # was only the closest.
        ("can a 14 yr old buy fireworks", "illegal for under 18s to buy fireworks"),
        ("can my 17 yr old get fireworks from a shop", "illegal for under 18s to buy fireworks"),
        # "The scientists aim to conduct over 50 experiments…" (a number, but no temperature) was
        # quoted above "…operate at higher temperatures (35 million degrees Celsius…)".
        ("how hot does the mast upgrade plasma get now", "35 million degrees Celsius"),
        ("what temperature will mast upgrade reach in the new campaign", "35 million degrees Celsius"),
        # "The landmark legislation will remove the right of the remaining 92…" (the new Bill, which
        # names no Act) was quoted over "…under the House of Lords Act 1999".
        ("what legislation ended most hereditary peers seats", "House of Lords Act 1999"),
        # "The report provides seven specific recommendations…" is the CQC story's sixth passage, below
        # five that name Dr Dash more often and count nothing: nothing was quoted.
        ("how many recommendations did penny dash make in her cqc report", "seven specific recommendations"),
        # "Drop-in events are being held… across Eastbourne and Pevensey" (places, but not where) came
        # above the address: "St Wilfrid’s Church Hall, 2 Collier Rd, Pevensey Bay BN24 6EZ".
        ("where is the pevensey bay drop in", "2 Collier Rd"),
    ],
)
def test_what_a_question_asks_for_reaches_the_sentence_giving_it(
    news: Library, question: str, held: str
) -> None:
    result = news.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert held in result.answer.sentence
