"""`python -m bot ask`, `latest` and `eval` as a person runs them: first use, answers, declines, quality.

They run in this process (tests/clirun.py); only reading `.env` takes a real `python -m bot`.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from retrieval.text import split_sentences
from tests.clirun import run_main
from tests.conftest_retrieval import (
    EVAL_2024,
    EVAL_SEED,
    NEWS_2024,
    ON_POSTGRES,
    SEED_FILE,
    SEED_TITLES,
    cli_env,
    db_url,
    library_for,
    run_cli,
    store_env,
)

PLEDGE_QUESTION = "How much did the Home Secretary pledge against live-streamed abuse?"
BROAD_QUESTION = "government investment in housing"  # several announcements answer it
PASSAGE_KEYS = {
    "announcement_id",
    "chunk_id",
    "title",
    "type",
    "published",
    "url",
    "passage",
    "sentence",
    "score",
    "withdrawn_at",
}
LATEST_KEYS = {"announcement_id", "title", "type", "published", "url", "organisation"}
UNANSWERABLE = ["How do I renew my passport?", "recipe for chocolate cake"]


@pytest.fixture(scope="module")
def first_ask(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`ask --json` on a store that does not exist yet, SEEDS_DIR left at its default."""
    workdir = tmp_path_factory.mktemp("fresh")
    db = workdir / "x.db"
    result = run_main(["ask", PLEDGE_QUESTION, "--json"], cwd=workdir, env=cli_env(db_url(db)))
    return db, result


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the seed corpus and the 2024 items."""
    db = tmp_path_factory.mktemp("both") / "x.db"
    library = library_for(db)
    report = library.ingest([SEED_FILE, NEWS_2024])
    library.close()
    assert report.added == 24 and not report.errors
    return db


def ask_json(db: Path, question: str, cwd: Path, *extra: str) -> dict[str, Any]:
    answer = one_json(run_main(["ask", question, "--json", *extra], cwd=cwd, env=cli_env(db_url(db))))
    assert isinstance(answer, dict)
    return answer


def one_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    return json.loads(lines[0])


# -- ask ------------------------------------------------------------------------------------------


def test_first_question_needs_no_set_up(first_ask: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    db, result = first_ask

    answer = one_json(result)["answer"]

    assert answer is not None
    assert answer["title"] == SEED_TITLES[0]
    library = library_for(db)
    assert library.stats().announcements == 4  # the seeds went in first
    library.close()
    assert (db.parent / "x.db.index" / "CURRENT").is_file()


def test_answer_quotes_the_passage_and_marks_the_sentence(
    first_ask: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data = one_json(first_ask[1])

    assert set(data) == {"outcome", "confidence", "answer", "results"}
    assert data["outcome"] == "answer" and 0 <= data["confidence"] <= 1
    answer = data["answer"]
    assert set(answer) == PASSAGE_KEYS
    assert answer["type"] == "News story"
    assert answer["published"] is None and answer["url"] is None  # the seeds have neither
    assert "£300,000" in answer["passage"]
    sentences = [s for line in answer["passage"].split("\n") for s in split_sentences(line)]
    assert answer["sentence"] in sentences
    assert "£300,000" in answer["sentence"]
    assert answer["score"] > 0


def test_the_marked_sentence_is_the_one_that_answers(tmp_path: Path, both: Path) -> None:
    answer = ask_json(both, "For how little can children be abused to order online?", tmp_path)["answer"]

    assert answer is not None
    sentences = [s for line in answer["passage"].split("\n") for s in split_sentences(line)]
    assert len(sentences) > 1
    assert answer["sentence"] in sentences
    assert "as little as £12" in answer["sentence"]


def test_results_are_best_first_at_most_two_per_announcement(tmp_path: Path, both: Path) -> None:
    answer = ask_json(both, BROAD_QUESTION, tmp_path)
    results = answer["results"]

    assert len(results) >= 2
    assert all(set(r) == PASSAGE_KEYS for r in results)
    assert answer["answer"] is None or results[0] == answer["answer"]
    assert all(0.0 <= r["score"] <= 1.0 for r in results)  # each result's own confidence
    ids = [r["announcement_id"] for r in results]
    assert max(ids.count(i) for i in ids) <= 2  # the answer's neighbour may follow it, no more


def test_the_announcement_that_answers_leads_the_list(
    first_ask: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    # Only one announcement of the seed corpus is about live-streamed abuse: it leads the list.
    results = one_json(first_ask[1])["results"]
    assert results[0]["title"] == "Revolutionary new tools to tackle streaming of child abuse"


def test_top_k_limits_the_results(tmp_path: Path, both: Path) -> None:
    default = ask_json(both, BROAD_QUESTION, tmp_path)
    limited = ask_json(both, BROAD_QUESTION, tmp_path, "--top-k", "2")

    assert 2 <= len(default["results"]) <= 5
    assert limited["results"] == default["results"][:2]


def test_plain_answer_names_the_announcement_and_quotes_the_passage(tmp_path: Path, both: Path) -> None:
    result = run_main(["ask", PLEDGE_QUESTION], cwd=tmp_path, env=cli_env(db_url(both)))

    assert result.returncode == 0, result.stderr
    assert SEED_TITLES[0] in result.stdout
    assert "pledged a further £300,000 towards the development of cutting-edge technology" in result.stdout


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_a_question_nothing_answers_is_declined(tmp_path: Path, both: Path, question: str) -> None:
    data = ask_json(both, question, tmp_path)
    assert data["answer"] is None

    plain = run_main(["ask", question], cwd=tmp_path, env=cli_env(db_url(both)))

    assert plain.returncode == 0, plain.stderr
    assert "nothing" in plain.stdout.casefold()
    for result in data["results"]:
        assert result["passage"] not in plain.stdout
        assert result["sentence"] not in plain.stdout


def test_an_empty_question_is_an_error(tmp_path: Path, both: Path) -> None:
    result = run_main(["ask", "   "], cwd=tmp_path, env=cli_env(db_url(both)))

    assert result.returncode != 0
    assert "empty" in result.stderr
    assert result.stdout == ""


# -- latest ---------------------------------------------------------------------------------------


def test_latest_on_a_fresh_store_lists_the_seeds_in_file_order(tmp_path: Path) -> None:
    result = run_main(["latest", "-n", "3", "--json"], cwd=tmp_path, env=cli_env(db_url(tmp_path / "x.db")))

    items = one_json(result)

    assert isinstance(items, list) and len(items) == 3
    assert all(set(item) == LATEST_KEYS for item in items)
    assert [item["title"] for item in items] == SEED_TITLES[:3]


def test_latest_lists_dated_announcements_newest_first(tmp_path: Path, both: Path) -> None:
    result = run_main(["latest", "-n", "30", "--json"], cwd=tmp_path, env=cli_env(db_url(both)))

    items = one_json(result)

    assert len(items) == 24
    dated, undated = items[:20], items[20:]
    published = [datetime.fromisoformat(item["published"]) for item in dated]
    assert published == sorted(published, reverse=True)
    file_items = [json.loads(line) for line in NEWS_2024.read_text(encoding="utf-8").splitlines()]
    newest_first = sorted(file_items, key=lambda i: i["published"], reverse=True)
    assert [i["title"] for i in dated] == [i["title"] for i in newest_first]
    assert dated[0]["url"] == newest_first[0]["url"]
    assert [i["title"] for i in undated] == SEED_TITLES
    assert all(i["published"] is None for i in undated)


def test_latest_n_three(tmp_path: Path, both: Path) -> None:
    result = run_main(["latest", "-n", "3", "--json"], cwd=tmp_path, env=cli_env(db_url(both)))

    items = one_json(result)

    assert [i["title"] for i in items] == [
        "Unlicensed door supervisor convicted after working at club",
        "UK-Switzerland Financial Dialogue 2024 Joint Statement",
        "Angling brothers prosecuted for 3 counts of illegal fishing",
    ]
    assert all(set(item) == LATEST_KEYS for item in items)


# -- settings from a .env file --------------------------------------------------------------------


def test_cli_reads_its_settings_from_dot_env_in_the_working_directory(tmp_path: Path) -> None:
    db = tmp_path / "stores" / "from-dotenv.db"
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in store_env(db).items()), encoding="utf-8")

    result = run_cli(["latest", "-n", "1", "--json"], cwd=tmp_path, env=cli_env())

    assert [i["title"] for i in one_json(result)] == SEED_TITLES[:1]
    assert db.is_file() or ON_POSTGRES
    assert not (tmp_path / "data").exists()


# -- eval -----------------------------------------------------------------------------------------


def figures(stdout: str) -> dict[str, float]:
    """The figures of the eval table's one row: shares as they are, "7/8" as a share, and the
    question counts "36 + 8" as `answerable` and `unanswerable`."""
    header, _, row = [line for line in stdout.splitlines() if line.startswith("|")][:3]
    found: dict[str, float] = {}
    for name, value in zip(header.strip("|").split("|"), row.strip("|").split("|"), strict=True):
        name, value = name.strip(), value.strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", value):
            found[name] = float(value)
        elif counted := re.fullmatch(r"(\d+)/(\d+)", value):
            found[name] = int(counted[1]) / int(counted[2])
        elif asked := re.fullmatch(r"(\d+) \+ (\d+)", value):
            found["answerable"], found["unanswerable"] = float(asked[1]), float(asked[2])
    return found


@pytest.fixture(scope="module")
def evaluated(
    both: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[dict[str, float], str]]:
    workdir = tmp_path_factory.mktemp("eval")
    out = {}
    for path in (EVAL_SEED, EVAL_2024):
        args = ["eval", str(path), "--split", "all", "--misses"]
        result = run_main(args, cwd=workdir, env=cli_env(db_url(both)))
        assert result.returncode == 0, result.stderr
        out[path.name] = figures(result.stdout), result.stdout
    return out


def test_eval_prints_the_figures(evaluated: dict[str, tuple[dict[str, float], str]]) -> None:
    for found, stdout in evaluated.values():
        shares = ("hit@1", "announcement@1", "mrr@10", "unanswerable declined")
        assert set(shares) <= set(found), stdout
        assert all(0 <= found[k] <= 1 for k in shares)


def test_seed_questions_are_answered_by_the_right_passage(
    evaluated: dict[str, tuple[dict[str, float], str]],
) -> None:
    found, stdout = evaluated[EVAL_SEED.name]
    assert found["hit@1"] >= 0.8, stdout


def test_2024_questions_are_answered_by_the_right_passage(
    evaluated: dict[str, tuple[dict[str, float], str]],
) -> None:
    found, stdout = evaluated[EVAL_2024.name]
    assert found["hit@1"] >= 0.7, stdout


def test_questions_nothing_answers_are_declined(evaluated: dict[str, tuple[dict[str, float], str]]) -> None:
    runs = list(evaluated.values())
    asked = sum(found["unanswerable"] for found, _ in runs)
    declined = sum(found["unanswerable declined"] * found["unanswerable"] for found, _ in runs)
    assert asked >= 10
    assert declined / asked >= 0.8, [stdout for _, stdout in runs]


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ('{"q": "What did the Home Secretary pledge?", "expect": "£300,000"}\n{"q": "broken\n', 2),
        (
            '{"q": "What did the Home Secretary pledge?", "expect": "£300,000"}\n\n{"q": "No expect here"}\n',
            3,
        ),
        ('["not", "an", "object"]\n', 1),
    ],
)
def test_a_malformed_question_set_is_a_clear_error(
    tmp_path: Path, both: Path, content: str, line: int
) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text(content, encoding="utf-8")

    result = run_main(["eval", str(path)], cwd=tmp_path, env=cli_env(db_url(both)))

    assert result.returncode != 0
    errors = result.stderr.splitlines()
    assert len(errors) == 1, result.stderr
    assert f"questions.jsonl:{line}" in errors[0]
    assert "hit@1" not in result.stdout


def test_a_missing_question_set_is_a_clear_error(tmp_path: Path, both: Path) -> None:
    result = run_main(["eval", str(tmp_path / "nope.jsonl")], cwd=tmp_path, env=cli_env(db_url(both)))

    assert result.returncode != 0
    assert len(result.stderr.splitlines()) == 1 and "nope.jsonl" in result.stderr
