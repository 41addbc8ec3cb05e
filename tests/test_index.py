"""The BM25 index: the same rankings and scores as rank-bm25, kept on disk beside the store, never stale."""

from __future__ import annotations

import json
import shutil
import string
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval import answer
from retrieval.chunking import chunk_body
from retrieval.library import Library
from retrieval.search import document, kernels, persistence
from retrieval.search.bm25 import BM25Index, IndexMeta
from retrieval.search.tokenize import VERSION, tokenize
from retrieval.search.vocabulary import Vocabulary
from retrieval.sources.files import read_file
from tests.conftest_retrieval import (
    NEWS_2024,
    SEED_FILE,
    chunk_rows,
    cli_env,
    db_url,
    isolate,
    library_for,
    run_cli,
    run_process,
    sql,
)

Doc = tuple[int, list[str]]
META = IndexMeta(store_id="reference", store_version=1, tokenizer=VERSION)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate(monkeypatch, tmp_path)


# -- agreement with rank-bm25 ---------------------------------------------------------------------


def real_chunk_terms() -> list[list[str]]:
    """The seed and 2024 chunks, each with its announcement's title, as the library indexes them."""
    records = read_file(SEED_FILE) + read_file(NEWS_2024)
    return [tokenize(r.title) + tokenize(text) for r in records for text in chunk_body(r.body)]


def random_vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    letters = np.array(list(string.ascii_lowercase))
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters, int(rng.integers(4, 11)))))
    return sorted(words)


def zipf_paragraphs(rng: np.random.Generator, vocab: list[str], count: int) -> list[str]:
    weights = 1.0 / np.arange(1, len(vocab) + 1) ** 1.07
    weights /= weights.sum()
    order = rng.permutation(len(vocab))  # which word is frequent is itself random
    paragraphs = []
    for _ in range(count):
        picks = rng.choice(len(vocab), int(rng.integers(8, 120)), p=weights)
        paragraphs.append(" ".join(vocab[order[i]] for i in picks) + ".")
    return paragraphs


def queries(
    rng: np.random.Generator, corpus: list[list[str]], vocab_terms: list[str], count: int
) -> list[list[str]]:
    out = []
    for n in range(count):
        length = int(rng.integers(3, 9))
        if n % 2:  # words of one chunk: a question that has an answer
            doc = corpus[int(rng.integers(len(corpus)))] or vocab_terms
            out.append([doc[int(rng.integers(len(doc)))] for _ in range(length)])
        else:  # any terms, frequent ones included, some the corpus may lack
            out.append([vocab_terms[int(rng.integers(len(vocab_terms)))] for _ in range(length)])
    return out


def reference_top(bm25: BM25Okapi, ids: list[int], query: list[str], k: int = 10) -> list[tuple[int, float]]:
    scores = bm25.get_scores(query)
    order = np.argsort(-scores, kind="stable")[:k]
    return [(ids[i], float(scores[i])) for i in order if scores[i] > 0]


def assert_same_rankings(index: BM25Index, docs: list[Doc], query_list: list[list[str]]) -> None:
    ids = [chunk_id for chunk_id, _ in docs]
    bm25 = BM25Okapi([terms for _, terms in docs])
    compared = 0
    for query in query_list:
        expected = reference_top(bm25, ids, query)
        got = index.search(query, 10)
        assert [c for c, _ in got] == [c for c, _ in expected], query
        for (_, ours), (_, theirs) in zip(got, expected, strict=True):
            assert abs(ours - theirs) <= 1e-9, (query, ours, theirs)
        compared += bool(expected)
    assert compared >= 100


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Doc], list[list[str]], np.random.Generator, list[str]]:
    rng = np.random.default_rng(20241015)
    vocab = random_vocabulary(rng, 4000)
    texts = real_chunk_terms() + [tokenize(p) for p in zipf_paragraphs(rng, vocab, 3000)]
    docs = [(chunk_id, terms) for chunk_id, terms in enumerate(texts, start=1)]
    vocab_terms = [*sorted({t for _, terms in docs for t in terms}), "unseenterm"]
    query_list = queries(rng, [terms for _, terms in docs], vocab_terms, 160)
    query_list += [tokenize(q) for q in ("Blackpool Tower locomotive number", "hereditary peers Lords 1999")]
    return docs, query_list, rng, vocab


