"""Measure what each way of bridging the word gap brings: `python -m retrieval.ranking.bridges`.

Asks the training halves of every question set with all bridges on, then with each one off, then
with none, and prints top@1 and hit@1 (see retrieval/evaluate.py). Training halves only: the figures
guide which bridges to keep, so they must not come from the held-out halves.
"""

from __future__ import annotations

import argparse

from retrieval.answer import answer_from_ranked, rank_passages, vocab_of
from retrieval.evaluate import MANIFEST, fresh_library, load_manifest, load_questions
from retrieval.ranking.model import load_weights
from retrieval.ranking.query import BRIDGES, analyse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=["train", "heldout"])
    args = parser.parse_args()
    weights = load_weights()
    variants = [("all bridges", BRIDGES)]
    variants += [(f"without {b}", BRIDGES - {b}) for b in sorted(BRIDGES)]
    variants += [("no bridge", frozenset[str]())]
    rows: dict[str, list[float]] = {name: [0.0, 0.0, 0.0] for name, _ in variants}
    for qs in load_manifest(MANIFEST):
        with fresh_library(qs.corpus) as library:
            vocab = vocab_of(library.index)
            for item in load_questions(qs.questions, args.split):
                if item.get("unanswerable"):
                    continue
                for name, bridges in variants:
                    query = analyse(item["q"], vocab, bridges)
                    ranked = rank_passages(library.index, library.store, query, weights)
                    answer = answer_from_ranked(item["q"], query, ranked, weights, 5)
                    top = bool(answer.results) and item["expect"] in answer.results[0].passage
                    hit = answer.outcome == "answer" and top
                    rows[name][0] += 1.0
                    rows[name][1] += 1.0 if top else 0.0
                    rows[name][2] += 1.0 if hit else 0.0
    print(f"| bridges ({args.split} halves, answerable) | top@1 | hit@1 |")
    print("|---|---|---|")
    for name, (n, tops, hits) in rows.items():
        print(f"| {name} | {tops / n:.3f} | {hits / n:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
