"""Filters typed or said (organisation, type, dates), and follow-ups asked of one announcement."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retrieval.filters import Filters, initials, parse
from retrieval.library import Library
from tests.conftest_retrieval import NEWS_2024, library_for

ORGANISATIONS = [
    "HM Treasury",
    "Environment Agency",
    "Department for Education",
    "Cabinet Office",
    "Ministry of Defence",
    "Prime Minister's Office, 10 Downing Street",
    "Foreign, Commonwealth & Development Office",
    "Attorney General's Office",
]
NOW = datetime(2024, 10, 17, 9, 0, tzinfo=UTC)  # a Thursday


def day(d: int, month: int = 10, year: int = 2024) -> datetime:
    return datetime(year, month, d, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "left", "organisations", "types", "since", "until"),
    [
        ("speeches by HM Treasury this week", "", ("HM Treasury",), ("Speech",), day(14), None),
        ("speeches by hmt", "", ("HM Treasury",), ("Speech",), None, None),
        ("pensions since 1 Nov", "pensions", (), (), day(1, 11, 2023), None),
        ("announcements from the Environment Agency", "", ("Environment Agency",), (), None, None),
        ("what was announced on 15 October 2024", "", (), (), day(15), day(16)),
        # Asked as a question, it is still a list: nothing is left to search for.
        (
            "what did the environment agency announce this week",
            "",
            ("Environment Agency",),
            (),
            day(14),
            None,
        ),
        ("what did hm treasury put out yesterday", "", ("HM Treasury",), (), day(16), day(17)),
        ("DfE school funding", "school funding", ("Department for Education",), (), None, None),
        ("latest from the MoD", "", ("Ministry of Defence",), (), None, None),
        ("flood defences in October 2024", "flood defences", (), (), day(1), day(1, 11)),
        # Spaces and line breaks as typed on a phone: each filter is still read.
        (
            "press  releases from the\nenvironment  agency since 1  Oct",
            "",
            ("Environment Agency",),
            ("Press release",),
            day(1),
            None,
        ),
        (
            "press releases from no10 yesterday",
            "",
            ("Prime Minister's Office, 10 Downing Street",),
            ("Press release",),
            day(16),
            day(17),
        ),
        ("co-operation with france", "co-operation with france", (), (), None, None),
        # A year after "from" is that year's, as after "in"; after "since", from its start on.
        ("show me speeches from 2016", "", (), ("Speech",), day(1, 1, 2016), day(1, 1, 2017)),
        ("pensions since 2016", "pensions", (), (), day(1, 1, 2016), None),
        # Days named as people name them ("since monday" was searched for as words).
        ("what's happened since monday", "what's happened", (), (), day(14), None),
        ("since thursday", "", (), (), day(10), None),  # typed on a Thursday: a week back
        ("and last year?", "and ?", (), (), day(1, 1, 2023), day(1, 1, 2024)),
        ("news in the past 3 days", "", (), ("News story",), day(14), None),
        ("speeches in the past fortnight", "", (), ("Speech",), day(3), None),
        (
            "how much is going into flood defences",
            "how much is going into flood defences",
            (),
            (),
            None,
            None,
        ),
    ],
)
def test_filters_are_read_from_what_people_type(
    typed: str,
    left: str,
    organisations: tuple[str, ...],
    types: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
) -> None:
    rest, filters = parse(typed, ORGANISATIONS, NOW)
    assert rest == left
    assert filters.organisations == organisations
    assert filters.types[: len(types)] == types
    assert (filters.since, filters.until) == (since, until)


def test_initials_give_the_usual_abbreviations() -> None:
    assert "dfe" in initials("Department for Education")
    assert "ea" in initials("Environment Agency")
    assert "mod" in initials("Ministry of Defence")


def test_a_filter_says_in_plain_words_what_it_keeps() -> None:
    _, filters = parse("speeches by HM Treasury on 15 October 2024", ORGANISATIONS, NOW)
    assert filters.describe() == "Speech · HM Treasury · on 15 October 2024"


def test_an_office_holder_names_their_office() -> None:
    words, filters = parse("speeches by the attorney general", ORGANISATIONS, NOW)
    assert words == "" and filters.organisations == ("Attorney General's Office",)
    words, filters = parse("anything from the prime minister", ORGANISATIONS, NOW)
    assert filters.organisations == ("Prime Minister's Office",)  # as the name splits at its comma
    # Only a possessive office: "Home Office" is not "home", nor "Cabinet Office" "cabinet".
    assert not parse("home improvements", ["Home Office"], NOW)[1]
    assert not parse("cabinet", ORGANISATIONS, NOW)[1]


def test_a_type_is_named_as_asked_and_keeps_every_stored_name_of_it() -> None:
    # GOV.UK stores "Oral statement" and "Written statement"; "statements" means both, and a reply
    # says "statement", not the four names it stands for.
    _, filters = parse("statements in 2016", ORGANISATIONS, NOW)
    assert {"Oral statement", "Written statement"} <= set(filters.types)
    assert filters.accepts(None, "Written statement", datetime(2016, 5, 12, tzinfo=UTC))
    assert filters.describe() == "Statement · from 1 January 2016 to 31 December 2016"
    words, filters = parse("fatality notices", ORGANISATIONS, NOW)
    assert words == "" and filters.types == ("Fatality notice",)
    assert parse("calls for evidence", ORGANISATIONS, NOW)[1].describe() == "Call for evidence"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    work = tmp_path_factory.mktemp("filters")
    (work / "no-seeds").mkdir()
    library = library_for(work / "store.db", seeds_dir=work / "no-seeds")
    library.ingest([NEWS_2024], progress=False)
    yield library
    library.close()


def test_search_keeps_only_the_organisation_asked_for(news: Library) -> None:
    everything = news.search("licence", limit=10)
    assert {p.organisation for p in everything} - {"Environment Agency"}, "the test needs other organisations"
    only_ea = news.search("licence", limit=10, filters=Filters(organisations=("Environment Agency",)))
    assert only_ea and all(p.organisation == "Environment Agency" for p in only_ea)


def test_a_date_range_outside_the_corpus_finds_nothing(news: Library) -> None:
    assert news.search("licence", filters=Filters(since=day(1, 1, 2025))) == []
    assert news.search("licence", filters=Filters(since=day(15), until=day(16)))


def test_a_follow_up_is_answered_from_the_announcement_it_follows(news: Library) -> None:
    first = news.ask("how many hereditary peers are left in the lords")
    assert first.results
    peers = first.results[0].announcement_id
    follow_up = news.ask("and when was the second reading", within=peers)
    assert follow_up.results and all(p.announcement_id == peers for p in follow_up.results)


def test_a_follow_up_the_announcement_does_not_answer_is_not_answered(news: Library) -> None:
    peers = news.ask("how many hereditary peers are left in the lords").results[0].announcement_id
    follow_up = news.ask("and how much will it cost", within=peers)
    assert follow_up.outcome != "answer"


def test_unknown_announcement_for_a_follow_up_gives_nothing(news: Library, tmp_path: Path) -> None:
    assert news.ask("when", within=10**9).outcome == "none"
