"""Reading announcement files: the seed text format, JSON Lines, JSON arrays and GOV.UK content items."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrieval.announcement import AnnouncementRecord, parse_body
from retrieval.sources.files import read_file
from tests.conftest_retrieval import NEWS_2024, SEED_FILE, SEED_TITLES, news_item, write_jsonl


def by_title(records: list[AnnouncementRecord]) -> dict[str, AnnouncementRecord]:
    return {r.title: r for r in records}


def test_seed_text_gives_four_announcements_in_file_order() -> None:
    records = read_file(SEED_FILE)

    assert [r.title for r in records] == SEED_TITLES
    assert [r.type for r in records] == ["News story", "Speech", "Press release", "News story"]
    assert all(r.published is None and r.url is None for r in records)


def test_duplicated_hong_kong_statement_is_one_announcement_summarised_by_its_short_copy() -> None:
    records = [r for r in read_file(SEED_FILE) if r.title == "UK and Canada joint statement on Hong Kong"]

    assert len(records) == 1
    statement = records[0]
    assert statement.summary == (
        "The UK and Canada have issued a joint statement about concerns for their citizens in light of "
        "proposed changes to extradition laws in Hong Kong."
    )
    # The body is the full statement, not the one-paragraph description.
    assert "Fugitive Offenders Ordinance" in statement.body
    assert "have issued a joint statement" not in statement.body


def test_seed_bullets_are_kept_as_a_list_after_their_lead_in() -> None:
    child_abuse = by_title(read_file(SEED_FILE))[SEED_TITLES[0]]
    blocks = parse_body(child_abuse.body)

    lead_in = next(i for i, b in enumerate(blocks) if b.text == "Other actions include:")
    bullets = blocks[lead_in + 1]
    assert bullets.kind == "list"
    assert len(bullets.lines) == 3
    assert bullets.lines[0].startswith("in November the Home Secretary convened a Hackathon in the US")
    assert bullets.lines[1].startswith("last week a Home Office-consortium gave £635,000")
    assert bullets.lines[2].endswith("including live streams")


def test_seed_text_keeps_curly_quotes_and_pound_signs() -> None:
    records = by_title(read_file(SEED_FILE))

    assert "Home Office’s Joint Security and Resilience Centre" in records[SEED_TITLES[0]].body
    assert "£300,000" in records[SEED_TITLES[0]].body


def test_seed_text_saved_with_windows_line_endings_and_a_bom_reads_the_same(tmp_path: Path) -> None:
    copy = tmp_path / "seed-windows.txt"
    copy.write_bytes(b"\xef\xbb\xbf" + SEED_FILE.read_text(encoding="utf-8").replace("\n", "\r\n").encode())

    original = [(r.type, r.title, r.summary, r.body) for r in read_file(SEED_FILE)]
    windows = [(r.type, r.title, r.summary, r.body) for r in read_file(copy)]

    assert windows == original


def test_2024_json_lines_give_twenty_dated_announcements() -> None:
    records = read_file(NEWS_2024)

    assert len(records) == 20
    first = records[0]
    assert first.title.startswith("Removal of hereditary peers from Parliament moves a step closer")
    assert first.published == datetime(2024, 10, 15, 11, 10, 53, tzinfo=UTC)
    assert first.organisation == "Cabinet Office"
    assert first.url == (
        "https://www.gov.uk/government/news/removal-of-hereditary-peers-from-parliament-moves-a-step-closer"
        "-with-second-reading-in-the-house-of-commons"
    )
    assert all(r.published is not None and r.published.tzinfo is not None for r in records)
    assert all(r.url and r.url.startswith("https://www.gov.uk/") for r in records)
    # The type comes from the GOV.UK path when the file gives none.
    types = by_title(records)
    assert types["Attorney General's 2024 Bingham Lecture on the rule of law"].type == "Speech"
    assert types["UK-Switzerland Financial Dialogue 2024 Joint Statement"].type == "Publication"
    assert types["Stay safe this fireworks season"].type == "News"


def test_a_summary_the_body_does_not_say_opens_the_first_passage() -> None:
    # The 2024 sample's UN statement names its speaker only in its summary.
    records = by_title(read_file(NEWS_2024))
    houthis = records[
        "The Houthis must not drag Yemen into a regional war by attacking Israel: UK statement at the UN "
        "Security Council"
    ]
    assert houthis.summary is not None and houthis.summary.startswith("Statement by Ambassador Barbara")
    assert parse_body(houthis.body)[0].text == houthis.summary


def test_a_summary_the_body_already_says_is_not_repeated(tmp_path: Path) -> None:
    said = "Section 1 of the England Coast Path reopened today after storm repairs."
    item = news_item(1, summary=said, body=f"{said} Walkers can again follow the cliffs.")
    (record,) = read_file(write_jsonl(tmp_path / "one.jsonl", [item]))
    assert record.body.count("reopened today") == 1


def test_json_array_file(tmp_path: Path) -> None:
    items = [news_item(1, type="Press release"), news_item(2, organisation=None, published=None)]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(items, indent=2), encoding="utf-8")

    records = read_file(path)

    assert [r.title for r in records] == [items[0]["title"], items[1]["title"]]
    assert records[0].type == "Press release"
    assert records[0].summary == items[0]["summary"]
    assert records[0].organisation == "Natural England"
    assert records[0].published == datetime(2024, 11, 2, 9, 0, tzinfo=UTC)
    assert records[1].type == "News"  # from its /government/news/ url
    assert records[1].organisation is None and records[1].published is None
    assert "£2,250" in records[1].body


def test_json_body_paragraph_breaks_become_separate_blocks(tmp_path: Path) -> None:
    body = "First paragraph about the scheme.\n\nSecond paragraph:\n\n• item one\n• item two"
    path = write_jsonl(tmp_path / "one.jsonl", [news_item(1, body=body, summary=None), news_item(2)])

    blocks = parse_body(read_file(path)[0].body)

    assert [b.kind for b in blocks] == ["paragraph", "paragraph", "list"]
    assert blocks[2].lines == ("item one", "item two")


CONTENT_ITEM = {
    "base_path": "/government/news/new-lifeboat-station-for-whitby",
    "title": "New lifeboat station for Whitby",
    "description": "A £4 million lifeboat station will open in Whitby next spring.",
    "document_type": "press_release",
    "schema_name": "news_article",
    "first_published_at": "2024-10-16T09:30:00+01:00",
    "public_updated_at": "2024-10-16T09:30:00+01:00",
    "details": {
        "body": (
            '<div class="govspeak"><p>A new lifeboat station will open in <strong>Whitby</strong> next '
            "spring, the Maritime Minister announced today.</p>\n"
            "<p>The station will include:</p>\n<ul>\n<li>a boathouse for two all-weather lifeboats</li>\n"
            "<li>a training room for 40 volunteer crew</li>\n</ul>\n"
            "<p>Maritime Minister Jo Smith said:</p>\n<blockquote><p>Whitby&#8217;s crews save lives "
            "every week.</p></blockquote></div>"
        )
    },
    "links": {
        "organisations": [{"title": "Department for Transport"}, {"title": "Maritime and Coastguard Agency"}]
    },
}


def test_govuk_content_api_item_file(tmp_path: Path) -> None:
    pytest.importorskip("retrieval.sources.govuk_content")
    path = tmp_path / "lifeboat.json"
    path.write_text(json.dumps(CONTENT_ITEM), encoding="utf-8")

    (record,) = read_file(path)

    assert record.title == "New lifeboat station for Whitby"
    assert record.type == "Press release"
    assert record.url == "https://www.gov.uk/government/news/new-lifeboat-station-for-whitby"
    assert record.organisation == "Department for Transport, Maritime and Coastguard Agency"
    assert record.summary == "A £4 million lifeboat station will open in Whitby next spring."
    assert record.published == datetime(2024, 10, 16, 8, 30, tzinfo=UTC)
    assert record.source == str(path)
    blocks = parse_body(record.body)
    # The description says what the body does not (£4 million), so it is searchable as the first block.
    assert blocks[0].text == "A £4 million lifeboat station will open in Whitby next spring."
    assert blocks[1].text.startswith("A new lifeboat station will open in Whitby next spring")
    assert any(
        b.kind == "list"
        and b.lines == ("a boathouse for two all-weather lifeboats", "a training room for 40 volunteer crew")
        for b in blocks
    )
    assert "Whitby’s crews save lives every week." in record.body
    assert "<" not in record.body
