"""A damaged index generation is never searched: caught on load, set aside, rebuilt from the store.

Real files and real damage: bytes flipped in each file of a saved generation, postings out of range,
a truncated file, CURRENT naming a generation that is gone. Where the damage could make the compiled
search read outside its arrays (the arrays that index others), the question runs in a subprocess, so
that a crash fails the test instead of taking the test run down with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval.library import Library
from retrieval.search import persistence
from tests.conftest_retrieval import (
    NEWS_2024,
    ON_POSTGRES,
    ROOT,
    SEED_FILE,
    copy_db,
    db_url,
    isolate,
    library_for,
)

QUESTIONS = [
    "Blackpool Tower locomotive number",
    "How many technology companies did the Home Secretary meet?",
    "Can veterans use the Veteran Card as voter ID?",
    "How much did the Home Secretary pledge against live-streamed abuse?",
    "When did most hereditary peers lose their right to sit in the House of Lords?",
]
ARRAY_FILES = [
    "chunk_ids.npy",
    "doc_len.npy",
    "indptr.npy",
    "docs.npy",
    "tfs.npy",
    "idf.npy",
    "bounds.npy",
    "term_ids.npy",
    "sorted_terms.npy",
]
# Arrays whose values index other arrays: damage to them could crash an unchecked search.
INDEXING = {"indptr.npy", "docs.npy", "term_ids.npy"}

Replies = list[dict[str, Any]]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


def replies(library: Library) -> Replies:
    """What the user is told, for every question, and what a search lists."""
    out = [library.ask(q).to_json() for q in QUESTIONS]
    out.append({"search": [p.to_json() for p in library.search("Home Secretary technology", limit=5)]})
    return out


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Replies]:
    """A store with the seed and 2024 corpora, its index saved beside it, and a sound index's replies."""
    directory = tmp_path_factory.mktemp("pristine")
    library = library_for(directory / "x.db")
    report = library.ingest([SEED_FILE, NEWS_2024])
    assert report.added == 24 and not report.errors
    expected = replies(library)
    library.close()
    return directory, expected


@pytest.fixture
def store(pristine: tuple[Path, Replies], tmp_path: Path) -> Path:
    """A copy of the pristine store and index, to damage."""
    shutil.copytree(pristine[0], tmp_path / "store")
    if ON_POSTGRES:  # the store is a schema, not a file in the folder copied
        copy_db(pristine[0] / "x.db", tmp_path / "store" / "x.db")
    return tmp_path / "store" / "x.db"


def index_dir(db: Path) -> Path:
    return db.parent / "x.db.index"


def current(db: Path) -> str:
    return (index_dir(db) / "CURRENT").read_text(encoding="utf-8")


def data_offset(path: Path) -> int:
    """Where an .npy file's array data begins (after its header): damage there still loads."""
    with path.open("rb") as handle:
        np.lib.format.read_magic(handle)
        np.lib.format.read_array_header_1_0(handle)
        return handle.tell()


def flip_bytes(path: Path, count: int = 200, seed: int = 7) -> None:
    data = bytearray(path.read_bytes())
    start = data_offset(path) if path.suffix == ".npy" else 0
    rng = np.random.default_rng(seed)
    positions = rng.choice(np.arange(start, len(data)), min(count, len(data) - start), replace=False)
    for position in positions.tolist():
        data[position] ^= int(rng.integers(1, 256))
    path.write_bytes(bytes(data))


