"""A started bot has the OS read its SQLite store back into the page cache (retrieval/store/page_cache.py).

Whether a file's pages are cached is read with mincore(2) over a mapping of it, and pages are
dropped with POSIX_FADV_DONTNEED, as the OS does to a store it has not read for a while: Linux only.
This process opens the store's file only while no Library has it open: closing a descriptor of it
would release the SQLite connections' locks (what page_cache.py runs in a child to avoid).
"""

from __future__ import annotations

import ctypes
import mmap
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.config import Settings
from retrieval.library import Library
from retrieval.store.page_cache import drop, read_ahead
from tests.conftest_retrieval import NEWS_2024, ROOT, SEED_FILE

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(os, "posix_fadvise"),
    reason="reads page-cache residency with Linux's mincore",
)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_int, _size = ctypes.c_int, ctypes.c_size_t
_libc.mmap.argtypes = [ctypes.c_void_p, _size, _int, _int, _int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]


def cached_share(path: Path) -> float:
    """The share of the file's pages in the page cache (mapping a file reads none of it)."""
    size = path.stat().st_size
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    fd = os.open(path, os.O_RDONLY)
    try:
        address = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        assert address not in (None, ctypes.c_void_p(-1).value), os.strerror(ctypes.get_errno())
        try:
            vector = ctypes.create_string_buffer(pages)
            assert _libc.mincore(address, size, vector) == 0, os.strerror(ctypes.get_errno())
            return sum(byte & 1 for byte in vector.raw) / pages
        finally:
            _libc.munmap(address, size)
    finally:
        os.close(fd)


def evict(path: Path) -> None:
    """Drop the file's pages from the page cache, or skip: some file systems (tmpfs) keep them."""
    drop(path)
    if cached_share(path) > 0.2:
        pytest.skip(f"this file system keeps {path.name}'s pages cached")


def wait_until_cached(path: Path, share: float, seconds: float = 30.0) -> float:
    """The file's cached share, once it reaches `share` or `seconds` have passed (no speed is judged:
    the read-ahead is asynchronous, the machine shared)."""
    deadline = time.monotonic() + seconds
    while (found := cached_share(path)) < share and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def sqlite_settings(tmp_path: Path) -> tuple[Settings, Path]:
    db = tmp_path / "store.db"
    url = f"sqlite:///{db}"
    return Settings(_env_file=None, database_url=url, seeds_dir=tmp_path / "none"), db  # type: ignore[call-arg]


def filled_store(tmp_path: Path) -> tuple[Settings, Path, str]:
    """A real SQLite store of the seed and 2024 corpora, closed; and the passage that answers."""
    settings, db = sqlite_settings(tmp_path)
    library = Library(settings)
    try:
        library.ingest([SEED_FILE, NEWS_2024], progress=False)
        answer = library.ask("how many hereditary peers still sit in the lords").answer
        assert answer is not None
        return settings, db, answer.passage
    finally:
        library.close()


def test_a_started_bot_reads_its_evicted_store_back_into_the_page_cache(tmp_path: Path) -> None:
    settings, db, passage = filled_store(tmp_path)
    evict(db)
    library = Library(settings)
    try:
        reading = library.settle()  # what the Telegram bot does once started
        assert reading is not None
        reading.join(60)
        answer = library.ask("how many hereditary peers still sit in the lords").answer
        assert answer is not None and answer.passage == passage
    finally:
        library.close()
    assert wait_until_cached(db, 0.95) >= 0.95


def test_the_terminal_chat_reads_its_evicted_store_back_into_the_page_cache(tmp_path: Path) -> None:
    settings, db, passage = filled_store(tmp_path)
    evict(db)
    env = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), DATABASE_URL=settings.database_url)
    env.update(SEEDS_DIR=str(settings.seeds_dir))
    # `make run` without a token: the terminal chat, one question, then Ctrl-D.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        input="how many hereditary peers still sit in the lords\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert passage.split("\n")[0][:60] in result.stdout
    assert wait_until_cached(db, 0.95) >= 0.95


def test_a_store_without_a_file_is_not_read_ahead(tmp_path: Path) -> None:
    # In memory here; a PostgreSQL store has no file either, and keeps its own cache.
    settings, _ = sqlite_settings(tmp_path)
    library = Library(settings.model_copy(update={"database_url": "sqlite://"}))  # no file either
    try:
        assert library.settle() is None
    finally:
        library.close()


def test_a_store_larger_than_the_memory_to_spare_is_left_to_the_os(tmp_path: Path) -> None:
    _, db, _ = filled_store(tmp_path)
    evict(db)
    assert read_ahead(db, limit=db.stat().st_size - 1) == 0
    time.sleep(0.5)  # were it read ahead, the pages would be arriving now
    assert cached_share(db) < 0.2
    assert read_ahead(db, limit=db.stat().st_size) == db.stat().st_size
    assert wait_until_cached(db, 0.95) >= 0.95


def test_a_missing_store_file_is_not_an_error(tmp_path: Path) -> None:
    assert read_ahead(tmp_path / "gone.db") == 0


def test_a_large_store_is_read_ahead_whole_not_only_its_first_megabytes(tmp_path: Path) -> None:
    # One WILLNEED for a whole file reads ahead only its first 8 MB or so: a 1M-passage store is
    # 1.3 GB. A file as big as a store of about 37,000 passages stands in for one here.
    big = tmp_path / "big.db"
    with big.open("wb") as out:
        for _ in range(48):
            out.write(os.urandom(1 << 20))
    evict(big)
    assert read_ahead(big) == 48 << 20
    assert wait_until_cached(big, 0.95) >= 0.95
