"""Real GOV.UK Content API items, read and cut into passages as the bot quotes them.

Every item here is a byte-identical copy of a published example (tests/data/content-api/SOURCES.md),
read through the same reader and chunker as ingest: read_file, then chunk_body on the stored body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from retrieval.announcement import AnnouncementRecord, Block, parse_body
from retrieval.answer import Answer
from retrieval.chunking import MAX_CHARS, chunk_body
from retrieval.ingest import ingest_paths
from retrieval.library import Library
from retrieval.ranking.passages import parse
from retrieval.ranking.query import wanted_detail
from retrieval.sources.files import IngestError, read_file
from retrieval.store import Store, migrate
from retrieval.store.schema import Announcement
from tests.conftest_retrieval import DATA_DIR, SEED_FILE, db_url, library_for, news_item, write_jsonl

ITEMS = DATA_DIR / "content-api"
ALL_ITEMS = sorted(ITEMS.glob("*/*.json"))
Records = dict[Path, AnnouncementRecord | None]


def record(name: str) -> AnnouncementRecord:
    (found,) = read_file(ITEMS / name)
    return found


def passages(name: str) -> list[str]:
    return chunk_body(record(name).body)


def asked_of(tmp_path: Path, folders: list[str], *questions: str) -> list[Answer]:
    """The answers of a fresh store holding only these Content API folders."""
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    try:
        library.ingest([ITEMS / folder for folder in folders], progress=False)
        return [library.ask(question) for question in questions]
    finally:
        library.close()


def the_passage_with(chunks: list[str], text: str) -> str:
    found = [c for c in chunks if text in c]
    assert len(found) == 1, f"{text!r} is in {len(found)} passages"
    return found[0]


@pytest.fixture(scope="module")
def every_item() -> Records:
    """Each item file read once: its record, or None when the reader refuses it."""
    found: Records = {}
    for path in ALL_ITEMS:
        try:
            (found[path],) = read_file(path)
        except IngestError:
            found[path] = None
    return found


# -- 1. tables --------------------------------------------------------------------------------------


def test_a_small_table_is_one_passage_whose_rows_name_their_columns() -> None:
    chunks = passages("speech/speech-written-statement-parliament.json")

    table = the_passage_with(chunks, "Service children")
    # Its lead-in, every row, and in each row the column names.
    assert "will be protected at the current rates, which are:" in table
    assert "Pupils: Disadvantaged pupils: primary; Per pupil rate: £1,320" in table
    assert "Pupils: Disadvantaged pupils: secondary; Per pupil rate: £935" in table
    assert "Pupils: Service children; Per pupil rate: £300" in table


def test_rows_of_a_large_table_keep_their_column_names_in_every_passage() -> None:
    chunks = passages("html_publication/multiple_organisations.json")
    rows = [c for c in chunks if "Legal structure:" in c]

    assert len(rows) > 3  # too long for one passage: cut between rows
    assert all(len(c) <= MAX_CHARS for c in rows)
    trust = the_passage_with(chunks, "A trust;")
    assert "Legal structure: A trust; Corporate ID required: list of trustees; Individual ID required:" in (
        trust
    )
    # Each piece says which table it comes from.
    table = "Proof of identity checklist for companies and other legal structures\n"
    assert all(table in c for c in rows)
    # No row lands in a passage without its column names.
    for chunk in chunks:
        for line in chunk.split("\n"):
            if "Identity evidence for" in line:
                assert "Individual ID required: Identity evidence for" in line, line


def test_the_years_of_a_budget_table_name_its_figures() -> None:
    # The table's <thead> holds only "£ million"; the years are in its first row, under an empty corner.
    chunks = passages("html_publication/long_form_and_automatically_numbered_headings.json")

    row = the_passage_with(chunks, "Rent-a-room relief: increase to £7,500")
    line = next(x for x in row.split("\n") if "Rent-a-room" in x)
    assert line == (
        "5; Rent-a-room relief: increase to £7,500; Head: Tax; £ million 2015-16: 0; 2016-17: -5; "
        "2017-18: -10; 2018-19: -10; 2019-20: -10; 2020-21: -15"
    )


# -- 2. lead-ins before quotes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lead_in", "quote"),
    [
        (
            "case_study/best-practice-case-study.json",
            "Nick Keith said,",
            "I found that many European markets",
        ),
        (
            "case_study/best-practice-case-study.json",
            "Nick Keith, Director, Best Business English found the support of UKTI invaluable,",
            "I never dreamed I would be an exporter",
        ),
        (
            "case_study/case_study_2014.json",
            "Craig Johns, Area Manager at the HCA said:",
            "“The development at Carlisle Park offers a real choice",
        ),
        (
            "fatality_notice/fatality_notice_with_minister.json",
            "A british officer had the following to say",
            "Major General Colley was an exceptional talent",
        ),
        (
            "world_location_news_article/world_location_news_article_history_mode.json",
            "Alison Shalaby, Chief Executive of Reunite, commented:",
            "In cases of international parental child abduction",
        ),
    ],
)
def test_who_said_it_stays_with_the_quote(name: str, lead_in: str, quote: str) -> None:
    chunks = passages(name)

    assert any(lead_in in c and quote in c for c in chunks)
    assert not any(c.endswith(lead_in) for c in chunks)


def test_no_passage_ends_with_a_lead_in(every_item: Records) -> None:
    for path, item in every_item.items():
        if item is None:
            continue
        for chunk in chunk_body(item.body):
            last = chunk.rsplit("\n", 1)[-1]
            assert not re.search(r"\b(?:said|added|commented)[:,]?$", last), (path.name, last)


# -- 3. attachment boilerplate ----------------------------------------------------------------------

BOILERPLATE = (
    "assistive technology",
    "accessible format",
    "different format",
    "Order a copy",
    "KB",
    "pages)",
)


@pytest.mark.parametrize(
    "name",
    [
        "corporate_information_page/best-practice-procurement.json",
        "corporate_information_page/best-practice-governance.json",
        "corporate_information_page/best-practice-welsh-language-scheme.json",
        "detailed_guide/political_detailed_guide.json",
        "world_location_news_article/world_location_news_article_with_attachments.json",
    ],
)
def test_attachment_notices_and_file_facts_are_in_no_passage(name: str) -> None:
    html = json.loads((ITEMS / name).read_text(encoding="utf-8"))["details"]["body"]
    assert "pages</span>" in html or "assistive technology" in html  # there is boilerplate to drop
    text = "\n".join(passages(name))

    for words in BOILERPLATE:
        assert words not in text


def test_an_attachment_keeps_its_title_and_an_inline_one_its_link_text() -> None:
    procurement = passages("corporate_information_page/best-practice-procurement.json")
    governance = passages("corporate_information_page/best-practice-governance.json")

    terms = the_passage_with(procurement, "Short form terms and conditions - goods")
    assert terms.endswith(
        "Short form terms and conditions - goods\nShort form terms and conditions - services"
    )
    minutes = the_passage_with(governance, "The steering board meets throughout the year.")
    assert "• 16 September 2014\n• 25 February 2014" in minutes
    assert "PDF" not in minutes


# -- 4. headings ------------------------------------------------------------------------------------

_HEADING = re.compile(r"<h([2-6])((?:(?!class=\"[^\"]*title)[^>])*)>(.*?)</h\1>", re.S)


def headings_in(item: dict[str, object]) -> set[str]:
    """The h2-h6 texts of an item's HTML (attachment titles are not headings), found without our
    parser."""
    html = json.dumps(item.get("details")).encode().decode("unicode_escape", errors="ignore")
    found = set()
    for _, _, inner in _HEADING.findall(html.replace('\\"', '"')):
        text = " ".join(re.sub(r"<[^>]+>", " ", inner).split())
        if text:
            found.add(text)
    return found


def test_no_passage_of_any_item_ends_with_a_heading(every_item: Records) -> None:
    checked = 0
    for path, item in every_item.items():
        if item is None:
            continue
        headings = headings_in(json.loads(path.read_text(encoding="utf-8")))
        for chunk in chunk_body(item.body):
            if "\n" in chunk:
                checked += 1
                assert chunk.rsplit("\n", 1)[-1] not in headings, (path.name, chunk[-200:])
    assert checked > 300


def test_a_heading_opens_the_passage_of_the_section_it_heads() -> None:
    chunks = passages("speech/speech.json")

    section = the_passage_with(chunks, "I am very pleased to be here today")
    assert section.startswith("Introduction\nI am very pleased to be here today")


def test_the_fields_of_a_register_entry_keep_their_labels() -> None:
    # An Environment Agency permit application gives each field as a heading and a one-line value.
    # Apart, "Volume" and "4.2 cubic metres per day" were two sentences; the label, which holds the
    # question's words, was the one shown in bold.
    chunks = passages("html_publication/published.json")
    fields = the_passage_with(chunks, "Volume")
    assert "\nVolume: 4.2 cubic metres per day" in fields
    assert "Regulated facility type: Septic tank and infiltration system" in "\n".join(chunks)


def test_a_contact_line_stays_with_the_address_it_follows_not_the_next_section() -> None:
    # MOD's complaints page gives each address, then a one-line "Telephone: …" or "Email: …"
    # paragraph, then the next section's heading. Too short to stand alone, the line joined the next
    # section, so "Telephone: 01371 854 648" opened the passage on pensions complaints.
    chunks = passages("corporate_information_page/best-practice-complaints-procedure.json")

    police = the_passage_with(chunks, "Ministry of Defence Police HQ Wethersfield")
    assert police.endswith("Telephone: 01371 854 648")
    assert the_passage_with(chunks, "Complaints about pensions").startswith("Complaints about pensions")
    information_rights = the_passage_with(chunks, "Complaints regarding the handling of and response")
    assert information_rights.endswith("London SW1A 2HB\nEmail: cio-foi@mod.uk")


def old_layout(body: str) -> str:
    """A body as stored before headings and tables had blocks: headings as paragraphs, one paragraph
    per table row."""
    parts = []
    for block in parse_body(body):
        if block.kind == "heading":
            parts.append(block.text)
        elif block.kind == "table":
            parts.extend(" | ".join(c for c in row if c) for row in block.rows)
        else:
            parts.append(block.render())
    return "\n\n".join(parts)


def test_bodies_stored_before_heading_blocks_still_keep_headings_with_what_follows() -> None:
    item = record("html_publication/best-practice-HC-paper-2.json")
    body = old_layout(item.body)
    assert "## " not in body and "\n| " not in body

    chunks = chunk_body(body)

    assert not any(c.endswith("\nNumber of senior civil service staff by band") for c in chunks)
    band = the_passage_with(chunks, "Band 1 | 6 | 7")
    table = "Number of senior civil service staff by band\nSCS band | 2016-17 | 2015-16\nBand 2 | 1 | 1\n"
    assert table in band


# -- 5. description, speaker, roll call -------------------------------------------------------------


def test_the_speaker_role_place_and_date_of_a_speech_are_searchable() -> None:
    speech = passages("speech/speech.json")
    statement = passages("speech/best-practice-oral-statement.json")
    queen = passages("speech/speech-speaker-without-profile.json")

    assert speech[0] == (
        "Addressing the Gender Imbalance in the Nuclear Industry.\n"
        "Speech by The Rt Hon Andrea Leadsom MP at Women in Nuclear UK Conference, Church House Conference "
        "Centre, Dean's Yard, Westminster, London on 2 February 2016."
    )
    assert (
        "Oral statement by The Rt Hon Theresa May MP, Secretary of State for the Home Department, "
        "on 30 April 2014." in statement[0]
    )
    assert (
        "Speech by Her Majesty the Queen at House of Lords, Houses of Parliament on 18 May 2016."
        in (queen[0])
    )


def test_an_item_is_dated_as_its_gov_uk_page_dates_it() -> None:
    # GOV.UK's page says "Published 20 December 2016" (details.first_public_at); first_published_at
    # says 12 May 2016, when the draft was first saved.
    statement = record("speech/speech-written-statement-parliament.json")
    assert statement.published == datetime(2016, 12, 20, 16, 58, 14, tzinfo=UTC)
    assert record("speech/speech.json").published == datetime(2016, 3, 8, 10, 31, 22, tzinfo=UTC)


def test_when_a_consultation_opens_and_closes_is_in_its_text() -> None:
    # Fields of the item, not words of its body: GOV.UK's page states them, so the bot can say them.
    ends = {
        "call_for_evidence/open_call_for_evidence.json": (
            "This call for evidence opened at 1:01pm on 11 April 2023 and closes at 1:01pm on 16 April 2023."
        ),
        "consultation/closed_consultation.json": (
            "This consultation opened at 2pm on 5 September 2016 and closed at 5pm on 31 October 2016."
        ),
        "consultation/unopened_consultation.json": (
            "This consultation opens at 2pm on 5 October 2200 and closes at 5pm on 31 October 2210."
        ),
    }
    for name, line in ends.items():
        assert passages(name)[-1].endswith(line), name
    assert not any("closes at" in p or "closed at" in p for p in passages("news_article/news_article.json"))


def test_a_consultations_outcome_and_feedback_are_searchable(tmp_path: Path) -> None:
    # GOV.UK shows them under "Outcome" and "Feedback received", from fields beside the body: what
    # was decided was in no passage, so "did it go ahead?" could only be answered from the proposal.
    text = "\n".join(passages("consultation/best-practice-consultation.json"))
    assert "will not go ahead with the proposed amendments in April 2015" in text
    assert "We received 113 written responses from:" in text and "fire and rescue (20)" in text
    calls = "\n".join(passages("call_for_evidence/call_for_evidence_outcome.json"))
    assert "Outcome\nThis document is the response to the call for evidence" in calls
    (answer,) = asked_of(tmp_path, ["consultation"], "did the furniture fire safety changes go ahead")
    assert answer.outcome == "answer" and answer.answer is not None
    assert "will not go ahead with the proposed amendments" in answer.answer.sentence


def test_when_does_it_close_is_answered_with_the_closing_time(tmp_path: Path) -> None:
    (answer,) = asked_of(
        tmp_path, ["call_for_evidence"], "when does the youth vaping call for evidence close"
    )
    assert answer.outcome == "answer" and answer.answer is not None
    assert "closes at 1:01pm on 16 April 2023" in answer.answer.sentence


def test_a_question_about_money_is_not_answered_by_a_passage_with_only_a_count(tmp_path: Path) -> None:
    # The passage on St Helena's airport gives years and counts, and no sum: "how much did it cost"
    # is not answered by it (a figure with a unit still answers "how much sand…").
    airport, visa = asked_of(
        tmp_path,
        ["html_publication", "publication"],
        "what was the cost of building st helena airport",
        "how much does it cost to extend a tier 1 investor visa",
    )
    assert "St Helena" in airport.results[0].passage and airport.outcome != "answer"
    assert "Tier 1 (Investor)" in visa.results[0].passage and visa.outcome != "answer"


@pytest.fixture(scope="module")
def all_items(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """A store holding every Content API example in tests/data/content-api."""
    work = tmp_path_factory.mktemp("items")
    (work / "no-seeds").mkdir()
    library = library_for(work / "store.db", seeds_dir=work / "no-seeds")
    library.ingest([ITEMS], progress=False)
    yield library
    library.close()


def test_how_many_is_answered_by_a_number_of_what_it_counts(all_items: Library) -> None:
    # DfT's social media page gives a count of tweets ("between 2 to 10 tweets a day"). The youth
    # vaping call for evidence speaks of "the number of children (people aged under 18)" and gives
    # none: its other figures count something else, so it is the closest passage, not the answer.
    tweets = all_items.ask("how many tweets does dft send each day")
    vaping = all_items.ask("how many children in england use vapes")
    assert tweets.outcome == "answer" and tweets.answer is not None
    assert "2 to 10 tweets a day" in tweets.answer.sentence
    assert vaping.results[0].title == "Youth Vaping" and vaping.outcome != "answer"


def test_how_many_is_not_answered_by_a_phone_number(all_items: Library) -> None:
    # "Out of hours 020 7944 4292": the number stood within three words of "hours", so the press
    # office's line was quoted as how many hours of driving lessons one needs, which no item says.
    result = all_items.ask("how many hours of driving lessons")
    assert result.outcome != "answer"


def test_what_something_cost_is_not_answered_by_a_percentage(all_items: Library) -> None:
    # The FRANK adverts page gives no cost; its "67 per cent of young people…" made it look as if it
    # held the amount asked for, and the bot quoted it as the answer. A sum of money still answers.
    frank = all_items.ask("how much did ten years of frank cost")
    grant = all_items.ask("how much can a disabled facilities grant cost at most")
    assert frank.results[0].title == "New FRANK adverts mark tenth anniversary"
    assert frank.outcome == "closest"
    assert grant.outcome == "answer" and grant.answer is not None
    assert "£30,000" in grant.answer.passage


def test_where_can_i_find_it_is_answered_by_a_web_address(all_items: Library) -> None:
    # "On data.gov.uk" is where: read as holding no place, the passage was not quoted as the answer.
    result = all_items.ask("where do i get bis data sets from")
    assert result.outcome == "answer" and result.answer is not None
    assert result.answer.sentence == "Datasets published by BIS can be found on data.gov.uk"


def test_where_is_answered_by_our_office_in_a_town(all_items: Library) -> None:
    # "in our Bath office" was not read as a place (only "in the Bath…" was), so the bot offered the
    # placement's heading as the closest passage.
    result = all_items.ask("where is the geomatics placement based")
    assert result.outcome == "answer" and result.answer is not None
    assert "with our small team in our Bath office" in result.answer.sentence


def test_my_name_and_address_asks_about_a_document_not_for_contact_details(all_items: Library) -> None:
    # Read as a request for contact details, no passage of the identity checklist could answer it,
    # and the bot found nothing near; the answering sentence was already first.
    result = all_items.ask("can one document prove both my name and my address")
    assert result.outcome != "none"
    assert "cannot use one form of identification for both name and address" in result.results[0].sentence


def test_how_much_of_a_thing_is_answered_by_a_figure_without_a_pound_sign(all_items: Library) -> None:
    # "How much holiday…" asks for a quantity: "30 days per year" answers it. Taken as a question about
    # money, the passage looked as if it lacked the sum asked for, and the bot found nothing near.
    result = all_items.ask("how much holiday allowance do environment agency staff get")
    assert result.outcome != "none"
    assert "30 days per year" in result.results[0].sentence


def test_when_does_it_start_finds_when_it_comes_into_effect(all_items: Library) -> None:
    result = all_items.ask("when does the care act guidance start")
    assert result.outcome == "answer" and result.answer is not None
    assert "come into effect from April 2015" in result.answer.sentence


def test_an_adjective_in_y_finds_the_noun_the_text_uses(all_items: Library) -> None:
    # The Spring Budget says "added sugar drinks"; no item says "sugary".
    result = all_items.ask("what tax is there on fizzy sugary drinks")
    assert result.outcome == "answer" and result.answer is not None
    assert "Soft Drinks Industry Levy" in result.answer.sentence
    assert not result.corrections  # not a misspelling: no "Read as"


@pytest.mark.parametrize(
    ("question", "passage"),
    [
        # No item says "motorbike"; without the stand-in the question's rarest word was unknown and
        # the bot said nothing answers it, with DVSA's opening hours as the nearest passage.
        ("how do i become a motorbike instructor", "To apply to be authorised as a certified motorcycle"),
        # "Driverless" was split into "driver" and "less", two corpus words: the driving syllabus
        # came first, and the Queen's Speech on "autonomous and electric vehicles" third.
        ("will there be a law for driverless cars", "including autonomous and electric vehicles"),
        # The case study says "deaths": nothing answered "die", and the bot said so.
        ("how many babies die from gbs", "prevent the deaths of tens of thousands of newborns"),
    ],
)
def test_the_everyday_word_finds_the_word_gov_uk_uses(
    all_items: Library, question: str, passage: str
) -> None:
    result = all_items.ask(question)
    assert result.outcome != "none"
    assert passage in result.results[0].passage


def test_opening_hours_are_answered_by_the_hours_of_the_office_asked_about(all_items: Library) -> None:
    # "Opening" and "hours" weighed as topic words: the Department of Health's media centre, "open
    # Monday to Friday, 8am to 7pm. Outside these hours…", came before DVSA's own hours.
    result = all_items.ask("what are dvsa's opening hours")
    assert result.outcome != "none"
    assert result.results[0].sentence == "Monday to Friday, 9am to 5pm."


@pytest.mark.parametrize(
    ("question", "number"),
    [
        # The MOD police's line came in the next section's passage, and "phone" weighed as a topic
        # word: the bot quoted the address above it.
        ("phone number to complain about mod police", "Telephone: 01371 854 648"),
        # The press office's address was bolded: any contact detail was as good as a phone number.
        ("dvsa cbt team phone number", "Phone 0115 936 6547"),
        # "Ambulance number" asked for no kind of fact: the passage on bringing family over for an
        # illness came above "If you need emergency medical assistance dial 911 for an ambulance."
        ("if ur ill in fiji whats the ambulance number", "dial 911"),
    ],
)
def test_a_phone_number_is_answered_with_the_number(all_items: Library, question: str, number: str) -> None:
    result = all_items.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert number in result.answer.sentence


def test_what_someone_said_bolds_the_quote_not_the_line_naming_them(all_items: Library) -> None:
    # "Prime Minister Theresa May said:" holds "pm" and "say"; the quote after it holds neither, and
    # the line that only names her was bolded as what she said. Asked who, the line is the answer.
    said = all_items.ask("what did the pm say at christmas")
    who = all_items.ask("who said the christmas message")
    assert said.results[0].title == "Christmas 2016: Prime Minister's message"
    assert said.results[0].sentence == "This year, the United Kingdom has had much to celebrate."
    assert who.results[0].sentence == "Prime Minister Theresa May said:"


def test_a_misspelt_word_read_right_is_answered_as_if_typed_right(all_items: Library) -> None:
    # "applid" was read as "applied", but the stand-ins of the word read joined the first stage as if
    # it were a word the corpus lacks: "application" drew the Chevening fellowship's "Applications
    # are now open", and the bot declined what it answers when the word is typed right.
    typed = all_items.ask("how many people applid to police now in 2016")
    right = all_items.ask("how many people applied to police now in 2016")
    assert typed.corrections == {"applid": "applied"}
    assert right.outcome == typed.outcome == "answer"
    assert typed.results[0].passage == right.results[0].passage
    assert typed.confidence == pytest.approx(right.confidence)


def test_a_rare_corpus_word_a_letter_short_of_a_common_one_is_read_as_that_one(all_items: Library) -> None:
    # "anual" is a word of the corpus (Spanish, in UKTI's leaflet), so it was searched as typed and
    # weighed as the rarest of words: the holiday allowance was only the closest passage.
    typed = all_items.ask("how many days anual leave at the environment agency")
    right = all_items.ask("how many days annual leave at the environment agency")
    assert typed.corrections == {"anual": "annual"}
    assert typed.outcome == right.outcome == "answer" and typed.answer is not None
    assert "rising from 25 or 27 days to 30 days per year" in typed.answer.passage
    assert typed.confidence == pytest.approx(right.confidence)


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        # Read as "govern" and "met", two corpus words, not as the word a letter is missing from.
        ("what does the governmet say about salary sacrifice", {"governmet": "government"}),
        # "peloe" is the corpus's own typo, two letters swapped; "people" has a letter left out.
        ("how many peole work at the dvla", {"peole": "people"}),
    ],
)
def test_a_slip_of_an_english_word_is_read_as_it(
    all_items: Library, question: str, read_as: dict[str, str]
) -> None:
    assert all_items.ask(question).corrections == read_as


def test_a_short_list_item_can_be_the_bold_answer(all_items: Library) -> None:
    # "• Kate Tilley, Director of HR" is short and has no full stop: it was taken for a heading, and the
    # bold went to another board member's line.
    result = all_items.ask("who is the director of hr at the department of health")
    assert result.outcome == "answer" and result.answer is not None
    assert "Kate Tilley, Director of HR" in result.answer.sentence


def test_the_description_comes_first_unless_the_body_already_says_it() -> None:
    news = record("news_article/news_article_withdrawn.json")
    case_study = record("case_study/case_study.json")

    assert chunk_body(news.body)[0].startswith(
        "Theresa May sends her best wishes to everyone celebrating Christmas"
    )
    # "Nearly 400 homes are set to be built..." is the first paragraph, lightly edited: not twice.
    assert "Nearly 400 homes" not in case_study.body
    assert case_study.summary and case_study.summary.startswith("Nearly 400 homes")


def test_a_fatality_notice_is_found_by_its_roll_call_once() -> None:
    chunks = passages("fatality_notice/fatality_notice.json")

    assert "died in battle in Zululand on 27 February 1881" in chunks[0]
    assert sum(c.count("died in battle in Zululand") for c in chunks) == 1


# -- 6. withdrawn items -----------------------------------------------------------------------------


def test_a_withdrawn_item_says_when_and_why(tmp_path: Path) -> None:
    news = record("news_article/news_article_withdrawn.json")
    archived = record("case_study/archived_2014.json")
    current = record("news_article/news_article.json")

    assert news.extra["withdrawn_at"] == "2019-08-22T09:29:02+00:00"
    assert news.extra["withdrawn_explanation"] == "We’ve withdrawn this news article"
    # 2014-15 items call it an archive notice.
    assert archived.extra["withdrawn_at"] == "2012-12-17T15:45:44+00:00"
    assert archived.extra["withdrawn_explanation"] == "This document is no longer current government policy"
    assert "withdrawn_at" not in current.extra

    store = Store(db_url(tmp_path / "x.db"))
    migrate.upgrade(store.engine)
    report = ingest_paths(store, [ITEMS / "news_article/news_article_withdrawn.json"], progress=False)
    assert report.added == 1
    with store.session() as session:
        (extra,) = session.scalars(select(Announcement.extra)).all()
    store.close()
    assert extra is not None
    assert datetime.fromisoformat(extra["withdrawn_at"]) == datetime(2019, 8, 22, 9, 29, 2, tzinfo=UTC)
    assert extra["withdrawn_explanation"] == "We’ve withdrawn this news article"


# -- 7. items from 2014-15 and bodies in parts ------------------------------------------------------


def test_an_item_from_2014_with_format_instead_of_document_type_is_read() -> None:
    item = record("case_study/case_study_2014.json")

    assert item.title == "Get Britain Building: Carlisle Park"
    assert item.type == "Case study"
    assert item.organisation == "Department for International Development"
    assert item.published == datetime(2012, 12, 17, 15, 45, 44, tzinfo=UTC)
    assert any("381 new 2, 3 and 4 bedroom homes" in c for c in chunk_body(item.body))


def test_bodies_in_parts_are_read_with_each_part_title_as_a_heading() -> None:
    guide = record("guide/guide.json")
    advice = record("travel_advice/travel_advice.json")  # parts whose bodies list html and govspeak

    assert Block("heading", ("Key stage 1 and 2",)) in parse_body(guide.body)
    stage = the_passage_with(chunk_body(guide.body), "Compulsory national curriculum subjects at primary")
    assert "Key stage 1 and 2\nCompulsory national curriculum subjects at primary" in stage
    assert "Over 80,000 British nationals visit Albania every year." in advice.body
    assert "<p>" not in advice.body


def test_every_item_with_a_body_is_read(every_item: Records) -> None:
    for path, record in every_item.items():
        details = json.loads(path.read_text(encoding="utf-8")).get("details") or {}
        if details.get("body") or details.get("parts"):
            assert record is not None, path


# -- 8. control characters --------------------------------------------------------------------------

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def test_nul_and_control_characters_are_dropped_by_every_reader(tmp_path: Path) -> None:
    speech = (ITEMS / "speech/speech.json").read_bytes()
    assert b"Women in Nuclear UK" in speech
    damaged = speech.replace(b"Women in Nuclear UK", b"Women in Nu\x00clear UK", 1)
    damaged = damaged.replace(b'"title": "', b'"title": "\\u0000\\u001b', 1)
    (tmp_path / "speech.json").write_bytes(damaged)
    seed = SEED_FILE.read_bytes().replace(b"Home Secretary", b"Home\x00 Secretary\x07", 1)
    (tmp_path / "seed.txt").write_bytes(seed)
    body = "Fares are \u0000frozen\u0085 until March."
    lines = write_jsonl(tmp_path / "news.jsonl", [news_item(1, body=body)])
    # A lone surrogate, written as JSON writes it ("\ud800"): valid JSON, but no store can hold it.
    lines.write_text(lines.read_text(encoding="utf-8").replace("frozen", "fro\\ud800zen"), encoding="utf-8")

    (item,) = read_file(tmp_path / "speech.json")
    seeds = read_file(tmp_path / "seed.txt")
    (news,) = read_file(lines)

    assert "supporting Women in Nuclear UK’s mission" in item.body
    assert not item.title.startswith(("\x00", "\x1b", " "))
    assert "Home Secretary" in seeds[0].body
    assert news.body.splitlines()[-1] == "Fares are frozen until March."  # after its summary
    for found in [item, *seeds, news]:
        for text in (found.title, found.body, found.summary or ""):
            assert not CONTROL.search(text), text


def test_an_organisation_that_gov_uk_escaped_reads_as_plain_text(every_item: Records) -> None:
    # The 2014 items name "Department for Business, Innovation &amp; Skills" in their links.
    bis = record("html_publication/prime_ministers_office.json")
    assert bis.organisation is not None and "Innovation & Skills" in bis.organisation
    for path, found in every_item.items():
        if found is not None:
            fields = [found.title, found.organisation or "", found.summary or ""]
            assert not any("&amp;" in f for f in fields), path


@pytest.mark.parametrize(
    ("name", "question", "answer", "only_a_number"),
    [
        (
            "detailed_guide/best-practice-detailed-guide.json",
            "how long is the probation period for a new tier 4 sponsor",
            "a transitional period lasting 12 months",
            "The licence application fee is £536.",
        ),
        (
            "corporate_information_page/corporate_information_page_without_description.json",
            "how often does the audit committee meet",
            "The committee usually meets at least 4 times a year",
            "Departmental board meeting summaries from 2012 and earlier",
        ),
        (
            "detailed_guide/translated_detailed_guide.json",
            "whats the deadline for a charity annual return",
            "complete an annual return within 10 months of the end",
            "• start and end dates for the financial period",
        ),
        # An age is no length of time: "aimed at 13 to 18 year olds" was how long the adverts run.
        (
            "news_article/best-practice-press-release.json",
            "how long will the frank adverts be shown",
            "The adverts will run for six months",
            "The TV sponsorship, radio and online advertising campaign is aimed at 13 to 18 year olds",
        ),
    ],
)
def test_a_question_for_a_span_a_rate_or_a_time_limit_knows_the_sentence_that_gives_one(
    name: str, question: str, answer: str, only_a_number: str
) -> None:
    # "How long" is not answered by any number (a fee, a year), nor "deadline" by any date (the
    # example dates of a form); "within 10 months of…" holds no date at all. The ranker weighs the
    # precise form (passages.DETAILS).
    detail = wanted_detail(question)
    assert detail is not None
    parsed = [parse(chunk) for chunk in passages(name)]
    flagged = {
        sentence
        for p in parsed
        for sentence, holds in zip(p.sentences, p.detail_flags(detail), strict=True)
        if holds
    }
    assert any(answer in sentence for sentence in flagged)
    assert not any(sentence.startswith(only_a_number) for sentence in flagged)


def test_a_span_of_days_is_no_age_but_under_40_is(all_items: Library) -> None:
    # "Deliver NHS services over 7 days of the week" read as an age ("over 7"), and "how old was the
    # queen in 2016" was answered with it.
    result = all_items.ask("how old was the queen in 2016")
    assert not any("over 7 days of the week" in r.sentence for r in result.results)
    speech = parse(the_passage_with(passages("speech/speech-speaker-without-profile.json"), "over 7 days"))
    assert not any(speech.detail_flags("age"))
    # An age limit is still one: "you must be a young professional under 40 years old".
    assert any(parse("You must be a young professional under 40 years old.").detail_flags("age"))


def test_a_number_in_words_finds_it_in_figures(all_items: Library) -> None:
    # The news story says the drug limits "are not set at 0": "zero" found no word of it, and the
    # passage on the medical panel's "zero tolerance" came first.
    result = all_items.ask("why are drug drive limits not set at zero")
    assert result.answer is not None
    assert "are not set at 0 as drugs taken for medical conditions" in result.answer.sentence


def test_a_deadline_is_answered_by_a_time_limit(all_items: Library) -> None:
    # "within 10 months of the end of each financial reporting period" names no date, so the bot
    # said it found nothing, with that very sentence first.
    result = all_items.ask("by when must my charity send its annual return")
    assert result.outcome == "answer" and result.answer is not None
    assert "annual return within 10 months of the end" in result.answer.sentence


def test_how_long_is_answered_by_a_number_of_working_days(all_items: Library) -> None:
    # "within 20 working days" was no length of time ("working" stood between the number and the
    # unit), and "reply" found no "respond": the bot said nothing answered.
    result = all_items.ask("how long will the department of health take to reply to my complaint")
    assert result.outcome == "answer" and result.answer is not None
    assert "within 20 working days" in result.answer.sentence


def test_the_organisation_that_publishes_a_page_is_searchable(all_items: Library) -> None:
    # "Working for EA" never writes out "Environment Agency" where it lists apprenticeships: the
    # question's two rarest words found only pages that do (a research contact, a permit notice).
    result = all_items.ask("environment agency apprenticeships")
    assert result.results[0].organisation == "Environment Agency"
    assert "apprenticeship" in result.results[0].passage


def test_which_university_asks_for_a_body_and_the_bold_names_it(all_items: Library) -> None:
    # "which university" asked for no kind of fact, so the bold was the degree's own heading.
    result = all_items.ask(
        "which university runs the flood and coastal engineering foundation degree with the ea"
    )
    assert result.answer is not None
    assert "in partnership with Brunel University London" in result.answer.sentence


def test_how_many_staff_is_answered_by_a_count_of_people(all_items: Library) -> None:
    # "We employ around 10,600 people": the count is of people, not of "staff", so the passage read
    # as giving some other number and the bot only offered it as the closest.
    result = all_items.ask("how many staff does the environment agency have")
    assert result.outcome == "answer" and result.answer is not None
    assert "10,600 people" in result.answer.sentence


@pytest.mark.parametrize(
    ("question", "title"),
    [
        # "the Employer's Class 1 NIC obligation": "1" stood beside "employer" (a stand-in for firms),
        # so the page was quoted as saying how many firms replied to the consultation, which it never
        # says.
        ("how many firms replied to the nic election consultation", "Employee Share Schemes: NIC elections"),
        # The Marazion notice speaks of "a large number of dead fish" washed ashore "on 17 December":
        # the day of the month was read as the count asked for, and the notice quoted as the answer.
        ("how many fish died on marazion beach", "Fish washed up on Cornwall beach"),
        # "Salary: £5,000 bonus": a sum of money counts no employers.
        ("how many firms in the uk offer salary sacrifice", "Salary sacrifice"),
    ],
)
def test_a_number_that_counts_nothing_does_not_answer_how_many(
    all_items: Library, question: str, title: str
) -> None:
    result = all_items.ask(question)
    assert result.results[0].title == title
    assert result.outcome != "answer"


def test_a_passage_the_calibration_trusts_below_a_far_off_first_is_the_closest_not_nothing(
    all_items: Library,
) -> None:
    # The ranker put the consultation's "We will consider all responses" first, so far off that the
    # reply was "I found nothing", above the passage that gives the sum.
    result = all_items.ask("how much is the doctoral loan")
    assert result.outcome == "closest" and result.answer is None
    assert "up to £25,000" in result.results[0].sentence


def test_what_is_a_title_but_one_word_is_answered_from_its_opening(all_items: Library) -> None:
    # "what is the doctoral loan" names "Postgraduate doctoral loans" but for one word: the reply
    # bolded "We will consider all responses and use these to inform the design of the doctoral
    # loan.", a passage from the end of the consultation.
    result = all_items.ask("what is the doctoral loan")
    assert result.outcome == "answer" and result.answer is not None
    assert result.answer.title == "Postgraduate doctoral loans"
    assert "up to £25,000 towards the cost of their studies" in result.answer.passage
    assert "consider all responses" not in result.answer.sentence


def test_is_it_safe_reaches_the_safety_a_page_speaks_of(all_items: Library) -> None:
    # Snowball stems "safe" and "safety" apart: "is it safe to travel to albania" found nothing, though
    # the Albania travel advice has a part headed "Safety and security".
    result = all_items.ask("is it safe to travel to albania")
    assert result.outcome != "none"
    assert result.results[0].title == "Albania travel advice"


def test_a_passage_in_another_script_answers_an_english_question_only_if_nothing_else_does(
    all_items: Library,
) -> None:
    # The Arabic translation of a speech on Libya, whose one English line names Boris Johnson, was
    # quoted as what he said about the EU.
    eu = all_items.ask("what did boris johnson say about the eu")
    assert eu.outcome != "answer"
    assert not eu.results or "قرار" not in eu.results[0].passage
    # Only that item records his speech at the UN: it is still found.
    un = all_items.ask("what did boris johnson say at the un security council")
    assert (
        un.results and "Speech by The Rt Hon Boris Johnson MP at UN Security Council" in un.results[0].passage
    )


def test_strep_is_the_streptococcus_not_a_slip_of_step(all_items: Library) -> None:
    # "strep" is English, so it was read as a slip of the far commoner "step": "Did you mean … step?"
    result = all_items.ask("group b strep vaccine")
    assert not result.corrections
    assert result.results[0].title == "VDEC is supporting a GBS vaccine to prevent newborn deaths"


def test_when_does_it_close_is_answered_by_its_deadline(all_items: Library) -> None:
    # The eligibility criteria, dated ("by 31st January 2016"), came first as the closest passage;
    # "Application deadline: 30 November 2016" shared no word with "close".
    result = all_items.ask("when does the cameroon scholarship close")
    assert result.outcome == "answer" and result.answer is not None
    assert result.answer.sentence == "Application deadline: 30 November 2016"


def test_a_number_joined_to_a_word_counts_nothing(all_items: Library) -> None:
    # "The levy will support all post-16 apprenticeships in England." was quoted as how many
    # apprenticeships the levy will fund: "16" counted as a number of them.
    result = all_items.ask("how many apprenticeships will the levy fund")
    assert result.outcome != "answer"


def test_housing_in_a_speech_is_its_homes_not_the_house_it_was_given_in(all_items: Library) -> None:
    # "housing" and "House" share Snowball's stem: the Queen's Speech's "My Lords and Members of the
    # House of Commons." was quoted in bold.
    result = all_items.ask("what does the queens speech say about housing")
    assert result.outcome == "answer" and result.answer is not None
    assert "build a million new homes" in result.answer.sentence


def test_an_interest_rate_the_page_never_gives_is_not_answered(all_items: Library) -> None:
    # The consultation on doctoral loans gives no rate: "what interest" asked for no sum or share,
    # so its passage on repayment was quoted as the answer.
    result = all_items.ask("what interest will i pay on a postgraduate doctoral loan")
    assert "doctoral loan" in result.results[0].passage
    assert result.outcome != "answer"


@pytest.mark.parametrize(
    ("question", "heading"),
    [
        # The Albania page's summary is a list of headings with no content under them ("Visas
        # Content about visas"); the DfT page names its certificate but gives no rating.
        ("is a visa needed for albania", "Visas"),
        ("what is dft's display energy certificate rating", "DfT Display Energy Certificate"),
    ],
)
def test_a_heading_that_only_repeats_the_question_is_not_its_answer(
    all_items: Library, question: str, heading: str
) -> None:
    result = all_items.ask(question)
    assert result.results[0].sentence == heading
    assert result.outcome == "closest"


def test_a_phrasal_verb_split_by_its_object_is_read_as_one(all_items: Library) -> None:
    # "Hand the annual return in" is submitting it, as "hand in" is: read word by word, "hand" and
    # "in" found a DVLA report's stakeholder campaign first.
    result = all_items.ask("when do i have to hand the annual return in")
    assert result.results[0].title == "Prepare a charity annual return"


@pytest.mark.parametrize(
    ("question", "title"),
    [
        # Everything GOV.UK publishes is about the UK: "celebrating Christmas in the UK and around
        # the world" says nothing of where the Prime Minister spent it, and "the official UK
        # government body" nothing of where the IPO is.
        ("where was theresa may for christmas 2016", "Christmas 2016: Prime Minister's message"),
        ("where is the ipo based", "About us"),
    ],
)
def test_the_uk_is_no_answer_to_where(all_items: Library, question: str, title: str) -> None:
    result = all_items.ask(question)
    assert result.results[0].title == title
    assert result.outcome != "answer"


def test_the_publishers_name_in_a_question_is_its_topic_not_what_it_asks(all_items: Library) -> None:
    # Every passage of the Department of Health's complaints page is found under its name; the
    # question asks for the number. Only passages that wrote the name out counted it as asked, so
    # the passage with the enquiries line was offered as the closest, not as the answer.
    result = all_items.ask("department of health public enquiries phone number")
    assert result.outcome == "answer" and result.answer is not None
    assert "020 7210 4850" in result.answer.sentence


def test_a_verb_and_its_particle_find_the_word_gov_uk_uses(all_items: Library) -> None:
    # "come in" is "entered into force" and "kick in" is "come into effect": "in" is no word the
    # index keeps, so "come" alone matched, and a later reporting date was quoted as when REACH began.
    reach = all_items.ask("when did reach chemicals rules come in")
    care = all_items.ask("when does the final care act guidance kick in")
    assert reach.outcome == "answer" and reach.answer is not None
    assert "REACH entered into force on 1 June 2007" in reach.answer.passage
    assert care.outcome == "answer" and care.answer is not None
    assert "come into effect" in care.answer.sentence


def test_turns_up_finds_what_gov_uk_calls_arriving(all_items: Library) -> None:
    # "never turns up" is a student who "does not arrive for their course"; "up" is no word the index
    # keeps, so the sponsor's duties were offered as the closest passage only.
    result = all_items.ask("do i have to tell ukvi if a sponsored student never turns up")
    assert result.outcome == "answer" and result.answer is not None
    assert "you must contact UKVI if a student" in result.answer.passage
    assert "does not arrive for their course" in result.answer.sentence


def test_an_organisation_is_found_by_its_initials(all_items: Library) -> None:
    # People call the Marine Management Organisation "the mmo" and the National Measurement and
    # Regulation Office "nmro"; pages rarely write the initials out. "mmo" was read as "memo", and
    # NMRO's board was offered as the closest passage only.
    fish = all_items.ask("who is the mmo working with on the dead fish in cornwall")
    board = all_items.ask("who is director of enforcement at nmro?")
    assert not fish.corrections
    assert fish.outcome == "answer" and fish.answer is not None
    assert "Cornwall Inshore Fisheries and Conservation Authority" in fish.answer.sentence
    assert board.outcome == "answer" and board.answer is not None
    assert "Richard Frewin, Director, Enforcement" in board.answer.sentence


def test_a_max_is_a_limit(all_items: Library) -> None:
    # "There is no age limit for Cameroon Women's Scholarship": "max" reached only "maximum", so the
    # right passage was offered as the closest only.
    result = all_items.ask("is there a max age for the cameroon women's scholarship")
    assert result.outcome == "answer" and result.answer is not None
    assert "There is no age limit" in result.answer.sentence


@pytest.mark.parametrize(
    ("question", "read_as", "answer"),
    [
        # "miny" stems to "mini", a word the corpus has: it stayed a topic word and "how many" was
        # no longer asked, so the count of people was not enough to answer.
        ("how miny staff does the environment agency have", {"miny": "many"}, "10,600 people"),
        # "dooes" was read as "doores" (a letter added), a word of the corpus; "does" is a letter
        # typed twice, the likelier slip.
        ("how much vehicle tax dooes dvla collect a year", {"dooes": "does"}, "£6 billion in VED"),
        # "fastering" (a letter added) shares its stem with "faster", which the corpus uses more
        # often than "fostering"; only the second is a word.
        ("how many fstering services sent in their data", {"fstering": "fostering"}, "99% of all fostering"),
        # "brits" is not a corpus word, so its slip was read as nothing; as "brits" it reaches
        # "British nationals" as the word typed right would.
        ("how many brtis go to albania each year", {"brtis": "brits"}, "80,000 British nationals"),
        # "amied" stems to "ami", a name the corpus uses twice, so it was never read as a slip.
        ("what age are the frank adverts amied at", {"amied": "aimed"}, "aimed at 13 to 18 year olds"),
        # Read as "dead" + "eine", two corpus terms, rather than as the word it is a slip of.
        ("charity annual return deadeine", {"deadeine": "deadline"}, "within 10 months"),
        # "annual leave" is "holiday allowance"; with "annaul" read as "annual" only after "leave" had
        # been looked up beside the slip, the allowance was only the closest passage.
        ("how much annaul leave do ea staff get", {"annaul": "annual"}, "holiday allowance"),
        # "plice" is a letter short of "police" and a letter off "place", which the corpus uses more.
        ("how many plice forces did hmic inspect", {"plice": "police"}, "22 police authorities inspected"),
    ],
)
def test_a_typo_is_read_as_the_word_meant(
    all_items: Library, question: str, read_as: dict[str, str], answer: str
) -> None:
    result = all_items.ask(question)
    assert result.corrections == read_as
    assert result.outcome == "answer" and result.answer is not None
    assert answer in result.answer.passage


def test_what_a_fund_pays_for_is_what_it_funds(all_items: Library) -> None:
    # "pay for" is what the page says a fund supports or funds; "pay" alone matched "Evaluation of
    # ESF", a heading, and nothing was offered.
    result = all_items.ask("what does the esf pay for")
    assert result.outcome != "none"
    assert "European Social Fund (ESF) focuses on improving the employment" in result.results[0].passage


def test_a_letter_left_out_of_a_corpus_acronym_is_not_read_as_a_function_word(all_items: Library) -> None:
    # "nro" is "nor" with two letters swapped, but the corpus says "NMRO" eleven times: a word of the
    # corpus that is no English (a name, an acronym) is likelier than a swapped function word.
    assert all_items.ask("who chairs the nro steering board").corrections == {"nro": "nmro"}


def test_two_slips_in_a_long_word_are_read_through_the_english_dictionary(all_items: Library) -> None:
    # "reccomendations" (a letter doubled, one left out) is two slips from the word meant: one slip
    # from nothing, it stayed a topic word no passage has, and nothing was found.
    result = all_items.ask("what are the reccomendations of the museums review")
    assert result.corrections == {"reccomendations": "recommendations"}
    assert result.outcome != "none"


@pytest.mark.parametrize(
    ("question", "quoted", "in_bold"),
    [
        # "We employ 5,351 full- time equivalent staff in Swansea": "work" matched a passage about
        # work placements instead, and nothing was quoted.
        ("how many ppl work at the dvla in swansea", "5,351", True),
        # The vaccine page says "newborns", never "baby": the count of deaths it could prevent was
        # never found.
        ("how many baby deaths could the gbs vaccine stop", "tens of thousands of newborns", False),
        # "77% of men and 63% of women in middle age are overweight or obese": nothing was quoted.
        ("how fat are middle aged people", "overweight or obese", True),
        # "what time" asked for a date, which any date answered: the page's "we also publish…" line
        # came first and nothing was quoted; the CDE event's time was only the closest.
        ("what time does ofsted publish its stats", "Publication is usually at 9:30am.", True),
        ("what time does the cde event start", "9:30am to 4pm", True),
        # The national curriculum page writes "key stage 2"; "ks2" found only the table row "Key
        # stage: KS2", which says nothing of results, and nothing was quoted.
        ("when are ks2 results out", "You’ll get the results in July.", False),
        # "when do … close" asked for any date: the bold fell on the application form's heading,
        # not on the deadline line below it.
        (
            "when do applications close for the cameroon women scholarship",
            "Application deadline: 30 November 2016",
            True,
        ),
        # DVLA's report says "We collect around £6 billion in VED each year": "vehicle tax" found its
        # other figures first (47 million drivers), which it quoted as the answer.
        ("how much vehicle tax does dvla collect a year", "£6 billion in VED", True),
        # The Environment Agency lists a "holiday allowance … rising from 25 or 27 days": "annual
        # leave" shared no word with it, so the right passage was offered as the closest only.
        ("how much annual leave do ea staff get", "holiday allowance", True),
        # REACH's page counts "over 30,000 substances on the EU market above 1 tonne per year": a
        # count of something other than "chemicals", so the page was only the closest.
        ("how many chemicals are sold in the eu above a tonne a year", "30,000 substances", True),
        # "around 60 million passengers each year": people counted as what they are read as a count
        # of something else, so it was only the closest.
        ("how many people use london waterloo station a year now", "60 million passengers", True),
        # A table row is short and has no full stop, so it read as a heading, which is seldom the
        # bold one: the one long row ("Pupil premium plus: looked-after children…") was bold instead.
        (
            "how much pupil premium for primary pupils",
            "Pupils: Disadvantaged pupils: primary; Per pupil rate: £1,320",
            True,
        ),
        # "Work with VDEC", a heading that repeats the initials, was quoted as what VDEC is.
        ("what is vdec", "The vaccine development and evaluation centre (VDEC)", True),
        # An Environment Agency permit application gives each field as a heading and a one-line value:
        # apart, the label "Volume" was the bold sentence, not the volume.
        (
            "how much effluent a day from the derek mears septic tank",
            "Volume: 4.2 cubic metres per day",
            True,
        ),
        # "A minimum of 5 years of work experience" read as a time limit ("10 months of the end of…"),
        # and "submitted by midday GMT on 10 February" did not: the bold was the experience needed.
        (
            "when do chevening fellowship applications close",
            "submitted by midday GMT on 10 February 2016",
            True,
        ),
        # The text says Spain is "increasing its exports by 18%": "grow" reached only "growth", and
        # the right passage was declined (confidence 0.01).
        ("how much did spanish exports grow", "increasing its exports by 18% between 2010 and 2012", False),
        # No item says "voters"; the call for evidence asks how disabled people "vote".
        (
            "who launched the disabled voters consultation",
            "the Minister for the Constitution launched",
            False,
        ),
        # The housing guide spells out "Home Repair Assistance (HRA)" once and says "HRA" after: the
        # passage on its means test was out-ranked by the one that names it in full.
        ("was home repair assistance means tested", "HRA was not directly means-tested", True),
        # Every passage of the guide says "Tier 4 sponsor"; the one quoted was how to apply for a licence.
        ("what is a tier 4 sponsor", "A Tier 4 sponsor is an education provider", True),
        ("what are tier 4 sponsors", "A Tier 4 sponsor is an education provider", True),
        # "What is" the guide's whole title: its opening passage says, where the closest was a
        # heading's passage, "Changing the terms of a salary sacrifice arrangement".
        ("what is salary sacrifice", "A salary sacrifice arrangement is an agreement", True),
        ("what is the national curriculum", "study the same subjects to similar standards", True),
        # The bold was "The Croda Tar Distillery … closed in the early 1990s", the sentence that
        # repeats the question's words, not the one with the site's size.
        ("how large was the croda site", "the 31 acre site", True),
        # The passage was right but only the closest: no sentence held a size the question asked for.
        ("what size homes will gleeson build", "381 new 2, 3 and 4 bedroom homes", True),
        # The opening passage, "download the application form, fill it in and send it to the Driver
        # and Vehicle Standards Agency", names no address and was the closest; the address was second.
        ("where do i post the cbt instructor form", "Upper Parliament Street Nottingham NG1 6LP", True),
        # The bold was a sentence that only names the grant; asked as "the most you can get", the
        # passage whose "For years up to and including 2007 to 2008" read as a limit came first.
        ("whats the max disabled facilities grant", "has a grant maximum currently set at £30,000", True),
        (
            "whats the most anyone can get in disabled facilities grant",
            "has a grant maximum currently set at £30,000",
            True,
        ),
        # The speech says "its commitment to build", never "promise": its opening passage came first.
        ("what did the queens speech promise on housing", "commitment to build a million new homes", True),
        # "The sole woman" is a count of one: with no figure near "women", the how-many declined.
        ("how many women serve on the supreme court", "remains the sole woman on the Supreme Court", True),
        # "A&E" and "R&D" were split at the "&" and each letter dropped as too short: the question
        # searched for "extra money" alone; "nsi", as people type it, never reached "NS&I".
        ("how much extra money is going to a&e", "an additional £100 million to the NHS", True),
        ("what is the r&d tax review about", "The review of the R&D tax regime has found", True),
        ("is there an age limit on the nsi investment bond", "open to everyone aged 16 and over", True),
        # A number asked for without the word "phone" asked for a count, or for nothing: the page's
        # "air ambulance" line was quoted; and "dial 911" is a number to ring, if not a UK one.
        ("number to call for an ambulance in fiji", "dial 911 for an ambulance", True),
        ("who do i ring for an ambulance in fiji", "dial 911 for an ambulance", True),
        # "What dates" asked for no date at all (only "what date" did): a list of venues came first.
        ("what dates is glasgow airspace restricted for the games", "from 13 July to 6 August", True),
        # "What %" asked for no share: the speech's passage on steel exports came first.
        ("what % of uk exports go to the eu", "44% goes to the EU", True),
        # "What value" and "the … rate" ask for a sum or a share: a list naming Contracts Finder came first.
        ("contracts above what value are listed on contracts finder", "valued at over £10,000", True),
        # The notice spells it out: "a body mass index between 18.5 and 25".
        ("what bmi is healthy", "a body mass index between 18.5 and 25", True),
        # Selling data is using it commercially: the charter's contact address came first.
        (
            "could natural england sell my personal info to firms",
            "not make your personal information available for commercial use",
            True,
        ),
        # A holiday is a visit: nothing answered.
        ("can i go on holiday to fiji without a visa", "Visas are not required for visits to Fiji", True),
        # Travel is a visit too: "You must have … a valid visa for the next country you are travelling
        # to" was bolded.
        ("can i travel to fiji without a visa", "Visas are not required for visits to Fiji", True),
        # Road statistics say "LGV": all motor traffic's rise was bolded, and "did van traffic go up"
        # found nothing.
        ("did van traffic go up", "LGV traffic increased by 5.1 %", True),
        # The consultation says "loan" and never "borrow": this was only the closest passage.
        ("how much can i borrow with a postgraduate doctoral loan", "up to £25,000", True),
        # The rail strategy says the industry "employ[s] up to 216,000 people"; "work in" was read as
        # "work" alone, and only the strategy's foreword was offered, as the closest.
        ("how many people work in the rail industry", "employ up to 216,000 people", True),
        # The statement calls it "the serious disturbance at HMP Birmingham": asked about the riot,
        # the bot found nothing to answer.
        ("when was hmp birmingham riot", "disturbance at HMP Birmingham", True),
    ],
)
def test_everyday_wording_is_answered_in_the_words_gov_uk_uses(
    all_items: Library, question: str, quoted: str, in_bold: bool
) -> None:
    result = all_items.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert quoted in (result.answer.sentence if in_bold else result.answer.passage)


def test_the_year_in_a_laws_name_does_not_say_when_something_will_happen(all_items: Library) -> None:
    # The permit notice names "the Environmental Permitting (England and Wales) Regulations 2010", and
    # that year was read as a date to come: "when will…decide" was answered with the notice's opening.
    result = all_items.ask("when will the environment agency decide on derek mears permit")
    assert result.results[0].title == "TR4 8EE, Mr Derek Mears: environmental permit application"
    assert result.outcome != "answer"


def test_how_long_asks_for_a_length_of_time_and_long_is_no_topic_word(all_items: Library) -> None:
    # "Long" weighed as a topic word: an undated page of the same title, "We aim to respond to
    # complaints within 20 working days.", came first, over the Ministry of Defence's own procedure.
    result = all_items.ask("how long does the mod take to answer a complaint")
    assert result.results[0].title == "Complaints procedure"
    assert "within 20 working days of receiving it" in result.results[0].sentence


def test_apprentices_reach_the_apprenticeships_the_stemmer_keeps_apart(all_items: Library) -> None:
    # "apprentic" and "apprenticeship" are two terms: the Environment Agency's apprenticeships were
    # never among the candidates, and the DVLA's "158 apprentices were enrolled" was quoted as the
    # agency's own.
    where = all_items.ask("where are the environment agency labs for science apprentices")
    assert [r.title for r in where.results[:2]] == ["Working for EA", "Working for EA"]
    assert "3 laboratories in Exeter, Nottingham and Leeds" in where.results[1].passage
    assert all_items.ask("how many apprentices does the environment agency have").outcome != "answer"


@pytest.mark.parametrize(
    ("question", "bold"),
    [
        # Under "Who is eligible to apply?" the scholarship lists its criteria, one a bullet; "There
        # is no age limit for Cameroon Women's Scholarship." was bolded.
        ("who can apply for the cameroon scholarship", "must be a national of Cameroon"),
        # "The World Economic Forum's 2015 Global Gender Gap Report ranks 145 economies…" was bolded.
        ("where does the uk rank on the gender gap report", "The UK is in 18th place"),
        # In a speech of 2016, "In 2015 the total demand for skilled nuclear workers was…" was bolded.
        ("when will demand for nuclear workers peak", "Demand is forecast to peak in 2021"),
        # "Date" asked for one and "dates" for none: "…is proposing to consult with stakeholders…"
        # was bolded over when the consultation ran.
        ("hitachi abwr consultation dates", "from 12 December 2016 until 3 March 2017"),
        # Read as asking for a place, the bold went to the MOD Police headquarters' postal address.
        (
            "where can i get a leaflet on complaining about mod police?",
            "are available from local MOD Police Units",
        ),
        # Read as asking for a date, the charity guide's "start and end dates for the financial
        # period" came first and nothing was said to answer; its deadline is a time limit, not a date.
        ("when do i have to file my charity annual return", "within 10 months of the end of each financial"),
        # The topic typed first, "when" sixth: it asked for nothing, and "…is proposing to consult with
        # stakeholders on…" was bolded.
        (
            "hitachi abwr reactor consultation - when is it open from and to",
            "from 12 December 2016 until 3 March 2017",
        ),
        # Typed without a question word, "number to complain about …" asked for nothing: the
        # heading "Complaints about MOD Police" was bolded, and only as the closest passage.
        ("number to complain about mod police officers", "01371 854 648"),
        # "Last date" asked for any date: the notice's "Regulated facility location: Mount Hawke…"
        # came first, as the closest, over the day comments must be in by.
        (
            "last date for comments on the mount hawke septic tank permit application",
            "send these by 14 January 2016",
        ),
        # "…once they're 18" came first but held no age in a form the age detail knew, and was
        # offered only as the closest passage.
        ("at what age can pupils pull themselves out of RE", "once they’re 18"),
        # "straight" is everyday English for what the page writes as "directly": "We can only handle
        # complaints about the work, staff and levels of service provided by the Department of
        # Health" came first, and only as the closest passage.
        (
            "can i go straight to the health ombudsman with my complaint about DH",
            "you can’t approach the ombudsman directly",
        ),
        # Neither "expire" nor "ltd" is the consultation's word ("…with Post Office Limited ends in
        # 2018"), and the right passage was offered only as the closest.
        (
            "when does the existing government deal with post office ltd expire?",
            "Post Office Limited ends in 2018",
        ),
    ],
)
def test_the_bold_sentence_gives_the_fact_in_the_form_asked_for(
    all_items: Library, question: str, bold: str
) -> None:
    result = all_items.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert bold in result.answer.sentence


def test_where_does_a_country_rank_is_answered_by_a_second_largest(all_items: Library) -> None:
    # "rank for" was read as "where": the referendum speech's "a British airline wasn't allowed to
    # fly between Rome and Paris" came first, over "Spain is Europe's second largest car manufacturer".
    result = all_items.ask("where does spain rank for making cars in europe?")
    assert "second largest car manufacturer after Germany" in result.results[0].sentence


def test_what_starting_salary_asks_for_a_sum_of_money(all_items: Library) -> None:
    # No item gives a graduate engineer's salary; read as asking for nothing in particular, the
    # scheme's "Email gradengineers@environment-agency.gov.uk with queries…" was quoted as the answer.
    result = all_items.ask("what starting salary do environment agency graduate engineers get?")
    assert result.results[0].title == "Working for EA"
    assert result.outcome != "answer"


@pytest.mark.parametrize(
    ("question", "held"),
    [
        # "aug" is no word the items use, so it weighed as a topic word the passage lacks: the
        # booklet for babies born on or after 1 August 2017 was only the closest passage.
        ("code i need to buy the baby jabs booklet for kids born after aug 2017", "3109328B"),
        # "statutory instrument number covers" starts with s-i-n-c, the index's term for "since", so
        # each of the four words also stood for "since", and the budget's "exports … since Q1 2008"
        # came first. ("regs" was no word the items use either.)
        ("which statutory instrument number covers the REACH enforcment regs 2008?", "SI 2008 No.2852"),
    ],
)
def test_words_typed_short_or_spelling_initials_reach_the_passage_that_answers(
    all_items: Library, question: str, held: str
) -> None:
    result = all_items.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert held in result.answer.passage


def test_how_many_new_things_counts_the_things_not_what_is_new(all_items: Library) -> None:
    # The Queen's Speech 2016 never says how many bills it holds; "a million new homes" counted "new".
    result = all_items.ask("how many new bills were in the queens speech 2016")
    assert result.outcome != "answer"
    assert not any("a million new homes" in r.passage for r in result.results[:1])


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        # The fostering statistics notice says "Data was submitted by 99% of all fostering services"
        # and never how many foster carers there were: the share was quoted as the count.
        ("how many foster carers did england have in 2014", "99% of all fostering services"),
        # The Walton Farms notice says "The Environment Agency has received 3 applications…" and
        # never how much water: the count of applications was quoted as the answer.
        ("how much water are walton farms asking to take", "3 applications from Walton Farms"),
        # DfT's energy use page says "We are currently assessing the CO2 benefits of the above
        # measures": the 2 of CO2 was read as the figure asked for.
        (
            "how much co2 has dft saved from the changes at its london hq",
            "currently assessing the CO2 benefits",
        ),
    ],
)
def test_a_figure_of_something_else_is_no_answer_to_how_much_or_how_many(
    all_items: Library, question: str, shown: str
) -> None:
    result = all_items.ask(question)
    assert shown in result.results[0].passage
    assert result.outcome != "answer"


@pytest.mark.parametrize(
    ("question", "held"),
    [
        # The Shaw Trust case study: "Terence was delighted when he secured a permanent job as a
        # support worker". "End up" shared no word with it: his wish to find work in care came first.
        ("which job did terence end up with", "secured a permanent job as a support worker"),
        ("where did terence end up working", "secured a permanent job as a support worker"),
        # The MOD's complaints procedure: "Still" weighed as a topic word the passage lacks, and
        # nothing was quoted.
        (
            "who do i go to if im still unhappy after the mod internal review",
            "If you remain dissatisfied after the internal review",
        ),
        # "Stuff", a word no item uses, weighed as a topic the passage lacks: only the closest.
        ("who is dclg's contact for overseas territories stuff", "Sue Westcott"),
        # The Justice Secretary's statement: "I have ordered a full investigation and have appointed
        # Sarah Payne… to lead this work". "Inquiry" shared no word with it.
        ("who is running the inquiry into the hmp birmingham disturbance", "Sarah Payne"),
        ("who will lead the inquiry into what happened at birmingham prison", "Sarah Payne"),
        # PHE's One You story: a quiz people had "done" was only the closest.
        ("how many people have done phe's health quiz", "1.1 million people have taken the quiz"),
        # The Commonwealth Games statement says "airspace restrictions" and "protected airspace", never
        # "no fly zone": the exemptions for police aircraft were only the closest.
        (
            "can police and air ambulance helicopters fly in the glasgow 2014 no fly zone",
            "specific exemptions for aircraft",
        ),
        # "Xmas" is no word GOV.UK writes: the Prime Minister's Christmas message was not found by it,
        # and the closing remarks of the Anti-Corruption Summit were offered instead.
        ("what did the pm say about people working at xmas", "have to work over the Christmas period"),
    ],
)
def test_everyday_words_reach_the_sentence_that_answers(all_items: Library, question: str, held: str) -> None:
    result = all_items.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert held in result.answer.sentence


@pytest.mark.parametrize(
    ("question", "held"),
    [
        # The fatality notice: "…died in battle in Zululand on 27 February 1881" ranked level with
        # "became high commissioner… in 1880… and died a year later", and was only the closest.
        ("date of colley's death", "27 February 1881"),
        # The rail strategy's "a target journey time of 40 minutes between Leeds and Manchester" came
        # second to "Our ambitions for the planned upgrade to the Transpennine route…", which gives none.
        ("how quickly will you get from leeds to manchester by train after the upgrade", "40 minutes"),
        ("how quick will the trip from leeds to manchester be after the transpennine upgrade", "40 minutes"),
        # "Planning applications for… onshore wind, above 50MW… will be taken by… ministers":
        # megawatts were no size, and "£1,000… per megawatt" was the closest.
        ("how big does a wind farm have to be for ministers to decide it", "above 50MW"),
        # The proof of identity checklist: "Utility bill issued within the last three months". Without
        # a length of time asked for, "recent audited accounts" or a rule on one document came first.
        ("how recent must a utility bill be as proof of address", "within the last three months"),
        ("how recent does my utility bill have to be for bona vacantia id", "within the last three months"),
        # "Which battle", "which council": the sentence that names one, not one that says "died in
        # battle" (the fatality notice's first passage) or only the closest.
        ("which battle did sir george colly die in", "Battle of Majuba Hill"),
        ("which battle was sir george colley killed at", "Battle of Majuba Hill"),
        ("which council is helping clean up the old tar works", "Rotherham Borough Council"),
    ],
)
def test_the_form_a_question_asks_for_picks_the_sentence_giving_it(
    all_items: Library, question: str, held: str
) -> None:
    result = all_items.ask(question)
    assert result.outcome == "answer" and result.answer is not None
    assert held in result.answer.sentence


def test_a_financial_year_typed_short_reaches_the_year_written_out(all_items: Library) -> None:
    # DVLA's annual report speaks of "the financial year 2016 to 2017"; "2016-17" left its "17" unmet,
    # and a passage on an increase in costs came first.
    result = all_items.ask("how much did the dvla save in efficiencies in 2016-17")
    assert "£45 million" in result.results[0].sentence


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        # England's figures, quoted as London's or Manchester's, which the release never gives.
        ("how many affordable homes went up in manchester in 2011-12", "closest"),
        ("how many new affordable homes in london in 2011 to 2012", "closest"),
        ("how many affordable homes were supplied in england in 2011-12", "answer"),
    ],
)
def test_a_question_narrowed_to_a_place_is_answered_only_by_a_passage_naming_it(
    all_items: Library, question: str, outcome: str
) -> None:
    result = all_items.ask(question)
    assert result.results[0].title == "Affordable housing supply in England: 2011 to 2012"
    assert result.outcome == outcome


def test_how_many_prefers_the_passage_that_counts_what_is_asked(all_items: Library) -> None:
    # The rail strategy: "…in Great Britain employ up to 216,000 people". A passage on privatisation
    # ("what many people regarded…") counts no one, and was the closest.
    result = all_items.ask("how many people work on the railways in britain")
    assert result.outcome == "answer" and result.answer is not None
    assert "216,000 people" in result.answer.sentence
