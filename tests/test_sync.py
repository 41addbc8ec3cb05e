"""Following GOV.UK: `python -m bot sync` and retrieval.sync against FakeGovuk on 127.0.0.1.

What an operator or a user would notice: which announcements end up stored and answerable, which
requests GOV.UK receives (new items only, paged, rate-capped, named), how faults are survived, and that
two syncs never run at once.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.config import BotSettings
from bot.sync import make_client, run_sync, sync_command
from retrieval.library import Library
from retrieval.sources.govuk_client import GovukClient
from retrieval.sources.govuk_content import record_from_content
from retrieval.store.schema import Announcement, Chunk, SyncState
from retrieval.sync import MAX_ATTEMPTS, sync, sync_mark
from tests.botharness import bot_settings_for
from tests.conftest_retrieval import cli_env, db_url, run_cli
from tests.fakebotapi import FakeBotAPI
from tests.fakegovuk import LATER_FIXTURE, FakeGovuk, load_fixtures

SEARCH = "/api/search.json"
CONTENT = "/api/content"
PRESS = "/government/news/12-million-to-protect-tewkesbury-homes-from-flooding"
NEWS = "/government/news/3-bus-fare-cap-extended-until-the-end-of-2027"
WORLD = "/government/news/uk-and-peru-agree-9-5-million-partnership-to-protect-the-amazon"
SPEECH = "/government/speeches/science-minister-speech-at-the-quantum-futures-summit-2026"
LATER = "/government/news/free-blood-pressure-checks-for-2-5-million-more-people-at-local-pharmacies"
GOVUK = "https://www.gov.uk"
INITIAL = {PRESS, NEWS, WORLD, SPEECH}


# --- helpers ----------------------------------------------------------------------------------------


def fast(fake: FakeGovuk, timeout: float = 2) -> dict[str, str]:
    """Environment for a CLI sync against the fake: small pages so that paging happens, quick retries."""
    return {
        "GOVUK_API_BASE_URL": fake.base_url,
        "GOVUK_REQUESTS_PER_SECOND": "100",
        "GOVUK_TIMEOUT": str(timeout),
        "GOVUK_BACKOFF": "0.01",
        "SYNC_PAGE_SIZE": "2",
    }


def cli(tmp_path: Path, fake: FakeGovuk, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(db_url(tmp_path / "bot.db"), **fast(fake))
    return run_cli(list(args), cwd=tmp_path, env=env)


def content_paths(fake: FakeGovuk) -> list[str]:
    return [r.path[len(CONTENT) :] for r in fake.requests if r.path.startswith(CONTENT + "/")]


def search_starts(fake: FakeGovuk) -> list[str]:
    return [r.query["start"] for r in fake.requests if r.path == SEARCH]


def stored(library: Library) -> dict[str, Announcement]:
    """The announcements that came from GOV.UK, by path."""
    with library.store.session() as session:
        rows = session.scalars(select(Announcement).where(Announcement.source == "govuk")).all()
    return {a.url[len(GOVUK) :]: a for a in rows if a.url}


def chunk_texts(library: Library, path: str) -> list[str]:
    stmt = (
        select(Chunk.text)
        .join(Announcement, Chunk.announcement_id == Announcement.id)
        .where(Announcement.url == GOVUK + path)
        .order_by(Chunk.position)
    )
    with library.store.session() as session:
        return list(session.scalars(stmt))


def fixture_item(name: str) -> dict[str, Any]:
    return load_fixtures(name)[0]


def whole_body(name: str) -> str:
    item = fixture_item(name)
    return record_from_content(item, item["base_path"]).body


def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        time.sleep(0.02)


@pytest.fixture
def settings(tmp_path: Path, fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk) -> BotSettings:
    """The same database as the `library` fixture; a GOV.UK client that is quick to give up."""
    return bot_settings_for(
        tmp_path,
        fake_bot_api.base_url,
        govuk_api_base_url=fake_govuk.base_url,
        govuk_requests_per_second=100,
        govuk_timeout=0.5,
        govuk_retries=2,
        govuk_backoff=0.01,
        sync_page_size=2,
    )


@pytest.fixture
def other_library(settings: BotSettings) -> Iterator[Library]:
    """A second Library on the same database, as another process would have."""
    lib = Library(settings)
    yield lib
    lib.close()


# --- the CLI brings announcements in -----------------------------------------------------------------


def test_cli_sync_stores_the_fixtures_whole_and_makes_them_answerable(
    tmp_path: Path, fake_govuk: FakeGovuk
) -> None:
    done = cli(tmp_path, fake_govuk, "sync")
    assert done.returncode == 0, done.stderr
    assert "4 added" in done.stdout

    library = Library(bot_settings_for(tmp_path, "http://unused"))
    try:
        items = stored(library)
        assert set(items) == INITIAL
        press = items[PRESS]
        assert press.type == "Press release"
        assert press.title == "£12 million to protect Tewkesbury homes from flooding"
        assert press.summary is not None and press.summary.startswith("A new flood defence scheme")
        assert press.published == datetime(2026, 10, 6, 9, 30, tzinfo=UTC)
        assert press.organisation == "Department for Environment, Food & Rural Affairs, Environment Agency"
        assert press.url == GOVUK + PRESS
        # Paragraphs, list items and quotes are kept as blocks.
        assert "• 8 new flood gates at Quay Street and Mill Street\n" in press.body
        assert "> The people of Tewkesbury have lived with the threat of flooding" in press.body
        assert "\n\nResidents can check their flood risk" in press.body
        assert press.body == whole_body("press_release")
        assert items[SPEECH].type == "Speech"
        assert items[WORLD].type == "World news story"
        assert items[NEWS].type == "News story"
        # The news story was updated on the 10th, but it was first published on the 7th.
        assert items[NEWS].published == datetime(2026, 10, 7, 11, 0, tzinfo=UTC)
    finally:
        library.close()

    # Paged (two results a page), and every request names the bot.
    assert search_starts(fake_govuk) == ["0", "2"]
    assert sorted(content_paths(fake_govuk)) == sorted(INITIAL)
    assert all("govuk-answers-bot" in r.headers["user-agent"] for r in fake_govuk.requests)

    asked = cli(tmp_path, fake_govuk, "ask", "How much will the Tewkesbury flood defences cost?", "--json")
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)["answer"]
    assert answer["url"] == GOVUK + PRESS
    assert answer["type"] == "Press release"
    assert "£12 million" in answer["passage"]


def test_cli_second_sync_fetches_only_what_is_new_or_updated(tmp_path: Path, fake_govuk: FakeGovuk) -> None:
    assert cli(tmp_path, fake_govuk, "sync").returncode == 0

    # Nothing new: search stops at the mark on its first page, and no item is fetched again.
    fake_govuk.clear_requests()
    again = cli(tmp_path, fake_govuk, "sync")
    assert again.returncode == 0, again.stderr
    assert search_starts(fake_govuk) == ["0"]
    assert content_paths(fake_govuk) == []

    # A new announcement and a changed one: only those two are fetched.
    fake_govuk.add_item(fixture_item(LATER_FIXTURE))
    changed = fixture_item("press_release")
    changed["public_updated_at"] = "2026-10-21T12:00:00Z"
    changed["details"]["body"] = changed["details"]["body"].replace(
        "8 new flood gates at Quay Street", "11 new flood gates at Quay Street"
    )
    fake_govuk.add_item(changed)
    fake_govuk.clear_requests()
    third = cli(tmp_path, fake_govuk, "sync")
    assert third.returncode == 0, third.stderr
    assert "1 added, 1 updated" in third.stdout
    assert sorted(content_paths(fake_govuk)) == sorted([LATER, PRESS])

    asked = cli(tmp_path, fake_govuk, "ask", "How many new flood gates at Quay Street?", "--json")
    assert asked.returncode == 0, asked.stderr
    assert "11 new flood gates" in asked.stdout
    assert "8 new flood gates" not in asked.stdout


def test_cli_since_backfills_what_the_mark_has_passed(tmp_path: Path, fake_govuk: FakeGovuk) -> None:
    assert cli(tmp_path, fake_govuk, "sync").returncode == 0
    # An announcement from before the mark that the last run never saw (say, the bot was not yet running).
    older = fixture_item(LATER_FIXTURE)
    older["base_path"] = "/government/news/pharmacy-checks-pilot-in-cumbria"
    older["title"] = "Pharmacy blood pressure checks piloted in Cumbria"
    older["first_published_at"] = older["public_updated_at"] = "2026-09-28T08:00:00Z"
    fake_govuk.add_item(older)

    fake_govuk.clear_requests()
    assert cli(tmp_path, fake_govuk, "sync").returncode == 0
    assert content_paths(fake_govuk) == []  # older than the mark: a plain run does not look back

    fake_govuk.clear_requests()
    backfill = cli(tmp_path, fake_govuk, "sync", "--since", "2026-09-01")
    assert backfill.returncode == 0, backfill.stderr
    assert "1 added" in backfill.stdout
    # It looked back to September, but fetched only the item it did not hold.
    assert content_paths(fake_govuk) == ["/government/news/pharmacy-checks-pilot-in-cumbria"]

    bad = cli(tmp_path, fake_govuk, "sync", "--since", "last week")
    assert bad.returncode == 2
    assert "--since wants a date" in bad.stderr


def test_cli_sync_stopped_half_way_stores_nothing_half_and_the_next_run_catches_up(
    tmp_path: Path, fake_govuk: FakeGovuk
) -> None:
    # The third item takes long to answer; the sync is stopped (SIGTERM) while it waits.
    fake_govuk.delay_next(CONTENT + SPEECH, 30)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sync"],
        cwd=tmp_path,
        env=cli_env(db_url(tmp_path / "bot.db"), **fast(fake_govuk, timeout=60)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: SPEECH in content_paths(fake_govuk))
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0

    library = Library(bot_settings_for(tmp_path, "http://unused"))
    try:
        assert stored(library) == {}  # the two items fetched before the stop were not half-stored
        assert library.stats().announcements == 4  # the seed corpus is intact
    finally:
        library.close()

    # The stopped run released its lease and did not move the mark: the next run gets everything.
    fake_govuk.clear_requests()
    done = cli(tmp_path, fake_govuk, "sync")
    assert done.returncode == 0, done.stderr
    assert "4 added" in done.stdout


# --- paging, politeness, updates (in process) ---------------------------------------------------------


def test_paging_walks_every_page_down_to_the_mark(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    for n in range(7):  # eleven items in all, two a page
        item = fixture_item(LATER_FIXTURE)
        item["base_path"] = f"/government/news/pharmacy-checks-area-{n}"
        item["title"] = f"Pharmacy blood pressure checks reach area {n}"
        item["public_updated_at"] = item["first_published_at"] = f"2026-10-2{n}T08:00:00Z"
        fake_govuk.add_item(item)
    result = run_sync(settings, library)
    assert result.ok and result.added == 11
    assert search_starts(fake_govuk) == ["0", "2", "4", "6", "8", "10"]
    assert len(stored(library)) == 11


def test_an_item_published_while_paging_neither_breaks_the_run_nor_is_lost(
    library: Library, other_library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.delay_next(SEARCH, 0.25, times=2)  # each page is worked out after its delay
    results: list[Any] = []
    running = threading.Thread(target=lambda: results.append(run_sync(settings, other_library)))
    running.start()
    try:
        wait_until(lambda: NEWS in content_paths(fake_govuk))  # the first page is done
        fake_govuk.add_item(fixture_item(LATER_FIXTURE))  # now every later page starts one item later
    finally:
        running.join()
    [first] = results
    assert search_starts(fake_govuk)[:2] == ["0", "2"]
    assert first.ok and first.added == 4
    assert content_paths(fake_govuk).count(WORLD) == 1  # shown twice by search, fetched once
    assert set(stored(library)) == INITIAL

    second = run_sync(settings, library)
    assert second.ok and second.added == 1
    assert set(stored(library)) == INITIAL | {LATER}


def test_requests_per_second_are_capped(library: Library, fake_govuk: FakeGovuk) -> None:
    """The client's limiter spaces every request, on an injected clock so the test need not wait."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = GovukClient(base_url=fake_govuk.base_url, max_per_second=2, clock=lambda: now[0], sleep=sleep)
    with client:
        result = sync(library, client)
    assert result.added == 4
    requests = len(fake_govuk.requests)
    assert requests == 5  # one search page, four items
    assert now[0] >= (requests - 1) / 2  # at most two a second