def reseal(generation: Path) -> None:
    """Record the files' present sizes and checksums in meta.json, as a writer with a bug would have:
    what is left to catch the damage is the check that the arrays fit together."""
    meta_path = generation / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    for name in meta["files"]:
        content = (generation / name).read_bytes()
        meta["files"][name] = {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    body = {k: v for k, v in meta.items() if k != "sha256"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    meta_path.write_text(json.dumps({**body, "sha256": hashlib.sha256(canonical).hexdigest()}))


ASK = """
import json, sys
from retrieval.config import Settings
from retrieval.library import Library
from retrieval.search import persistence
from tests.test_index_integrity import replies
library = Library(Settings(_env_file=None, database_url=sys.argv[1], index_dir=sys.argv[2]))
print(json.dumps(replies(library)))
library.close()
"""


def replies_in_subprocess(db: Path) -> tuple[Replies, list[str]]:
    """The replies of a fresh process on this store, and the warnings it logged."""
    result = subprocess.run(
        [sys.executable, "-c", ASK, db_url(db), str(index_dir(db))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    return json.loads(result.stdout), [line for line in result.stderr.splitlines() if "damaged" in line]


def replies_here(db: Path, caplog: pytest.LogCaptureFixture) -> tuple[Replies, list[str]]:
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        library = library_for(db)
        got = replies(library)
        library.close()
    return got, [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]


def assert_rebuilt(
    db: Path,
    damaged: str,
    got: Replies,
    warnings: list[str],
    expected: Replies,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The replies are those of a sound index, the damage was logged once, and it is gone for good."""
    assert got == expected
    assert len(warnings) == 1 and damaged in warnings[0], warnings
    assert current(db) != damaged
    assert (index_dir(db) / f"damaged-{damaged}").is_dir()  # kept for a post-mortem
    # The next start loads the rebuilt generation as it is, and has nothing to complain about.
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        after = library_for(db)
        assert after.refresh() is False
        assert replies(after) == expected
        after.close()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("name", [*ARRAY_FILES, "meta.json"])
def test_flipped_bytes_in_any_file_are_caught_and_the_index_rebuilt(
    store: Path, pristine: tuple[Path, Replies], caplog: pytest.LogCaptureFixture, name: str
) -> None:
    damaged = current(store)
    flip_bytes(index_dir(store) / damaged / name)

    if name in INDEXING:
        got, warnings = replies_in_subprocess(store)
    else:
        got, warnings = replies_here(store, caplog)

    assert_rebuilt(store, damaged, got, warnings, pristine[1], caplog)


@pytest.mark.parametrize("resealed", [False, True], ids=["raw", "resealed"])
def test_postings_out_of_range_never_crash(
    store: Path, pristine: tuple[Path, Replies], caplog: pytest.LogCaptureFixture, resealed: bool
) -> None:
    """Chunk numbers past the last chunk, and negative ones, in docs.npy: without the checks, the first
    question dies with SIGSEGV, on every restart."""
    damaged = current(store)
    generation = index_dir(store) / damaged
    docs = np.load(generation / "docs.npy", mmap_mode="r+")
    docs[::7] = 2_000_000_000
    docs[3::11] = -5
    docs.flush()
    del docs
    if resealed:
        reseal(generation)

    got, warnings = replies_in_subprocess(store)

    assert_rebuilt(store, damaged, got, warnings, pristine[1], caplog)


def _unsorted_terms(generation: Path) -> None:
    terms = np.load(generation / "sorted_terms.npy", mmap_mode="r+")
    terms[[10, 20]] = terms[[20, 10]]  # a binary search would miss both, or find another term's id
    terms.flush()


def _chunk_ids_out_of_order(generation: Path) -> None:
    ids = np.load(generation / "chunk_ids.npy", mmap_mode="r+")
    ids[[5, 6]] = ids[[6, 5]]  # answers would quote the wrong passage
    ids.flush()


def _indptr_backwards(generation: Path) -> None:
    indptr = np.load(generation / "indptr.npy", mmap_mode="r+")
    indptr[40] = indptr[-1] + 1000  # a term's postings would run past the end of docs
    indptr.flush()


@pytest.mark.parametrize(
    ("damage", "can_crash"),
    [(_unsorted_terms, False), (_chunk_ids_out_of_order, False), (_indptr_backwards, True)],
)
def test_arrays_that_do_not_fit_together_are_caught_despite_matching_checksums(
    store: Path,
    pristine: tuple[Path, Replies],
    caplog: pytest.LogCaptureFixture,
    damage: Callable[[Path], None],
    can_crash: bool,
) -> None:
    damaged = current(store)
    damage(index_dir(store) / damaged)
    reseal(index_dir(store) / damaged)

    got, warnings = replies_in_subprocess(store) if can_crash else replies_here(store, caplog)

    assert_rebuilt(store, damaged, got, warnings, pristine[1], caplog)


def test_a_truncated_file_is_caught_and_the_index_rebuilt(
    store: Path, pristine: tuple[Path, Replies], caplog: pytest.LogCaptureFixture
) -> None:
    damaged = current(store)
    path = index_dir(store) / damaged / "docs.npy"
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)

    got, warnings = replies_here(store, caplog)

    assert_rebuilt(store, damaged, got, warnings, pristine[1], caplog)


def test_current_naming_a_missing_generation_is_rebuilt(
    store: Path, pristine: tuple[Path, Replies], caplog: pytest.LogCaptureFixture
) -> None:
    (index_dir(store) / "CURRENT").write_text("gen-999999", encoding="utf-8")

    got, warnings = replies_here(store, caplog)

    assert got == pristine[1]
    assert len(warnings) == 1 and "gen-999999" in warnings[0], warnings
    assert current(store) != "gen-999999"
    after = library_for(store)
    assert after.refresh() is False
    after.close()


def test_a_save_cut_short_leaves_the_last_generation_current(
    store: Path, pristine: tuple[Path, Replies]
) -> None:
    """A crash while writing a generation leaves a temporary directory that nobody loads; the next save
    clears it."""
    live = current(store)
    partial = index_dir(store) / ".gen-000099.tmp"
    shutil.copytree(index_dir(store) / live, partial)
    (partial / "docs.npy").unlink()

    library = library_for(store)
    assert replies(library) == pristine[1]
    assert current(store) == live
    with persistence.file_lock(index_dir(store)):
        persistence.save(library.index, index_dir(store))
    library.close()

    assert not partial.exists()
    assert sorted(p.name for p in index_dir(store).iterdir() if p.is_dir()) == [current(store)]


def test_a_store_whose_words_are_in_most_passages_keeps_its_saved_index(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # One announcement of three near-identical paragraphs: every idf is negative, floored by
    # rank-bm25 at one (negative) value. That index is sound, not damaged, and is loaded as saved.
    from retrieval.announcement import AnnouncementRecord

    body = "\n\n".join(f"Harbour traffic rose again in week {n} as dredging went on." for n in (1, 2, 3))
    (tmp_path / "tiny").mkdir()
    db = tmp_path / "tiny" / "x.db"
    library = library_for(db, seeds_dir=tmp_path / "tiny")
    library.ingest_records([AnnouncementRecord(title="Harbour traffic", body=body, url="https://x/h")])
    library.ask("harbour traffic dredging")
    saved = current(db)
    library.close()

    with caplog.at_level(logging.WARNING):
        again = library_for(db, seeds_dir=tmp_path / "tiny")
        result = again.ask("harbour traffic dredging")
        again.close()
    assert result.results and result.results[0].title == "Harbour traffic"
    assert not [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert current(db) == saved


def test_an_index_saved_by_the_version_before_is_rebuilt_once_and_answers_the_same(
    store: Path, pristine: tuple[Path, Replies], caplog: pytest.LogCaptureFixture
) -> None:
    # Format 3 had no bounds.npy (each term's bound for the pruned search): an upgraded bot finds
    # such an index beside its store. It is not damage, and no question may be searched without them.
    old = index_dir(store) / current(store)
    (old / "bounds.npy").unlink()
    meta = json.loads((old / "meta.json").read_text(encoding="utf-8"))
    meta["format"] = 3
    del meta["files"]["bounds.npy"]
    (old / "meta.json").write_text(json.dumps(meta))
    reseal(old)  # as that version wrote it: its own checksums, no bounds

    caplog.clear()
    with caplog.at_level(logging.INFO):
        library = library_for(store)
        assert replies(library) == pristine[1]
        library.close()
    assert any("outdated" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert current(store) != old.name and (index_dir(store) / current(store) / "bounds.npy").is_file()
    assert not list(index_dir(store).glob("damaged-*"))
    after = library_for(store)
    assert after.refresh() is False  # the rebuilt index is kept: the next start builds nothing
    after.close()
