"""What the bot says, whoever carries it: a question, a command or a button press in, replies out.

The Telegram handlers (bot/telegram/) and the terminal chat (bot/terminal.py) only turn their input into a
Request and show the replies, so the two cannot drift apart. Everything here is synchronous and may
block on the store and the index: the Telegram side calls it on a worker thread (asyncio.to_thread).

Adding a command: a line in MENU and a method of the same name below, its reply in bot/render.py, a
test. Telegram's command menu and handlers and the terminal pick it up from MENU.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import actions, conversation, corrections, intents, render, subscriptions
from bot.actions import Action
from bot.render import Reply
from retrieval import alerts as alerting
from retrieval import filters as filtering
from retrieval.announcement import headline
from retrieval.answer import Answer, Passage
from retrieval.filters import Filters
from retrieval.library import Library
from retrieval.ranking.evidence import gives_asked_form, has_fact, holds_asked_fact
from retrieval.ranking.query import phrased_as_question, spelt_out, wanted_detail, wanted_type
from retrieval.search.tokenize import term, tokenize
from retrieval.search.tokenize import words as tokenize_words
from retrieval.store import AnnouncementInfo, ConversationTurn, StoredAnnouncement, Subscription

LATEST_DEFAULT = 5
LATEST_MAX = 20
SEARCH_PAGE = 5
MORE_RESULTS = 20  # passages, up to two per announcement: about ten announcements for More matches
INLINE_RESULTS = 8
MAX_PAGE = 100
MAX_QUESTION = 1000  # characters that reach the ranker; the rest of a 4,000-character paste is noise
MAX_ID = 2**62  # above this no database column holds it: a forged number, not a missing row
EXAMPLES = 3  # example questions offered on /start, /help and after small talk
NEWS_POOL = 10  # "news about X": the best matches, shown newest first
# Words left beside filters that only ask for the list: "any speeches by the foreign office?", "show
# me press releases from october", "what happened in october 2024", "what came out last week" (as
# index terms; "any", "me", "there" are no terms at all).
_ASKING_FOR_A_LIST = frozenset(
    tokenize("show list give see find get happened announced published released came")
)
# How a change to the list just shown starts: "and in 2016?", "what about the home office", "only
# news please", "just speeches"; and what else such a message may hold besides its filters.
_REFINES = re.compile(
    r"^\s*(?:(?:ok|okay|right|so)\s+)?(?:and|but|what about|how about|only|just|now|same for)\b", re.I
)
_REFINING = frozenset(tokenize("just now only same please instead then"))
# An organisation named as the one that spoke: "what did the treasury announce about investment",
# "what has the environment agency said about flooding".
_PUBLISHED_BY = re.compile(
    r"\b(?:did|has|have|does|do)\s+(?:the\s+)?(?P<organisation>[\w&',. -]{2,60}?)\s+"
    r"(?:announce[ds]?|say|said|publish(?:ed)?|release[ds]?|put out|unveil(?:ed)?|launch(?:ed)?)\b",
    re.I,
)
# "who is the prime minister" names an office and asks nothing else, but it asks for a person, not
# for the list of the Prime Minister's Office's announcements it was given. "how many speeches in
# 2016" is still a list: its heading counts them.
_ASKS_FOR_A_FACT = re.compile(r"^\s*(?:who|whos|who's|whose|why|where|how(?! many))\b", re.I)
# What is left of a list request once its filters are read: "about the eu", "on pensions".
_LISTING_TOPIC = re.compile(r"^(about|on|regarding|concerning|re|to do with)\s+(?=\S)", re.I)
LIST_KEPT = timedelta(days=1)  # /read N reads the chat's last list for this long
BUTTON_KEPT = timedelta(days=30)  # what a button's key stands for (a question to ask, a list's filters)
QUESTIONS_KEPT = timedelta(days=90)  # questions asked and their 👍/👎, for /stats (README: Privacy)
ALERTS_KEPT = timedelta(days=90)  # which chat was alerted about which announcement
STATS_DAYS = 14
STATS_RECENT = 5  # 👎 and declined questions listed by /stats

# Command names and the descriptions Telegram shows in its command menu.
MENU: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and example questions"),
    ("help", "What I can do"),
    ("latest", "Newest announcements: /latest [N]"),
    ("search", "Search announcements: /search WORDS"),
    ("read", "A whole announcement: /read ID"),
    ("about", "What I know and how fresh it is"),
    ("subscribe", "Get new announcements about WORDS: /subscribe [daily] WORDS"),
    ("follow", "Get new announcements from an organisation: /follow hmrc"),
    ("subscriptions", "What you follow, with buttons to change or remove"),
    ("unsubscribe", "Stop one subscription (/unsubscribe WORDS) or all"),
    ("forget", "Delete everything I keep about this chat"),
)
# Commands not in Telegram's menu: they answer only the bot's administrators (ADMIN_IDS).
HIDDEN: tuple[tuple[str, str], ...] = (("stats", "Questions asked and how they were answered"),)
# Commands that change what a chat follows or keeps: in a group, only its administrators may.
MANAGING = frozenset({"subscribe", "follow", "unsubscribe", "forget"})

# Short notes shown over the chat when a button is pressed (plain text, at most 200 characters).
EXPIRED = "That button has expired. Please ask again."
LIST_EXPIRED = "That list has expired: ask again."
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
    # The announcement of the bot's answer this message replies to (Telegram's reply_to_message):
    # the message is a follow-up about it.
    replying_to: int | None = None
    # In a group: the sender is one of its administrators (looked up only for what needs it, see
    # Commands.needs_admin). In a private chat the sender manages it anyway.
    admin: bool = False

    @property
    def manages(self) -> bool:
        """May change what this chat follows and keeps."""
        return self.private or self.admin


@dataclass(frozen=True)
class Pressed:
    """What a button press does: a short `notice` over the chat, the pressed message replaced by
    `edit`, and/or new messages `send`."""

    notice: str | None = None
    edit: Reply | None = None
    send: list[Reply] = field(default_factory=list)
    # Buttons of the pressed message that no longer work, by what they refer to (actions.refers_to):
    # taken off it, so that nobody presses them again.
    drop: frozenset[str] = frozenset()


@dataclass(frozen=True)
class InlineArticle:
    """One result offered in inline mode: picked, `reply` is sent to the chat."""

    result_id: str
    title: str
    description: str
    reply: Reply
    url: str | None


@dataclass(frozen=True)
class Followed:
    """What a message would follow up: the announcement, the question (or title) that gives its
    topic, and the message's words that announcement never uses (none: it is a follow-up)."""

    announcement_id: int
    topic: str
    new_words: tuple[str, ...]


def _expired(key: str) -> Pressed:
    """A button whose key is unknown or past its time: say so, and take off the buttons that carry it."""
    return Pressed(notice=LIST_EXPIRED, drop=frozenset({f"key:{key}"}))


def _number(text: str) -> int | None:
    """A whole number typed in ASCII digits ("²".isdigit() is true, but int() refuses it)."""
    return int(text) if text.isascii() and text.isdigit() else None


EXAMPLE_WORDS = 10  # titles longer than this make clumsy example questions: used only if needed


def _mentions_any(words: str, passage: Passage) -> bool:
    """Whether the passage or its title holds any of `words`, in any form the index reads as one."""
    return bool(set(tokenize(words)) & set(tokenize(f"{passage.title} {passage.passage}")))


CommandHandler = Callable[[Request, list[str]], list[Reply]]


