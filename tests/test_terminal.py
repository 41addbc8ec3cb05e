"""`make run` without a token: it says how to get one, then answers in the terminal instead."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest_retrieval import store_env

ROOT = Path(__file__).resolve().parents[1]
PLEDGE = "How much did the Home Secretary pledge against live-streamed abuse?"


def run_without_token(tmp_path: Path, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update(HOME=str(tmp_path), PYTHONPATH=str(ROOT), **store_env(tmp_path / "bot.db"))
    # cwd=tmp_path: no .env with a token is picked up; TELEGRAM_BOT_TOKEN is not in env.
    return subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_explains_and_opens_a_terminal_chat(tmp_path: Path) -> None:
    result = run_without_token(tmp_path, f"{PLEDGE}\n1\n/latest 2\nrecipe for chocolate cake\n")

    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    # Two lines on how to get a token, before the chat starts.
    [first] = [n for n, line in enumerate(lines) if "@BotFather" in line]
    explanation = "\n".join(lines[first : first + 2])
    assert "TELEGRAM_BOT_TOKEN" in explanation and ".env" in explanation and "make run" in explanation
    assert lines[first + 2].startswith("Ask a question")
    answer, full, latest, no_answer = out.split("\n? ")[1:5]
    # The answer quotes the passage, with the sentence that answers marked, and its buttons numbered.
    assert answer.startswith("**Revolutionary new tools to tackle streaming of child abuse**\nNews story\n")
    assert "  │ **The Home Secretary last week (Tuesday 21 May) pledged a further £300,000" in answer
    assert "\n  [1] Full announcement" in answer
    # Typing the button's number presses it: the whole announcement.
    assert full.startswith("**Revolutionary new tools to tackle streaming of child abuse**\nNews story")
    assert len(full) > len(answer)
    # /latest 2: how many there are, two numbered announcements of one line each (title, type), a
    # button that opens each and one to the next page.
    assert latest.startswith("**4 announcements**\n")
    assert "\n1. **Revolutionary new tools to tackle streaming of child abuse** · News story\n" in latest
    assert "2. **" in latest and "3. **" not in latest
    assert re.findall(r"^  \[(\d)\] ", latest, re.M) == ["1", "2", "3"] and "[3] Next ›" in latest
    assert "I found nothing in the announcements that answers “recipe for chocolate cake”" in no_answer
    assert "/search" in no_answer and "│" not in no_answer  # no passage quoted
    assert "<b>" not in out and "&amp;" not in out  # HTML turned into terminal text
