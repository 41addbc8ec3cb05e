"""Both front ends say the same: every command, button and a few questions go to the Telegram bot (the
real Application, long-polling the fake Bot API) and to the terminal chat (`python -m bot chat`, fed
through stdin), and each turn must show the same text and the same buttons.

The Telegram side's messages are printed with the terminal's own printer (bot.terminal.show_turn), so
the comparison is of the replies, not of two ways to print them.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from dataclasses import dataclass
from typing import Any

import pytest

from bot import terminal
from bot.commands import MENU, Commands
from bot.render import Button, Reply
from retrieval.library import Library
from tests.botharness import (
    AnyApplication,
    announcement_id,
    exchange,
    one_bot_per_module,
)
from tests.fakebotapi import Call, FakeBotAPI

pytestmark = pytest.mark.asyncio(loop_scope="module")

PLEDGE = "How much did the Home Secretary pledge against live-streamed abuse?"
BROAD = "government investment in housing"
PEERS = "How many hereditary peers still sit in the Lords?"


@dataclass(frozen=True)
class Press:
    """Press the button whose label starts with `label` among those of the turn before. If `ranked`,
    the ranking decides whether there is such a button (More matches): without it, the step is left
    out on both sides."""

    label: str
    ranked: bool = False


Step = str | Press

SCRIPTS: dict[str, list[Step]] = {
    "start": ["/start", "/START"],
    "start-deep-link": ["/start a{fireworks}", "/start a²", "/start b1"],
    "help": ["/help"],
    "latest": ["/latest", Press("3.")],
    "latest-with-a-number": [
        "/latest 3",
        "/latest 500",
        "/latest ²",
        "/latest 0",
        "/latest abc",
        "/latest 2 3",
    ],
    "search": ["/search government", Press("Next ›"), Press("‹ Previous"), Press("2."), "/search"],
    # /read N reads item N of the chat's last list (/latest, /search); /start a123 opens by id.
    "read": ["/latest", "/read 2", "/read 9", "/read ²", "/read 1 2", "/read", "/start a{fireworks}"],
    "read-long": [
        "/search bingham lecture",
        "/read 1",
        Press("Next ›"),
        Press("Next ›"),
        Press("‹ Previous"),
    ],
    "about": ["/about"],
    "subscriptions": [
        "/subscriptions",
        "/subscribe   flood   defences",
        "/subscribe flood defences",
        "/subscribe the and of",
        "/subscribe",
        "/subscribe bus fares",
        "/subscriptions",
        Press("Remove 1."),
        Press("Remove 1."),
        "/unsubscribe",
        "/subscribe bus fares",
        "/subscribe rail fares",
        "/unsubscribe",
        Press("No, keep them"),
        "/unsubscribe",
        Press("Yes, remove all"),
        "/unsubscribe",
    ],
    # Issue 11 point 7: one at a time, daily or at once, organisations; point 8: /forget, /stats, 👍/👎.
    "subscriptions-one-at-a-time": [
        "/subscribe daily flood defences",
        "/subscribe digest",
        "/subscriptions",
        Press("Send 1. at once"),
        Press("Send 1. daily"),
        "/unsubscribe Flood  Defences",
        "/unsubscribe flood defences",
    ],
    "follow": ["/follow", "/follow ea", "/follow the treasury", "/follow nobody at all", "/subscriptions"],
    # Something kept first: the chat is shared with other scripts, and alone (or first on its worker)
    # it had nothing to forget, so "/forget" offered no "No" to press.
    "forget": [
        "/subscribe bus fares",
        "/forget",
        Press("No"),
        "/forget",
        Press("Yes, delete it"),
        "/forget",
        "/subscriptions",
    ],
    "stats": ["/stats"],
    "feedback": [PLEDGE, Press("👍", ranked=True), BROAD, Press("👎", ranked=True)],
    "unknown-command": ["/frobnicate", "/"],
    "answer": [PLEDGE, Press("Full announcement", ranked=True)],
    "more-matches": [
        BROAD,
        Press("More matches", ranked=True),
        Press("Next ›", ranked=True),
        Press("« Answer", ranked=True),
    ],
    "no-answer": ["recipe for chocolate cake", "How do I renew my passport?"],
    # Issue 11: what people say besides questions, follow-ups, helpful declines, filters, paging.
    "small-talk": ["hi there", Press("Tell me about"), "thanks!", "what can you do?", "ok thanks, bye"],
    "whats-new": ["what's new?", Press("Next ›"), "/read 7", "news about fishing", Press("1.")],
    "follow-up": [PEERS, "and how much will it cost?", "when was it introduced?", "who said that?"],
    "declines": [
        "what happens to hereditery peers",
        Press("Did you mean"),
        "How do I renew my passport?",
        "Faint yw pris y drwydded bysgota?",
        "Combien coûte le permis de pêche ?",
    ],
    "filters": [
        "/latest treasury",
        "/latest 2 EA",
        Press("Next ›"),
        "/read 3",
        "/search speeches yemen since 1 October 2024",
        "/search licence from the EA",
        "what was announced on 15 October 2024",
        "speeches by HM Treasury this week",
        "speeches about yemen",
    ],
    "markup": ["A <b>chocolate</b> cake & <script>zqxjk()</script> recipe?"],
}


# ------------------------------------------------------------------ one bot for the module


fake, settings, lib, bot = one_bot_per_module("bot")[:4]  # no fresh log: a script spans turns


# ------------------------------------------------------------------ the two sides


@dataclass
class Turn:
    notice: str | None
    replies: list[Reply]
    messages: list[dict[str, Any]]  # what Telegram holds for each reply, to press its buttons


def as_reply(call: Call) -> Reply:
    markup = call.params.get("reply_markup") or {}
    rows = [
        [Button(b["text"], data=b.get("callback_data"), url=b.get("url")) for b in row]
        for row in markup.get("inline_keyboard", [])
    ]
    return Reply(call.params["text"], rows)


def find(turn: Turn, label: str) -> tuple[int, Button, dict[str, Any]] | None:
    """The button's number as the terminal shows it, the button, and the message that carries it."""
    number = 0
    for reply, message in zip(turn.replies, turn.messages, strict=True):
        for row in reply.buttons:
            for button in row:
                number += 1
                if button.text.startswith(label):
                    return number, button, message
    return None


