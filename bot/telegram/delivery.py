"""Replies that arrive even when Telegram refuses their HTML.

bot/render.py escapes everything it wraps, and the tests parse every reply as Telegram would, but a
Bot API server may still refuse one ("can't parse entities": an older self-hosted server, a tag it
does not know). The user then gets the same words without formatting, not an apology.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.constants import ParseMode
from telegram.error import BadRequest

log = logging.getLogger(__name__)

T = TypeVar("T")

_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def plain_text(text: str) -> str:
    """Telegram HTML as the words a reader would see; a link's address follows its text."""

    def link(match: re.Match[str]) -> str:
        url, label = html.unescape(match[1]), match[2]
        return label if html.unescape(_TAG.sub("", label)).strip() == url else f"{label} ({url})"

    return html.unescape(_TAG.sub("", _LINK.sub(link, text))).strip() or "…"


def unparseable(exc: BadRequest) -> bool:
    return "can't parse entities" in str(exc).lower()


async def html_or_plain(send: Callable[[str, ParseMode | None], Awaitable[T]], text: str) -> T:
    """`send(text, parse_mode)` with the HTML, and once more as plain text if Telegram cannot parse it."""
    try:
        return await send(text, ParseMode.HTML)
    except BadRequest as exc:
        if not unparseable(exc):
            raise
        log.warning("Telegram refused a reply's HTML (%s): sending it as plain text", exc)
    return await send(plain_text(text), None)
