"""Answers printed in a terminal: `python -m bot ask` and the chat that `make run` opens without a token."""

from __future__ import annotations

from retrieval.answer import Answer, Passage


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
