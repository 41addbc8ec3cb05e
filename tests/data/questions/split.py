"""Split a question set once, at random, into training and held-out halves, and never again.

Run before any tuning: `python tests/data/questions/split.py FILE...`. Each line gets "split":
"train" or "heldout" (answerable and unanswerable questions halved separately, so both halves have
some of each). Lines that already have a split keep it: the split is fixed once made.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path


def split(path: Path) -> None:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    fresh = [i for i in items if "split" not in i]
    rng = random.Random(f"split:{path.name}")
    for unanswerable in (False, True):
        group = [i for i in fresh if bool(i.get("unanswerable")) == unanswerable]
        rng.shuffle(group)
        for n, item in enumerate(group):
            item["split"] = "train" if n < (len(group) + 1) // 2 else "heldout"
    path.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    counts = {s: sum(1 for i in items if i["split"] == s) for s in ("train", "heldout")}
    print(f"{path}: {counts}")


if __name__ == "__main__":
    for name in sys.argv[1:]:
        split(Path(name))
