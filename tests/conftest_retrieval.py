"""Helpers shared by the retrieval tests: real files, a real SQLite file store, the CLI in a subprocess.

Imported explicitly by the test modules (tests/conftest.py belongs to the bot's tests).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from retrieval.config import Settings
from retrieval.library import Library

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "seeds"
SEED_FILE = SEEDS_DIR / "announcements-2019.txt"
DATA_DIR = ROOT / "tests" / "data"
NEWS_2024 = DATA_DIR / "govuk-news-2024-10-15.jsonl"
EVAL_SEED = DATA_DIR / "eval-seed.jsonl"
EVAL_2024 = DATA_DIR / "eval-2024.jsonl"

SEED_TITLES = [
    "Revolutionary new tools to tackle streaming of child abuse",
    "Philip Hammond’s speech at the Resolution Foundation",
    "UK and Canada joint statement on Hong Kong",
    "Blackpool Tower rides again",
]

# Settings the product reads from the environment or .env: a test sets what it means to set.
_SETTING_VARIABLES = ("DATABASE_URL", "INDEX_DIR", "SEEDS_DIR")


def isolate(monkeypatch: pytest.MonkeyPatch, workdir: Path) -> None:
    """No setting leaks in from the developer's shell or from a .env in the project root."""
    for name in _SETTING_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(workdir)


def db_url(db: Path) -> str:
    return f"sqlite:///{db}"


def settings_for(db: Path, **overrides: Any) -> Settings:
    """Settings for a store in the SQLite file `db`, its index beside it; no .env is read."""
    values: dict[str, Any] = {"database_url": db_url(db), "index_dir": None}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def library_for(db: Path, **overrides: Any) -> Library:
    return Library(settings_for(db, **overrides))


def cli_env(database_url: str | None = None, **extra: str) -> dict[str, str]:
    """A clean environment for `python -m bot`: no token, no proxy for local addresses, this checkout."""
    env = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ
    }
    env["PYTHONPATH"] = str(ROOT)
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def ingest_cli(db: Path, paths: list[Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(["ingest", *map(str, paths)], cwd=cwd, env=cli_env(db_url(db), SEEDS_DIR=str(SEEDS_DIR)))


def ask_json(db: Path, question: str, cwd: Path, *extra: str) -> dict[str, Any]:
    result = run_cli(["ask", question, "--json", *extra], cwd=cwd, env=cli_env(db_url(db)))
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, result.stdout
    answer = json.loads(lines[0])
    assert isinstance(answer, dict)
    return answer


Rows = list[tuple[Any, ...]]


def dump_store(db: Path) -> tuple[Rows, Rows]:
    """Every row of announcements and chunks, in id order."""
    with sqlite3.connect(db) as conn:
        announcements = conn.execute("SELECT * FROM announcements ORDER BY id").fetchall()
        chunks = conn.execute("SELECT * FROM chunks ORDER BY id").fetchall()
    conn.close()
    return announcements, chunks


def chunk_rows(db: Path) -> list[tuple[int, str, int, str]]:
    """(chunk id, announcement title, position, text) in chunk id order."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT c.id, a.title, c.position, c.text FROM chunks c JOIN announcements a"
            " ON a.id = c.announcement_id ORDER BY c.id"
        ).fetchall()
    conn.close()
    return rows


def copy_db(src: Path, dst: Path) -> Path:
    """A consistent copy of a live SQLite store (WAL included)."""
    with sqlite3.connect(src) as source, sqlite3.connect(dst) as target:
        source.backup(target)
    source.close()
    target.close()
    return dst


def write_jsonl(path: Path, items: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    return path


def news_item(n: int, **fields: Any) -> dict[str, Any]:
    """A plausible JSON Lines announcement, distinct for each n."""
    item: dict[str, Any] = {
        "title": f"Coastal path section {n} reopens after repairs",
        "url": f"https://www.gov.uk/government/news/coastal-path-section-{n}-reopens",
        "summary": f"Section {n} of the coastal path is open again.",
        "published": f"2024-11-{n % 28 + 1:02d}T09:00:00Z",
        "organisation": "Natural England",
        "body": (
            f"Section {n} of the England Coast Path reopened today after storm repairs costing "
            f"£{n * 1000 + 250:,}. Walkers can again follow the cliffs between the two harbours."
        ),
    }
    item.update(fields)
    return item