def test_updated_item_replaces_its_old_passages(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    assert run_sync(settings, library).added == 4
    assert library.ask("How many litres a second can the Gander Lane pumping station move?").answer

    changed = fixture_item("press_release")
    changed["public_updated_at"] = "2026-10-21T12:00:00Z"
    changed["details"]["body"] = changed["details"]["body"].replace(
        "a pumping station at Gander Lane able to move 1,800 litres of water a second",
        "a pumping station at Gander Lane able to move 2,600 litres of water a second",
    )
    fake_govuk.add_item(changed)
    result = run_sync(settings, library)
    assert (result.added, result.updated) == (0, 1)

    texts = " ".join(chunk_texts(library, PRESS))
    assert "2,600 litres" in texts and "1,800 litres" not in texts
    answer = library.ask("How many litres a second can the Gander Lane pumping station move?").answer
    assert answer is not None and "2,600 litres" in answer.passage
    assert len(stored(library)) == 4  # replaced, not added beside the old one


def test_make_client_uses_the_settings(settings: BotSettings, fake_govuk: FakeGovuk) -> None:
    fake_govuk.delay_next(SEARCH, 1.0)  # longer than GOVUK_TIMEOUT (0.5 s): retried, then answered
    with make_client(settings) as client:
        results = list(client.search(since=None, page_size=10))
    assert len(results) == 4
    assert search_starts(fake_govuk) == ["0", "0"]


# --- faults ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(lambda fake: fake.delay_next(CONTENT + SPEECH, 1.0), id="timeout"),
        pytest.param(lambda fake: fake.fail_next(CONTENT + SPEECH, 503), id="5xx"),
        pytest.param(lambda fake: fake.fail_next(SEARCH, 429, retry_after=0), id="429-search"),
        pytest.param(lambda fake: fake.fail_next(CONTENT + SPEECH, 429), id="429-content"),
    ],
)
def test_transient_faults_are_retried_and_the_run_goes_on(
    library: Library,
    settings: BotSettings,
    fake_govuk: FakeGovuk,
    fault: Callable[[FakeGovuk], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fault(fake_govuk)
    with caplog.at_level(logging.WARNING):
        result = run_sync(settings, library)
    assert result.ok, result.error
    assert set(stored(library)) == INITIAL
    assert "retrying" in caplog.text


def test_malformed_item_is_skipped_and_fetched_again_next_run(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk, caplog: pytest.LogCaptureFixture
) -> None:
    fake_govuk.malformed_next(CONTENT + WORLD)
    with caplog.at_level(logging.WARNING, logger="retrieval.sync"):
        first = run_sync(settings, library)
    assert first.ok and first.skipped == [WORLD]
    assert WORLD in caplog.text
    assert set(stored(library)) == INITIAL - {WORLD}

    fake_govuk.clear_requests()
    second = run_sync(settings, library)
    assert second.ok and second.added == 1
    assert set(stored(library)) == INITIAL
    assert content_paths(fake_govuk) == [WORLD]  # the others are not fetched again


def test_malformed_search_page_stops_the_run_and_the_next_run_catches_up(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.malformed_next(SEARCH)
    first = run_sync(settings, library)
    assert not first.ok and "malformed" in (first.error or "")
    assert stored(library) == {}
    assert sync_mark(library).last_success is None

    second = run_sync(settings, library)
    assert second.ok and second.added == 4


@pytest.mark.parametrize("status", [404, 410])
def test_missing_item_is_skipped_and_logged(
    library: Library,
    settings: BotSettings,
    fake_govuk: FakeGovuk,
    status: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_govuk.fail_next(CONTENT + SPEECH, status)
    with caplog.at_level(logging.WARNING, logger="retrieval.sync"):
        result = run_sync(settings, library)
    assert result.ok and result.skipped == [SPEECH]
    assert f"skipped {SPEECH}: gone (HTTP {status})" in caplog.text
    assert set(stored(library)) == INITIAL - {SPEECH}
    assert content_paths(fake_govuk).count(SPEECH) == 1  # not retried: it is gone


def test_an_item_govuk_never_answers_is_skipped_the_older_ones_stored_and_it_is_tried_next_run(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.fail_next(CONTENT + SPEECH, 502, times=3)  # every attempt (GOVUK_RETRIES=2)
    first = run_sync(settings, library)
    assert first.ok, first.error
    # Searched newest first: the items before the speech and the one after it are stored, whole.
    items = stored(library)
    assert set(items) == INITIAL - {SPEECH}
    assert items[NEWS].body == whole_body("news_story")
    assert chunk_texts(library, PRESS)
    assert chunk_texts(library, SPEECH) == []
    assert sync_mark(library).high_water == datetime(2026, 10, 10, 10, 0, tzinfo=UTC)
    [problem] = library.sync_problems()
    assert (problem.key, problem.attempts, problem.given_up) == (SPEECH, 1, False)
    assert "502" in problem.reason

    fake_govuk.clear_requests()
    second = run_sync(settings, library)
    assert second.ok and second.added == 1
    assert set(stored(library)) == INITIAL
    assert content_paths(fake_govuk) == [SPEECH]  # below the mark now: fetched as a problem, alone
    assert library.sync_problems() == []


def test_govuk_down_for_several_items_in_a_row_stops_the_run_and_keeps_the_mark(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.fail_next(CONTENT, 503, times=100)
    first = run_sync(settings, library)
    assert not first.ok and "unavailable" in (first.error or "")
    assert len(content_paths(fake_govuk)) == 3 * 3  # three items, three attempts each, then it stopped
    assert sync_mark(library).high_water is None
    assert stored(library) == {}

    fake_govuk.clear_faults()
    second = run_sync(settings, library)
    assert second.ok and second.added == 4
    assert library.sync_problems() == []


# --- one bad item beside good ones: the run goes on, stores the rest, and the mark moves on ---------

NEWEST = datetime(2026, 10, 10, 10, 0, tzinfo=UTC)  # the news story's date: the mark after a whole run


def speech_with(change: Callable[[dict[str, Any]], None]) -> Callable[[FakeGovuk], None]:
    def publish(fake: FakeGovuk) -> None:
        item = fixture_item("speech")
        change(item)
        fake.add_item(item)

    return publish


def no_body(item: dict[str, Any]) -> None:
    item["details"]["body"] = ""
    item["details"].pop("parts", None)


BAD_SPEECH: dict[str, Callable[[FakeGovuk], None]] = {
    "no-body": speech_with(no_body),
    "5xx": lambda fake: fake.fail_next(CONTENT + SPEECH, 500, times=3),
    "429": lambda fake: fake.fail_next(CONTENT + SPEECH, 429, times=3),
    "timeout": lambda fake: fake.delay_next(CONTENT + SPEECH, 1.0, times=3),
    "malformed": lambda fake: fake.malformed_next(CONTENT + SPEECH),
}


@pytest.mark.parametrize("fault", BAD_SPEECH.values(), ids=list(BAD_SPEECH))
def test_a_bad_item_is_recorded_and_skipped_and_the_run_stores_the_rest_and_moves_the_mark(
    library: Library,
    settings: BotSettings,
    fake_govuk: FakeGovuk,
    fault: Callable[[FakeGovuk], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    fault(fake_govuk)
    with caplog.at_level(logging.WARNING, logger="retrieval.sync"):
        result = run_sync(settings, library)
    assert result.ok, result.error
    assert result.failed == [SPEECH] and result.skipped == [SPEECH]
    assert f"skipped {SPEECH} for now (attempt 1 of {MAX_ATTEMPTS})" in caplog.text
    # The press release is older than the speech: searched after it, and stored all the same.
    assert set(stored(library)) == INITIAL - {SPEECH}
    assert library.ask("How much will the Tewkesbury flood defences cost?").answer is not None
    assert sync_mark(library).high_water == NEWEST
    [problem] = library.sync_problems()
    assert (problem.source, problem.key, problem.attempts) == ("govuk", SPEECH, 1)
    assert problem.title.startswith("Science Minister")
    assert problem.changed == datetime(2026, 10, 8, 16, 45, tzinfo=UTC)


def test_a_lone_surrogate_in_an_items_json_is_dropped_and_the_item_stored(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    item = fixture_item("speech")
    item["title"] = "Science Minister\ud800 speech"
    item["details"]["body"] = item["details"]["body"].replace("<p>", "<p>\udfff", 1)
    fake_govuk.add_item(item)  # sent as JSON escapes, "\ud800", as a careless encoder would

    result = run_sync(settings, library)

    assert result.ok and result.added == 4 and result.failed == []
    items = stored(library)
    assert set(items) == INITIAL
    assert items[SPEECH].title == "Science Minister speech"
    assert not any("\ud800" <= ch <= "\udfff" for ch in items[SPEECH].body)
    assert sync_mark(library).high_water == NEWEST


def test_an_item_dated_2099_never_moves_the_mark_past_now(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    future = fixture_item(LATER_FIXTURE)
    future["base_path"] = "/government/news/a-date-typed-wrong"
    future["title"] = "A press release whose date was typed wrong"
    future["public_updated_at"] = future["first_published_at"] = "2099-01-01T09:00:00Z"
    fake_govuk.add_item(future)
    before = datetime.now(UTC)

    first = run_sync(settings, library)

    assert first.ok and first.added == 5
    mark = sync_mark(library).high_water
    assert mark is not None and mark <= datetime.now(UTC)
    assert mark >= before  # the mark is the run's start: every dated item so far was seen

    # Published after the first run, but dated before now: a mark at 2099 would hide it for good.
    fake_govuk.add_item(fixture_item(LATER_FIXTURE))
    with library.store.session() as session:  # as if the later item was published just after the run
        session.execute(update(SyncState).values(high_water=datetime(2026, 10, 15, tzinfo=UTC)))
    second = run_sync(settings, library)
    assert second.ok and second.added == 1
    assert LATER in stored(library)


def test_a_mark_already_at_2099_is_dropped_and_the_run_catches_up(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    run_sync(settings, library)
    with library.store.session() as session:  # left by the code before this fix
        session.execute(update(SyncState).values(high_water=datetime(2099, 1, 1, tzinfo=UTC)))
    fake_govuk.add_item(fixture_item(LATER_FIXTURE))

    result = run_sync(settings, library)

    assert result.ok and result.added == 1
    assert sync_mark(library).high_water == datetime(2026, 10, 20, 8, 0, tzinfo=UTC)


def test_a_stuck_item_is_tried_on_a_bounded_number_of_runs_then_reported_until_it_changes(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.fail_next(CONTENT + SPEECH, 500, times=3 * MAX_ATTEMPTS)  # every attempt of every run
    results = [run_sync(settings, library) for _ in range(MAX_ATTEMPTS)]

    assert all(r.ok and r.failed == [SPEECH] for r in results)
    assert [r.given_up for r in results] == [[]] * (MAX_ATTEMPTS - 1) + [[SPEECH]]
    assert f"1 given up after {MAX_ATTEMPTS} attempts" in results[-1].summary()
    [problem] = library.sync_problems()
    assert (problem.key, problem.attempts, problem.given_up) == (SPEECH, MAX_ATTEMPTS, True)
    assert "HTTP 500" in problem.reason

    # Given up: later runs leave it alone, and it stays reported.
    fake_govuk.clear_requests()
    assert run_sync(settings, library).ok
    assert SPEECH not in content_paths(fake_govuk)
    assert [p.key for p in library.sync_problems()] == [SPEECH]

    # Changed at the source: a new version, tried again (and GOV.UK answers now).
    changed = fixture_item("speech")
    changed["public_updated_at"] = "2026-10-21T09:00:00Z"
    fake_govuk.add_item(changed)
    again = run_sync(settings, library)
    assert again.ok and again.added == 1
    assert set(stored(library)) == INITIAL
    assert library.sync_problems() == []


def test_a_redirect_to_another_host_is_not_followed(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    with FakeGovuk(load_fixtures("speech")) as elsewhere:
        fake_govuk.redirect(SPEECH, elsewhere.base_url + CONTENT + SPEECH)
        result = run_sync(settings, library)
        assert elsewhere.requests == []
    assert result.ok and result.failed == [SPEECH]
    assert set(stored(library)) == INITIAL - {SPEECH}
    [problem] = library.sync_problems()
    assert "another host" in problem.reason


def test_cli_sync_with_a_bad_item_succeeds_and_says_what_failed(
    tmp_path: Path, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.fail_next(CONTENT + SPEECH, 503, times=10)
    done = cli(tmp_path, fake_govuk, "sync")
    assert done.returncode == 0, done.stderr
    assert "3 added" in done.stdout and "1 failed, to be tried again" in done.stdout
    assert "Traceback" not in done.stderr


# --- one sync at a time ------------------------------------------------------------------------------


def test_a_second_sync_is_busy_while_one_runs_in_another_thread(
    library: Library, other_library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.delay_next(SEARCH, 1.5)  # the first run holds the lease this long at least
    results: list[Any] = []
    slow_client = GovukClient(base_url=fake_govuk.base_url, max_per_second=100)
    holder = threading.Thread(target=lambda: results.append(sync(other_library, slow_client)))
    holder.start()
    try:
        wait_until(lambda: bool(fake_govuk.requests))  # the holder has the lease and is searching
        second = run_sync(settings, library)
    finally:
        holder.join()
        slow_client.close()
    assert second.busy and second.ok  # not a failure: the other run does the work
    assert second.summary() == "another sync is running; nothing done"
    assert results[0].ok and results[0].added == 4
    # The lease was released: the next run is not busy.
    assert not run_sync(settings, library).busy


def test_cli_sync_and_an_in_process_sync_never_run_at_once(
    tmp_path: Path, library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    fake_govuk.delay_next(SEARCH, 2.0)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sync"],
        cwd=tmp_path,
        env=cli_env(settings.database_url, **fast(fake_govuk, timeout=10)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: bool(fake_govuk.requests))  # the CLI holds the lease and is searching
        busy = run_sync(settings, library)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert busy.busy
    assert process.returncode == 0, err
    assert "4 added" in out


def test_cli_says_so_when_another_sync_is_running(
    library: Library, other_library: Library, settings: BotSettings, fake_govuk: FakeGovuk, capsys: Any
) -> None:
    fake_govuk.delay_next(SEARCH, 1.5)
    slow_client = GovukClient(base_url=fake_govuk.base_url, max_per_second=100)
    holder = threading.Thread(target=sync, args=(other_library, slow_client))
    holder.start()
    try:
        wait_until(lambda: bool(fake_govuk.requests))
        code = sync_command(settings, None, None)
    finally:
        holder.join()
        slow_client.close()
    assert code == 0  # cron must not count it as a failure
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "another sync is running" in out


def test_a_run_records_when_and_how_many_and_its_mark(
    library: Library, settings: BotSettings, fake_govuk: FakeGovuk
) -> None:
    before = datetime.now(UTC)
    run_sync(settings, library)
    shown = library.last_sync()  # what /about shows
    assert shown.last_success is not None and shown.last_success >= before
    assert shown.last_items == 4
    assert sync_mark(library).high_water == datetime(2026, 10, 10, 10, 0, tzinfo=UTC)
