"""From a question to the passage that answers it, the sentence to mark, and the decision to abstain.

Abstaining: BM25 always ranks something first, even for "recipe for chocolate cake". We decline when the
best passage (with its title) covers less than half of the question's weight, weight being each
distinct question term's idf; a term the corpus never uses weighs as much as the rarest term could. A
question about passports on a corpus without the word "passport" thus fails on its most telling word,
however well its common words match. The share is ANSWER_MIN_COVERAGE (0.5); `python -m bot eval`
measures what it costs and saves.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from retrieval.index import K1, B, BM25Index
from retrieval.store import ChunkRow, Store
from retrieval.text import split_sentences
from retrieval.tokenize import tokenize


@dataclass(frozen=True)
class Passage:
    announcement_id: int
    chunk_id: int
    title: str
    type: str | None
    published: datetime | None
    url: str | None
    organisation: str | None
    passage: str
    sentence: str
    score: float

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["organisation"]
        data["published"] = self.published.isoformat() if self.published else None
        data["score"] = round(self.score, 4)
        return data


Outcome = Literal["answer", "closest", "none"]


@dataclass(frozen=True)
class Answer:
    """What a question gets. `answer` is set only when the outcome is "answer" (confident: quote it);
    "closest" means results[0] is the nearest passage but may not answer; "none" that nothing is near.
    `results` are ranked passages, best first, whatever the outcome."""

    question: str
    outcome: Outcome
    confidence: float  # 0-1: how sure we are that results[0] answers
    answer: Passage | None
    results: list[Passage]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "confidence": round(self.confidence, 3),
            "answer": self.answer.to_json() if self.answer else None,
            "results": [r.to_json() for r in self.results],
        }


def rank(
    index: BM25Index, store: Store, terms: list[str], limit: int, offset: int = 0
) -> list[tuple[ChunkRow, float]]:
    """Best chunk of each announcement, best first; chunks the store no longer has are skipped."""
    want = offset + limit
    k = max(40, want * 8)
    while True:
        hits = index.search(terms, k)
        rows = store.chunks([chunk_id for chunk_id, _ in hits])
        best: dict[int, tuple[ChunkRow, float]] = {}
        for chunk_id, score in hits:
            row = rows.get(chunk_id)
            if row is not None and row.announcement_id not in best:
                best[row.announcement_id] = (row, score)
        if len(best) >= want or len(hits) < k or k >= 5000:
            return list(best.values())[offset:want]
        k *= 4  # one announcement's chunks crowded the candidates: look further


def best_sentence(text: str, terms: set[str], index: BM25Index) -> str:
    """The sentence carrying most question weight; the first one when none has a question word."""
    best, best_weight = "", 0.0
    for line in text.split("\n"):
        for sentence in split_sentences(line):
            weight = sum(index.idf_of(t) for t in set(tokenize(sentence)) & terms)
            if weight > best_weight:
                best, best_weight = sentence, weight
    if not best:
        sentences = split_sentences(text.split("\n")[0])
        best = sentences[0] if sentences else text
    return best


def coverage(terms: set[str], row: ChunkRow, index: BM25Index) -> float:
    if not terms:
        return 0.0
    present = set(tokenize(row.title)) | set(tokenize(row.text))
    weights = {t: max(index.idf_of(t), 0.01) for t in terms}
    return sum(w for t, w in weights.items() if t in present) / sum(weights.values())


def to_passage(row: ChunkRow, score: float, terms: set[str], index: BM25Index) -> Passage:
    return Passage(
        announcement_id=row.announcement_id,
        chunk_id=row.chunk_id,
        title=row.title,
        type=row.type,
        published=row.published,
        url=row.url,
        organisation=row.organisation,
        passage=row.text,
        sentence=best_sentence(row.text, terms, index),
        score=score,
    )


def answer_question(
    index: BM25Index, store: Store, question: str, top_k: int = 5, min_coverage: float = 0.5
) -> Answer:
    terms = tokenize(question)
    distinct = set(terms)
    ranked = rank(index, store, terms, max(top_k, 1))
    share = coverage(distinct, ranked[0][0], index) if ranked else 0.0
    # Further matches must pass the same bar as the answer: a list padded with passages that share
    # one common word with the question is noise a reader has to wade through.
    kept = ranked[:1] + [
        (row, score) for row, score in ranked[1:] if coverage(distinct, row, index) >= min_coverage
    ]
    results = [to_passage(row, score, distinct, index) for row, score in kept]
    answer = results[0] if results and share >= min_coverage else None
    outcome: Outcome = "answer" if answer is not None else ("closest" if results else "none")
    return Answer(question=question, outcome=outcome, confidence=share, answer=answer, results=results)


def bm25(terms: list[str], row: ChunkRow, index: BM25Index) -> float:
    """BM25Okapi of one chunk for these terms, with the index's statistics (what the index would give)."""
    doc = tokenize(row.title) + tokenize(row.text)
    counts = {t: doc.count(t) for t in set(terms)}
    norm = K1 * (1 - B + B * len(doc) / index.avgdl) if index.avgdl else K1
    return sum(index.idf_of(t) * counts[t] * (K1 + 1) / (counts[t] + norm) for t in terms if counts[t])


def best_match(
    terms: list[str], rows: list[ChunkRow], index: BM25Index, min_coverage: float
) -> tuple[Passage, float] | None:
    """The chunk among `rows` that these terms find best, if it covers enough of their weight."""
    distinct = set(terms)
    scored = sorted(((bm25(terms, row, index), row) for row in rows), key=lambda pair: -pair[0])
    for score, row in scored:
        share = coverage(distinct, row, index)
        if score > 0 and share >= min_coverage:
            return to_passage(row, score, distinct, index), share
    return None


def search(index: BM25Index, store: Store, words: str, limit: int = 5, offset: int = 0) -> list[Passage]:
    terms = tokenize(words)
    distinct = set(terms)
    return [
        to_passage(row, score, distinct, index) for row, score in rank(index, store, terms, limit, offset)
    ]
