"""Work per question stays bounded, whatever one announcement holds (issue 10, point 1)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from retrieval.announcement import AnnouncementRecord
from retrieval.chunking import SEARCHABLE_CHARS
from tests.conftest_retrieval import ROOT, db_url, library_for

PARAGRAPH = (
    "The harbour authority reported {n} vessel movements in week {n}, with dredging of the channel "
    "continuing between the north and south piers and a survey of the breakwater planned."
)


OPENING = "The opening paragraph names the lighthouse keeper, Ada Lovelace, as the new harbour master."


def long_body(chars: int) -> str:
    parts: list[str] = []
    size, n = 0, 0
    while size < chars:
        text = PARAGRAPH.format(n=n)
        parts.append(text)
        size += len(text) + 2
        n += 1
    return "\n\n".join(parts)


def store_with_body(tmp_path: Path, chars: int) -> Path:
    (tmp_path / "no-seeds").mkdir(exist_ok=True)
    db = tmp_path / "store.db"
    library = library_for(db, seeds_dir=tmp_path / "no-seeds")
    try:
        records = [
            AnnouncementRecord(
                title="Harbour traffic report",
                body=f"{OPENING}\n\n{long_body(chars)}",
                url="https://www.gov.uk/government/news/harbour-traffic",
            ),
            AnnouncementRecord(
                title="Unrelated news",
                body="A school in Leeds opened a new library for its pupils this autumn.",
                url="https://www.gov.uk/government/news/unrelated",
            ),
        ]
        library.ingest_records(records)
    finally:
        library.close()
    return db


def test_a_huge_body_is_stored_whole_and_searchable_up_to_the_cap(tmp_path: Path) -> None:
    db = store_with_body(tmp_path, 3 * SEARCHABLE_CHARS)
    library = library_for(db, seeds_dir=tmp_path / "no-seeds")
    try:
        answer = library.ask("who is the new harbour master")
        assert answer.results and "Ada Lovelace" in answer.results[0].passage
        stored = library.announcement(answer.results[0].announcement_id)
        assert stored is not None and len(stored.body) > 3 * SEARCHABLE_CHARS  # nothing lost
        assert stored.extra is not None
        assert 0.9 * SEARCHABLE_CHARS < int(stored.extra["searchable_chars"]) <= SEARCHABLE_CHARS
        # The week numbers past the cap are in the body but in no passage.
        late = library.search("vessel movements week 20000")
        assert all("week 20000," not in p.passage for p in late)
    finally:
        library.close()


MEASURE = textwrap.dedent(
    """
    import json, resource, sys
    from retrieval.config import Settings
    from retrieval.library import Library
    library = Library(
        Settings(_env_file=None, database_url=sys.argv[1], seeds_dir=sys.argv[2], index_dir=sys.argv[3])
    )
    library.ask("school library in leeds")  # index loaded, code warm, no long passage touched
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    answer = library.ask("how many vessel movements were there and where is the dredging")
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"grew_kb": after - before, "found": bool(answer.results)}))
    """
)


def peak_growth_kb(db: Path, seeds: Path) -> dict[str, int | bool]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, db_url(db), str(seeds), str(db.with_name(db.name + ".index"))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    result: dict[str, int | bool] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_memory_per_question_does_not_grow_with_the_body(tmp_path: Path) -> None:
    # 8 MB: before, each of the question's candidate passages loaded its announcement's whole body,
    # and a question about this one took hundreds of megabytes.
    db = store_with_body(tmp_path, 8_000_000)
    measured = peak_growth_kb(db, tmp_path / "no-seeds")
    assert measured["found"]
    assert int(measured["grew_kb"]) < 40_000, measured