async def on_telegram(fake: FakeBotAPI, steps: list[Step]) -> tuple[list[Turn], list[str]]:
    """Each step played in Telegram; also the lines a terminal user types for the same steps."""
    turns: list[Turn] = []
    lines: list[str] = []
    buttons_of = Turn(None, [], [])
    for step in steps:
        if isinstance(step, str):
            calls = await exchange(fake, fake.message, step)
            lines.append(step)
        else:
            found = find(buttons_of, step.label)
            if found is None:
                assert step.ranked, f"no button {step.label!r} in {buttons_of.replies}"
                continue
            number, button, message = found
            assert button.data is not None
            calls = await exchange(fake, fake.callback, button.data, message, expect="answerCallbackQuery")
            lines.append(str(number))
        notices = [c.params.get("text") for c in calls if c.method == "answerCallbackQuery"]
        shown = [c for c in calls if c.method in ("editMessageText", "sendMessage")]
        assert all(c.ok for c in shown), [c.response for c in shown]
        turn = Turn(notices[0] if notices else None, [as_reply(c) for c in shown], [c.result for c in shown])
        turns.append(turn)
        if isinstance(step, str) or turn.replies:  # as the terminal keeps the buttons to press
            buttons_of = turn
    return turns, lines


def on_terminal(library: Library, lines: list[str]) -> list[str]:
    """`python -m bot chat` fed these lines; what it printed for each."""
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setattr("sys.stdin", io.StringIO("".join(line + "\n" for line in lines)))
        assert terminal.chat(Commands(library), first_name="Test") == 0
    # The prompt "\n? " starts each turn (input() does not echo what was typed); the last prompt
    # meets the end of input.
    *turns, end = out.getvalue().split("\n? ")[1:]
    assert end == "\n"
    return [turn.removesuffix("\n") for turn in turns]


def ids(lib: Library) -> dict[str, int]:
    return {
        "fireworks": announcement_id(lib, "Stay safe this fireworks season"),
    }


@pytest.mark.parametrize("script", list(SCRIPTS))
async def test_telegram_and_terminal_show_the_same_replies_and_buttons(
    fake: FakeBotAPI, bot: AnyApplication, lib: Library, script: str
) -> None:
    steps = [step.format(**ids(lib)) if isinstance(step, str) else step for step in SCRIPTS[script]]

    telegram_turns, lines = await on_telegram(fake, steps)
    terminal_turns = await asyncio.to_thread(on_terminal, lib, lines)

    assert len(terminal_turns) == len(telegram_turns) == len(lines)
    for line, on_tg, printed in zip(lines, telegram_turns, terminal_turns, strict=True):
        assert printed == terminal.show_turn(on_tg.notice, on_tg.replies, bold=False), line
    if script == "latest-with-a-number":  # "²" is no number to either side
        assert telegram_turns[2].replies[0].text.startswith("Usage: /latest [N]")


async def test_every_command_is_played_on_both() -> None:
    typed = [step for steps in SCRIPTS.values() for step in steps if isinstance(step, str)]
    assert {name for name, _ in MENU} <= {step.split()[0].lstrip("/").lower() for step in typed}
