"""What the store keeps per chat for a conversation (the last answer's announcement, the last list
shown) and the filtered newest-first lists, through the Library on a real store (SQLite, or
PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retrieval.filters import Filters, parse
from retrieval.library import Library
from tests.conftest_retrieval import NEWS_2024, library_for

NOW = datetime(2024, 10, 17, 9, 0, tzinfo=UTC)
CHAT, OTHER_CHAT = 1001, 1002


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    work = tmp_path_factory.mktemp("chat-state")
    library = library_for(work / "store.db")  # the seed corpus (undated) and the 2024 items
    library.prepare()
    library.ingest([NEWS_2024], progress=False)
    yield library
    library.close()


def test_latest_keeps_only_what_the_filters_accept_and_counts_all_pages(news: Library) -> None:
    everything = news.latest(100)
    treasury = Filters(organisations=("HM Treasury",))
    listed = news.latest(100, filters=treasury)
    assert listed == [a for a in everything if a.organisation == "HM Treasury"] and len(listed) == 2
    assert news.count_latest(treasury) == 2
    assert news.latest(1, offset=1, filters=treasury) == listed[1:]

    speeches = news.latest(100, filters=Filters(types=("speech",)))  # any case, as people type it
    assert speeches and all(a.type == "Speech" for a in speeches)
    assert len(speeches) == len([a for a in everything if a.type == "Speech"])


def test_a_date_range_keeps_dated_announcements_in_it_only(news: Library) -> None:
    _, that_day = parse("what was announced on 15 October 2024", news.organisations(), NOW)
    listed = news.latest(100, filters=that_day)
    assert len(listed) == news.count_latest(that_day) == 20  # the seed corpus is undated
    assert news.latest(100, filters=Filters(since=datetime(2025, 1, 1, tzinfo=UTC))) == []


def test_organisation_names_are_matched_within_a_field_of_several(news: Library) -> None:
    organisations = news.organisations()
    assert "Environment Agency" in organisations
    _, ea = parse("latest from the EA", organisations, NOW)
    listed = news.latest(100, filters=ea)
    assert len(listed) == 3 and all("Environment Agency" in (a.organisation or "") for a in listed)


def test_a_chats_last_answer_is_kept_until_it_expires(news: Library) -> None:
    news.remember_answer(CHAT, 5, "How many hereditary peers?", timedelta(minutes=10), NOW)

    turn = news.last_answer(CHAT, NOW + timedelta(minutes=9))
    assert turn is not None and (turn.announcement_id, turn.question) == (5, "How many hereditary peers?")
    assert news.last_answer(CHAT, NOW + timedelta(minutes=10)) is None
    assert news.last_answer(OTHER_CHAT, NOW) is None

    news.remember_answer(CHAT, 8, "fireworks?", timedelta(minutes=10), NOW + timedelta(minutes=1))
    turn = news.last_answer(CHAT, NOW + timedelta(minutes=2))
    assert turn is not None and turn.announcement_id == 8  # the newer answer replaces the older


def test_a_chat_that_moved_on_forgets_its_last_answer_and_keeps_its_list(news: Library) -> None:
    chat = 1003
    news.remember_answer(chat, 5, "peers?", timedelta(minutes=10), NOW)
    news.remember_answer(OTHER_CHAT, 8, "fireworks?", timedelta(minutes=10), NOW)
    news.remember_list(chat, "latest:", {1: 24}, timedelta(days=1), NOW)
    news.forget_answer(chat)
    assert news.last_answer(chat, NOW) is None
    shown = news.shown_list(chat, NOW)
    assert shown is not None and dict(shown.items) == {1: 24}  # "/read 1" still opens it
    other = news.last_answer(OTHER_CHAT, NOW)
    assert other is not None and other.announcement_id == 8


def test_pages_of_one_list_add_up_and_another_list_replaces_them(news: Library) -> None:
    day = timedelta(days=1)
    news.remember_list(CHAT, "latest:", {1: 24, 2: 23}, day, NOW)
    news.remember_list(CHAT, "latest:", {3: 22, 4: 21}, day, NOW)
    shown = news.shown_list(CHAT, NOW)
    assert shown is not None and dict(shown.items) == {1: 24, 2: 23, 3: 22, 4: 21}

    news.remember_list(CHAT, "search:pensions", {1: 7}, day, NOW)
    shown = news.shown_list(CHAT, NOW)
    assert shown is not None and dict(shown.items) == {1: 7}
    assert news.shown_list(CHAT, NOW + day) is None  # expired
    assert news.shown_list(OTHER_CHAT, NOW) is None


def test_forgetting_a_chat_deletes_its_conversation(news: Library) -> None:
    news.remember_answer(OTHER_CHAT, 5, "peers?", timedelta(minutes=10), NOW)
    news.remember_list(OTHER_CHAT, "latest:", {1: 24}, timedelta(days=1), NOW)
    assert news.forget_conversation(OTHER_CHAT) == 2
    assert news.last_answer(OTHER_CHAT, NOW) is None and news.shown_list(OTHER_CHAT, NOW) is None


def test_expired_rows_are_deleted_as_new_ones_are_written(tmp_path: Path) -> None:
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "none")
    try:
        for chat in range(50):
            library.remember_answer(chat, 1, "q", timedelta(minutes=10), NOW)
            library.remember_list(chat, "latest:", {1: 1}, timedelta(minutes=10), NOW)
        later = NOW + timedelta(hours=1)
        library.remember_answer(999, 1, "q", timedelta(minutes=10), later)
        library.remember_list(999, "latest:", {1: 1}, timedelta(minutes=10), later)
        # Only the new chat's rows are left: forgetting it deletes one row of each kind.
        assert library.forget_conversation(999) == 2
        assert all(library.forget_conversation(chat) == 0 for chat in range(50))
    finally:
        library.close()


def test_the_words_the_corpus_uses_and_an_announcements_own(news: Library) -> None:
    assert news.known_words(["Fireworks", "hereditary", "zqxjv", "the"]) == [True, True, False, False]
    [fireworks] = [a.announcement_id for a in news.latest(100) if "fireworks" in a.title]
    words = ["Fireworks", "curfew", "hereditary", "zqxjv"]
    assert news.words_in_announcement(fireworks, words) == [True, True, False, False]
    assert news.words_in_announcement(10**9, words) == [False] * 4


def test_which_kinds_of_fact_an_announcement_gives(news: Library) -> None:
    """What lets a follow-up's reply say "it gives no date" only when none of its passages has one."""
    [fireworks] = [a.announcement_id for a in news.latest(100) if "fireworks" in a.title]
    assert news.gives_fact(fireworks, "date")
    assert not news.gives_fact(fireworks, "contact")
    assert not news.gives_fact(10**9, "date")