class Commands:
    """The bot's behaviour over one Library; one instance per front end (it keeps the button keys)."""

    def __init__(
        self,
        library: Library,
        clock: Callable[[], datetime] | None = None,
        admin_ids: frozenset[int] = frozenset(),
    ) -> None:
        self.library = library
        self.admin_ids = admin_ids  # users who may run /stats (ADMIN_IDS)
        # Expiries and "this week" are read from it (tests set the day the 2024 items came out).
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self._examples: tuple[int, list[str]] | None = None
        self._examples_lock = threading.Lock()
        self._organisations: tuple[int, list[str]] | None = None
        # Each command is the method of its name.
        self._commands: dict[str, CommandHandler] = {name: getattr(self, name) for name, _ in MENU + HIDDEN}

    # -- text in -----------------------------------------------------------------------------------

    def reply(self, request: Request) -> list[Reply]:
        """The replies to a message: a command if it starts with "/", else what bot/intents.py reads
        in it (small talk, a list, news or a question)."""
        text = request.text.strip()
        if not text.startswith("/"):
            return self.message(request, text)
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

    def message(self, request: Request, text: str) -> list[Reply]:
        """Text that is not a command. Small talk and "help" get a short reply and examples, "what's
        new" a list, "news about X" the newest matches for X; the rest is a question."""
        text = text.strip()[:MAX_QUESTION]
        if not text:
            return [self._help(request)]
        intent = intents.classify(text)
        match intent.kind:
            case "greeting" | "thanks" | "goodbye":
                examples = self._example_buttons(request) if intent.kind != "goodbye" else []
                return [render.small_talk_reply(intent.kind, request.first_name, examples)]
            case "help":
                return [self._help(request)]
            case "latest":
                return [self._latest_or_news(request, intent.rest)]
            case "news":
                if conversation.asks_within(text) and self._answer_uses(request, intent.rest):
                    # "anything on prisons?" right after the Queen's Speech asks what it says of them,
                    # not for the newest announcements about prisons.
                    return self.ask(request, text)
                return [self._news(request, intent.rest)]
            case "more":
                return [self._more(request)]
            case "about":
                if (
                    intent.rest == "date"
                    and text.lower().startswith("how old")
                    and self._undated_answer(request)
                ):
                    # "how old is it?" of an item with no date is asked of what it is about: the
                    # Blackpool loco's page was said to carry no publication date, where it gives the
                    # tower's "125th birthday".
                    return self.ask(request, text)
                reply = self._about_answer(request, intent.rest)
                if reply is render.ASK_FIRST and (
                    re.search(r"\bthis\b", text, re.I) or intents.CONFUSED.match(intents.normalise(text))
                ):
                    # "what is this about?" or "huh?" with nothing quoted yet asks what the bot is.
                    return [self._help(request)]
                return [reply]
            case "page":
                return self._page(request, intent.rest)
            case "subscribe":
                return self.subscribe(request, intent.rest.split())
            case "subscriptions":
                return self.subscriptions(request, [])
            case "unsubscribe":
                return self.unsubscribe(request, intent.rest.split())
            case "correction":
                return self._correction(request, intent.rest)
            case "read":
                named = not re.search(r"\d", text)  # "the second one", not "read 2"
                if named and self.library.shown_list(request.chat_id, self.clock()) is None:
                    # "the second one" with no list shown opened announcement number 2 of the store (a
                    # 2017 speech); "read 2" may mean that number, as /read 2 does.
                    return [render.NO_LIST_SHOWN]
                return self.read(request, [intent.rest])
            case "search":
                return self.search(request, intent.rest.split())
            case "number":
                # "2" after a list is its second item; anywhere else it is asked as typed.
                if self.library.shown_list(request.chat_id, self.clock()) is not None:
                    return self.read(request, [intent.rest])
                return self.ask(request, text)
            case "describe":
                return self._describe(request, intent.rest, intent.document, text)
            case "wrong":
                # Counted as a 👎 for the reply it complains about, as the button would be.
                noted = self.library.missed(request.chat_id, self.clock(), conversation.FOLLOW_UP_WINDOW)
                return [render.missed_reply(noted)]
        added = intents.also_topic(text)
        if added is not None and (newest := self._just_subscribed(request)) is not None:
            # "subscribe to fireworks", then "also flooding": a second subscription of the same kind.
            # Words that name an organisation follow it (see subscribe): "also hmrc", "also flooding".
            args = ["daily", *added.split()] if newest.daily else added.split()
            return self.subscribe(request, args)
        asked = intents.questions_in(intent.rest)
        if len(asked) > 1:
            # Each is asked in turn, so a later one ("and what for?") follows the answer to the first.
            return [
                render.one_of(reply, question, n, len(asked))
                for n, question in enumerate(asked, 1)
                for reply in self.ask(request, question)
            ]
        return self.ask(request, intent.rest)

    def _just_subscribed(self, request: Request) -> Subscription | None:
        """The chat's newest subscription, if it was made in the last ten minutes and nothing was asked
        since: what "also X" adds to."""
        now = self.clock()
        mine = subscriptions.listed(self.library, request.chat_id)
        newest = max(mine, key=lambda s: s.created_at, default=None)
        if newest is None or newest.created_at < now - conversation.FOLLOW_UP_WINDOW:
            return None
        if self.library.last_question(request.chat_id, newest.created_at) is not None:
            return None
        return newest

    def _correction(self, request: Request, text: str) -> list[Reply]:
        """ "Sorry, i meant fireworks": the chat's last question (of the last ten minutes) asked again
        as corrected, the reply saying how it was read; with none to correct, the words as a question."""
        last = self.library.last_question(request.chat_id, self.clock() - conversation.FOLLOW_UP_WINDOW)
        if last is None:
            return self.ask(request, text)
        question = corrections.rewrite(last, text)
        return [render.read_as(reply, question) for reply in self.ask(request, question)]

    def _describe(self, request: Request, topic: str, document: str, text: str) -> list[Reply]:
        """ "Tell me about the fireworks announcement": the one announcement whose title holds the
        topic, as GOV.UK summarises it, and what the next follow-up is about; several such titles are
        listed, unless the word for the document tells them apart ("the post office consultation",
        not its call for evidence). A topic no title holds makes the message a question ("what was
        the budget statement about" may be asked of a speech)."""
        wanted = set(tokenize(topic))
        if not wanted:  # "what's the report about": the one just quoted
            return [self._about_answer(request, "summary")]
        hits = self.library.search(topic, limit=MORE_RESULTS)
        named = [p for p in hits if wanted <= set(tokenize(p.title))]
        kind = set(tokenize(document))
        of_kind = [p for p in named if kind <= set(tokenize(f"{p.title} {p.type or ''}"))]
        if len({p.title for p in of_kind}) == 1:
            named = of_kind
        if len({p.title for p in named}) > 1:
            return [self._search_page(request, topic, self._key(request, "search", topic), 1)]
        found = self.library.announcement(named[0].announcement_id) if named else None
        if found is None:
            # Its framing words are no part of what is asked: "what's the deal with veteran cards and
            # voting" was declined, with the Veteran Card's announcement first among the nearest;
            # "veteran cards and voting" is answered from it.
            if (
                self.library.ask(text, top_k=1).outcome == "none"
                and self.library.ask(topic, top_k=1).outcome != "none"
            ):
                return self.ask(request, topic)
            return self.ask(request, text)
        now = self.clock()
        self.library.remember_answer(
            request.chat_id, found.announcement_id, text, conversation.FOLLOW_UP_WINDOW, now
        )
        return [render.detail_reply("summary", found)]

    def _page(self, request: Request, path: str) -> list[Reply]:
        """A pasted GOV.UK link: the announcement at it, as /read shows it; if it is not held, the
        words of its address asked as a question ("/government/news/angling-brothers-fined" ->
        "angling brothers fined")."""
        found = self.library.announcement_at(path)
        held = self.library.announcement(found) if found is not None else None
        if found is not None and held is not None:
            # Follow-ups ("who published it?", "and when?") are about this page now.
            window = conversation.FOLLOW_UP_WINDOW
            self.library.remember_answer(request.chat_id, found, held.title, window, self.clock())
            return [render.announcement_page(found, held)]
        words = path.rsplit("/", 1)[-1].replace("-", " ").strip()
        return self.ask(request, words) if words else [self._help(request)]

    def _detail_subject(self, request: Request) -> StoredAnnouncement | None:
        """The announcement the last answer quoted, or the one replied to: what a detail is of."""
        announcement_id = request.replying_to
        if announcement_id is None:
            turn = self.library.last_answer(request.chat_id, self.clock())
            announcement_id = turn.announcement_id if turn is not None else None
        return self.library.announcement(announcement_id) if announcement_id is not None else None

    def _undated_answer(self, request: Request) -> bool:
        """Whether the announcement a detail would be of carries no date."""
        found = self._detail_subject(request)
        return found is not None and found.published is None

    def _about_answer(self, request: Request, detail: str) -> Reply:
        """A detail of the announcement the last answer quoted (or the one replied to): its link, who
        published it, when, or GOV.UK's summary of it."""
        found = self._detail_subject(request)
        return render.detail_reply(detail, found) if found is not None else render.ASK_FIRST

    def _more(self, request: Request) -> Reply:
        """Typed "more" or "next": the rest of what the chat was shown last. After a list, its next
        page; after an answer, its further matches, as its "More matches" button shows them (and for
        a closest reply, which has no such button, whatever else is near enough)."""
        now = self.clock()
        turn = self.library.last_answer(request.chat_id, now)
        shown = self.library.shown_list(request.chat_id, now)
        if (
            shown is not None
            and shown.items
            and (turn is None or shown.shown_at >= turn.answered_at or self._opened_from(turn, shown.items))
        ):
            return self._next_page(request, shown.list_key, max(shown.items))
        if turn is None:
            return render.NOTHING_ASKED_YET
        answer = self.library.ask(turn.question, top_k=MORE_RESULTS)
        if not render.further_matches(answer.results):
            return render.nothing_more_reply(turn.question)
        return self._more_page(request, turn.question, answer, self._key(request, "more", turn.question), 1)

    def _opened_from(self, turn: ConversationTurn, items: Mapping[int, int]) -> bool:
        """Whether the chat's last answer is an item opened from the list (read 2, its button): what
        follow-ups are about, though "more" still continues the list. An opened item is remembered
        under its title (`_opened`), an answer under the question asked."""
        if turn.announcement_id not in items.values():
            return False
        found = self.library.announcement(turn.announcement_id)
        return found is not None and found.title == turn.question

    def _more_page(self, request: Request, question: str, answer: Answer, key: str, page: int) -> Reply:
        """A page of an answer's further matches, numbered as a list is, so that "the second one" or
        "read 2" next opens that match (it opened announcement number 2 of the whole store)."""
        others = render.further_matches(answer.results)
        first = (page - 1) * render.MORE_PER_PAGE + 1
        shown = others[first - 1 : first - 1 + render.MORE_PER_PAGE]
        self._remember_list(request, f"more:{question}", first, [p.announcement_id for p in shown])
        return render.more_reply(answer, key, page)

    def _next_page(self, request: Request, list_key: str, last_shown: int) -> Reply:
        """The page after item `last_shown` of the list `list_key` (as _latest_page and _search_page
        name their lists), or a sentence saying the list has ended."""
        kind, _, rest = list_key.partition(":")
        if kind == "latest":
            size, _, text = rest.partition(":")
            per_page = int(size) if size.isdigit() and 1 <= int(size) <= LATEST_MAX else LATEST_DEFAULT
            _, filters = self._filters(text, self.clock())
            if last_shown >= self.library.count_latest(filters if filters else None):
                return render.END_OF_LIST
            key = self._latest_key(request, text, per_page)
            return self._latest_page(request, text, key, last_shown // per_page + 1, per_page)
        if kind == "search":
            words, filters = self._filters(rest, self.clock())
            kept = filters if filters else None
            # News lists are the newest of the best NEWS_POOL matches (see _search_page).
            ended = filters.newest_first and last_shown >= NEWS_POOL
            if ended or not self.library.search(words, limit=1, offset=last_shown, filters=kept):
                return render.END_OF_LIST
            key = self._key(request, "search", rest)
            return self._search_page(request, rest, key, last_shown // SEARCH_PAGE + 1)
        if kind == "more":
            answer = self.library.ask(rest, top_k=MORE_RESULTS)
            if last_shown >= len(render.further_matches(answer.results)):
                return render.END_OF_LIST
            page = last_shown // render.MORE_PER_PAGE + 1
            return self._more_page(request, rest, answer, self._key(request, "more", rest), page)
        return render.END_OF_LIST

    def ask(self, request: Request, text: str) -> list[Reply]:
        """A question: a follow-up is asked of the announcement it follows first; a list of filters
        ("speeches by HM Treasury this week") is a list; anything else is asked of every announcement."""
        question = text.strip()[:MAX_QUESTION]
        if not question:
            return [self._help(request)]
        self.library.refresh_soon()
        now = self.clock()
        followed = self._followed(request, question, now)
        initials = spelt_out(followed.topic) if followed is not None else None
        if followed is not None and initials is not None and conversation.stands_for_it(question):
            # "what is dapo?" then "what does it stand for?": the announcement "doesn't mention
            # stand", it said, though it spells DAPO out.
            stands = f"what does {initials} stand for"
            return [self._follow_up(request, stands, followed.announcement_id, followed.topic, now)]
        if followed is not None and (not followed.new_words or self._answers_within(question, followed)):
            return [self._follow_up(request, question, followed.announcement_id, followed.topic, now)]
        if (
            followed is None
            and conversation.leans_without_topic(question)
            and self.library.last_answer(request.chat_id, now) is None
        ):
            # "when did he say it?" with no answer for "he" and "it" to be: whatever passage mentions
            # saying something was offered as the closest, a speech nobody asked about.
            self.library.log_question(request.chat_id, question, "none", now)
            return [render.nothing_to_follow(question)]
        words, filters = self._filters(question, now)
        if filters and _REFINES.match(question) and set(tokenize(words)) <= _ASKING_FOR_A_LIST | _REFINING:
            refined = self._refined_list(request, filters, now)
            if refined is not None:
                return [refined]
        if filters and set(tokenize(words)) <= _ASKING_FOR_A_LIST and not _ASKS_FOR_A_FACT.match(question):
            return [
                self._latest_page(request, question, self._latest_key(request, question, LATEST_DEFAULT), 1)
            ]
        listing = _LISTING_TOPIC.match(words) if filters else None
        if listing is not None:
            # "speeches about the eu", "press releases on drugs from the home office": a list of such
            # announcements about it, as /search gives; asked as a question, the kind was ignored.
            text = re.sub(rf"\b{re.escape(listing.group(1))}\s+", "", question, count=1, flags=re.I)
            return [self._search_page(request, text, self._key(request, "search", text), 1)]
        answer = self._ask_of_publisher(question, filters)
        unsure = followed is None and answer.outcome != "answer"
        if unsure and (turn := self._answering_turn(request, question)) is not None:
            # Too long to look like a follow-up, and nothing anywhere answers it with confidence, but
            # the announcement just quoted uses all its words and does: "what does the bill do" after
            # the hereditary peers was offered the DMO's "Treasury bills" as the closest.
            return [self._follow_up(request, question, turn.announcement_id, turn.question, now)]
        far_elsewhere = (
            followed is not None
            and answer.outcome == "closest"
            and answer.results[0].announcement_id != followed.announcement_id
            and not _mentions_any(conversation.topic_of(followed.topic), answer.results[0])
        )
        if (answer.outcome == "none" or far_elsewhere) and followed is not None:
            # Shaped like a follow-up, with words the answer's announcement never uses ("what about in
            # scotland?"), and nothing anywhere answers it: the reader needs to hear that the
            # announcement does not mention them, not that the bot found nothing at all. So when
            # all there is elsewhere is a closest passage that says nothing of what "it" is: "when
            # will it finish?" after the Defra review was offered a speech's "Let me finish with one
            # final thought."
            found = self.library.announcement(followed.announcement_id)
            if found is not None:
                self.library.log_question(request.chat_id, question, "none", now)
                named = self._lacked(question, found.announcement_id) or list(followed.new_words)
                return [render.not_mentioned_reply(found.announcement_id, found.title, named)]
        lead = ""
        if followed is not None and answer.outcome != "none" and answer.results:
            # Shaped like a follow-up, partly in the followed announcement's words, and answered from
            # another: say so, or the answer reads as if about the one followed. So with a pronoun:
            # "what colour is it?" after the Blackpool loco quoted an abuse story's "hair colour". So
            # with one topic word, more likely about the subject than a new one, when only a closest
            # passage is found ("is there a test" after the motorcycle instructors' form: the visa
            # English tests), when the answer's title lacks the word ("has anyone been charged?"
            # after the Birmingham prison riot: the angling brothers' prosecution), or when it
            # follows "the", as if already spoken of ("how much was the fine?" after the door
            # supervisor's conviction: the angling brothers' fines). A message of several topic
            # words, all new ("what about flood defences?", "how much is the national living wage"),
            # or of one word the answer's title holds ("also vaping": "Youth Vaping"), is plainly a
            # new question.
            found = self.library.announcement(followed.announcement_id)
            if (
                found is not None
                and answer.results[0].announcement_id != found.announcement_id
                and (
                    conversation.leans_on_answer(question)
                    or (answer.outcome == "closest" and conversation.single_topic_word(question) is not None)
                    or conversation.lone_topic_off_title(question, answer.results[0].title)
                    or conversation.names_it_as_known(question)
                    or conversation.shares_topic(question, self._words_of(found.announcement_id))
                )
            ):
                named = self._lacked(question, found.announcement_id) or list(followed.new_words)
                lead = render.elsewhere_lead(found.title, named)
        rest = conversation.rest_of_a_question(question)
        if (
            followed is None
            and answer.outcome != "answer"
            and rest is not None
            and self.library.last_answer(request.chat_id, now) is None
            and not self._in_titles(rest)
        ):
            # "and at one year?", "what about in sussex?" after a question nothing answered: the same
            # question with these words. Asked alone, DVLA's accounts' "due within one year" was
            # offered as the closest to a question about a baby's vaccines, and a police speech's
            # "Surrey and Sussex" to one on flood defences. Not "and the budget", which looks the
            # budgets up.
            last = self.library.last_question(request.chat_id, now - conversation.FOLLOW_UP_WINDOW)
            if last is not None and conversation.rest_of_a_question(last) is None:
                again = corrections.rewrite(last, rest)
                return [render.read_as(reply, again) for reply in self.ask(request, again)]
            if conversation.continues_a_question(question):
                self.library.log_question(request.chat_id, question, "none", now)
                return [render.nothing_to_follow(question)]
        return [self._answered(request, question, answer, now, lead)]

    def _ask_of_publisher(self, question: str, filters: Filters) -> Answer:
        """The question asked of every announcement, or only of the organisation it names as the one
        that spoke ("what did the treasury announce about investment": Homes England's fund, which
        mentions the investment summit, came first, and the Treasury's own news second), unless
        that organisation has nothing near enough."""
        named = _PUBLISHED_BY.search(question)
        if named is not None and filters.organisations:
            _, spoke = self._filters(named.group("organisation"), self.clock())
            if spoke.organisations == filters.organisations:
                own = self.library.ask(
                    question, top_k=MORE_RESULTS, filters=Filters(organisations=spoke.organisations)
                )
                if own.outcome != "none":
                    return own
        return self.library.ask(question, top_k=MORE_RESULTS)

    def _refined_list(self, request: Request, filters: Filters, now: datetime) -> Reply | None:
        """ "and in 2016?", "what about the home office", "only news please" after a list: that list
        again with these filters in place of those of the same kind, or None if no list was shown
        since the last answer. Asked alone, "and in 2016?" listed all of 2016, forgetting that the
        list was the Environment Agency's."""
        shown = self.library.shown_list(request.chat_id, now)
        turn = self.library.last_answer(request.chat_id, now)
        if shown is None or (turn is not None and turn.answered_at > shown.shown_at):
            return None
        kind, _, rest = shown.list_key.partition(":")
        if kind == "latest":
            size, _, before = rest.partition(":")
        elif kind == "search":
            size, before = "", rest
        else:
            return None
        kept = before
        for phrase in self._filters(before, now)[1].said:
            _, alone = self._filters(phrase, now)
            dated = bool(filters.since or filters.until) and bool(alone.since or alone.until)
            replaced = (
                dated
                or bool(filters.types and alone.types)
                or bool(filters.organisations and alone.organisations)
            )
            if replaced:
                kept = re.sub(re.escape(phrase), " ", kept, count=1, flags=re.I)
        text = " ".join(f"{kept} {' '.join(filters.said)}".split())
        if kind == "search":
            return self._search_page(request, text, self._key(request, "search", text), 1)
        per_page = int(size) if size.isdigit() and 1 <= int(size) <= LATEST_MAX else LATEST_DEFAULT
        return self._latest_page(request, text, self._latest_key(request, text, per_page), 1, per_page)

    def _lacked(self, question: str, announcement_id: int) -> list[str]:
        """Every topic word of `question` the announcement lacks, whether or not others use it:
        "can takeaways stay open?" was told the closures guidance "doesn't mention “open”"."""
        return conversation.strong_topic_words(
            question, lambda typed: [True] * len(typed), self._words_of(announcement_id)
        )

    def _unheard(self, question: str) -> list[str]:
        """The topic words of `question` that no announcement uses and the ranking reads as no corpus
        word either (a slip such as "fishng" is read as "fishing")."""
        candidates = tokenize_words(conversation.topic_of(question))
        if not candidates:
            return []
        read = self.library.read_as(question)
        # "kids" is read as children or young: a word with stand-ins the corpus uses is heard.
        heard = conversation.in_any_form(candidates, self.library.known_words)
        return [w for w, h in zip(candidates, heard, strict=True) if not h and w not in read]

    def _words_of(self, announcement_id: int) -> Callable[[Sequence[str]], list[bool]]:
        """For each word, whether the announcement uses it (what conversation's checks are given)."""
        return functools.partial(self.library.words_in_announcement, announcement_id)

    def _answered(
        self, request: Request, question: str, answer: Answer, now: datetime, lead: str = ""
    ) -> Reply:
        """The reply to an answer of the whole corpus; a quoted passage becomes what a follow-up follows,
        unless it is only the closest passage elsewhere, said to be so (`lead`): "what currency do
        they use?" after Fiji was offered a budget's passage, and "do i need a visa" next was asked of
        the budget."""
        if answer.results and (answer.outcome == "answer" or (answer.outcome == "closest" and not lead)):
            self.library.remember_answer(
                request.chat_id,
                answer.results[0].announcement_id,
                question,
                conversation.FOLLOW_UP_WINDOW,
                now,
            )
        elif answer.outcome == "none" and self._moved_on(request, question, now):
            # The reader has moved on to what nothing answers: a "when?" next is about that, not about
            # the answer before it, and neither is "more".
            self.library.forget_answer(request.chat_id)
        more = answer.outcome == "answer" and bool(render.further_matches(answer.results))
        question_id = self.library.log_question(request.chat_id, question, answer.outcome, now)
        if answer.outcome == "answer":
            key = self._key(request, "more", question, question_id=question_id) if more else None
            read_as = _corrected(question, answer)
            reply = render.answer_reply(answer, key, read_as=read_as, lead=lead)
            return render.with_feedback(reply, question_id)
        if answer.outcome == "none" and conversation.is_bare_follow_up(question):
            # "where?" with no answer in the chat to follow: nothing could answer it as it stands.
            return render.nothing_to_follow(question)
        looked_up = conversation.what_about(question) or question  # "what about housing": "housing"
        if answer.outcome == "none" and not phrased_as_question(looked_up) and self._in_titles(looked_up):
            # Words typed to look up what several titles hold ("budget", "tell me about the budget"):
            # no one passage answers them, but "I found nothing" hides the announcements looked for.
            return self._search_page(request, looked_up, self._key(request, "search", looked_up), 1)
        english = intents.looks_english(question, self.library.known_words)
        did_you_mean = self._did_you_mean(request, question, answer, english)
        reply = render.answer_reply(answer, None, did_you_mean=did_you_mean, english=english, lead=lead)
        return render.with_feedback(reply, question_id) if answer.outcome == "closest" else reply

    def _in_titles(self, text: str) -> bool:
        """Whether the best match for `text`'s words is an announcement whose title holds them all."""
        words, filters = self._filters(text, self.clock())
        wanted = set(tokenize(words))
        hits = self.library.search(words, limit=1, filters=filters if filters else None) if wanted else []
        return bool(hits) and wanted <= set(tokenize(hits[0].title))

    def _moved_on(self, request: Request, question: str, now: datetime) -> bool:
        """Whether `question` is about something other than the chat's last answer: it has topic words
        the corpus uses and that answer's announcement does not (conversation.strong_topic_words).
        Words no announcement uses ("a dud one") are no sign of a new topic."""
        turn = self.library.last_answer(request.chat_id, now)
        if turn is None:
            return False
        in_followed = self._words_of(turn.announcement_id)
        return bool(conversation.strong_topic_words(question, self.library.known_words, in_followed))

    def _did_you_mean(
        self, request: Request, question: str, answer: Answer, english: bool
    ) -> tuple[str, str] | None:
        """The question with each word the corpus does not use replaced by the corpus word read
        instead, and the key of a button that asks it; None if nothing was replaced."""
        corrected = _corrected(question, answer) if english else None
        return (corrected, self._key(request, "ask", corrected)) if corrected else None

    # -- follow-ups --------------------------------------------------------------------------------

    def _followed(self, request: Request, question: str, now: datetime) -> Followed | None:
        """The announcement a message replying to an answer, or shaped like a follow-up (short, within
        ten minutes of the answer), would follow, or None. It is a follow-up unless it brings a
        topic of its own (`new_words`): in a group, replying is how people address the bot at all."""
        turn = self.library.last_answer(request.chat_id, now)
        if request.replying_to is not None:
            replied = self.library.announcement(request.replying_to)
            if replied is None:
                return None
            followed = replied.announcement_id
            topic = turn.question if turn is not None and turn.announcement_id == followed else replied.title
        elif turn is not None and conversation.sounds_like_follow_up(question):
            followed, topic = turn.announcement_id, turn.question
        else:
            return None

        new_words = conversation.strong_topic_words(
            question, self.library.known_words, self._words_of(followed)
        )
        return Followed(followed, topic, tuple(new_words))

    def _answers_within(self, question: str, followed: Followed) -> bool:
        """A message that points back at the answer with a pronoun ("what time do they have to
        stop?" after the fireworks rules) is about it even with a word the announcement never uses
        ("stop": its curfew is "midnight"), when a passage of it answers with confidence. So is one
        asking for a fact in a precise form that the announcement's nearest passage gives: "whats the
        age limit" after the Young Leaders call ("under 40 years old"; it never says "limit") was
        answered from a budget's bond limits."""
        leans = conversation.leans_on_answer(question)
        if not leans and wanted_detail(question) is None:
            return False
        within = self.library.ask(question, top_k=1, within=followed.announcement_id)
        if leans and within.outcome == "answer":
            return True
        return within.outcome != "none" and gives_asked_form(question, within.results[0].sentence)

    def _follow_up(self, request: Request, question: str, followed: int, topic: str, now: datetime) -> Reply:
        """Asked of the followed announcement first; a bare follow-up ("when?") is asked again with the
        topic it follows. If that announcement does not say, the reply says so and offers the best
        passage elsewhere."""
        if conversation.asks_for_else(question):
            return self._something_else(request, question, followed, topic, now)
        within = self.library.ask(question, top_k=1, within=followed)
        # The words the conversation is about; a question made only of generic words ("how much is it
        # costing?") leaves none, and then the announcement's title says what "where?" is about.
        about = conversation.topic_of(topic) or self._title_topic(followed)
        if conversation.leans_without_topic(question) and {"it", "its"} & set(tokenize_words(question)):
            # "it" is the thing the announcement is about, not what was asked of it: "where is it?"
            # after "what is the flux tower measuring" asks where the tower is, and "measuring" drew
            # a passage on what the towers measure. ("Who said that?" points at the quote: its words.)
            about = self._as_its_title_names(about, followed)
        own_words = bool(conversation.topic_of(question))
        if (
            within.answer is not None
            and not own_words
            and not set(tokenize(about)) & set(tokenize(within.answer.passage))
        ):
            # With no words of its own, a passage holding none of the topic's words answers something
            # else: "who gets it?" after the National Living Wage quoted the budget's "appointed Sir
            # Peter Hendy to get…" (the one match: "gets"). It is asked with the topic below.
            within = dataclasses.replace(within, outcome="none", answer=None, results=[])
        unheard = self._unheard(question) if own_words and within.outcome != "answer" else []
        if unheard:
            # A word no announcement uses and none it reads as ("what did she say about shipping?"
            # after the UN statement on Yemen): no passage speaks of it, and the statement's opening,
            # near for the topic's words, was offered as the closest.
            found = self.library.announcement(followed)
            if found is not None:
                self.library.log_question(request.chat_id, question, "none", now)
                return render.not_mentioned_reply(found.announcement_id, found.title, unheard)
        nearest = within if within.outcome == "closest" else None
        kind = wanted_type(question)
        # A bare "who said that?" has no words to be confident about; the passage that comes first for
        # it, if its sentence holds the kind of fact asked for (a speech's "Statement by Ambassador
        # Barbara Woodward"), is worth offering as the closest.
        first = within.results[0] if within.results and not own_words else None
        if nearest is None and kind is not None and first is not None and has_fact(kind, first.sentence):
            nearest = within
        # A message with no words of its own ("whats the phone number?") is about the conversation's
        # topic even when the announcement answers it alone: the licence line's number, not the
        # incident hotline's, after a question on fishing licences. One that points at the quote
        # ("who said that?") is about the quote.
        bare = not own_words and not conversation.leans_on_answer(question)
        if within.outcome != "answer" or bare:
            with_topic = self.library.ask(f"{question} {about}", top_k=1, within=followed)
            # The topic's words are in the passage just quoted, so they pull towards it: when the
            # message's own words ("who runs the fund?") point at another passage, those words win.
            # Not with a pronoun: "how much will it be by 2020?" after the National Living Wage is
            # about "it", not the NHS plan's "£8 billion more by 2020-21".
            own_words_elsewhere = (
                nearest is not None
                and own_words
                and not conversation.leans_on_answer(question)
                and with_topic.answer is not None
                and with_topic.answer.chunk_id != nearest.results[0].chunk_id
            )
            # Nor is the topic's passage an answer to "when was the speech?" unless the sentence it
            # would bold holds a date, nor of "how long has he got?" unless it holds a length of time
            # ("No10" is a number): the topic's words, not the question's, made it confident.
            says_it = with_topic.answer is not None and holds_asked_fact(question, with_topic.answer.sentence)
            # Nor, for "when?", when the message's own words are nowhere in the announcement and not in
            # that passage: "when does he report?" after Dan Corry's appointment (which never says when
            # the review reports) was answered with the day before's investment summit, a date the
            # topic's words found. (Most passages hold some date; "who signed it?" after a joint
            # statement is rightly answered with its signatories, though it never says "signed".)
            off_its_words = (
                own_words
                and kind == "date"
                and within.outcome == "none"
                and with_topic.answer is not None
                and not _mentions_any(conversation.topic_of(question), with_topic.answer)
            )
            if with_topic.outcome == "answer" and says_it and not own_words_elsewhere and not off_its_words:
                within = with_topic
            elif (
                within.outcome != "answer"
                and not off_its_words
                and nearest is None
                and with_topic.outcome != "none"
                and with_topic.results
            ):
                nearest = with_topic
        if within.outcome == "answer" and within.answer is not None:
            # The topic stays the one the conversation started with: "who said that?" after "when?"
            # is still about the peers.
            self.library.remember_answer(request.chat_id, followed, topic, conversation.FOLLOW_UP_WINDOW, now)
            question_id = self.library.log_question(request.chat_id, question, "answer", now)
            return render.with_feedback(render.passage_reply(within.answer), question_id)
        if own_words and not conversation.points_at_someone(question):
            # Words of its own that another announcement answers with confidence: a new question that
            # only looked like a follow-up ("how many drugs have driving limits" after a budget, whose
            # hundred pages use every word of it). Not when "he" or "she" is someone it named.
            alone = self.library.ask(question, top_k=MORE_RESULTS)
            # Not an answer holding none of its topic words: "how many scientists are involved" after
            # the MAST Upgrade (whose "more than 100 scientists" was the closest) was answered from an
            # adoption study that "involved 18 extended interviews".
            if (
                alone.outcome == "answer"
                and alone.results
                and alone.results[0].announcement_id != followed
                and _mentions_any(conversation.topic_of(question), alone.results[0])
            ):
                # A message with one topic word the followed announcement lacks ("has anyone been
                # charged?" after the Birmingham prison riot), or one spoken of as known ("when is the
                # vote?" after the peers, who "sit and vote"), is more likely about the last answer:
                # say that it is answered elsewhere. Not a word it uses ("how do i complain" after the
                # Department of Health's complaints procedure, which says how, in other words).
                found = self.library.announcement(followed)
                lead = ""
                title = alone.results[0].title
                lacked = self._lacked(question, followed)
                if found is not None and (
                    conversation.names_it_as_known(question)
                    or (lacked and conversation.lone_topic_off_title(question, title))
                ):
                    lead = render.elsewhere_lead(found.title, lacked)
                return self._answered(request, question, alone, now, lead)
        # Still about the conversation's topic: "and how much will it cost?" after a question on the
        # peers is not answered by whatever else mentions a cost (a fishing licence's price was).
        elsewhere = self.library.ask(f"{question} {about}", top_k=MORE_RESULTS)
        others = [p for p in elsewhere.results if p.announcement_id != followed]
        best = others[0] if others and elsewhere.outcome != "none" else None
        answers = best is not None and elsewhere.outcome == "answer" and elsewhere.results[0] is best
        missing = conversation.missing_fact(question, lambda kind: self.library.gives_fact(followed, kind))
        if missing is not None and kind in ("date", "person"):
            # Its text gives no date or names no one, but GOV.UK dates the item and names who published
            # it: the nearest thing to "when?" or "who is running it?" it has.
            found = self.library.announcement(followed)
            if found is not None and kind == "date" and found.published is not None:
                missing = f"{missing} It was published on {render.date_text(found.published)}."
            elif found is not None and kind == "person" and found.organisation:
                missing = f"{missing} Published by: {found.organisation}."
        if (
            nearest is not None
            and nearest.results
            and not own_words
            and kind != "person"
            and not set(tokenize(about)) & set(tokenize(nearest.results[0].passage))
        ):
            # With no words of its own, a passage holding none of the topic's words is not the closest
            # either: "when does it start?" after the budget's sugar levy was offered its Minimum Excise
            # Tax, which "will take effect from 20 May 2017". (Who speaks is named apart from any
            # topic: "Statement by Ambassador Barbara Woodward…" is the closest to "who said that?".)
            nearest = None
        if missing is None and not answers and nearest is not None and nearest.results:
            # It holds that kind of fact, and a passage near enough to offer: better to quote it,
            # said to be uncertain, than to say it could not be found ("when are the drop-in events?").
            question_id = self.library.log_question(request.chat_id, question, "closest", now)
            return render.with_feedback(render.closest_within_reply(nearest.results[0]), question_id)
        if best is not None:
            # What the reply shows is what the next follow-up is about ("which ones are illegal?"),
            # and only then: "who gets it?" after a passage of the budget was shown followed the
            # Resolution Foundation speech that had been looked at, not shown.
            self.library.remember_answer(
                request.chat_id, best.announcement_id, question, conversation.FOLLOW_UP_WINDOW, now
            )
        return render.follow_up_not_said(missing, followed, best, answers)

    def _something_else(
        self, request: Request, question: str, followed: int, topic: str, now: datetime
    ) -> Reply:
        """ "What else did they discuss?": the announcement's best passage for it other than the one the
        conversation's question was answered with, which the reader has seen."""
        seen = self.library.ask(topic, top_k=1, within=followed).results
        found = self.library.ask(question, top_k=MORE_RESULTS, within=followed).results
        others = [p for p in found if not seen or p.chunk_id != seen[0].chunk_id]
        if not others:
            return render.nothing_else_reply(followed)
        question_id = self.library.log_question(request.chat_id, question, "answer", now)
        return render.with_feedback(render.passage_reply(others[0]), question_id)

    def _as_its_title_names(self, about: str, announcement_id: int) -> str:
        """The words of `about` that the announcement's title holds, if any; else `about`."""
        found = self.library.announcement(announcement_id)
        if found is None:
            return about
        title = set(tokenize(found.title))
        named = [w for w in about.split() if term(w) in title]
        return " ".join(named) if named else about

    def _title_topic(self, announcement_id: int) -> str:
        found = self.library.announcement(announcement_id)
        return conversation.topic_of(found.title) if found is not None else ""

    # -- lists and news ----------------------------------------------------------------------------

    def _filters(self, text: str, now: datetime) -> tuple[str, Filters]:
        """(the words left to search for, the filters read from `text`)."""
        return filtering.parse(text, self._organisation_names(), now)

    def _organisation_names(self) -> list[str]:
        """The corpus's organisations, read again only when the corpus changes."""
        version = self.library.corpus_version()
        cached = self._organisations
        if cached is None or cached[0] != version:
            cached = self._organisations = (version, self.library.organisations())
        return cached[1]

    def _latest_or_news(self, request: Request, rest: str) -> Reply:
        """ "what's new" and what follows it: filters ("from the MoD") make a filtered list; other
        words ("on flooding") make it news about them."""
        # "the 10 latest", "latest 5 from the treasury": as /latest N [FILTERS]. With a topic
        # ("latest 5 on flooding") it is news about the topic, a page at a time.
        n = _number(rest.split()[0] if rest else "")
        if n is not None:
            rest = " ".join(rest.split()[1:])
        words, _ = self._filters(rest, self.clock())
        if words:
            return self._news(request, rest)
        if n is not None:
            return self.latest(request, [str(n), *rest.split()])[0]
        return self._latest_page(request, rest, self._latest_key(request, rest, LATEST_DEFAULT), 1)

    def _answering_turn(self, request: Request, question: str) -> ConversationTurn | None:
        """The chat's last answer, if its announcement uses every topic word of `question` and a
        passage of it answers `question` with confidence."""
        turn = self.library.last_answer(request.chat_id, self.clock())
        if turn is None or not self._uses_every_word(turn.announcement_id, question):
            return None
        within = self.library.ask(question, top_k=1, within=turn.announcement_id)
        return turn if within.outcome == "answer" else None

    def _answer_uses(self, request: Request, topic: str) -> bool:
        """Whether the chat's last answer (of the last ten minutes) is from an announcement that uses
        every topic word of `topic`."""
        turn = self.library.last_answer(request.chat_id, self.clock())
        return turn is not None and self._uses_every_word(turn.announcement_id, topic)

    def _uses_every_word(self, announcement_id: int, topic: str) -> bool:
        wanted = [w for w in tokenize_words(topic) if term(w)]
        return bool(wanted) and all(self.library.words_in_announcement(announcement_id, wanted))

    def _news(self, request: Request, topic: str) -> Reply:
        """Announcements about `topic`, newest first; a topic that is only filters ("anything from
        HM Treasury") is a filtered list."""
        topic = re.sub(r"^(?:about|on|regarding|concerning|for|re|with)\s+", "", topic.strip(), flags=re.I)
        words, _ = self._filters(topic, self.clock())
        if not words:
            return self._latest_page(request, topic, self._latest_key(request, topic, LATEST_DEFAULT), 1)
        text = f"latest {topic}"  # retrieval.filters reads "latest" as newest first
        return self._search_page(request, text, self._key(request, "search", text), 1)

    def _latest_page(
        self,
        request: Request,
        text: str,
        key: str,
        page: int,
        per_page: int = LATEST_DEFAULT,
        capped_from: int | None = None,
    ) -> Reply:
        """A page of the newest announcements that `text`'s filters accept; its numbers become the
        chat's list for /read N."""
        _, filters = self._filters(text, self.clock())
        kept = filters if filters else None
        total = self.library.count_latest(kept)
        items = self.library.latest(per_page, (page - 1) * per_page, kept)
        newest = items[:1] if page == 1 else self.library.latest(1, 0, kept)
        first = (page - 1) * per_page + 1
        self._remember_list(request, f"latest:{per_page}:{text}", first, [a.announcement_id for a in items])
        earlier: list[AnnouncementInfo] = []
        if not items and page == 1 and kept is not None and (kept.since or kept.until):
            # "speeches this year" when the newest speech is older: say so, and show the newest.
            undated = dataclasses.replace(kept, since=None, until=None)
            earlier = self.library.latest(per_page, 0, undated if undated else None)
            ids = [a.announcement_id for a in earlier]
            self._remember_list(request, f"latest:{per_page}:{text}", 1, ids)
        return render.latest_reply(
            items,
            total,
            key,
            page,
            per_page,
            filters=kept,
            newest=newest[0].published if newest else None,
            capped_from=capped_from,
            earlier=earlier,
        )

    def _latest_key(self, request: Request, text: str, per_page: int) -> str:
        return self._key(request, "latest", text, per_page=per_page)

    def _remember_list(self, request: Request, list_key: str, first: int, ids: list[int]) -> None:
        if not list_key.startswith("more:"):
            # A list shown after an answer is what the chat now talks about: "how much were they
            # fined?" after "any news on fishing" was asked of the doctoral loans quoted before it.
            # The further matches of an answer are still about that answer.
            self.library.forget_answer(request.chat_id)
        if ids:
            numbered = {first + i: announcement_id for i, announcement_id in enumerate(ids)}
            self.library.remember_list(request.chat_id, list_key, numbered, LIST_KEPT, self.clock())
        if len(ids) == 1 and first == 1 and not list_key.startswith("more:"):
            # A list of one is that announcement: "how much is a junior one?" after the only news on
            # fishing licences asks it, as after an answer quoted from it.
            found = self.library.announcement(ids[0])
            if found is not None:
                window = conversation.FOLLOW_UP_WINDOW
                self.library.remember_answer(request.chat_id, ids[0], found.title, window, self.clock())

    def _key(self, request: Request, kind: str, text: str, **more: int) -> str:
        """A short key for a button's callback_data, standing for `text` in the database: the button
        works after a restart and on any worker."""
        payload = {"text": text, **more}
        return self.library.remember(request.chat_id, kind, payload, BUTTON_KEPT, self.clock())

    def _recall(self, key: str, kind: str) -> Mapping[str, Any] | None:
        """What a key of this kind stands for (its "text" a string); None once expired, or forged."""
        state = self.library.recall(key, self.clock())
        if state is None or state.kind != kind or not isinstance(state.payload.get("text"), str):
            return None
        return state.payload

    # -- commands ----------------------------------------------------------------------------------

    def start(self, request: Request, args: list[str]) -> list[Reply]:
        # A deep link t.me/<bot>?start=a123 opens announcement 123.
        payload = args[0] if args else ""
        announcement_id = _number(payload[1:]) if payload.startswith("a") else None
        if announcement_id is not None:
            return self._announcement(announcement_id)
        return [render.start_reply(request.first_name, self._example_buttons(request))]

    def examples(self) -> list[str]:
        """Questions the bot really answers (outcome "answer"), about the newest announcements; worked
        out again when the corpus changes. A title is asked about as people would ask about a
        headline they saw; long titles are used only if the short ones are too few."""
        version = self.library.corpus_version()  # cheap; stats() counts every chunk
        with self._examples_lock:
            if self._examples is not None and self._examples[0] == version:
                return self._examples[1]
            newest = self.library.latest(12)
            short_first = sorted(newest, key=lambda a: len(headline(a.title).split()) > EXAMPLE_WORDS)
            examples: list[str] = []
            for item in short_first:
                candidate = f"Tell me about {render.lower_first(headline(item.title))}"
                # Only a question, as pressing it sends it: "Tell me about … Joint Statement" names
                # an announcement to summarise (intents: describe), not a question to answer.
                asked = intents.classify(candidate).kind == "question"
                if asked and self.library.ask(candidate, top_k=1).outcome == "answer":
                    examples.append(candidate)
                if len(examples) == EXAMPLES:
                    break
            self._examples = (version, examples)
            return examples

    def _example_buttons(self, request: Request) -> list[tuple[str, str]]:
        """The example questions with the keys of buttons that ask them."""
        return [(question, self._key(request, "ask", question)) for question in self.examples()]

    def help(self, request: Request, args: list[str]) -> list[Reply]:
        return [self._help(request)]

    def _help(self, request: Request) -> Reply:
        return render.help_reply(self._example_buttons(request))

    def latest(self, request: Request, args: list[str]) -> list[Reply]:
        """/latest [N] [FILTERS]: "/latest", "/latest 10", "/latest treasury", "/latest EA since 1 Oct"."""
        n = LATEST_DEFAULT
        if args and (number := _number(args[0])) is not None:
            n, args = number, args[1:]
        text = " ".join(args)[:MAX_QUESTION]
        if n < 1:
            return [render.LATEST_USAGE]
        if text:
            words, filters = self._filters(text, self.clock())
            if words or not filters:  # words that are no organisation, type or date
                return [render.LATEST_USAGE]
        per_page = min(n, LATEST_MAX)
        key = self._latest_key(request, text, per_page)
        capped = n if n > LATEST_MAX else None
        return [self._latest_page(request, text, key, 1, per_page, capped_from=capped)]

    def search(self, request: Request, args: list[str]) -> list[Reply]:
        """/search WORDS, with filters among them: "/search speeches pensions since 1 Nov"."""
        text = " ".join(args)[:MAX_QUESTION]
        words, filters = self._filters(text, self.clock()) if text else ("", Filters())
        if not words:
            if filters:  # only filters: what they keep, newest first
                return [self._latest_page(request, text, self._latest_key(request, text, LATEST_DEFAULT), 1)]
            return [render.SEARCH_USAGE]
        return [self._search_page(request, text, self._key(request, "search", text), 1)]

    def _search_page(self, request: Request, text: str, key: str, page: int) -> Reply:
        """A page of announcements matching `text`'s words and filters. Newest first when asked ("news
        about X", "latest pensions"): the best matches, then ordered by date, so that the newest of
        what matches comes first rather than the newest of whatever shares a word."""
        words, filters = self._filters(text, self.clock())
        kept = filters if filters else None
        offset = (page - 1) * SEARCH_PAGE
        if filters.newest_first:
            pool = self.library.search(words, limit=NEWS_POOL, filters=kept, whole_topic=True)
            pool.sort(key=lambda p: p.published.timestamp() if p.published else float("-inf"), reverse=True)
            hits = pool[offset : offset + SEARCH_PAGE + 1]
        else:
            hits = self.library.search(words, limit=SEARCH_PAGE + 1, offset=offset, filters=kept)
        shown = hits[:SEARCH_PAGE]
        self._remember_list(request, f"search:{text}", offset + 1, [p.announcement_id for p in shown])
        corrected = self.library.read_as(words) if shown else {}
        # "news about knife crime" lists what mentions crime: it says so, rather than passing a
        # prison statement off as news about knife crime.
        typed = [w for w in tokenize_words(words) if term(w) and w not in corrected]
        unused = [w for w, known in zip(typed, self.library.known_words(typed), strict=True) if not known]
        return render.search_reply(
            words,
            shown,
            key,
            page,
            has_more=len(hits) > SEARCH_PAGE,
            filters=filters,
            read_as=_replaced(words, corrected),
            unused=unused if shown else [],
        )

    def read(self, request: Request, args: list[str]) -> list[Reply]:
        """/read N: item N of the last list shown in this chat; with no list shown, announcement N
        (the number in a t.me link). /help says the same."""
        number = _number(args[0]) if len(args) == 1 else None
        if number is None:
            return [render.READ_USAGE]
        shown = self.library.shown_list(request.chat_id, self.clock())
        if shown is None or not shown.items:
            return self._opened(request, number)
        announcement_id = shown.items.get(number)
        if announcement_id is None:
            return [render.not_in_list_reply(number, list(shown.items))]
        return self._opened(request, announcement_id)

    def _opened(self, request: Request, announcement_id: int) -> list[Reply]:
        """The announcement opened from a list or by its number; follow-ups ("what did it say about
        corruption?") are then about it, as after an answer."""
        found = self.library.announcement(announcement_id) if announcement_id < MAX_ID else None
        if found is not None:
            now = self.clock()
            self.library.remember_answer(
                request.chat_id, announcement_id, found.title, conversation.FOLLOW_UP_WINDOW, now
            )
        return [render.announcement_page(announcement_id, found)]

    def _announcement(self, announcement_id: int, page: int = 1) -> list[Reply]:
        """One page of the announcement, with buttons that turn its pages in place: one message
        however long it is."""
        a = self.library.announcement(announcement_id) if announcement_id < MAX_ID else None
        return [render.announcement_page(announcement_id, a, page)]

    def about(self, request: Request, args: list[str]) -> list[Reply]:
        state = self.library.last_sync()
        return [render.about_reply(self.library.stats(), state.last_success, state.last_items, self.clock())]

    def needs_admin(self, request: Request, action: Action | None = None) -> bool:
        """Whether the front end must find out if the sender administers the group (Request.admin)
        before this message or button press is handled: only in groups, and only for what changes
        what the group follows or keeps."""
        if request.private:
            return False
        if action is not None:
            return actions.manages(action)
        word = request.text.strip().split(maxsplit=1)[0] if request.text.strip() else ""
        return word.startswith("/") and word[1:].partition("@")[0].lower() in MANAGING

    def subscribe(self, request: Request, args: list[str]) -> list[Reply]:
        """/subscribe [daily] WORDS: alerts for WORDS, at once or in a daily digest, and the last three
        announcements that match; WORDS that only name an organisation follow it, as /follow does."""
        daily, words = subscriptions.daily_and_words(" ".join(args))
        if not words:
            return [render.SUBSCRIBE_USAGE]
        if not request.manages:
            return [render.NOT_A_MANAGER]
        if subscriptions.names_organisation(self.library, words):
            # "subscribe to hmrc" followed the word "hmrc", and its last matches were DVLA's accounts
            # and a budget that mention HMRC, not what HMRC publishes.
            return self.follow(request, args)
        # A slip of a word the announcements use is followed as that word, and the reply says so:
        # "flodding" would never match anything.
        corrected = _replaced(words, self.library.read_as(words))
        try:
            followed = subscriptions.subscribe(self.library, request.chat_id, corrected or words, daily=daily)
        except subscriptions.SubscriptionError as exc:
            return [render.not_subscribed_reply(str(exc))]
        recent = alerting.recent_matches(self.library, followed)
        reply = render.subscribed_reply(followed, recent)
        return [render.read_as(reply, corrected) if corrected else reply]

    def follow(self, request: Request, args: list[str]) -> list[Reply]:
        """/follow [daily] NAME: alerts for what an organisation publishes; NAME matched loosely."""
        daily, name = subscriptions.daily_and_words(" ".join(args))
        if not name:
            return [render.FOLLOW_USAGE]
        if not request.manages:
            return [render.NOT_A_MANAGER]
        try:
            followed = subscriptions.follow(self.library, request.chat_id, name, daily=daily)
        except subscriptions.SubscriptionError as exc:
            return [render.not_subscribed_reply(str(exc))]
        recent = [a for s in followed for a in alerting.recent_matches(self.library, s)]
        recent.sort(key=lambda a: a.published.timestamp() if a.published else float("-inf"), reverse=True)
        return [render.followed_reply(followed, recent[:3])]

    def subscriptions(self, request: Request, args: list[str]) -> list[Reply]:
        return [self._subscriptions_of(request.chat_id)]

    def _subscriptions_of(self, chat_id: int) -> Reply:
        return render.subscriptions_reply(subscriptions.listed(self.library, chat_id), self.clock())

    def unsubscribe(self, request: Request, args: list[str]) -> list[Reply]:
        """/unsubscribe WORDS removes that one; /unsubscribe alone asks before removing them all."""
        if not request.manages:
            return [render.NOT_A_MANAGER]
        words = " ".join(args)
        if words:
            found = subscriptions.find(self.library, request.chat_id, words)
            if found is None:
                return [render.not_followed_reply(words)]
            subscriptions.unsubscribe(self.library, request.chat_id, found.subscription_id)
            return [render.unsubscribed_one_reply(found, subscriptions.listed(self.library, request.chat_id))]
        mine = subscriptions.listed(self.library, request.chat_id)
        if not mine:
            return [render.unsubscribed_reply(0)]
        return [render.unsubscribe_all_question(mine)]

    def stats(self, request: Request, args: list[str]) -> list[Reply]:
        """/stats, for ADMIN_IDS only: questions a day, how they came out, the latest 👎 and declines."""
        if request.user_id is None or request.user_id not in self.admin_ids:
            return [render.ADMINS_ONLY]
        since = self.clock() - timedelta(days=STATS_DAYS)
        days = self.library.question_counts(since)
        disliked = self.library.recent_questions(STATS_RECENT, feedback=-1)
        declined = self.library.recent_questions(STATS_RECENT, outcome="none")
        return [render.stats_reply(days, disliked, declined, STATS_DAYS)]

    def forget(self, request: Request, args: list[str]) -> list[Reply]:
        """/forget: everything kept about this chat, deleted once the chat says yes."""
        if not request.manages:
            return [render.NOT_A_MANAGER]
        return [render.forget_question(self.library.chat_data(request.chat_id))]

    def housekeeping(self) -> dict[str, int]:
        """Delete what is kept no longer than the README's Privacy section says: expired button keys,
        questions and alert records past their time. Run by the bot once an hour."""
        now = self.clock()
        return self.library.prune(now, now - QUESTIONS_KEPT, now - ALERTS_KEPT)

    # -- buttons -----------------------------------------------------------------------------------

    def press(self, request: Request, action: Action | None) -> Pressed:
        """A button of one of our messages in `request.chat_id` was pressed; None: data that no
        button of ours carries (forged, or from an older version of the bot)."""
        match action:
            case actions.Read(announcement_id):
                if announcement_id >= MAX_ID or self.library.announcement(announcement_id) is None:
                    return Pressed(notice=GONE)
                return Pressed(send=self._opened(request, announcement_id))
            case actions.ReadPage(announcement_id, page):
                if announcement_id >= MAX_ID or self.library.announcement(announcement_id) is None:
                    return Pressed(notice=GONE)
                return Pressed(edit=self._announcement(announcement_id, page)[0])
            case actions.Feedback(question_id, helpful):
                chat = request.chat_id
                counted = question_id < MAX_ID and self.library.give_feedback(question_id, chat, helpful)
                notice = render.FEEDBACK_THANKS[helpful] if counted else render.FEEDBACK_TOO_OLD
                return Pressed(notice=notice, drop=frozenset({f"fb:{question_id}"}))
            case _ if actions.manages(action) and not request.manages:
                return Pressed(notice=render.MANAGERS_ONLY)
            case actions.Unsubscribe(subscription_id):
                removed = 0
                if subscription_id < MAX_ID:
                    removed = subscriptions.unsubscribe(self.library, request.chat_id, subscription_id)
                notice = REMOVED if removed else ALREADY_REMOVED
                return Pressed(notice=notice, edit=self._subscriptions_of(request.chat_id))
            case (
                actions.AlertUnsubscribe(subscription_id)
                | actions.Mute(subscription_id)
                | actions.Unmute(subscription_id)
                | actions.Daily(subscription_id, _)
            ) if subscription_id >= MAX_ID:
                return Pressed(notice=ALREADY_REMOVED)
            case actions.AlertUnsubscribe(subscription_id):
                gone = self._subscription(request.chat_id, subscription_id)
                if gone is not None:
                    subscriptions.unsubscribe(self.library, request.chat_id, subscription_id)
                notice = render.unsubscribed_notice(gone) if gone else ALREADY_REMOVED
                dead = frozenset({f"sub:{subscription_id}", f"mute:{subscription_id}"})
                return Pressed(notice=notice, drop=dead)
            case actions.Mute(subscription_id):
                until = self.clock() + alerting.MUTE
                muted = self.library.change_subscription(request.chat_id, subscription_id, muted_until=until)
                if muted is None:
                    return Pressed(notice=ALREADY_REMOVED, drop=frozenset({f"mute:{subscription_id}"}))
                return Pressed(notice=render.muted_notice(muted), drop=frozenset({f"mute:{subscription_id}"}))
            case actions.Unmute(subscription_id) | actions.Daily(subscription_id, _):
                changed = self.library.change_subscription(
                    request.chat_id,
                    subscription_id,
                    daily=action.daily if isinstance(action, actions.Daily) else None,
                    unmute=isinstance(action, actions.Unmute),
                )
                return Pressed(
                    notice=None if changed is not None else ALREADY_REMOVED,
                    edit=self._subscriptions_of(request.chat_id),
                )
            case actions.UnsubscribeAll(confirmed):
                mine = subscriptions.listed(self.library, request.chat_id)
                if not confirmed:
                    return Pressed(edit=render.kept_reply(len(mine)))
                removed = subscriptions.unsubscribe(self.library, request.chat_id)
                return Pressed(edit=render.unsubscribed_reply(removed))
            case actions.Forget(confirmed):
                if not confirmed:
                    return Pressed(edit=render.NOT_FORGOTTEN)
                return Pressed(edit=render.forgotten_reply(self.library.forget_chat(request.chat_id)))
            case (
                actions.MoreMatches(key, page) | actions.SearchPage(key, page) | actions.LatestPage(key, page)
            ) if not 1 <= page <= MAX_PAGE:
                return Pressed(notice=EXPIRED)
            case actions.MoreMatches(key, page):
                state = self._recall(key, "more")
                if state is None:
                    return _expired(key)
                answer = self.library.ask(state["text"], top_k=MORE_RESULTS)
                return Pressed(edit=self._more_page(request, state["text"], answer, key, page))
            case actions.BackToAnswer(key):
                state = self._recall(key, "more")
                if state is None:
                    return _expired(key)
                again = self.library.ask(state["text"], top_k=MORE_RESULTS)
                reply = render.answer_reply(again, key, read_as=_corrected(state["text"], again))
                asked = state.get("question_id")
                if isinstance(asked, int):  # 👍/👎 again, for the same question
                    reply = render.with_feedback(reply, asked)
                return Pressed(edit=reply)
            case actions.SearchPage(key, page):
                state = self._recall(key, "search")
                if state is None:
                    return _expired(key)
                return Pressed(edit=self._search_page(request, state["text"], key, page))
            case actions.LatestPage(key, page):
                state = self._recall(key, "latest")
                per_page = state.get("per_page") if state is not None else None
                if state is None or not isinstance(per_page, int) or not 1 <= per_page <= LATEST_MAX:
                    return _expired(key)
                return Pressed(edit=self._latest_page(request, state["text"], key, page, per_page))
            case actions.Ask(key):
                state = self._recall(key, "ask")
                if state is None:
                    return _expired(key)
                question = state["text"]
                return Pressed(send=self.message(dataclasses.replace(request, text=question), question))
            case _:
                return Pressed(notice=EXPIRED)

    def _subscription(self, chat_id: int, subscription_id: int) -> Subscription | None:
        mine = self.library.subscriptions(chat_id)
        return next((s for s in mine if s.subscription_id == subscription_id), None)

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


def _corrected(question: str, answer: Answer) -> str | None:
    """The question with each word the corpus does not use replaced by the corpus word read instead;
    None if nothing was replaced."""
    return _replaced(question, answer.corrections or {})


def _replaced(text: str, corrections: Mapping[str, str]) -> str | None:
    if not corrections:
        return None
    corrected = text
    for wrong, right in corrections.items():
        corrected = re.sub(rf"\b{re.escape(wrong)}\b", right, corrected, flags=re.IGNORECASE)
    return None if corrected.casefold() == text.casefold() else corrected
