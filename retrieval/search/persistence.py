"""Index generations on disk: written durably, proved whole before they are searched, swapped atomically.

The index directory holds:

    CURRENT               the name of the live generation, replaced atomically
    gen-000042/           one generation: an .npy file per array, and meta.json
    .lock                 held by whoever writes generations (the bot, an ingest, a child process)
    damaged-gen-000041/   the last generation found damaged, kept for a post-mortem

meta.json records what the index was built from and, per array file, its size and SHA-256, and then
its own SHA-256. The search loops index one array with another and have no bounds checks, so a flipped
byte in a posting would read or write foreign memory (a SIGSEGV on the first question, on every
restart), and one in idf, a term's bound or the vocabulary would quietly answer wrong. So a
generation is searched only once every file matches its checksum and the arrays fit together
(`_check_arrays`). Otherwise it is logged, moved aside, CURRENT is removed, and the caller rebuilds
from the store; the next start finds no damaged generation to trip on again.

Checksums are verified at load, before the index is returned, rather than lazily: a lazy check would
let a first question be answered (or crash) before it ends, or make that question wait for it anyway.
What it costs: one read of each file, which also yields the range of its values for the bounds checks.
SHA-256 uses the CPU's SHA instructions where there are some: here it hashed 280 MB in 0.23 s, about
as fast as SHA-1, where blake2b and md5 took 1.7x and 1.8x as long. Reading and hashing release the
GIL, so a refresh on a worker thread does not hold up questions.
Load times measured on 2 cores (bench/generate.py corpora), files in the page cache: 14 ms at 10k
chunks (6 MB), 43 ms at 100k (38 MB), 0.23 s at 1M (291 MB); with the files evicted from the cache
first, 28 ms, 71 ms and 0.37 s. Mapping the files without any check took 1-2 ms.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from retrieval.search.bm25 import BM25Index, IndexMeta
from retrieval.search.vocabulary import Vocabulary

log = logging.getLogger(__name__)

# 4: each term's bound for the pruned search (bounds.npy); 3: checksums in meta.json; 2: the
# vocabulary as sorted arrays instead of terms.txt. A generation of another format is not read: the
# index is rebuilt (the next save removes it).
FORMAT = 4
CURRENT = "CURRENT"
_GENERATION = re.compile(r"gen-\d{6,}")
_HASH = "sha256"
_BLOCK = 1 << 22  # bytes read at a time when checking a file: a multiple of every item size

# Each array file and the dtype it was written with: read as another, its bytes would mean other numbers.
ARRAYS: dict[str, np.dtype[Any]] = {
    "chunk_ids": np.dtype(np.int64),
    "doc_len": np.dtype(np.int32),
    "indptr": np.dtype(np.int64),
    "docs": np.dtype(np.int32),
    "tfs": np.dtype(np.uint16),
    "idf": np.dtype(np.float64),
    "bounds": np.dtype(np.float64),
    "term_ids": np.dtype(np.int32),
    "sorted_terms": np.dtype("S1"),  # byte strings, of any length
}


class Damaged(Exception):
    """A generation that must not be searched; the message says what is wrong with it."""


class _Outdated(Exception):
    """A generation written in another format: not damaged, just to be rebuilt."""


# -- writing --------------------------------------------------------------------------------------


def save(index: BM25Index, directory: Path) -> Path:
    """Write `index` as a new generation and make it current; older generations are removed.

    Every file, the generation's directory and the index directory are fsynced before CURRENT names
    the new generation, and CURRENT's replacement before older ones are deleted: after a power cut,
    CURRENT names a whole generation, the old one or the new one. Call with `file_lock` held."""
    directory.mkdir(parents=True, exist_ok=True)
    generation = _next_generation(directory)
    for stale in directory.glob(".gen-*.tmp"):  # left by a save that crashed
        shutil.rmtree(stale, ignore_errors=True)
    tmp = directory / f".{generation}.tmp"
    tmp.mkdir()
    arrays = {
        "chunk_ids": index.chunk_ids,
        "doc_len": index.doc_len,
        "indptr": index.indptr,
        "docs": index.docs,
        "tfs": index.tfs,
        "idf": index.idf,
        "bounds": index.bounds,
        "term_ids": index.vocabulary.ids,
        "sorted_terms": index.vocabulary.sorted_terms,
    }
    files = {f"{name}.npy": _write_array(tmp / f"{name}.npy", array) for name, array in arrays.items()}
    body = {"format": FORMAT, "index": asdict(index.meta), "files": files}
    _write_durably(tmp / "meta.json", json.dumps({**body, _HASH: _digest_of(body)}, indent=1))
    _fsync_directory(tmp)
    final = directory / generation
    os.replace(tmp, final)
    _fsync_directory(directory)
    _write_durably(directory / ".CURRENT.tmp", generation)
    os.replace(directory / ".CURRENT.tmp", directory / CURRENT)
    _fsync_directory(directory)
    for old in generations(directory):
        if old.name != generation:
            shutil.rmtree(old, ignore_errors=True)  # a process that maps it keeps reading it until it unmaps
    return final


class _HashingWriter:
    """Hashes what np.save writes on its way to the file: no second pass to read the file back."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.hash = hashlib.new(_HASH)
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return self.raw.write(data)


