"""Putting announcement files into the store: through `python -m bot ingest` and through the Library."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import RowMapping

from tests.conftest_retrieval import (
    NEWS_2024,
    SEED_FILE,
    SEED_TITLES,
    ask_json,
    chunk_rows,
    copy_db,
    count,
    dump_store,
    ingest_cli,
    isolate,
    library_for,
    news_item,
    sql,
    write_jsonl,
)

SUMMARY = re.compile(r"(\d+) added, (\d+) updated, (\d+) unchanged")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def summary(stdout: str) -> tuple[int, int, int]:
    found = SUMMARY.findall(stdout)
    assert len(found) == 1, stdout
    added, updated, unchanged = found[0]
    return int(added), int(updated), int(unchanged)


def announcement_rows(db: Path) -> dict[str, RowMapping]:
    return {r.title: r._mapping for r in sql(db, "SELECT * FROM announcements")}


def edited_seed(tmp_path: Path) -> Path:
    """A copy of the seed file with one paragraph of the first announcement changed."""
    text = SEED_FILE.read_text(encoding="utf-8")
    assert text.count("from five small and medium sized") == 1
    copy = tmp_path / "announcements-2019-edited.txt"
    copy.write_text(text.replace("from five small and medium sized", "from seven small and medium sized"))
    return copy


# -- through the CLI ------------------------------------------------------------------------------


def test_cli_ingests_the_seed_file_quietly_and_prints_a_summary(tmp_path: Path) -> None:
    db = tmp_path / "x.db"

    result = ingest_cli(db, [SEED_FILE], cwd=tmp_path)

    assert result.returncode == 0
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert summary(result.stdout) == (4, 0, 0)
    rows = announcement_rows(db)
    assert sorted(rows) == sorted(SEED_TITLES)
    assert rows["Blackpool Tower rides again"]["type"] == "News story"
    assert rows["Philip Hammond’s speech at the Resolution Foundation"]["type"] == "Speech"
    hong_kong = rows["UK and Canada joint statement on Hong Kong"]
    assert hong_kong["type"] == "Press release"
    assert hong_kong["summary"].startswith("The UK and Canada have issued a joint statement")
    bullets = [text for _, _, _, text in chunk_rows(db) if "Other actions include:" in text]
    assert len(bullets) == 1
    assert bullets[0].count("• ") == 3


def test_cli_ingests_the_2024_json_lines(tmp_path: Path) -> None:
    db = tmp_path / "x.db"

    result = ingest_cli(db, [NEWS_2024], cwd=tmp_path)

    assert result.returncode == 0 and result.stderr == ""
    assert summary(result.stdout) == (20, 0, 0)
    rows = announcement_rows(db)
    assert len(rows) == 20
    lecture = rows["Attorney General's 2024 Bingham Lecture on the rule of law"]
    assert lecture["type"] == "Speech"
    assert lecture["url"].startswith("https://www.gov.uk/government/speeches/")
    assert str(lecture["published"]).startswith("2024-10-15 13:09:06")
    assert lecture["organisation"]
    assert lecture["source"] == str(NEWS_2024)
    assert re.fullmatch(r"[0-9a-f]{64}", lecture["content_hash"])
    assert lecture["ingested_at"]
    assert count(db, "chunks") > 20 * 3  # long bodies are several passages each


def test_reingesting_the_same_files_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    first = ingest_cli(db, [SEED_FILE, NEWS_2024], cwd=tmp_path)
    assert first.returncode == 0 and summary(first.stdout) == (24, 0, 0)
    before = dump_store(db)

    again = ingest_cli(db, [SEED_FILE, NEWS_2024], cwd=tmp_path)

    assert again.returncode == 0 and again.stderr == ""
    assert "0 added, 0 updated, 24 unchanged" in again.stdout
    assert dump_store(db) == before  # same announcements, same chunks, same chunk ids


def test_a_changed_paragraph_replaces_only_that_announcements_chunks(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = library_for(db)
    library.ingest([SEED_FILE, NEWS_2024])
    library.close()
    before = chunk_rows(db)
    others_before = [(cid, text) for cid, title, _, text in before if title != SEED_TITLES[0]]

    result = ingest_cli(db, [edited_seed(tmp_path)], cwd=tmp_path)

    assert result.returncode == 0 and result.stderr == ""
    assert summary(result.stdout) == (0, 1, 3)
    after = chunk_rows(db)
    assert not any("five small and medium sized" in text for _, _, _, text in after)
    assert sum("seven small and medium sized" in text for _, _, _, text in after) == 1
    assert [(cid, text) for cid, title, _, text in after if title != SEED_TITLES[0]] == others_before
    assert count(db, "announcements") == 24
    answer = ask_json(db, "How many technology companies did the Home Secretary meet?", cwd=tmp_path)
    assert answer["answer"] is not None
    assert "seven small and medium sized technology companies" in answer["answer"]["passage"]


def test_a_folder_reached_through_dot_dot_is_ingested(tmp_path: Path) -> None:
    feed = tmp_path / ".feeds" / "govuk"
    feed.mkdir(parents=True)
    shutil.copy(SEED_FILE, feed)
    workdir = tmp_path / "work"
    workdir.mkdir()

    result = ingest_cli(tmp_path / "x.db", [Path("../.feeds/govuk")], cwd=workdir)

    assert result.returncode == 0, result.stderr
    assert summary(result.stdout) == (4, 0, 0)


def test_good_files_are_kept_when_another_file_in_the_same_run_is_bad(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    good = write_jsonl(tmp_path / "good.jsonl", [news_item(n) for n in range(3)])
    bad = write_jsonl(tmp_path / "bad.jsonl", [news_item(10), news_item(11, body="  ")])

    result = ingest_cli(db, [good, bad], cwd=tmp_path)

    assert result.returncode != 0
    errors = result.stderr.splitlines()
    assert len(errors) == 1 and "bad.jsonl:2" in errors[0]
    assert summary(result.stdout) == (3, 0, 0)
    assert sorted(announcement_rows(db)) == sorted(news_item(n)["title"] for n in range(3))


# -- bad input ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    arg: Path
    name: str  # the file name the error must show
    line: int | None  # the line it must show, where one applies
    says: str  # a word of the reason


def missing_file(tmp: Path) -> Bad:
    return Bad(tmp / "missing.jsonl", "missing.jsonl", None, "no such file")


def unreadable_file(tmp: Path) -> Bad:
    if os.geteuid() == 0:
        pytest.skip("root reads a file whatever its mode")
    path = write_jsonl(tmp / "locked.jsonl", [news_item(1)])
    path.chmod(0)
    return Bad(path, "locked.jsonl", None, "cannot read")


def invalid_json_on_line_17(tmp: Path) -> Bad:
    path = write_jsonl(tmp / "feed.jsonl", [news_item(n) for n in range(16)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"title": "Broken", "body": "cut short\n')
        handle.write(json.dumps(news_item(99)) + "\n")
    return Bad(path, "feed.jsonl", 17, "json")


def item_without_title(tmp: Path) -> Bad:
    item = news_item(2)
    del item["title"]
    return Bad(write_jsonl(tmp / "untitled.jsonl", [news_item(1), item]), "untitled.jsonl", 2, "title")


def item_without_body(tmp: Path) -> Bad:
    items = [news_item(1), news_item(2), news_item(3, body="")]
    return Bad(write_jsonl(tmp / "nobody.jsonl", items), "nobody.jsonl", 3, "body")


def binary_junk(tmp: Path) -> Bad:
    data = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    assert b"\x00" in data
    path = tmp / "export.jsonl"
    path.write_bytes(data)
    return Bad(path, "export.jsonl", None, "binary")


def empty_file(tmp: Path) -> Bad:
    path = tmp / "empty.txt"
    path.write_bytes(b"")
    return Bad(path, "empty.txt", None, "empty")


def latin1_file(tmp: Path) -> Bad:
    path = tmp / "latin1.txt"
    path.write_bytes("News story: Fares frozen\n\nSingle fares stay at £2 until March.\n".encode("latin-1"))
    return Bad(path, "latin1.txt", 3, "utf-8")


def folder_without_announcements(tmp: Path) -> Bad:
    folder = tmp / "inbox"
    folder.mkdir()
    (folder / "notes.md").write_text("# notes\n")
    (folder / ".draft.jsonl").write_text(json.dumps(news_item(1)) + "\n")
    return Bad(folder, "inbox", None, "no announcement files")


def seed_header_not_type_title(tmp: Path) -> Bad:
    path = tmp / "seeds.txt"
    path.write_text(
        "News story: A good first announcement\n\nIts body is fine.\n\n\n\n"
        "this line should have been a TYPE: TITLE header, lower case and all\n\nIts body.\n",
        encoding="utf-8",
    )
    return Bad(path, "seeds.txt", 7, "type: title")


def array_bad_at_its_last_item(tmp: Path) -> Bad:
    items = [news_item(n) for n in range(3)] + [news_item(3, body=None)]
    path = tmp / "batch.json"
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    return Bad(path, "batch.json", None, "item 4")


def json_lines_bad_at_the_last_line(tmp: Path) -> Bad:
    items = [news_item(n) for n in range(5)] + [news_item(5, published="next Tuesday")]
    return Bad(write_jsonl(tmp / "tail.jsonl", items), "tail.jsonl", 6, "published")


def url_beyond_the_limit(tmp: Path) -> Bad:
    items = [news_item(1), news_item(2, url="https://www.gov.uk/news/" + "a" * 3000), news_item(3)]
    return Bad(write_jsonl(tmp / "links.jsonl", items), "links.jsonl", 2, "'url' is 3,024 characters long")


BAD_INPUTS: list[Callable[[Path], Bad]] = [
    missing_file,
    unreadable_file,
    invalid_json_on_line_17,
    item_without_title,
    item_without_body,
    binary_junk,
    empty_file,
    latin1_file,
    folder_without_announcements,
    seed_header_not_type_title,
    array_bad_at_its_last_item,
    json_lines_bad_at_the_last_line,
    url_beyond_the_limit,
]


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("seeded") / "x.db"
    library = library_for(db, index_dir=db.parent / "index")
    report = library.ingest([SEED_FILE, NEWS_2024])
    library.close()
    assert report.added == 24
    return db


@pytest.mark.parametrize("make", BAD_INPUTS, ids=[f.__name__ for f in BAD_INPUTS])
def test_bad_input_is_one_clear_error_and_changes_nothing(
    tmp_path: Path, seeded_store: Path, make: Callable[[Path], Bad]
) -> None:
    bad = make(tmp_path)
    db = copy_db(seeded_store, tmp_path / "x.db")
    before = dump_store(db)

    result = ingest_cli(db, [bad.arg], cwd=tmp_path)

    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    error = lines[0]
    assert error.startswith("error: ")
    assert bad.name in error
    if bad.line is not None:
        assert re.search(rf"{re.escape(bad.name)}:{bad.line}\b", error), error
    assert bad.says in error.casefold()
    assert "Traceback" not in result.stdout + result.stderr
    assert dump_store(db) == before


# -- through the Library --------------------------------------------------------------------------


def test_library_ingests_seed_text_json_lines_and_a_json_array(tmp_path: Path) -> None:
    array = tmp_path / "array.json"
    array.write_text(json.dumps([news_item(1), news_item(2)]), encoding="utf-8")
    library = library_for(tmp_path / "x.db")

    report = library.ingest([SEED_FILE, NEWS_2024, array])

    assert (report.files, report.added, report.updated, report.unchanged) == (3, 26, 0, 0)
    assert report.errors == []
    assert library.stats().announcements == 26
    answer = library.ask("Which coastal path section reopened after repairs costing £2,250?").answer
    assert answer is not None and answer.title == news_item(2)["title"]
    library.close()


def test_library_ingests_a_govuk_content_item_file(tmp_path: Path) -> None:
    pytest.importorskip("retrieval.sources.govuk_client")
    item = {
        "base_path": "/government/news/ferry-timetable-for-the-isles-of-scilly",
        "title": "Winter ferry timetable for the Isles of Scilly",
        "description": "More winter sailings to St Mary’s.",
        "document_type": "news_story",
        "first_published_at": "2024-10-20T10:00:00Z",
        "details": {
            "body": '<div class="govspeak"><p>The ferry to St Mary’s will sail four times a week this '
            "winter instead of twice, the Department for Transport said.</p><p>The extra sailings will "
            "run from November to March:</p><ul><li>Tuesdays from Penzance</li><li>Saturdays from "
            "Penzance</li></ul></div>"
        },
        "links": {"organisations": [{"title": "Department for Transport"}]},
    }
    path = tmp_path / "ferry.json"
    path.write_text(json.dumps(item), encoding="utf-8")
    library = library_for(tmp_path / "x.db")

    report = library.ingest([SEED_FILE, path])

    assert report.added == 5 and report.errors == []
    latest = library.latest(1)[0]  # dated, so ahead of the undated seed announcements
    assert latest.title == "Winter ferry timetable for the Isles of Scilly"
    assert latest.type == "News story"
    assert latest.url == "https://www.gov.uk/government/news/ferry-timetable-for-the-isles-of-scilly"
    assert latest.organisation == "Department for Transport"
    result = library.ask("How often will the Scilly ferry sail this winter?")
    assert result.answer is not None and "four times a week" in result.answer.passage
    library.close()


def test_library_ingests_the_announcement_files_inside_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    (folder / "2024").mkdir(parents=True)
    shutil.copy(SEED_FILE, folder)
    shutil.copy(NEWS_2024, folder / "2024")
    write_jsonl(folder / "2024" / "extra.ndjson", [news_item(1)])
    (folder / "README.md").write_text("Drop announcement files here.\n")
    write_jsonl(folder / ".unfinished.jsonl", [news_item(2)])
    library = library_for(tmp_path / "x.db")

    report = library.ingest([folder])

    assert report.errors == []
    assert (report.files, report.added) == (3, 25)
    titles = {a.title for a in library.latest(50)}
    assert news_item(1)["title"] in titles and news_item(2)["title"] not in titles
    library.close()


def test_library_reingest_reports_unchanged_and_keeps_chunk_ids(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = library_for(db)
    library.ingest([SEED_FILE, NEWS_2024])
    chunks = chunk_rows(db)

    report = library.ingest([NEWS_2024, SEED_FILE])

    assert (report.added, report.updated, report.unchanged) == (0, 0, 24)
    assert chunk_rows(db) == chunks
    library.close()


def test_a_renamed_announcement_is_found_by_its_new_title(tmp_path: Path) -> None:
    library = library_for(tmp_path / "x.db")
    item = news_item(1)
    library.ingest([SEED_FILE, write_jsonl(tmp_path / "news.jsonl", [item, news_item(2)])])

    item["title"] = "Lighthouse keepers’ cottages restored at Portwenn"
    report = library.ingest([write_jsonl(tmp_path / "news.jsonl", [item, news_item(2)])])

    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    result = library.ask("lighthouse keepers cottages Portwenn")
    assert result.answer is not None and result.answer.title == item["title"]
    assert result.answer.url == news_item(1)["url"]
    library.close()


def test_a_changed_summary_is_stored_and_searchable_and_other_items_are_untouched(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = library_for(db)
    library.ingest([write_jsonl(tmp_path / "news.jsonl", [news_item(1), news_item(2)])])
    second = news_item(2)["title"]
    untouched = [row for row in chunk_rows(db) if row[1] == second]

    report = library.ingest(
        [write_jsonl(tmp_path / "news.jsonl", [news_item(1, summary="Now open to cyclists."), news_item(2)])]
    )

    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert announcement_rows(db)[news_item(1)["title"]]["summary"] == "Now open to cyclists."
    assert [row for row in chunk_rows(db) if row[1] == second] == untouched
    found = library.search("cyclists")
    assert [hit.title for hit in found] == [news_item(1)["title"]]
    library.close()


def test_a_file_rejected_by_the_library_leaves_no_rows(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = library_for(db)
    library.ingest([SEED_FILE])
    before = dump_store(db)
    bad = write_jsonl(tmp_path / "tail.jsonl", [news_item(n) for n in range(4)] + [{"title": "No body"}])

    report = library.ingest([bad])

    assert report.added == 0 and len(report.errors) == 1
    assert "tail.jsonl:5" in str(report.errors[0])
    assert dump_store(db) == before
    library.close()


# Two real versions of one GOV.UK page each (tests/data/content-api/SOURCES.md): a consultation while
# open and after its withdrawal on 12 November 2016, and the Prime Minister's Christmas message before
# and after its withdrawal (GOV.UK leaves a page's update time as it was when it withdraws it).
CONTENT_API = Path(__file__).parent / "data" / "content-api"
CONSULTATION_OPEN = CONTENT_API / "consultation" / "open_consultation.json"
CONSULTATION_WITHDRAWN = CONTENT_API / "consultation" / "consultation_withdrawn.json"
MESSAGE = CONTENT_API / "news_article" / "news_article.json"
MESSAGE_WITHDRAWN = CONTENT_API / "news_article" / "news_article_withdrawn.json"


def test_an_old_export_does_not_undo_a_later_withdrawal_of_the_same_page(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = library_for(db)
    library.ingest([CONSULTATION_WITHDRAWN])
    stored = announcement_rows(db)

    report = library.ingest([CONSULTATION_OPEN])

    assert (report.added, report.updated, report.unchanged, report.kept_newer) == (0, 0, 0, 1)
    assert "1 older than the version stored (kept the stored one)" in report.summary()
    assert announcement_rows(db) == stored
    found = library.search("postgraduate doctoral loans consultation")
    assert found and found[0].withdrawn_at is not None
    library.close()


def test_the_newer_version_of_a_page_replaces_the_older_one(tmp_path: Path) -> None:
    library = library_for(tmp_path / "x.db")
    library.ingest([CONSULTATION_OPEN])
    assert library.search("postgraduate doctoral loans consultation")[0].withdrawn_at is None

    report = library.ingest([CONSULTATION_WITHDRAWN])

    assert (report.added, report.updated, report.kept_newer) == (0, 1, 0)
    assert library.search("postgraduate doctoral loans consultation")[0].withdrawn_at is not None
    library.close()


@pytest.mark.parametrize("order", ["withdrawn last", "withdrawn first"])
def test_a_withdrawn_page_stays_withdrawn_whatever_order_its_versions_come_in(
    tmp_path: Path, order: str
) -> None:
    versions = [MESSAGE, MESSAGE_WITHDRAWN] if order == "withdrawn last" else [MESSAGE_WITHDRAWN, MESSAGE]
    items = [json.loads(path.read_text(encoding="utf-8")) for path in versions]
    library = library_for(tmp_path / "x.db")

    # One file holding both versions, then each version again from its own file.
    first = library.ingest([write_jsonl(tmp_path / "export.jsonl", items)])
    again = library.ingest(versions)

    assert first.added == 1
    assert (again.added, again.updated) == (0, 0)
    found = library.search("Christmas message Prime Minister")
    assert found and found[0].withdrawn_at is not None
    library.close()
