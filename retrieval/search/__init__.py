"""Lexical search over passages: from text to terms, and BM25Okapi over an index kept on disk.

- `tokenize.py`: text to index terms (the same for questions and passages), stop-words.
- `document.py`: what BM25 indexes of a passage (its announcement's title and organisation, its text).
- `kernels.py`: the BM25 formula and the numba-compiled loops that build, merge and search postings.
- `vocabulary.py`: term to id, as sorted arrays that memory-map.
- `bm25.py`: `BM25Index`, built from tokenized chunks, updated by merging, searched, and scoring any
  text with the same statistics.
- `persistence.py`: generations on disk, checked on load (checksums, bounds), swapped atomically, and
  the file lock that keeps two processes from writing them at once.
"""
