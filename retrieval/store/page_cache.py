"""Bring a SQLite store's file into the OS's page cache when a long-running process starts.

A question reads its 24 candidate passages from the store: at a million passages, 24 scattered
pages of a 1.3 GB file. Right after a restart, or once the OS has reclaimed those pages, each is a
disk read: with the store's pages dropped from the cache, ask p50 / p95 went from 2.8 / 4.2 ms to
7.4 / 9.4 ms on this project's machines (bench.run's 1M store). Asking the kernel to read the file
ahead brings all of it back in well under a second, before the first users' questions. The page
cache is the OS's: nothing is added to the process's memory, and the OS evicts those pages again
under pressure. The index's arrays need none of this: loading a generation reads every byte of them
to check its checksums. PostgreSQL keeps its own cache.

The advice is given by a child process running this file (`read_ahead_in_background`), never by the
process that has the store open: closing any descriptor of a file releases every POSIX lock the
process holds on it, SQLite's included (SQLite's "How To Corrupt An SQLite Database File", 2.2).
This file imports nothing but the standard library, so the child starts in milliseconds.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# One POSIX_FADV_WILLNEED call reads ahead only the first few megabytes of its range (8 MB seen on
# Linux 6.x for a whole file), so the file is advised in steps of this size.
STEP = 8 << 20
# Only a file that fits in this share of the memory the OS calls available: a store bigger than
# that would push out other pages (the index's among them) to be pushed out itself.
SHARE_OF_AVAILABLE = 0.5


def available_memory() -> int | None:
    """The bytes the OS says it could give without swapping (MemAvailable); None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def read_ahead(path: Path, limit: int | None = None) -> int:
    """Ask the kernel to read `path` into the page cache; the bytes asked for. 0, and nothing done,
    when the file is missing, larger than `limit`, or the OS has no posix_fadvise (macOS, Windows).
    Not in a process that has `path` open as a SQLite database (see above)."""
    return _advise(path, "WILLNEED", limit)


def drop(path: Path) -> None:
    """Drop the file's clean pages from the page cache, as the OS does to a file nobody read for a
    while: for measuring (bench.run) and testing. Not in a process that has `path` open."""
    _advise(path, "DONTNEED", None)


def _advise(path: Path, advice: str, limit: int | None) -> int:
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return 0
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return 0
    try:
        size = os.fstat(fd).st_size
        if limit is not None and size > limit:
            log.info("%s is %d MB, more than %d MB to spare: not read ahead", path, size >> 20, limit >> 20)
            return 0
        if advice == "DONTNEED":
            os.fsync(fd)  # dirty pages stay cached
            advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            return size
        for offset in range(0, size, STEP):
            advise(fd, offset, STEP, os.POSIX_FADV_WILLNEED)
        return size
    except OSError as error:  # a file system that refuses the advice: the pages come on demand
        log.info("%s: no page cache advice taken: %s", path, error)
        return 0
    finally:
        os.close(fd)


def from_child(path: Path, drop_pages: bool = False) -> None:
    """Read `path` ahead as `main` does (or drop its pages) in a child process; returns when the advice
    has been given (the pages are then on their way)."""
    command = [sys.executable, "-I", "-S", __file__, *(["--drop"] if drop_pages else []), str(path)]
    try:
        subprocess.run(command, stdin=subprocess.DEVNULL, timeout=120, check=False)
    except (OSError, subprocess.SubprocessError) as error:
        log.info("no page cache advice taken for %s: %s", path, error)


def read_ahead_in_background(path: Path) -> threading.Thread:
    """`from_child(path)` in a daemon thread: the process goes on starting meanwhile."""
    thread = threading.Thread(target=from_child, args=(path,), name="store-read-ahead", daemon=True)
    thread.start()
    return thread


def main(argv: list[str]) -> int:
    """`python page_cache.py PATH`: read PATH ahead if it fits in a share of the available memory
    (unknown: nothing is read ahead); `--drop PATH`: drop its pages."""
    if argv[:1] == ["--drop"] and len(argv) == 2:
        drop(Path(argv[1]))
        return 0
    if len(argv) != 1:
        print("usage: page_cache.py [--drop] PATH", file=sys.stderr)
        return 2
    available = available_memory()
    if available is not None:
        read_ahead(Path(argv[0]), int(available * SHARE_OF_AVAILABLE))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
