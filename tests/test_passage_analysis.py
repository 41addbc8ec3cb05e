"""A passage's sentences and their terms are worked out once, when it is stored, and read back by every
question that meets it. What is read back must be exactly what parsing
the passage there and then gives, or the answer (and its bold sentence) would depend on when the
passage was stored; a store from before, or from another tokenizer version, is parsed when asked.

The passages are those of the real GOV.UK Content API items in tests/data/content-api."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.ingest import PARALLEL_FROM
from retrieval.library import Library
from retrieval.ranking import passages
from tests.conftest_retrieval import DATA_DIR, library_for, news_item, sql, write_jsonl

ITEMS = DATA_DIR / "content-api"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, Path]]:
    work = tmp_path_factory.mktemp("analysis")
    (work / "no-seeds").mkdir()
    db = work / "store.db"
    library = library_for(db, seeds_dir=work / "no-seeds")
    library.ingest([ITEMS], progress=False)
    yield library, db
    library.close()


def same(a: passages.Parsed, b: passages.Parsed) -> bool:
    return (
        a.sentences == b.sentences
        and a.terms == b.terms
        and all(a.flags(k, s) == b.flags(k, s) for k in passages.KINDS for s in (False, True))
    )


def test_every_stored_passage_reads_back_as_parsing_it_now_would(stored: tuple[Library, Path]) -> None:
    _, db = stored
    rows = sql(db, "SELECT text, analysis FROM chunks")
    assert len(rows) > 1000
    assert all(analysis is not None for _, analysis in rows)
    different = [t[:80] for t, analysis in rows if not same(passages.read(t, analysis), passages.parse(t))]
    assert different == []
    # And the kinds of fact are found in what was read as in the text.
    read = [passages.read(t, a) for t, a in rows if re.search(r"£\d", t)]
    assert read and all(any(p.flags("amount")) for p in read)


def test_a_passage_stored_without_its_analysis_or_under_another_version_is_parsed_when_asked(
    stored: tuple[Library, Path],
) -> None:
    _, db = stored
    [(text, analysis)] = sql(db, "SELECT text, analysis FROM chunks WHERE text LIKE '%£%' LIMIT 1")
    now = passages.parse(text)
    older = "1.9" + analysis[analysis.index("\x1e") :]
    damaged = analysis.replace("\x1f", "", 1)
    for kept in (None, "", older, damaged, "not an analysis at all"):
        assert same(passages.read(text, kept), now), kept


def test_sentences_that_are_not_spans_of_the_text_are_kept_whole() -> None:
    # Two spaces after an abbreviation: the splitter rejoins "Dr." and "Jones" with one, so the
    # sentence is no longer a span of the text.
    text = "The grant was announced by Dr.  Jones on Monday. It is worth £2 million to Norfolk."
    stored = passages.analysis(text)
    assert "Dr. Jones" not in text
    read = passages.read(text, stored)
    assert read.sentences[0] == "The grant was announced by Dr. Jones on Monday."
    assert read.flags("amount") == (False, True) and read.flags("date") == (True, False)
    assert same(read, passages.parse(text))


def test_a_read_passage_leaves_the_garbage_collector_nothing_to_walk_but_itself() -> None:
    # A long-running bot keeps up to 50,000 read passages, and a full collection walks every list and
    # set among them: 371 ms a collection when their sentences and terms were lists and sets, 74 ms
    # as tuples of strings, which the collector stops tracking once it has seen them (a tuple of
    # tuples, once it has seen the inner ones: by its second collection).
    text = "The grant was announced on 3 May 2024. It is worth £2 million to 40 schools in Norfolk."
    parsed = passages.read(text, passages.analysis(text))
    assert parsed.flags("amount") == (False, True) and parsed.flags("date") == (True, False)
    gc.collect()
    gc.collect()
    held = [parsed.sentences, parsed.terms, *parsed.terms, parsed.starts, *(parsed.facts or {}).values()]
    assert [o for o in held if gc.is_tracked(o)] == []


def test_an_updated_announcement_stores_the_analysis_of_its_new_passages(tmp_path: Path) -> None:
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    try:
        path = tmp_path / "news.jsonl"
        library.ingest([write_jsonl(path, [news_item(1)])], progress=False)
        later = news_item(1, body="The repairs to section 1 of the coast path now cost £6 million.")
        library.ingest([write_jsonl(path, [later])], progress=False)
        [(text, analysis)] = sql(tmp_path / "store.db", "SELECT text, analysis FROM chunks")
        assert "£6 million" in text
        assert analysis == passages.analysis(text)
        assert same(passages.read(text, analysis), passages.parse(text))
    finally:
        library.close()


def test_a_large_ingest_analyses_its_passages_in_worker_processes_the_same_way(tmp_path: Path) -> None:
    (tmp_path / "no-seeds").mkdir()
    items = [news_item(n) for n in range(PARALLEL_FROM + 10)]  # enough to start the workers
    path = write_jsonl(tmp_path / "many.jsonl", items)
    library = library_for(tmp_path / "store.db", seeds_dir=tmp_path / "no-seeds")
    try:
        report = library.ingest([path], progress=False)
        assert report.added == len(items)
        rows = sql(tmp_path / "store.db", "SELECT text, analysis FROM chunks ORDER BY id")
        assert len(rows) == len(items)
        assert all(analysis == passages.analysis(text) for text, analysis in rows)
        # And in the order the items came: the last one's passage is where it should be.
        assert "Section 5009 " in rows[-1][0]
        answer = library.ask("how much did the repairs to coastal path section 4321 cost")
        assert answer.results and "£4,321,250" in answer.results[0].passage
    finally:
        library.close()
