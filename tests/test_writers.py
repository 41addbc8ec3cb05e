"""Writers one at a time: two ingests at once, in two real processes, each get their own corpus version,
and every item of both can be answered afterwards. An index that does not hold what the store holds,
whatever the version says, is caught up.

Before the writers' lock, both read the same version before either wrote: the index, caught up to
that version once, never saw the second file's passages, although /latest listed its items.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest_retrieval import (
    SEED_FILE,
    cli_env,
    count,
    db_url,
    library_for,
    run_cli,
    sql,
    write_jsonl,
)

PER_FILE = 400  # items per corpus: enough that the two ingests overlap in time


def place(n: int) -> str:
    """A made-up harbour name, distinct for each n, that no other item shares a word with."""
    letters = ""
    n += 26 * 27
    while n:
        n, d = divmod(n, 26)
        letters += "bcdfghjklmnpqrstvwxzaeiouy"[d]
    return "Port " + letters.capitalize() + "haven"


def harbour_item(n: int, corpus: str) -> dict[str, Any]:
    name = place(n)
    return {
        "title": f"{name} harbour wall to be rebuilt",
        "url": f"https://www.gov.uk/government/news/{corpus}-{n}",
        "published": f"2025-03-{n % 28 + 1:02d}T09:00:00Z",
        "organisation": "Marine Management Organisation",
        "body": (
            f"The harbour wall at {name} will be rebuilt at a cost of £{n * 1000 + 777:,}. "
            f"Work at {name} starts in the spring and should take two years."
        ),
    }


def ingest_at_once(db: Path, files: list[Path], cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    env = cli_env(db_url(db))
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", "--no-progress", str(path)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in files
    ]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
    return results


def asked(db: Path, question: str, cwd: Path) -> dict[str, Any]:
    result = run_cli(["ask", question, "--json"], cwd=cwd, env=cli_env(db_url(db)))
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert isinstance(answer, dict)
    return answer


def test_two_ingests_at_once_leave_every_item_of_both_answerable(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    library_for(db).ingest([SEED_FILE], progress=False)  # the store and its index exist
    north = write_jsonl(tmp_path / "north.jsonl", [harbour_item(n, "north") for n in range(PER_FILE)])
    south = write_jsonl(
        tmp_path / "south.jsonl", [harbour_item(n, "south") for n in range(PER_FILE, 2 * PER_FILE)]
    )

    results = ingest_at_once(db, [north, south], cwd=tmp_path)

    for result in results:
        assert result.returncode == 0, result.stderr
        assert f"{PER_FILE} added" in result.stdout
    # Each writer bumped the version it read under the lock: seeds 1, then 2 and 3.
    [(version,)] = sql(db, "SELECT version FROM corpus_state")
    assert version == 3
    # The index on disk holds every passage of the store, and an item of each file answers.
    library = library_for(db)
    try:
        library.refresh()
        assert len(library.index) == count(db, "chunks")
    finally:
        library.close()
    for n in (3, PER_FILE - 1, PER_FILE + 3, 2 * PER_FILE - 1):
        answer = asked(db, f"How much will rebuilding the harbour wall at {place(n)} cost?", tmp_path)
        assert answer["results"][0]["title"] == f"{place(n)} harbour wall to be rebuilt", n
        assert f"£{n * 1000 + 777:,}" in answer["results"][0]["passage"]


def test_an_index_that_misses_passages_at_the_stores_version_is_caught_up(tmp_path: Path) -> None:
    """What two writers that read the same version left behind: passages in the store that the index
    at that version does not hold. Opening the store again brings them in."""
    db = tmp_path / "store.db"
    library = library_for(db)
    library.ingest([SEED_FILE], progress=False)
    library.close()
    item = harbour_item(7, "late")
    [(announcement_id,)] = sql(
        db,
        "INSERT INTO announcements (key, type, title, body, url, source, source_position, content_hash,"
        " ingested_at) VALUES (:key, 'News story', :title, :body, :url, 'late.jsonl', 0, 'x',"
        " CURRENT_TIMESTAMP) RETURNING id",
        key=item["url"],
        title=item["title"],
        body=item["body"],
        url=item["url"],
    )
    sql(
        db,
        "INSERT INTO chunks (announcement_id, position, text) VALUES (:a, 0, :text)",
        a=announcement_id,
        text=item["body"],
    )  # and the corpus version left as it was

    answer = asked(db, f"How much will rebuilding the harbour wall at {place(7)} cost?", tmp_path)

    assert answer["results"][0]["title"] == item["title"]