def test_rankings_and_scores_match_rank_bm25(
    corpus: tuple[list[Doc], list[list[str]], np.random.Generator, list[str]],
) -> None:
    docs, query_list, _, _ = corpus
    assert len(docs) >= 3000
    # The corpus has terms in over half the chunks, so the negative-idf floor is exercised too.
    df: dict[str, int] = {}
    for _, terms in docs:
        for t in set(terms):
            df[t] = df.get(t, 0) + 1
    assert max(df.values()) > len(docs) / 2

    index = BM25Index.build(docs, META)

    assert len(index) == len(docs)
    assert_same_rankings(index, docs, query_list)


def test_pruned_search_gives_what_reading_every_posting_gives(
    corpus: tuple[list[Doc], list[list[str]], np.random.Generator, list[str]],
) -> None:
    docs, query_list, rng, _ = corpus
    index = BM25Index.build(docs, META)
    found = [[index.vocabulary.get(t) for t in q] for q in query_list]
    ids = [np.asarray([i for i in q if i is not None], np.int64) for q in found]
    ids += [np.concatenate([q, q[: len(q) // 2]]) for q in ids if len(q)]  # repeated terms count twice
    scratch = (index._acc, index._seen, index._touched)
    arrays = (index.indptr, index.docs, index.tfs, index.idf, index.norm)
    for query in ids:
        for k in (1, 10, int(rng.integers(2, 300))):
            full_docs, full_scores = kernels.search(*arrays, query, k, *scratch)
            docs_, scores = kernels.search_pruned(*arrays, query, k, *scratch, index.bounds)
            assert full_docs.tolist() == docs_.tolist()
            assert full_scores.tobytes() == scores.tobytes()  # to the last bit
    assert not index._seen.any()  # the scratch is left as it was found
    # Each term's bound is the most it adds to one chunk: never less (the search would miss chunks),
    # and no looser than that (a loose bound makes it read the common words' postings).
    for t in {int(i) for q in ids for i in q}:
        shares = [
            kernels.term_score(float(index.idf[t]), float(index.tfs[p]), float(index.norm[index.docs[p]]))
            for p in range(int(index.indptr[t]), int(index.indptr[t + 1]))
        ]
        assert index.bounds[t] == max(shares)


def test_rankings_match_rank_bm25_after_removals_and_additions(
    corpus: tuple[list[Doc], list[list[str]], np.random.Generator, list[str]],
) -> None:
    docs, query_list, rng, vocab = corpus
    index = BM25Index.build(docs, META)
    removed = np.sort(rng.choice([c for c, _ in docs], 400, replace=False))
    first_new = docs[-1][0] + 10
    new_words = [w + "x" for w in vocab[:200]]  # terms the index has never seen
    added = [
        (first_new + n, tokenize(p))
        for n, p in enumerate(zipf_paragraphs(rng, vocab[:1000] + new_words, 300))
    ]

    changed = index.with_changes(added, removed, META)

    kept = [(c, terms) for c, terms in docs if c not in set(removed.tolist())]
    assert len(changed) == len(kept) + len(added)
    new_queries = query_list + [tokenize(" ".join(new_words[n::7][:4])) for n in range(7)]
    assert_same_rankings(changed, kept + added, new_queries)
    # A removed chunk is never returned, even for its own words.
    for chunk_id in removed[:20].tolist():
        terms = dict(docs)[chunk_id]
        assert chunk_id not in {c for c, _ in changed.search(terms[:8], 50)}


def test_saved_index_loads_and_ranks_identically(
    tmp_path: Path, corpus: tuple[list[Doc], list[list[str]], np.random.Generator, list[str]]
) -> None:
    docs, query_list, _, _ = corpus
    index = BM25Index.build(docs, META)

    persistence.save(index, tmp_path / "idx")
    loaded = persistence.load(tmp_path / "idx")

    assert loaded is not None
    assert loaded.meta == META
    for query in query_list[:50]:
        assert loaded.search(query, 10) == index.search(query, 10)


def assert_scores_bit_identical(index: BM25Index, docs: list[Doc], query_list: list[list[str]]) -> None:
    terms_of = dict(docs)
    compared = 0
    for query in query_list:
        for chunk_id, score in index.search(query, 200):
            assert index.score_terms(query, terms_of[chunk_id]) == score, (query, chunk_id)
            compared += 1
    assert compared >= 4000


def test_scoring_a_text_gives_the_search_score_to_the_last_bit(
    corpus: tuple[list[Doc], list[list[str]], np.random.Generator, list[str]],
) -> None:
    """One BM25 formula: the compiled search and `score_terms` (plain Python, used to match alerts)
    agree exactly, before and after an update changes every idf and the average length."""
    docs, query_list, rng, vocab = corpus
    index = BM25Index.build(docs, META)
    assert_scores_bit_identical(index, docs, query_list[:60])

    removed = np.sort(rng.choice([c for c, _ in docs], 300, replace=False))
    added = [(docs[-1][0] + 1 + n, tokenize(p)) for n, p in enumerate(zipf_paragraphs(rng, vocab, 200))]
    changed = index.with_changes(added, removed, META)
    kept = [(c, terms) for c, terms in docs if c not in set(removed.tolist())]
    assert_scores_bit_identical(changed, kept + added, query_list[60:120])


def test_alert_matching_scores_a_chunk_as_the_search_does(tmp_path: Path) -> None:
    """answer.bm25 (subscription alerts) reads a stored chunk and scores it with the index's formula."""
    library = seeded(tmp_path / "x.db")
    for question in (BLACKPOOL_QUESTION, COMPANIES_QUESTION, "live streaming abuse technology"):
        terms = tokenize(question)
        hits = library.index.search(terms, 20)
        rows = library.store.chunks([chunk_id for chunk_id, _ in hits])
        assert hits
        for chunk_id, score in hits:
            assert answer.bm25(terms, rows[chunk_id], library.index) == score
    library.close()


# -- the library's index beside the store ---------------------------------------------------------

BLACKPOOL_QUESTION = "Blackpool Tower locomotive number"
COMPANIES_QUESTION = "How many technology companies did the Home Secretary meet?"
VETERANS_QUESTION = "Can veterans use the Veteran Card as voter ID?"
VETERANS_TITLE = "Government backs veterans by approving Veteran Card as voter ID for first time"


def seeded(db: Path) -> Library:
    library = library_for(db)
    report = library.ingest([SEED_FILE])
    assert report.added == 4 and not report.errors
    return library


def current_generation(index_dir: Path) -> str:
    return (index_dir / "CURRENT").read_text(encoding="utf-8").strip()


def assert_answers_blackpool(library: Library) -> None:
    """The locomotive's passage comes first. Whether it is quoted as the answer or as the closest
    passage is the second stage's call (retrieval/ranking), not the index's."""
    result = library.ask(BLACKPOOL_QUESTION)
    assert result.results, result
    assert result.results[0].title == "Blackpool Tower rides again"
    assert "37407" in result.results[0].passage


def test_blackpool_tower_locomotive_number_is_answered(tmp_path: Path) -> None:
    library = seeded(tmp_path / "x.db")
    assert_answers_blackpool(library)
    library.close()


def test_index_directory_sits_beside_the_sqlite_file(tmp_path: Path) -> None:
    library = seeded(tmp_path / "x.db")
    library.close()

    index_dir = tmp_path / "x.db.index"
    assert (index_dir / current_generation(index_dir) / "meta.json").is_file()


def test_index_dir_setting_puts_the_index_elsewhere(tmp_path: Path) -> None:
    library = library_for(tmp_path / "x.db", index_dir=tmp_path / "elsewhere")
    library.ingest([SEED_FILE])
    assert_answers_blackpool(library)
    library.close()

    assert (tmp_path / "elsewhere" / "CURRENT").is_file()
    assert not (tmp_path / "x.db.index").exists()


def test_a_second_library_loads_the_saved_index_without_rebuilding(tmp_path: Path) -> None:
    first = seeded(tmp_path / "x.db")
    answer = first.ask(COMPANIES_QUESTION).to_json()
    index_dir = tmp_path / "x.db.index"
    generation = current_generation(index_dir)
    saved = {p.name: p.stat().st_mtime_ns for p in (index_dir / generation).iterdir()}

    second = library_for(tmp_path / "x.db")

    assert second.ask(COMPANIES_QUESTION).to_json() == answer
    assert second.refresh() is False
    assert current_generation(index_dir) == generation
    assert sorted(p.name for p in index_dir.glob("gen-*")) == [generation]
    assert {p.name: p.stat().st_mtime_ns for p in (index_dir / generation).iterdir()} == saved
    first.close()
    second.close()


def test_refresh_picks_up_what_another_process_ingested(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = seeded(db)
    old_companies = [cid for cid, title, _, text in chunk_rows(db) if "five small and medium" in text]
    changed_seed = tmp_path / "seed-edited.txt"
    changed_seed.write_text(
        SEED_FILE.read_text(encoding="utf-8").replace(
            "from five small and medium", "from seven small and medium"
        ),
        encoding="utf-8",
    )

    result = run_cli(["ingest", str(NEWS_2024), str(changed_seed)], cwd=tmp_path, env=cli_env(db_url(db)))
    assert result.returncode == 0, result.stderr

    # Before catching up, the old index still holds the replaced chunk: it must not be quoted.
    stale = library.ask(COMPANIES_QUESTION)
    assert all("five small and medium" not in p.passage for p in stale.results)
    assert not {p.chunk_id for p in stale.results} & set(old_companies)

    library.refresh()

    assert len(library.index) == len(chunk_rows(db))
    veterans = library.ask(VETERANS_QUESTION)
    assert veterans.answer is not None and veterans.answer.title == VETERANS_TITLE
    companies = library.ask(COMPANIES_QUESTION)
    assert companies.answer is not None
    assert "seven small and medium sized technology companies" in companies.answer.passage
    library.close()


def test_a_large_index_catches_up_in_a_child_process(tmp_path: Path) -> None:
    """Past `child_refresh_from` chunks the merge runs in another process; the answers are the same."""
    db = tmp_path / "x.db"
    library = seeded(db)
    library.keeper.child_refresh_from = 1  # the seed corpus stands in for a large one
    before = (library.index_dir / "CURRENT").read_text()

    library.ingest([NEWS_2024])

    assert (library.index_dir / "CURRENT").read_text() != before
    assert len(library.index) == len(chunk_rows(db))
    veterans = library.ask(VETERANS_QUESTION)
    assert veterans.answer is not None and veterans.answer.title == VETERANS_TITLE
    library.close()


def test_index_rebuilt_when_its_directory_is_deleted(tmp_path: Path) -> None:
    seeded(tmp_path / "x.db").close()
    shutil.rmtree(tmp_path / "x.db.index")

    library = library_for(tmp_path / "x.db")

    assert_answers_blackpool(library)
    assert (tmp_path / "x.db.index" / "CURRENT").is_file()
    library.close()


def truncate(path: Path, how: str) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(0 if how == "empty" else size // 2)


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("docs.npy", "empty"),
        ("idf.npy", "empty"),
        ("indptr.npy", "half"),
        ("chunk_ids.npy", "half"),
        ("sorted_terms.npy", "half"),
        ("meta.json", "half"),
    ],
)
def test_index_rebuilt_when_a_file_is_damaged(tmp_path: Path, name: str, how: str) -> None:
    seeded(tmp_path / "x.db").close()
    index_dir = tmp_path / "x.db.index"
    damaged = current_generation(index_dir)
    truncate(index_dir / damaged / name, how)

    library = library_for(tmp_path / "x.db")

    assert_answers_blackpool(library)
    assert current_generation(index_dir) != damaged
    library.close()
    # The rebuilt index is whole: the next start loads it as it is.
    after = library_for(tmp_path / "x.db")
    assert after.refresh() is False
    assert_answers_blackpool(after)
    after.close()


def test_index_rebuilt_when_its_arrays_disagree(tmp_path: Path) -> None:
    """A generation whose files load but do not fit together (a half-copied backup) is not searched."""
    seeded(tmp_path / "x.db").close()
    index_dir = tmp_path / "x.db.index"
    generation = index_dir / current_generation(index_dir)
    np.save(generation / "docs.npy", np.zeros(3, np.int32))
    np.save(generation / "tfs.npy", np.ones(3, np.uint16))

    # In a subprocess: reading past the end of an array must not take this test run down with it.
    result = run_process(
        ["ask", BLACKPOOL_QUESTION, "--json"], cwd=tmp_path, env=cli_env(db_url(tmp_path / "x.db"))
    )

    assert result.returncode == 0, result.stderr
    top = json.loads(result.stdout)["results"][0]
    assert "37407" in top["passage"]


def test_chunks_deleted_behind_the_index_are_never_quoted(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    library = seeded(db)
    assert_answers_blackpool(library)
    [(blackpool,)] = sql(db, "SELECT id FROM announcements WHERE title = 'Blackpool Tower rides again'")
    deleted = {r[0] for r in sql(db, "SELECT id FROM chunks WHERE announcement_id = :a", a=blackpool)}
    sql(db, "DELETE FROM chunks WHERE announcement_id = :a", a=blackpool)
    assert deleted

    for lib in (library, library_for(db)):  # the index in memory, and the one on disk
        result = lib.ask(BLACKPOOL_QUESTION)
        quoted = [p for p in result.results if p.chunk_id in deleted or "37407" in p.passage]
        assert quoted == []
        assert result.answer is None or "37407" not in result.answer.passage
        assert not {p.chunk_id for p in lib.search("37407 locomotive Blackpool", limit=10)} & deleted
        lib.close()


def test_a_word_longer_than_every_term_is_no_term_and_not_read_as_its_prefix() -> None:
    # Keys are searched at the vocabulary's own width; a longer one must not be cut down to it and
    # then found ("floodlights" is not "flood"), nor make the search cast the whole vocabulary.
    vocabulary = Vocabulary.from_terms(["flood", "risk", "défens"])
    assert vocabulary.get("floodlights") is None
    assert vocabulary.get("flood") is not None
    ids = vocabulary.ids_of(["floodlights", "risk", "défens", "défensive", "zzz"])
    assert [i >= 0 for i in ids] == [False, True, True, False, False]
    assert vocabulary.terms()[ids[1]] == "risk" and vocabulary.terms()[ids[2]] == "défens"


def _with_an_index_of_older_documents(
    tmp_path: Path, document_of: Callable[[str, str | None, str], list[str]], documents: int
) -> None:
    """The Content API items stored, and beside them an index built as an older version built its
    documents (`document_of(title, organisation, text)`), recorded as holding `documents`."""
    items = Path(__file__).parent / "data" / "content-api"
    (tmp_path / "no-seeds").mkdir()
    library = library_for(tmp_path / "x.db", seeds_dir=tmp_path / "no-seeds")
    library.ingest([items], progress=False)
    state = library.index.meta
    old_docs = [
        (c, document_of(title, org, text)) for c, _, title, org, text in library.store.iter_chunk_texts()
    ]
    old_meta = IndexMeta(
        store_id=state.store_id,
        store_version=state.store_version,
        tokenizer=state.tokenizer,
        documents=documents,
    )
    library.close()
    persistence.save(BM25Index.build(old_docs, old_meta), tmp_path / "x.db.index")


def _asked_on_reopening(tmp_path: Path, question: str) -> answer.Answer:
    """`question` asked of the store once reopened, after checking its index was rebuilt as today's
    documents are built."""
    reopened = library_for(tmp_path / "x.db", seeds_dir=tmp_path / "no-seeds")
    try:
        assert reopened.index.meta.documents == document.VERSION
        return reopened.ask(question)
    finally:
        reopened.close()


def test_an_index_built_before_organisations_were_searchable_is_rebuilt(tmp_path: Path) -> None:
    # The first version indexed each chunk's title and text, and its meta.json held no "documents"
    # (read as 1): the store and the tokenizer are the same, so only that says it is stale.
    _with_an_index_of_older_documents(tmp_path, lambda title, _, text: tokenize(title) + tokenize(text), 1)
    result = _asked_on_reopening(tmp_path, "environment agency apprenticeships")
    assert result.results[0].organisation == "Environment Agency"
    assert "apprenticeship" in result.results[0].passage  # not a research contact's page


def test_an_index_built_before_organisations_had_initials_is_rebuilt(tmp_path: Path) -> None:
    # Version 2 indexed the organisation's name without its initials: "mmo" matched no passage and
    # was read as "memo".
    _with_an_index_of_older_documents(
        tmp_path, lambda title, org, text: tokenize(title) + tokenize(org or "") + tokenize(text), 2
    )
    result = _asked_on_reopening(tmp_path, "who is the mmo working with on the dead fish in cornwall")
    assert not result.corrections
    assert result.outcome == "answer" and result.answer is not None
    assert "Cornwall Inshore Fisheries and Conservation Authority" in result.answer.sentence
