"""Answers printed in a terminal: `python -m bot ask`, and the chat that `make run` opens without a token.

The chat goes through the same command layer as the Telegram bot (bot/commands.py) and prints its
replies: the HTML as terminal text, and the buttons numbered, to be pressed by typing the number.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Sequence

from bot import actions, subscriptions
from bot.commands import Commands, Request
from bot.render import Button, Reply
from retrieval.answer import Answer, Passage


def _source_line(p: Passage) -> str:
    parts = [p.type or "Announcement", p.published.date().isoformat() if p.published else "undated"]
    if p.url:
        parts.append(p.url)
    return " · ".join(parts)


def format_answer(result: Answer) -> str:
    lines: list[str] = []
    if result.outcome == "none" or not result.results:
        lines.append("Nothing in the announcements answers that.")
        titles = list(dict.fromkeys(p.title for p in result.results))[:3]
        if titles:
            lines.append("Nearest announcements:")
            lines.extend(f"  - {title}" for title in titles)
        return "\n".join(lines)
    best = result.answer or result.results[0]
    if result.answer is None:  # the closest passage: shown, but said to be no sure answer
        lines += ["This may not answer it, but the closest passage is:", ""]
    lines += [best.title, _source_line(best), ""]
    marked = best.passage.replace(best.sentence, f"**{best.sentence}**", 1)
    lines += ["  " + line for line in marked.split("\n")]
    others = result.results[1:]
    if others:
        lines += ["", "More matches:"]
        lines += [f"  - {p.title} ({_source_line(p)})\n    {p.sentence}" for p in others]
    return "\n".join(lines)


# -- the terminal chat -------------------------------------------------------------------------------

_TAG = re.compile(r"<(/?)(b|i|a|blockquote)(?:\s[^>]*)?>")


def html_to_terminal(text: str, bold: bool) -> str:
    """Telegram HTML as terminal text: bold kept (ANSI or **), quotes indented, links spelled out."""
    text = re.sub(
        r'<a href="([^"]*)">([^<]*)</a>', lambda m: f"{m.group(2)} ({html.unescape(m.group(1))})", text
    )
    on, off = ("\033[1m", "\033[0m") if bold else ("**", "**")
    out: list[str] = []
    quoting = False
    for part in re.split(r"(<blockquote>|</blockquote>)", text):
        if part == "<blockquote>":
            quoting = True
            continue
        if part == "</blockquote>":
            quoting = False
            continue
        part = part.replace("<b>", on).replace("</b>", off)
        part = _TAG.sub("", part)
        part = html.unescape(part)
        if quoting:
            part = "\n".join("  │ " + line for line in part.split("\n"))
        out.append(part)
    return "".join(out).replace("│ \n", "│\n")


TERMINAL_CHAT_ID = subscriptions.LOCAL_CHAT_ID


def show_reply(reply: Reply, first_number: int, bold: bool) -> str:
    """A reply as printed: its text, then its buttons, numbered from `first_number`, a row a line."""
    lines = [html_to_terminal(reply.text, bold)]
    number = first_number
    for row in reply.buttons:
        labels = []
        for button in row:
            labels.append(f"[{number}] {button.text}" + (f" ({button.url})" if button.url else ""))
            number += 1
        lines.append("  " + "   ".join(labels))
    return "\n".join(lines)


def show_turn(notice: str | None, replies: Sequence[Reply], bold: bool) -> str:
    """What one line typed gets: a button's notice in brackets, then each reply (an edited message is
    printed again), buttons numbered across them."""
    parts = [f"({notice})"] if notice else []
    number = 1
    for reply in replies:
        parts.append(show_reply(reply, number, bold))
        number += sum(len(row) for row in reply.buttons)
    return "\n\n".join(parts)


def _pressed_buttons(replies: Sequence[Reply]) -> list[Button]:
    return [button for reply in replies for row in reply.buttons for button in row]


def chat(commands: Commands, first_name: str | None = None) -> int:
    """Read lines from the terminal and print what the bot would send to a private chat. A line with
    just a number presses that button of the last reply."""
    bold = sys.stdout.isatty()
    print(
        "Ask a question about government announcements (/help for commands, a button's number to press"
        " it, Ctrl-D to leave)."
    )
    buttons: list[Button | None] = []  # None: a button a press took away (Pressed.drop)
    while True:
        try:
            line = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            continue
        if line in ("/quit", "/exit", "quit", "exit"):
            return 0
        request = Request(TERMINAL_CHAT_ID, True, None, first_name, line)
        number = int(line) if line.isascii() and line.isdigit() else 0
        if 1 <= number <= len(buttons):
            button = buttons[number - 1]
            if button is None:
                print("(That button is gone.)")
                continue
            if button.data is None:  # a link: Telegram opens it in a browser
                print(f"(Open {button.url} in a browser.)")
                continue
            pressed = commands.press(request, actions.parse(button.data))
            replies = ([pressed.edit] if pressed.edit else []) + pressed.send
            print(show_turn(pressed.notice, replies, bold))
            if replies:
                buttons = list(_pressed_buttons(replies))
            elif pressed.drop:
                buttons = [None if b is None or _refers(b) in pressed.drop else b for b in buttons]
            continue
        replies = commands.reply(request)
        print(show_turn(None, replies, bold))
        buttons = list(_pressed_buttons(replies))


def _refers(button: Button) -> str | None:
    return actions.refers_to(button.data) if button.data is not None else None
