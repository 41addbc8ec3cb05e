"""Measure answers against a question set: hit@1, title@1, MRR@5 and how often it rightly declines.

Each line of the set is {"q", "title", "expect"} (expect: a substring of the passage that answers) or
{"q", "unanswerable": true}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.formats import IngestError
from retrieval.library import Library


@dataclass
class Miss:
    question: str
    expected: str
    got: str


@dataclass
class EvalReport:
    answerable: int = 0
    hit1: int = 0
    title1: int = 0
    reciprocal_ranks: float = 0.0
    answered: int = 0  # answerable questions it did not decline
    unanswerable: int = 0
    declined: int = 0
    misses: list[Miss] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        n = max(self.answerable, 1)
        return {
            "answerable": self.answerable,
            "hit@1": round(self.hit1 / n, 3),
            "title@1": round(self.title1 / n, 3),
            "mrr@5": round(self.reciprocal_ranks / n, 3),
            "answered": round(self.answered / n, 3),
            "unanswerable": self.unanswerable,
            "declined": round(self.declined / max(self.unanswerable, 1), 3),
        }


def load_questions(path: Path) -> list[dict[str, object]]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise IngestError(path, f"invalid JSON: {exc.msg}", number) from None
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise IngestError(path, "each line needs a 'q' string", number)
        if not item.get("unanswerable") and not isinstance(item.get("expect"), str):
            raise IngestError(path, "an answerable question needs an 'expect' string", number)
        questions.append(item)
    return questions


def evaluate(library: Library, questions: list[dict[str, object]]) -> EvalReport:
    report = EvalReport()
    for item in questions:
        question = str(item["q"])
        result = library.ask(question, top_k=5)
        if item.get("unanswerable"):
            report.unanswerable += 1
            if result.answer is None:
                report.declined += 1
            else:
                report.misses.append(Miss(question, "(decline)", result.answer.title))
            continue
        report.answerable += 1
        expect = str(item["expect"])
        # A declined answerable question is a miss for hit@1; MRR judges the ranking alone.
        passages = result.results
        if result.answer is not None:
            report.answered += 1
        if result.answer is not None and expect in result.answer.passage:
            report.hit1 += 1
        else:
            got = passages[0].passage[:80] if passages else "(nothing)"
            report.misses.append(Miss(question, expect, got))
        if result.answer is not None and result.answer.title == item.get("title"):
            report.title1 += 1
        for rank, passage in enumerate(passages[:5], start=1):
            if expect in passage.passage:
                report.reciprocal_ranks += 1 / rank
                break
    return report
