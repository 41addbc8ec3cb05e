"""What typos cost: `python -m retrieval.ranking.typos [--split train|heldout] [--seed N]`.

Asks every question of every set as written, then again with one typo: in one word of 4+ letters,
a letter left out, doubled, swapped with the next or replaced by a vowel, each chosen at random from
a fixed seed (the same typos for the same questions every run); and, for questions with a word of
8+ letters, with two such typos in one of those ("reccomend"). Prints hit@1 of the answerable
questions and how many unanswerable ones were declined. Decide on the training halves; the held-out
figure is for reporting.
"""

from __future__ import annotations

import argparse
import random

from retrieval.answer import answer_from_ranked, rank_passages, vocab_of
from retrieval.evaluate import MANIFEST, fresh_library, load_manifest, load_questions
from retrieval.ranking.model import load_weights
from retrieval.ranking.query import analyse


def with_typo(question: str, rng: random.Random) -> str:
    """`question` with one typo in one of its words of 4+ letters (unchanged if it has none)."""
    words = question.split()
    where = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not where:
        return question
    i = rng.choice(where)
    word = words[i]
    k = rng.randrange(1, len(word) - 1)
    kind = rng.choice("lsvd")
    if kind == "l":  # left out
        word = word[:k] + word[k + 1 :]
    elif kind == "d":  # doubled
        word = word[:k] + word[k] + word[k:]
    elif kind == "s":  # swapped with the next
        word = word[:k] + word[k + 1] + word[k] + word[k + 2 :]
    else:  # a vowel for the letter
        word = word[:k] + rng.choice("aeiou") + word[k + 1 :]
    words[i] = word
    return " ".join(words)


def with_two_typos(question: str, rng: random.Random) -> str | None:
    """`question` with two typos in one of its words of 8+ letters; None if it has none."""
    words = question.split()
    where = [i for i, w in enumerate(words) if len(w) >= 8 and w.isalpha()]
    if not where:
        return None
    i = rng.choice(where)
    words[i] = with_typo(with_typo(words[i], rng), rng)
    return " ".join(words)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="train", choices=["train", "heldout"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    # Its own draws: the one-typo questions stay those of earlier runs with the same seed.
    two_rng = random.Random(-args.seed)
    weights = load_weights()
    # as written / with a typo: answerable, answered right, unanswerable, declined
    rows = {
        "as written": [0, 0, 0, 0],
        "one typo": [0, 0, 0, 0],
        "two typos in one 8+ letter word": [0, 0, 0, 0],
    }
    for qs in load_manifest(MANIFEST):
        with fresh_library(qs.corpus) as library:
            vocab = vocab_of(library.index)
            for item in load_questions(qs.questions, args.split):
                asked = [("as written", item["q"]), ("one typo", with_typo(item["q"], rng))]
                if (two := with_two_typos(item["q"], two_rng)) is not None:
                    asked.append(("two typos in one 8+ letter word", two))
                for name, question in asked:
                    query = analyse(question, vocab)
                    ranked = rank_passages(library.index, library.store, query, weights)
                    answer = answer_from_ranked(question, query, ranked, weights, 5)
                    row = rows[name]
                    if item.get("unanswerable"):
                        row[2] += 1
                        row[3] += answer.outcome != "answer"
                    else:
                        row[0] += 1
                        row[1] += (
                            answer.outcome == "answer"
                            and bool(answer.results)
                            and item["expect"] in answer.results[0].passage
                        )
    print(f"| questions ({args.split} halves, all sets) | hit@1 | unanswerable declined |")
    print("|---|---|---|")
    for name, (answerable, right, unanswerable, declined) in rows.items():
        print(f"| {name} | {right / max(answerable, 1):.3f} | {declined}/{unanswerable} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
