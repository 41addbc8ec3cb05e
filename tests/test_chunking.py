"""Cutting real announcement bodies into passages that answer on their own."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from retrieval.announcement import AnnouncementRecord
from retrieval.chunking import MAX_CHARS, chunk_blocks, chunk_body
from retrieval.sources.files import read_file
from retrieval.sources.html import html_to_blocks
from retrieval.sources.scraped import mend_flat
from retrieval.text import split_sentences
from tests.conftest_retrieval import NEWS_2024, SEED_FILE, SEED_TITLES, library_for

# A passage ends where a sentence ends: a stop, "…", "?" or "!", maybe inside closing quotes or brackets.
SENTENCE_END = re.compile(r"[.!?…][\"”’)\]]*$")


@pytest.fixture(scope="module")
def seeds() -> dict[str, AnnouncementRecord]:
    return {r.title: r for r in read_file(SEED_FILE)}


@pytest.fixture(scope="module")
def news() -> dict[str, AnnouncementRecord]:
    return {r.title: r for r in read_file(NEWS_2024)}


def the_chunk_with(chunks: list[str], text: str) -> str:
    found = [c for c in chunks if text in c]
    assert len(found) == 1, f"{text!r} is in {len(found)} chunks"
    return found[0]


def test_speaker_lead_in_stays_with_the_quote(seeds: dict[str, AnnouncementRecord]) -> None:
    chunks = chunk_body(seeds[SEED_TITLES[0]].body)

    chunk = the_chunk_with(chunks, "Home Secretary Sajid Javid said:")
    assert "The live streaming of child abuse is vile and sickens me to the core." in chunk
    assert not any(c.strip().endswith("said:") for c in chunks)


def test_a_long_lead_in_still_takes_the_quote_after_it() -> None:
    lead_in = (
        "Speaking at the opening of the new flood defences in Tewkesbury, where the River Severn meets "
        "the River Avon and where hundreds of homes flooded in 2007, the Floods Minister said:"
    )
    quote = "These defences will protect 1,400 homes and 230 businesses for the next hundred years. " * 4
    other = "The Environment Agency will publish the final design next spring, after a consultation. " * 3
    body = f"{lead_in}\n\n{quote.strip()}\n\n{other.strip()}"
    assert len(lead_in) > 160  # long enough to stand alone: only the lead-in rule keeps it with the quote

    chunks = chunk_body(body)

    chunk = the_chunk_with(chunks, "the Floods Minister said:")
    assert "These defences will protect 1,400 homes" in chunk
    assert "The Environment Agency will publish" not in chunk


def test_a_long_lead_in_keeps_its_list() -> None:
    lead_in = (
        "Under the settlement agreed today between the department, the county councils and the operators "
        "of the region's bus services, the following routes will run every fifteen minutes:"
    )
    items = "\n".join(f"• route {n} between the station and the hospital" for n in range(1, 6))
    body = f"{lead_in}\n\n{items}\n\nTimetables will be posted at every stop by the end of the month."

    chunk = the_chunk_with(chunk_body(body), "will run every fifteen minutes:")

    assert all(f"route {n} between" in chunk for n in range(1, 6))


def test_list_lead_in_and_all_its_bullets_are_one_passage(seeds: dict[str, AnnouncementRecord]) -> None:
    chunks = chunk_body(seeds[SEED_TITLES[0]].body)

    chunk = the_chunk_with(chunks, "Other actions include:")
    assert "convened a Hackathon in the US" in chunk
    assert "gave £635,000 to the Marie Collins Foundation" in chunk
    assert "convening advertisers to discuss how advertising is inadvertently funding sites" in chunk


def test_one_line_paragraphs_merge_with_a_neighbour(seeds: dict[str, AnnouncementRecord]) -> None:
    chunks = chunk_body(seeds[SEED_TITLES[1]].body)

    chunk = the_chunk_with(chunks, "The economy was in recession.")
    assert chunk.strip() != "The economy was in recession."
    assert len(chunk) > len("The economy was in recession.") + 20
    for short in ("The banking system was broken.", "Thank you.", "Now we need to decide where to go next."):
        assert short not in {c.strip() for c in chunks}


def test_editorial_markers_are_in_no_chunk(seeds: dict[str, AnnouncementRecord]) -> None:
    body = seeds[SEED_TITLES[1]].body
    assert "[Political content redacted.]" in body  # it is there to be dropped

    chunks = chunk_body(body)

    assert not any("Political content redacted" in c for c in chunks)
    # The paragraphs around the marker are still there.
    assert any("about our society and our politics" in c for c in chunks)
    assert any("The truth is that we have seen a gap open up" in c for c in chunks)


def test_no_text_is_lost_from_the_seed_announcements(seeds: dict[str, AnnouncementRecord]) -> None:
    for record in seeds.values():
        chunks = chunk_body(record.body)
        without_markers = re.sub(r"\[Political content redacted\.?\]", " ", record.body)
        body_words = [w for w in without_markers.split() if w != "•"]
        chunk_words = [w for c in chunks for w in c.split() if w != "•"]
        assert chunk_words == body_words, record.title


def test_every_seed_chunk_is_passage_sized(seeds: dict[str, AnnouncementRecord]) -> None:
    for record in seeds.values():
        chunks = chunk_body(record.body)
        assert chunks, record.title
        assert all(len(c) <= MAX_CHARS for c in chunks), record.title


def test_a_very_long_paragraph_is_cut_at_sentence_ends(seeds: dict[str, AnnouncementRecord]) -> None:
    # One 5,000-character paragraph of real sentences, as a scraped page without its breaks would give.
    sentences = [s for line in seeds[SEED_TITLES[1]].body.split("\n") for s in split_sentences(line)]
    sentences = [s for s in sentences if SENTENCE_END.search(s) and "redacted" not in s]
    paragraph = " ".join(sentences)
    while len(paragraph) < 5000:
        paragraph += " " + paragraph
    assert "\n" not in paragraph

    chunks = chunk_body(paragraph)

    assert len(chunks) >= 5000 // MAX_CHARS
    for chunk in chunks:
        assert len(chunk) <= MAX_CHARS
        assert SENTENCE_END.search(chunk), chunk[-60:]
    assert " ".join(chunks).split() == paragraph.split()


def test_a_sentence_longer_than_a_passage_is_cut_between_words() -> None:
    words = [f"item{n}" for n in range(400)]
    run_on = "The schedule lists " + ", ".join(words) + "."

    chunks = chunk_body(run_on)

    assert len(chunks) > 1
    assert all(len(c) <= MAX_CHARS for c in chunks)
    assert " ".join(chunks).split() == run_on.split()


def test_2024_bodies_without_paragraph_breaks_become_several_passages(
    news: dict[str, AnnouncementRecord],
) -> None:
    for record in news.values():
        chunks = chunk_body(record.body)
        assert all(len(c) <= MAX_CHARS for c in chunks), record.title
        if len(record.body) > 2 * MAX_CHARS:
            assert len(chunks) >= len(record.body) // MAX_CHARS, record.title
    lecture = chunk_body(news["Attorney General's 2024 Bingham Lecture on the rule of law"].body)
    assert len(lecture) >= 40


def test_glued_sentences_are_split_and_not_left_glued_in_a_passage(
    news: dict[str, AnnouncementRecord],
) -> None:
    title = "Unlicensed door supervisor convicted after working at club"
    assert "Newcastle.He" in raw_body(title)
    body = news[title].body
    assert "Newcastle.He" not in body

    sentences = split_sentences(body)
    assert any(s.endswith("as a door supervisor at City Vaults in Newcastle.") for s in sentences)
    assert any(s.startswith("He was sentenced to 18 weeks imprisonment") for s in sentences)

    chunks = chunk_body(body)
    assert not any("Newcastle.He" in c for c in chunks)
    assert any("at City Vaults in Newcastle." in c for c in chunks)
    assert any("He was sentenced to 18 weeks imprisonment, suspended for two years" in c for c in chunks)


def raw_body(title: str) -> str:
    """The body as the 2024 sample's file holds it, before reading."""
    for line in NEWS_2024.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item["title"] == title:
            return str(item["body"])
    raise AssertionError(f"no {title!r} in {NEWS_2024.name}")


