"""Follow-ups through the command layer on every corpus we hold, the real Content API examples among
them, where long items (budgets of a hundred pages) hold nearly every word a follow-up could use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.commands import Commands, Request
from retrieval.library import Library
from tests.conftest_retrieval import DATA_DIR, NEWS_2024, SEED_FILE, library_for
from tests.fakebotapi import parse_telegram_html

ITEMS = DATA_DIR / "content-api"


@pytest.fixture(scope="module")
def commands(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commands]:
    work: Path = tmp_path_factory.mktemp("follow-ups")
    (work / "no-seeds").mkdir()
    library: Library = library_for(work / "store.db", seeds_dir=work / "no-seeds")
    library.ingest([SEED_FILE, NEWS_2024, ITEMS], progress=False)
    yield Commands(library)
    library.close()


def say(commands: Commands, chat: int, text: str) -> str:
    (reply,) = commands.ask(Request(chat, True, chat, "Test", text), text)
    return parse_telegram_html(reply.text)[0]


def test_after_a_passage_from_elsewhere_the_next_follow_up_is_about_it(commands: Commands) -> None:
    chat = 501
    assert "Summer Budget 2015" in say(commands, chat, "is there help for first time buyers")
    # Short and shaped like a follow-up, and the budget uses all its words; the budget does not answer
    # it, and the reply shows the drug-driving announcement as the closest passage elsewhere.
    drugs = say(commands, chat, "how many drugs have driving limits")
    assert "Public approval for driving limits for 16 drugs" in drugs, "precondition"
    # What the reply showed is what the next follow-up is about ("illegal": its "illicit drugs").
    illegal = say(commands, chat, "which ones are illegal")
    assert illegal.startswith("Public approval for driving limits for 16 drugs")
