"""Answers printed in a terminal: `python -m bot ask` and the chat that `make run` opens without a token."""

from __future__ import annotations

import html
import re
import sys

from bot import render
from retrieval.answer import Answer, Passage
from retrieval.library import Library


def _source_line(p: Passage) -> str:
    parts = [p.type or "Announcement", p.published.date().isoformat() if p.published else "undated"]
    if p.url:
        parts.append(p.url)
    return " · ".join(parts)


def format_answer(result: Answer) -> str:
    lines: list[str] = []
    if result.answer is None:
        lines.append("Nothing in the announcements answers that.")
        if result.results:
            lines.append("Closest, but not an answer:")
            lines.extend(f"  - {p.title}" for p in result.results[:3])
        return "\n".join(lines)
    best = result.answer
    lines += [best.title, _source_line(best), ""]
    marked = best.passage.replace(best.sentence, f"**{best.sentence}**", 1)
    lines += ["  " + line for line in marked.split("\n")]
    others = result.results[1:]
    if others:
        lines += ["", "More matches:"]
        lines += [f"  - {p.title} ({_source_line(p)})\n    {p.sentence}" for p in others]
    return "\n".join(lines)


# -- the terminal chat: the bot's replies (bot.render), printed instead of sent ----------------------

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


def _buttons(reply: render.Reply) -> str:
    hints = [b.text for row in reply.buttons for b in row if b.data and b.data.startswith("read:")]
    ids = [
        b.data.split(":")[1] for row in reply.buttons for b in row if b.data and b.data.startswith("read:")
    ]
    if not ids:
        return ""
    return "\n" + "\n".join(f"  [/read {i}] {h}" for i, h in zip(ids, hints, strict=True))


def reply_for(library: Library, line: str) -> list[render.Reply]:
    """What the bot would answer to this line in a private chat."""
    command, _, rest = line.partition(" ")
    rest = rest.strip()
    if command in ("/help", "/start"):
        return [render.HELP]
    if command == "/latest":
        n = int(rest) if rest.isdigit() and int(rest) > 0 else 5
        return [render.latest_reply(library.latest(min(n, 20)), capped_from=n if n > 20 else None)]
    if command == "/search":
        if not rest:
            return [render.Reply("What should I search for? For example: /search flood defences")]
        return [render.search_reply(rest, library.search(rest, limit=5), "terminal", 1, has_more=False)]
    if command == "/read":
        if not (rest.isascii() and rest.isdigit()):
            return [render.Reply("Usage: /read ID, with the number shown by /latest or /search.")]
        number = int(rest)
        return render.announcement_replies(number, library.announcement(number) if number < 2**62 else None)
    if command == "/about":
        return [render.about_reply(library.stats())]
    if command.startswith("/"):
        return [render.Reply("I don’t know that command. /help lists what I can do.")]
    answer = library.ask(line, top_k=10)
    replies = [render.answer_reply(answer, None)]
    if answer.answer is not None and len(answer.results) > 1:
        replies.append(render.more_reply(answer, "terminal", 1, per_page=4))
    return replies


def chat(library: Library) -> int:
    bold = sys.stdout.isatty()
    print("Ask a question about government announcements (/help for commands, Ctrl-D to leave).")
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
        for reply in reply_for(library, line):
            print(html_to_terminal(reply.text, bold) + _buttons(reply))