def test_a_flat_bodys_attachment_boxes_leave_no_boilerplate_behind(
    news: dict[str, AnnouncementRecord],
) -> None:
    title = "UK-Italy Young Leaders Programme: call for applications"
    raw = raw_body(title)
    assert "CharterPDF,448 KB,3 pagesDownload" in raw
    assert "This file may not be suitable for users of assistive technology" in raw

    body = news[title].body
    for boilerplate in (
        "KB,",
        "3 pages",
        "assistive technology",
        "accessible format",
        "what format you need",
    ):
        assert boilerplate not in body, boilerplate
    # The attachments' names and the text around them stay.
    assert "Read the Young Leaders Charter" in body
    assert "Download the YLPpamphlet with more information on the programme" in body
    chunk = the_chunk_with(chunk_body(body), "you must be a young professional under 40 years old")
    assert "assistive" not in chunk


def test_words_glued_where_links_were_are_apart_again(news: dict[str, AnnouncementRecord]) -> None:
    flux = "Flux tower will see how much carbon gets stored in new saltmarsh"
    fireworks = "Stay safe this fireworks season"
    assert "ranging from theBlackwater Estuary" in raw_body(flux)
    assert "keep to the curfewPeople are more likely" in raw_body(fireworks)

    assert "ranging from the Blackwater Estuary" in news[flux].body
    assert "keep to the curfew People are more likely" in news[fireworks].body
    door = "Unlicensed door supervisor convicted after working at club"
    assert "sign up for email updates visitwww.gov.uk/sia" in raw_body(door)
    assert "sign up for email updates visit www.gov.uk/sia" in news[door].body
    veterans = "Government backs veterans by approving Veteran Card as voter ID for first time"
    assert "minister for elections, said:No veteran" in raw_body(veterans)
    assert "minister for elections, said: No veteran" in news[veterans].body


