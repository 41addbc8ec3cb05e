"""The README's example exchange is what the bot really says: every line typed after "?" in the
"What it looks like" section is played, in order and in one chat, through the terminal chat over the
20 GOV.UK items of 15 October 2024, and each reply must be printed exactly as the README shows it.
When the ranking or a reply changes, this fails until the README is updated with the real output."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import terminal
from bot.commands import Commands
from retrieval.library import Library
from tests.conftest_retrieval import NEWS_2024, ROOT, library_for

README = ROOT / "README.md"


def exchange() -> list[tuple[str, str]]:
    """(what was typed, what the README shows for it) for each turn of the example exchange."""
    text = README.read_text(encoding="utf-8")
    section = text[
        text.index("## What it looks like") : text.index("\n## ", text.index("## What it looks like") + 1)
    ]
    turns: list[tuple[str, str]] = []
    for block in re.findall(r"```text\n(.*?)```", section, re.S):
        for turn in ("\n" + block).split("\n? ")[1:]:
            typed, _, shown = turn.partition("\n")
            turns.append((typed, shown.rstrip("\n")))
    return turns


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """The store as the README makes it: the 2024 items ingested into an empty store (no seeds)."""
    work = tmp_path_factory.mktemp("readme")
    (work / "no-seeds").mkdir()
    lib = library_for(work / "store.db", seeds_dir=work / "no-seeds")
    lib.ingest([NEWS_2024], progress=False)
    lib.prepare()
    yield lib
    lib.close()


def test_the_readme_shows_a_follow_up_a_filter_and_a_helpful_decline() -> None:
    typed = [t for t, _ in exchange()]
    assert "and how much will it cost?" in typed  # a follow-up
    assert "/latest treasury" in typed  # a filter
    # declines
    assert "what happens to hereditery peers" in typed and "Combien coûte le permis de pêche ?" in typed


def test_the_readme_example_exchange_is_what_the_terminal_chat_prints(
    library: Library, tmp_path: Path
) -> None:
    turns = exchange()
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setattr("sys.stdin", io.StringIO("".join(typed + "\n" for typed, _ in turns)))
        assert terminal.chat(Commands(library)) == 0
    printed = [turn.rstrip("\n") for turn in out.getvalue().split("\n? ")[1:-1]]

    assert len(printed) == len(turns)
    for (typed, shown), real in zip(turns, printed, strict=True):
        assert real == shown, f"the README shows another reply to {typed!r} than the bot prints:\n{real}"
