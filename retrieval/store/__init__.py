"""The store: every table (schema.py), and the repository whose methods return frozen records
(repository.py). Nothing outside retrieval/ opens a session or sees a table."""

from retrieval.store.repository import AnnouncementInfo, ChunkRow, CorpusStats, Store, make_engine

__all__ = ["AnnouncementInfo", "ChunkRow", "CorpusStats", "Store", "make_engine"]
