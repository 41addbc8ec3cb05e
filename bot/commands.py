"""What the bot says, whoever carries it: a question, a command or a button press in, replies out.

The Telegram handlers (bot/telegram/) and the terminal chat (bot/terminal.py) only turn their input into a
Request and show the replies, so the two cannot drift apart. Everything here is synchronous and may
block on the store and the index: the Telegram side calls it on a worker thread (asyncio.to_thread).

Adding a command: a line in MENU and a method of the same name below, its reply in bot/render.py, a
test. Telegram's command menu and handlers and the terminal pick it up from MENU.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import actions, render, subscriptions
from bot.actions import Action
from bot.render import Reply
from retrieval.library import Library

LATEST_DEFAULT = 5
LATEST_MAX = 20
SEARCH_PAGE = 5
MORE_RESULTS = 20  # passages, up to two per announcement: about ten announcements for More matches
INLINE_RESULTS = 8
MAX_PAGE = 100
MAX_QUESTION = 1000  # characters that reach the ranker; the rest of a 4,000-character paste is noise
MAX_ID = 2**62  # above this no database column holds it: a forged number, not a missing row

# Command names and the descriptions Telegram shows in its command menu.
MENU: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and example questions"),
    ("help", "What I can do"),
    ("latest", "Newest announcements: /latest [N]"),
    ("search", "Search announcements: /search WORDS"),
    ("read", "A whole announcement: /read ID"),
    ("about", "What I know and how fresh it is"),
    ("subscribe", "Get new announcements about WORDS"),
    ("subscriptions", "What you follow, with buttons to remove"),
    ("unsubscribe", "Stop all your subscriptions"),
)

# Short notes shown over the chat when a button is pressed (plain text, at most 200 characters).
EXPIRED = "That button has expired. Please ask again."
GONE = "That announcement is no longer available. See /latest."
REMOVED = "Removed."
ALREADY_REMOVED = "That subscription was already gone."


@dataclass(frozen=True)
class Request:
    """Who asks, where, and what they typed: a question, or a command with its arguments."""

    chat_id: int
    private: bool
    user_id: int | None
    first_name: str | None
    text: str


@dataclass(frozen=True)
class Pressed:
    """What a button press does: a short `notice` over the chat, the pressed message replaced by
    `edit`, and/or new messages `send`."""

    notice: str | None = None
    edit: Reply | None = None
    send: list[Reply] = field(default_factory=list)


@dataclass(frozen=True)
class InlineArticle:
    """One result offered in inline mode: picked, `reply` is sent to the chat."""

    result_id: str
    title: str
    description: str
    reply: Reply
    url: str | None


class Queries:
    """Questions and searches behind buttons, by short key: callback_data holds 64 bytes, not a
    question. Old keys fall out; a button whose key is gone gets a polite 'ask again'."""

    def __init__(self, size: int = 5000) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()  # requests are served on several worker threads

    def put(self, text: str) -> str:
        key = secrets.token_urlsafe(6)
        with self._lock:
            self._items[key] = text
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._items.get(key)


def _number(text: str) -> int | None:
    """A whole number typed in ASCII digits ("²".isdigit() is true, but int() refuses it)."""
    return int(text) if text.isascii() and text.isdigit() else None


CommandHandler = Callable[[Request, list[str]], list[Reply]]


class Commands:
    """The bot's behaviour over one Library; one instance per front end (it keeps the button keys)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.queries = Queries()
        self._examples: tuple[int, list[str]] | None = None
        self._examples_lock = threading.Lock()
        # Each command is the method of its name.
        self._commands: dict[str, CommandHandler] = {name: getattr(self, name) for name, _ in MENU}

    # -- text in -----------------------------------------------------------------------------------

    def reply(self, request: Request) -> list[Reply]:
        """The replies to a message: a command if it starts with "/", else a question."""
        text = request.text.strip()
        if not text.startswith("/"):
            return self.ask(text)
        word, *args = text.split()
        # "/latest@govuk_answers_bot 3" in a group; Telegram command names are case-insensitive.
        name = word[1:].partition("@")[0].lower()
        command = self._commands.get(name)
        if command is None:
            return [render.UNKNOWN_COMMAND] if request.private else []  # in a group: maybe another bot's
        return command(request, args)

    def not_text(self, request: Request) -> list[Reply]:
        """A sticker, photo or other message without text."""
        return [render.NOT_TEXT] if request.private else []

    def ask(self, text: str) -> list[Reply]:
        question = text.strip()[:MAX_QUESTION]
        if not question:
            return [render.HELP]
        self.library.refresh_soon()
        answer = self.library.ask(question, top_k=MORE_RESULTS)
        more = answer.outcome == "answer" and bool(render.other_announcements(answer.results))
        return [render.answer_reply(answer, self.queries.put(question) if more else None)]

    # -- commands ----------------------------------------------------------------------------------

    def start(self, request: Request, args: list[str]) -> list[Reply]:
        # A deep link t.me/<bot>?start=a123 opens announcement 123.
        payload = args[0] if args else ""
        announcement_id = _number(payload[1:]) if payload.startswith("a") else None
        if announcement_id is not None:
            return self._announcement(announcement_id)
        return [render.start_reply(request.first_name, self.examples())]

    def examples(self) -> list[str]:
        """Two questions the corpus answers: built from the newest titles, kept only if answered;
        worked out again when the corpus changes."""
        version = self.library.corpus_version()  # cheap; stats() counts every chunk
        with self._examples_lock:
            if self._examples is not None and self._examples[0] == version:
                return self._examples[1]
            examples: list[str] = []
            for item in self.library.latest(10):
                candidate = f"What was announced about {render.lower_first(item.title)}?"
                if self.library.ask(candidate, top_k=1).outcome == "answer":
                    examples.append(candidate)
                if len(examples) == 2:
                    break
            self._examples = (version, examples)
            return examples

    def help(self, request: Request, args: list[str]) -> list[Reply]:
        return [render.HELP]

    def latest(self, request: Request, args: list[str]) -> list[Reply]:
        n = LATEST_DEFAULT
        if args:
            number = _number(args[0]) if len(args) == 1 else None
            if number is None or number < 1:
                return [render.LATEST_USAGE]
            n = number
        items = self.library.latest(min(n, LATEST_MAX))
        return [render.latest_reply(items, capped_from=n if n > LATEST_MAX else None)]

    def search(self, request: Request, args: list[str]) -> list[Reply]:
        words = " ".join(args)[:MAX_QUESTION]
        if not words:
            return [render.SEARCH_USAGE]
        return [self._search_page(words, self.queries.put(words), 1)]

    def _search_page(self, words: str, key: str, page: int) -> Reply:
        hits = self.library.search(words, limit=SEARCH_PAGE + 1, offset=(page - 1) * SEARCH_PAGE)
        return render.search_reply(words, hits[:SEARCH_PAGE], key, page, has_more=len(hits) > SEARCH_PAGE)

    def read(self, request: Request, args: list[str]) -> list[Reply]:
        number = _number(args[0]) if len(args) == 1 else None
        if number is None:
            return [render.READ_USAGE]
        return self._announcement(number)

    def _announcement(self, announcement_id: int) -> list[Reply]:
        a = self.library.announcement(announcement_id) if announcement_id < MAX_ID else None
        return render.announcement_replies(announcement_id, a)

    def about(self, request: Request, args: list[str]) -> list[Reply]:
        state = self.library.last_sync()
        return [render.about_reply(self.library.stats(), state.last_success, state.last_items)]

    def subscribe(self, request: Request, args: list[str]) -> list[Reply]:
        words = " ".join(args)
        if not words:
            return [render.SUBSCRIBE_USAGE]
        try:
            followed = subscriptions.subscribe(self.library, request.chat_id, words)
        except subscriptions.SubscriptionError as exc:
            return [render.not_subscribed_reply(str(exc))]
        return [render.subscribed_reply(followed)]

    def subscriptions(self, request: Request, args: list[str]) -> list[Reply]:
        return [self._subscriptions_of(request.chat_id)]

    def _subscriptions_of(self, chat_id: int) -> Reply:
        return render.subscriptions_reply(subscriptions.subscriptions_of(self.library, chat_id))

    def unsubscribe(self, request: Request, args: list[str]) -> list[Reply]:
        return [render.unsubscribed_reply(subscriptions.unsubscribe(self.library, request.chat_id))]

    # -- buttons -----------------------------------------------------------------------------------

    def press(self, request: Request, action: Action | None) -> Pressed:
        """A button of one of our messages in `request.chat_id` was pressed; None: data that no
        button of ours carries (forged, or from an older version of the bot)."""
        match action:
            case actions.Read(announcement_id):
                if announcement_id >= MAX_ID or self.library.announcement(announcement_id) is None:
                    return Pressed(notice=GONE)
                return Pressed(send=self._announcement(announcement_id))
            case actions.Unsubscribe(subscription_id):
                removed = 0
                if subscription_id < MAX_ID:
                    removed = subscriptions.unsubscribe(self.library, request.chat_id, subscription_id)
                notice = REMOVED if removed else ALREADY_REMOVED
                return Pressed(notice=notice, edit=self._subscriptions_of(request.chat_id))
            case actions.MoreMatches(key, page) | actions.SearchPage(key, page) if not 1 <= page <= MAX_PAGE:
                return Pressed(notice=EXPIRED)
            case actions.MoreMatches(key, page):
                question = self.queries.get(key)
                if question is None:
                    return Pressed(notice=EXPIRED)
                answer = self.library.ask(question, top_k=MORE_RESULTS)
                return Pressed(edit=render.more_reply(answer, key, page))
            case actions.BackToAnswer(key):
                question = self.queries.get(key)
                if question is None:
                    return Pressed(notice=EXPIRED)
                return Pressed(edit=render.answer_reply(self.library.ask(question, top_k=MORE_RESULTS), key))
            case actions.SearchPage(key, page):
                words = self.queries.get(key)
                if words is None:
                    return Pressed(notice=EXPIRED)
                return Pressed(edit=self._search_page(words, key, page))
            case _:
                return Pressed(notice=EXPIRED)

    # -- inline mode -------------------------------------------------------------------------------

    def inline(self, text: str) -> list[InlineArticle]:
        """Answers to offer while someone types "@bot question" in any chat: only confident ones,
        since the pick is sent as a quote to people who did not ask."""
        question = text.strip()[:MAX_QUESTION]
        if not question:
            return []
        answer = self.library.ask(question, top_k=INLINE_RESULTS)
        if answer.outcome != "answer":
            return []
        return [
            InlineArticle(
                result_id=str(p.chunk_id),
                title=p.title[:200],
                description=render.shorten(p.sentence, 200),
                reply=render.passage_reply(p),
                url=p.url,
            )
            for p in answer.results
        ]
