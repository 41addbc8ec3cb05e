"""Index generations on disk, memory-mapped on load and swapped atomically, and the writers' lock.

Arrays are saved as .npy files and loaded with mmap, so a restart reads no text and tokenizes nothing.
Each save is a new generation directory; CURRENT names the live one and is swapped atomically.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import numpy as np

from retrieval.search.bm25 import BM25Index, IndexMeta
from retrieval.search.vocabulary import Vocabulary

FORMAT = 2  # 2: the vocabulary as sorted arrays instead of terms.txt


def save(index: BM25Index, directory: Path) -> Path:
    """Write a new generation and make it current; older generations are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    generation = _next_generation(directory)
    tmp = directory / f".{generation}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name in ("chunk_ids", "doc_len", "indptr", "docs", "tfs", "idf"):
        np.save(tmp / f"{name}.npy", np.asarray(getattr(index, name)))
    np.save(tmp / "sorted_terms.npy", np.asarray(index.vocabulary.sorted_terms))
    np.save(tmp / "term_ids.npy", np.asarray(index.vocabulary.ids))
    (tmp / "meta.json").write_text(json.dumps({**asdict(index.meta), "format": FORMAT}), encoding="utf-8")
    final = directory / generation
    os.replace(tmp, final)
    pointer = directory / ".CURRENT.tmp"
    pointer.write_text(generation, encoding="utf-8")
    os.replace(pointer, directory / "CURRENT")
    for old in directory.glob("gen-*"):
        if old.name != generation:
            shutil.rmtree(old, ignore_errors=True)  # mapped files stay readable until unmapped
    return final


def _read_meta(path: Path) -> IndexMeta | None:
    data = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    if data.pop("format", None) != FORMAT:
        return None
    return IndexMeta(**data)


def saved_meta(directory: Path) -> IndexMeta | None:
    """What the current saved generation was built from, without loading it."""
    try:
        generation = (directory / "CURRENT").read_text(encoding="utf-8").strip()
        return _read_meta(directory / generation)
    except (OSError, ValueError, TypeError):
        return None


def load(directory: Path) -> BM25Index | None:
    """The current generation, memory-mapped; None if there is none or it is unreadable."""
    try:
        generation = (directory / "CURRENT").read_text(encoding="utf-8").strip()
        path = directory / generation
        meta = _read_meta(path)
        if meta is None:
            return None
        arrays = {
            name: np.load(path / f"{name}.npy", mmap_mode="r")
            for name in ("chunk_ids", "doc_len", "indptr", "docs", "tfs", "idf")
        }
        vocabulary = Vocabulary(
            np.load(path / "sorted_terms.npy", mmap_mode="r"),
            np.load(path / "term_ids.npy", mmap_mode="r"),
        )
    except (OSError, ValueError, TypeError, EOFError):  # EOFError: an .npy file cut to nothing
        return None
    if not _consistent(arrays, vocabulary):
        return None
    return BM25Index(vocabulary, meta=meta, **arrays)


def _consistent(arrays: dict[str, np.ndarray], vocabulary: Vocabulary) -> bool:
    """Shapes that agree, so that a damaged generation is rebuilt rather than read out of bounds."""
    indptr = arrays["indptr"]
    n_terms = len(vocabulary)
    if any(a.ndim != 1 for a in [*arrays.values(), vocabulary.ids, vocabulary.sorted_terms]):
        return False
    if len(indptr) != n_terms + 1 or len(vocabulary.sorted_terms) != n_terms:
        return False
    if n_terms and (int(vocabulary.ids.min()) < 0 or int(vocabulary.ids.max()) >= n_terms):
        return False
    n_postings = int(indptr[-1]) if len(indptr) else 0
    return (
        len(arrays["chunk_ids"]) == len(arrays["doc_len"])
        and len(arrays["idf"]) == n_terms
        and len(arrays["docs"]) == len(arrays["tfs"]) == n_postings
    )


def _next_generation(directory: Path) -> str:
    numbers = [int(p.name[4:]) for p in directory.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


@contextmanager
def file_lock(directory: Path) -> Iterator[None]:
    """Two processes (the bot and an ingest) must not write index generations at once."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