def test_only_a_flat_body_is_mended() -> None:
    assert mend_flat("Follow us onLinkedIn.This file may not be suitable.") == (
        "Follow us onLinkedIn.This file may not be suitable."
    )
    long_with_breaks = "Follow us onLinkedIn.\n\n" + "A sentence of an ordinary body. " * 30
    assert mend_flat(long_with_breaks) == long_with_breaks


def test_a_word_glued_after_a_link_is_found_by_search(tmp_path: Path) -> None:
    library = library_for(tmp_path / "store.db")
    try:
        library.ingest([NEWS_2024], progress=False)
        found = library.search("blackwater")
    finally:
        library.close()
    assert [p.title for p in found][:1] == [
        "Flux tower will see how much carbon gets stored in new saltmarsh"
    ]
    assert "the Blackwater Estuary in Essex" in found[0].passage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It opens in Newcastle.He said so.", ["It opens in Newcastle.", "He said so."]),
        ("Call 0345 988 1188.Lines are open.", ["Call 0345 988 1188.", "Lines are open."]),
        ("Details are on GOV.UK today. More later.", ["Details are on GOV.UK today.", "More later."]),
        ("Mr. Smith met Dr. Jones. They agreed.", ["Mr. Smith met Dr. Jones.", "They agreed."]),
        ("“We will act.” The minister left.", ["“We will act.”", "The minister left."]),
        ("I’ll make three points.I want to start.", ["I’ll make three points.", "I want to start."]),
        # The 2024 sample's Caribbean visit: the minister's name was glued to the sentence before.
        (
            "schools.UK Caribbean Minister, Baroness Chapman said: it matters.",
            ["schools.", "UK Caribbean Minister, Baroness Chapman said: it matters."],
        ),
        ("Read it at www.gov.uk or GOV.UK now.", ["Read it at www.gov.uk or GOV.UK now."]),
        # More of the 2024 sample's glue: "A", a name in capitals; a bracket or a phone number glued
        # to a word gets its space back (no stop: the same sentence).
        ("accepted MOD 90 ID card.A thorough review", ["accepted MOD 90 ID card.", "A thorough review"]),
        ("the 2024 young leaders (bios)Young Leaders", ["the 2024 young leaders (bios) Young Leaders"]),
        ("Telephone 020 7008 3100Contact the FCDO", ["Telephone 020 7008 3100 Contact the FCDO"]),
        ("of plasma physics.MASTUpgrade is a machine", ["of plasma physics.", "MASTUpgrade is a machine"]),
        ("Plan A (the first) and Plan B.", ["Plan A (the first) and Plan B."]),
    ],
)
def test_split_sentences_on_real_shapes(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_html_blocks_chunk_like_seed_text() -> None:
    blocks = html_to_blocks(
        '<div class="govspeak"><p>The Minister for Roads said:</p>'
        "<blockquote><p>These repairs will make the A1 safer for everyone who uses it every day.</p>"
        "</blockquote><p>The scheme will fund:</p><ul><li>new barriers</li><li>resurfacing</li></ul>"
        "<p>[Political content redacted.]</p></div>"
    )

    chunks = chunk_blocks(blocks)

    assert any("The Minister for Roads said:" in c and "make the A1 safer" in c for c in chunks)
    assert any("The scheme will fund:" in c and "new barriers" in c and "resurfacing" in c for c in chunks)
    assert not any("redacted" in c for c in chunks)


def test_a_long_section_keeps_its_heading_on_its_first_piece_and_never_ends_a_piece_with_it() -> None:
    sentences = " ".join(f"Grant round {n} opens to councils in the north in May." for n in range(30))
    first = "First paragraph of the announcement, long enough to stand on its own as a passage. " * 2
    body = f"{first}\n\n## Eligibility\n\n{sentences}\n\n## Contact"

    chunks = chunk_body(body)

    assert chunks[1].startswith("Eligibility\nGrant round 0 opens")
    assert all(len(c) <= MAX_CHARS for c in chunks)
    assert not any(c.endswith(("Eligibility", "Contact")) for c in chunks)
    assert "Contact" not in "\n".join(chunks)  # a heading with nothing under it heads nothing