def _write_array(path: Path, array: np.ndarray) -> dict[str, Any]:
    with path.open("wb") as raw:
        writer = _HashingWriter(raw)
        np.save(writer, np.asarray(array), allow_pickle=False)
        raw.flush()
        os.fsync(raw.fileno())
    return {"bytes": writer.size, _HASH: writer.hash.hexdigest()}


def _write_durably(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    """Makes the names created, renamed or removed in `path` durable, not only the files' contents."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _digest_of(body: dict[str, Any]) -> str:
    return hashlib.new(_HASH, json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# -- reading --------------------------------------------------------------------------------------


def generations(directory: Path) -> list[Path]:
    """The generation directories present, oldest first (the current one and any not yet removed)."""
    found = [p for p in directory.glob("gen-*") if _GENERATION.fullmatch(p.name) and p.is_dir()]
    return sorted(found, key=lambda p: int(p.name[4:]))


def _next_generation(directory: Path) -> str:
    names = [p.name for p in generations(directory)] + [p.name[8:] for p in directory.glob("damaged-gen-*")]
    numbers = [int(name[4:]) for name in names if _GENERATION.fullmatch(name)]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def saved_meta(directory: Path) -> IndexMeta | None:
    """What the current saved generation was built from, without loading or checking its arrays; None if
    there is none, or it cannot be read (`load` then says why)."""
    try:
        generation = _current_name(directory)
        return _read_meta(directory / generation)[0] if generation else None
    except (OSError, Damaged, _Outdated):
        return None


def load(directory: Path) -> BM25Index | None:
    """The current generation, memory-mapped, once it has proved whole; None if there is none.

    A damaged generation is logged, moved aside and CURRENT removed, so that the caller rebuilds it
    and no process trips on it again. Call with `file_lock` held, as Library does: moving it aside
    must not race with another process's save."""
    try:
        generation = _current_name(directory)
    except (OSError, Damaged) as error:
        _discard(directory, None, str(error))
        return None
    if generation is None:
        return None
    path = directory / generation
    try:
        return _read_generation(path)
    except _Outdated as outdated:
        log.info("index generation %s is outdated (%s); rebuilding it", generation, outdated)
        return None
    except Damaged as error:
        _discard(directory, path, str(error))
        return None


def _current_name(directory: Path) -> str | None:
    try:
        raw = (directory / CURRENT).read_bytes()
    except FileNotFoundError:
        return None
    name = raw.decode("utf-8", "replace").strip()
    if not _GENERATION.fullmatch(name):
        raise Damaged(f"{CURRENT} holds {raw[:40]!r}, not a generation's name")
    if not (directory / name).is_dir():
        raise Damaged(f"{CURRENT} names {name}, which does not exist")
    return name


def _read_meta(path: Path) -> tuple[IndexMeta, dict[str, Any]]:
    """The generation's IndexMeta and its files' sizes and checksums, once meta.json has proved whole."""
    try:
        data = json.loads((path / "meta.json").read_bytes())
    except FileNotFoundError as missing:
        raise Damaged("meta.json is missing") from missing
    except ValueError as error:  # UnicodeDecodeError and JSONDecodeError both are ValueErrors
        raise Damaged(f"meta.json does not parse: {error}") from error
    if not isinstance(data, dict):
        raise Damaged("meta.json holds no object")
    if data.get("format") != FORMAT:
        raise _Outdated(f"format {data.get('format')!r}, this version reads {FORMAT}")
    body = {k: v for k, v in data.items() if k != _HASH}
    if data.get(_HASH) != _digest_of(body):
        raise Damaged("meta.json does not match its checksum")
    try:
        return IndexMeta(**body["index"]), dict(body["files"])
    except (KeyError, TypeError) as error:
        raise Damaged(f"meta.json lacks {error}") from error


def _read_generation(path: Path) -> BM25Index:
    meta, files = _read_meta(path)
    arrays: dict[str, np.ndarray] = {}
    ranges: dict[str, tuple[int, int]] = {}
    for name in ARRAYS:
        arrays[name], found = _read_array(path / f"{name}.npy", ARRAYS[name], files)
        if found is not None:
            ranges[name] = found
    vocabulary = Vocabulary(arrays.pop("sorted_terms"), arrays.pop("term_ids"))
    problem = _check_arrays(arrays, ranges, vocabulary)
    if problem:
        raise Damaged(problem)
    return BM25Index(
        vocabulary,
        chunk_ids=arrays["chunk_ids"],
        doc_len=arrays["doc_len"],
        indptr=arrays["indptr"],
        docs=arrays["docs"],
        tfs=arrays["tfs"],
        meta=meta,
        idf=arrays["idf"],
        bounds=arrays["bounds"],
    )


def _read_array(
    file: Path, dtype: np.dtype[Any], files: dict[str, Any]
) -> tuple[np.ndarray, tuple[int, int] | None]:
    """The array, memory-mapped, once the file has proved to be the one written; for integers, also
    their least and greatest values. One read of the file serves both: the checksum's, and the range's
    (rather than a pass over the mapped array, which would charge every page to this process)."""
    recorded = files.get(file.name)
    if not isinstance(recorded, dict):
        raise Damaged(f"meta.json has no checksum for {file.name}")
    try:
        array = np.load(file, mmap_mode="r", allow_pickle=False)  # reads the header only
        size = file.stat().st_size
    except FileNotFoundError as missing:
        raise Damaged(f"{file.name} is missing") from missing
    except (OSError, ValueError, EOFError) as error:
        raise Damaged(f"{file.name} does not load: {error}") from error
    if size != recorded.get("bytes"):
        raise Damaged(f"{file.name} is {size} bytes, {recorded.get('bytes')} were written")
    if array.ndim != 1 or not (array.dtype == dtype or array.dtype.kind == dtype.kind == "S"):
        raise Damaged(f"{file.name} holds {array.dtype} in {array.ndim} dimensions, not {dtype} in 1")
    digest = hashlib.new(_HASH)
    low, high = None, None
    integers = array.dtype.kind in "iu"
    buffer = bytearray(_BLOCK)
    with file.open("rb") as handle:
        digest.update(handle.read(size - array.nbytes))  # the header: the data fill the rest
        while n := handle.readinto(buffer):
            block = memoryview(buffer)[:n]
            digest.update(block)
            if integers:  # n is a multiple of the item size: the file's size was checked above
                values = np.frombuffer(block, array.dtype)
                low = int(values.min()) if low is None else min(low, int(values.min()))
                high = int(values.max()) if high is None else max(high, int(values.max()))
    if digest.hexdigest() != recorded.get(_HASH):
        raise Damaged(f"{file.name} does not match its checksum")
    return array, (low, high) if low is not None and high is not None else None


def _check_arrays(
    arrays: dict[str, np.ndarray], ranges: dict[str, tuple[int, int]], vocabulary: Vocabulary
) -> str | None:
    """What makes these arrays unfit to search, if anything. The checksums prove the files are those
    written; these checks prove what was written is sound (a bug, a file copied by hand), and they are
    what keeps the compiled loops inside their arrays: every term's postings lie within docs, every
    posting names a chunk, every term id has an idf."""
    chunk_ids, doc_len, indptr, docs, idf = (
        arrays[name] for name in ("chunk_ids", "doc_len", "indptr", "docs", "idf")
    )
    n_docs, n_terms = len(chunk_ids), len(vocabulary)
    if len(doc_len) != n_docs:
        return f"{n_docs} chunk ids but {len(doc_len)} lengths"
    if len(indptr) != n_terms + 1 or len(idf) != n_terms or len(arrays["bounds"]) != n_terms:
        return (
            f"{n_terms} terms but {len(indptr)} term offsets, {len(idf)} idfs and "
            f"{len(arrays['bounds'])} bounds"
        )
    if len(arrays["tfs"]) != len(docs):
        return f"{len(docs)} postings but {len(arrays['tfs'])} term frequencies"
    if not vocabulary.well_formed():
        return "the vocabulary is not sorted or its ids are not one per term"
    if int(indptr[0]) != 0 or int(indptr[-1]) != len(docs) or not bool(np.all(np.diff(indptr) >= 0)):
        return "term offsets do not run from 0 to the number of postings"
    if len(docs) and not (ranges["docs"][0] >= 0 and ranges["docs"][1] < n_docs):
        return f"postings name chunks from {ranges['docs'][0]} to {ranges['docs'][1]}, of {n_docs}"
    if len(docs) and ranges["tfs"][0] < 1:
        return "a posting counts no occurrence"
    if n_docs > 1 and not bool(np.all(chunk_ids[1:] > chunk_ids[:-1])):
        return "chunk ids are not strictly increasing"
    if n_docs and ranges["doc_len"][0] < 0:
        return "a chunk length is negative"
    if n_terms and not bool(np.isfinite(idf).all()):
        return "an idf is not a number"
    if n_terms and not bool(np.isfinite(arrays["bounds"]).all()):
        return "a term's bound is not a number"
    # rank-bm25 floors every negative idf at one value, EPSILON x the mean idf, which is itself
    # negative when most terms are in most chunks (a store of one short announcement): one shared
    # negative value is sound, several are damage.
    negative = idf[idf < 0]
    if len(negative) and not bool(np.all(negative == negative[0])):
        return "negative idfs differ (only rank-bm25's floor may be negative)"
    return None


def _discard(directory: Path, path: Path | None, reason: str) -> None:
    """Log a damaged generation once, and take it out of the way: moved aside (the last one is kept for
    a post-mortem), CURRENT removed."""
    name = path.name if path is not None else "the current index generation"
    log.warning("%s is damaged (%s): set aside; the index is rebuilt from the store", name, reason)
    try:
        for old in directory.glob("damaged-*"):
            shutil.rmtree(old, ignore_errors=True)
        if path is not None:
            os.replace(path, directory / f"damaged-{path.name}")
        with suppress(FileNotFoundError):
            (directory / CURRENT).unlink()
        _fsync_directory(directory)
    except OSError as error:  # a read-only directory: the generation stays, but is never searched
        log.warning("could not set the damaged index generation aside: %s", error)


# -- the writers' lock ----------------------------------------------------------------------------


@contextmanager
def file_lock(directory: Path) -> Iterator[None]:
    """Two processes (the bot and an ingest) must not write index generations at once. In a folder
    no one here may write (a read-only mount) there is no writer to keep out: no lock is taken."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle = open(directory / ".lock", "w")  # noqa: SIM115 - closed below, after the unlock
    except OSError as error:
        if not read_only(error):
            raise
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_only(error: OSError) -> bool:
    """The folder may be read but not written: the index is then kept in memory only."""
    return error.errno in (errno.EROFS, errno.EACCES, errno.EPERM)
