"""Telegram handlers: parse the update, ask the retrieval library, render, send. Nothing else."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections import OrderedDict
from typing import Any

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, MessageEntityType
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import render, subscriptions
from bot.jobs import sync_status
from bot.metrics import Metrics
from retrieval.library import Library

log = logging.getLogger(__name__)

LATEST_DEFAULT = 5
LATEST_MAX = 20
SEARCH_PAGE = 5
MORE_RESULTS = 10
MAX_QUESTION = 1000  # characters that reach the ranker; the rest of a 4,000-character paste is noise

COMMANDS = [
    BotCommand("start", "Welcome and example questions"),
    BotCommand("help", "What I can do"),
    BotCommand("latest", "Newest announcements: /latest [N]"),
    BotCommand("search", "Search announcements: /search WORDS"),
    BotCommand("read", "A whole announcement: /read ID"),
    BotCommand("about", "What I know and how fresh it is"),
    BotCommand("subscribe", "Get new announcements about WORDS"),
    BotCommand("subscriptions", "What you follow, with buttons to remove"),
    BotCommand("unsubscribe", "Stop all your subscriptions"),
]

Context = ContextTypes.DEFAULT_TYPE


def library(context: Context) -> Library:
    return context.bot_data["library"]


class Queries:
    """Questions and searches behind buttons, by short key: callback_data holds 64 bytes, not a
    question. Old keys fall out; a button whose key is gone gets a polite 'ask again'."""

    def __init__(self, size: int = 5000) -> None:
        self._items: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def put(self, text: str) -> str:
        key = secrets.token_urlsafe(6)
        self._items[key] = text
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> str | None:
        return self._items.get(key)


def queries(context: Context) -> Queries:
    return context.bot_data.setdefault("queries", Queries())


def markup(reply: render.Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data, url=b.url) for b in row]
            for row in reply.buttons
        ]
    )


async def send(update: Update, context: Context, reply: render.Reply) -> Message | None:
    message = update.effective_message
    if message is None:
        return None
    metrics: Metrics | None = context.bot_data.get("metrics")
    if metrics is not None:
        metrics.replied(update)
    return await message.reply_text(
        reply.text, reply_markup=markup(reply), do_quote=message.chat.type != ChatType.PRIVATE
    )


# -- questions ------------------------------------------------------------------------------------


async def question(update: Update, context: Context) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    text = _strip_mention(message.text, context.bot.username).strip()
    if not text:
        await send(update, context, render.HELP)
        return
    lib = library(context)
    lib.refresh_soon()
    answer = lib.ask(text[:MAX_QUESTION], top_k=MORE_RESULTS)
    key = queries(context).put(text[:MAX_QUESTION]) if len(answer.results) > 1 else None
    await send(update, context, render.answer_reply(answer, key))


def _strip_mention(text: str, username: str | None) -> str:
    # Usernames are case-insensitive: "@GovUK_Answers_Bot" is a mention too, not words of the question.
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return text


def _number(text: str) -> int | None:
    """A positive whole number typed in ASCII digits ("²".isdigit() is true, but int() refuses it)."""
    return int(text) if text.isascii() and text.isdigit() else None


async def not_text(update: Update, context: Context) -> None:
    await send(update, context, render.Reply("I answer questions written as text. Try /help for examples."))


async def unknown_command(update: Update, context: Context) -> None:
    await send(update, context, render.Reply("I don’t know that command. /help lists what I can do."))


# -- commands -------------------------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    payload = context.args[0] if context.args else ""
    announcement_id = _number(payload[1:]) if payload.startswith("a") else None
    if announcement_id is not None:
        await _read(update, context, announcement_id)
        return
    user = update.effective_user
    await send(update, context, render.start_reply(user.first_name if user else None, _examples(context)))


def _examples(context: Context) -> list[str]:
    """Two questions the corpus answers: built from the newest titles, kept only if they get an answer."""
    cached = context.bot_data.get("examples")
    lib = library(context)
    _, version = lib.store.corpus_state()  # cheap; stats() counts every chunk
    if cached and cached[0] == version:
        return cached[1]
    examples: list[str] = []
    for item in lib.latest(10):
        candidate = f"What was announced about {render.lower_first(item.title)}?"
        if lib.ask(candidate, top_k=1).answer is not None:
            examples.append(candidate)
        if len(examples) == 2:
            break
    context.bot_data["examples"] = (version, examples)
    return examples


async def help_command(update: Update, context: Context) -> None:
    await send(update, context, render.HELP)


async def latest(update: Update, context: Context) -> None:
    args = context.args or []
    n = LATEST_DEFAULT
    if args:
        number = _number(args[0]) if len(args) == 1 else None
        if number is None or number < 1:
            await send(update, context, render.Reply(f"Usage: /latest [N], where N is 1 to {LATEST_MAX}."))
            return
        n = number
    capped = n if n > LATEST_MAX else None
    items = library(context).latest(min(n, LATEST_MAX))
    await send(update, context, render.latest_reply(items, capped_from=capped))


async def search(update: Update, context: Context) -> None:
    words = " ".join(context.args or []).strip()
    if not words:
        await send(
            update, context, render.Reply("What should I search for? For example: /search flood defences")
        )
        return
    key = queries(context).put(words[:MAX_QUESTION])
    await send(update, context, _search_page(context, words[:MAX_QUESTION], key, 1))


def _search_page(context: Context, words: str, key: str, page: int) -> render.Reply:
    hits = library(context).search(words, limit=SEARCH_PAGE + 1, offset=(page - 1) * SEARCH_PAGE)
    return render.search_reply(words, hits[:SEARCH_PAGE], key, page, has_more=len(hits) > SEARCH_PAGE)


async def read(update: Update, context: Context) -> None:
    args = context.args or []
    number = _number(args[0]) if len(args) == 1 else None
    if number is None:
        await send(
            update, context, render.Reply("Usage: /read ID, with the number shown by /latest or /search.")
        )
        return
    await _read(update, context, number)


async def _read(update: Update, context: Context, announcement_id: int) -> None:
    for reply in _read_replies(context, announcement_id):
        await send(update, context, reply)


def _read_replies(context: Context, announcement_id: int) -> list[render.Reply]:
    a = library(context).announcement(announcement_id) if announcement_id < 2**62 else None
    return render.announcement_replies(announcement_id, a)


async def about(update: Update, context: Context) -> None:
    lib = library(context)
    await send(update, context, render.about_reply(lib.stats(), sync_status(lib)))


async def subscribe(update: Update, context: Context) -> None:
    words = " ".join(context.args or []).strip()
    chat = update.effective_chat
    if chat is None:
        return
    if not words:
        await send(
            update, context, render.Reply("What should I follow? For example: /subscribe flood defences")
        )
        return
    try:
        subscriptions.subscribe(library(context), chat.id, words)
    except subscriptions.SubscriptionError as exc:
        await send(update, context, render.Reply(render.escape(str(exc))))
        return
    await send(
        update,
        context,
        render.Reply(
            f"Done: I will send you each new announcement about “{render.escape(' '.join(words.split()))}”. "
            "/subscriptions lists what you follow."
        ),
    )


async def list_subscriptions(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    items = [(s.id, s.words) for s in subscriptions.subscriptions_of(library(context), chat.id)]
    await send(update, context, render.subscriptions_reply(items))


async def unsubscribe(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    removed = subscriptions.unsubscribe(library(context), chat.id)
    text = {0: "You had no subscriptions.", 1: "Removed your subscription."}.get(
        removed, f"Removed all {removed} subscriptions."
    )
    await send(update, context, render.Reply(text))


# -- buttons --------------------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    kind, _, rest = (query.data or "").partition(":")
    number = _number(rest)
    if kind == "unsub" and number is not None and query.message is not None:
        lib = library(context)
        removed = subscriptions.unsubscribe(lib, query.message.chat.id, number) if number < 2**62 else 0
        await query.answer("Removed." if removed else "That subscription was already gone.")
        items = [(s.id, s.words) for s in subscriptions.subscriptions_of(lib, query.message.chat.id)]
        reply = render.subscriptions_reply(items)
        try:
            await query.edit_message_text(reply.text, reply_markup=markup(reply))
        except BadRequest as exc:  # a second tap on a list that already shows the change
            if "not modified" not in str(exc).lower():
                raise
        return
    if kind == "read" and number is not None:
        if number >= 2**62 or library(context).announcement(number) is None:
            await query.answer("That announcement is no longer available. See /latest.")
            return
        await query.answer()
        for reply in _read_replies(context, number):
            if query.message is not None:
                await context.bot.send_message(query.message.chat.id, reply.text, reply_markup=markup(reply))
        return
    key, _, page_text = rest.partition(":")
    text = queries(context).get(key)
    page = _number(page_text) if page_text else 1
    if kind not in ("more", "ans", "search") or text is None or page is None or not 1 <= page <= 100:
        await query.answer("That button has expired. Please ask again.")
        return
    await query.answer()
    lib = library(context)
    if kind == "search":
        reply = _search_page(context, text, key, page)
    else:
        answer = lib.ask(text, top_k=MORE_RESULTS)
        reply = render.more_reply(answer, key, page) if kind == "more" else render.answer_reply(answer, key)
    try:
        await query.edit_message_text(reply.text, reply_markup=markup(reply))
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


# -- inline mode ----------------------------------------------------------------------------------


async def inline(update: Update, context: Context) -> None:
    query = update.inline_query
    if query is None:
        return
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=5)
        return
    answer = library(context).ask(text[:MAX_QUESTION], top_k=8)
    results = []
    passages = answer.results if answer.answer is not None else []
    for p in passages:
        reply = render.passage_reply(p)
        results.append(
            InlineQueryResultArticle(
                id=str(p.chunk_id),
                title=p.title[:200],
                description=render.shorten(p.sentence, 200),
                input_message_content=InputTextMessageContent(reply.text),
                url=p.url,
            )
        )
    await query.answer(results, cache_time=30, is_personal=False)


# -- groups, errors, timing -----------------------------------------------------------------------


class _AddressedToBot(filters.MessageFilter):
    """In groups: messages that mention the bot or reply to it."""

    def filter(self, message: Message) -> bool:
        bot = message.get_bot()
        reply = message.reply_to_message
        if reply is not None and reply.from_user is not None and reply.from_user.id == bot.id:
            return True
        text = message.text or ""
        mention = f"@{bot.username}".lower()
        return any(
            e.type == MessageEntityType.MENTION and text[e.offset : e.offset + e.length].lower() == mention
            for e in message.entities
        )


async def on_error(update: object, context: Context) -> None:
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                "Sorry, something went wrong on my side. Please try again in a moment.",
            )
        except TelegramError as exc:
            log.warning("could not apologise for update %s: %s", update_id, exc)


async def _received(update: Update, context: Context) -> None:
    metrics: Metrics | None = context.bot_data.get("metrics")
    if metrics is not None:
        metrics.received(update, time.perf_counter())


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # A message sent "via" an inline bot (e.g. one of our own inline answers, shared into this chat)
    # is a quote, not a question.
    text = filters.TEXT & ~filters.COMMAND & filters.UpdateType.MESSAGE & ~filters.VIA_BOT
    private_text = filters.ChatType.PRIVATE & text
    group_text = filters.ChatType.GROUPS & text
    app.add_handler(TypeHandler(Update, _received), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("latest", latest))
    app.add_handler(CommandHandler("search", search))
    app.add_handler(CommandHandler("read", read))
    app.add_handler(CommandHandler("about", about))
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CommandHandler("subscriptions", list_subscriptions))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(MessageHandler(private_text, question))
    app.add_handler(MessageHandler(group_text & _AddressedToBot(), question))
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.TEXT, not_text)
    )
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, unknown_command))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(InlineQueryHandler(inline))
    app.add_error_handler(on_error)
