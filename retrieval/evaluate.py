"""Measure answers like a search engine, on question sets split once into training and held-out halves.

Each line of a set is {"q", "title", "expect", "split"} (expect: a substring of the passage that
answers) or {"q", "unanswerable": true, "split"}. The sets and the corpus each one is asked of are
listed in tests/data/questions/sets.json; every set is asked of a fresh store holding only its corpus,
as a stranger's test would be.

Figures, over one split of one set:
- hit@1: the outcome is "answer" and the quoted passage holds the expected text;
- top@1, hit@3, MRR@10: where the passage that holds it ranks, whatever the outcome;
- announcement@1: the first result is from the right announcement;
- bold: of the questions whose first passage holds the expected text, the share whose bold sentence
  holds it too (the sentence a reader sees first);
- answered wrongly: of the questions answered (outcome "answer"), the share whose quote does not
  answer (a wrong passage, or an unanswerable question);
- unanswerable declined: outcome is not "answer"; answerable lost: outcome is not "answer".
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.config import PROJECT_ROOT, Settings
from retrieval.library import Library
from retrieval.sources.files import IngestError

MANIFEST = PROJECT_ROOT / "tests" / "data" / "questions" / "sets.json"


@dataclass(frozen=True)
class QuestionSet:
    name: str
    corpus: tuple[Path, ...]
    questions: Path


def load_manifest(path: Path = MANIFEST) -> list[QuestionSet]:
    root = path.parent
    sets = []
    for entry in json.loads(path.read_text(encoding="utf-8")):
        sets.append(
            QuestionSet(
                name=entry["name"],
                corpus=tuple((root / c).resolve() for c in entry["corpus"]),
                questions=(root / entry["questions"]).resolve(),
            )
        )
    return sets


@dataclass
class Miss:
    question: str
    expected: str
    got: str
    outcome: str


@dataclass
class EvalReport:
    answerable: int = 0
    hit1: int = 0
    top1: int = 0
    hit3: int = 0
    reciprocal_ranks: float = 0.0
    announcement1: int = 0
    bold: int = 0  # first passage right and its bold sentence holds the expected text
    answered: int = 0  # answerable questions with outcome "answer"
    answered_wrong: int = 0  # outcome "answer" with a passage that does not answer (any question)
    unanswerable: int = 0
    declined: int = 0
    misses: list[Miss] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        n = max(self.answerable, 1)
        answered_all = self.answered + (self.unanswerable - self.declined)
        return {
            "answerable": self.answerable,
            "hit@1": round(self.hit1 / n, 3),
            "top@1": round(self.top1 / n, 3),
            "hit@3": round(self.hit3 / n, 3),
            "mrr@10": round(self.reciprocal_ranks / n, 3),
            "announcement@1": round(self.announcement1 / n, 3),
            "bold": round(self.bold / max(self.top1, 1), 3),
            "answered wrongly": round(self.answered_wrong / max(answered_all, 1), 3),
            "unanswerable": self.unanswerable,
            "declined": self.declined,
            "answerable lost": self.answerable - self.answered,
        }


def load_questions(path: Path, split: str | None = None) -> list[dict[str, Any]]:
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
        if split is None or item.get("split") == split:
            questions.append(item)
    return questions


def evaluate(library: Library, questions: Sequence[dict[str, Any]]) -> EvalReport:
    report = EvalReport()
    for item in questions:
        question = str(item["q"])
        result = library.ask(question, top_k=10)
        answered = result.outcome == "answer" and result.answer is not None
        if item.get("unanswerable"):
            report.unanswerable += 1
            if answered:
                report.answered_wrong += 1
                report.misses.append(Miss(question, "(decline)", result.results[0].title, result.outcome))
            else:
                report.declined += 1
            continue
        report.answerable += 1
        expect = str(item["expect"])
        passages = result.results
        if answered:
            report.answered += 1
        if answered and result.answer is not None and expect in result.answer.passage:
            report.hit1 += 1
        else:
            if answered:
                report.answered_wrong += 1
            got = passages[0].passage[:100] if passages else "(nothing)"
            report.misses.append(Miss(question, expect, got, result.outcome))
        if passages and expect in passages[0].passage:
            report.top1 += 1
            report.bold += expect in passages[0].sentence
        if any(expect in p.passage for p in passages[:3]):
            report.hit3 += 1
        if passages and passages[0].title == item.get("title"):
            report.announcement1 += 1
        for rank, passage in enumerate(passages[:10], start=1):
            if expect in passage.passage:
                report.reciprocal_ranks += 1 / rank
                break
    return report


@contextmanager
def fresh_library(corpus: Sequence[Path]) -> Iterator[Library]:
    """A library on a new SQLite file holding only `corpus` (no seeds), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="eval-") as tmp:
        work = Path(tmp)
        (work / "no-seeds").mkdir()
        settings = Settings(
            database_url=f"sqlite:///{work / 'store.db'}",
            index_dir=work / "index",
            seeds_dir=work / "no-seeds",
        )
        library = Library(settings)
        try:
            library.ingest(list(corpus), progress=False)
            yield library
        finally:
            library.close()


def evaluate_sets(
    sets: Sequence[QuestionSet], splits: Sequence[str] = ("train", "heldout")
) -> list[tuple[str, str, EvalReport]]:
    out = []
    for qs in sets:
        with fresh_library(qs.corpus) as library:
            for split in splits:
                out.append((qs.name, split, evaluate(library, load_questions(qs.questions, split))))
    return out


COLUMNS = (
    "hit@1",
    "top@1",
    "hit@3",
    "mrr@10",
    "announcement@1",
    "bold",
    "answered wrongly",
)


def table(rows: Sequence[tuple[str, str, EvalReport]]) -> str:
    header = ["set", "split", "questions", *COLUMNS, "unanswerable declined", "answerable lost"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, split, report in rows:
        f = report.figures()
        cells = [name, split, f"{report.answerable} + {report.unanswerable}"]
        cells += [f"{f[c]:.3f}" for c in COLUMNS]
        cells += [f"{report.declined}/{report.unanswerable}", f"{f['answerable lost']}/{report.answerable}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
