"""Every reply as Telegram HTML, built from retrieval results: the only place that writes it. The bot sends
these replies and the terminal chat prints them (bot/terminal.py turns the HTML into terminal text).

Every piece of text from the corpus or the user goes through html.escape before it is wrapped in a tag,
and long text is split into pieces before escaping and wrapping, so a split never cuts a tag or an
entity. Lengths are measured on the HTML itself, which is never shorter than what Telegram counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from bot import actions
from retrieval.announcement import Block, parse_body
from retrieval.answer import Answer, Passage
from retrieval.store import AnnouncementInfo, CorpusStats, StoredAnnouncement
from retrieval.text import split_sentences

MAX_MESSAGE = 4096
MAX_ENTITIES = 100  # formatted spans (bold, italic, links...) in one message
QUESTION_ECHO = 200  # characters of a question repeated back in a reply


@dataclass(frozen=True)
class Button:
    text: str
    data: str | None = None  # callback_data, at most 64 bytes
    url: str | None = None

    def __post_init__(self) -> None:
        if self.data is not None and not 1 <= len(self.data.encode()) <= 64:
            raise ValueError(f"callback_data must be 1..64 bytes: {self.data!r}")


@dataclass(frozen=True)
class Reply:
    text: str  # Telegram HTML
    buttons: list[list[Button]] = field(default_factory=list)


def _opens(label: str, announcement_id: int) -> Button:
    """A button that sends the whole announcement."""
    return Button(label, data=actions.Read(announcement_id).data)


def date_text(value: datetime | None) -> str | None:
    return f"{value.day} {value:%B %Y}" if value else None


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


def lower_first(title: str) -> str:
    """A title inside a sentence: "Stay safe" becomes "stay safe"; "UK-Italy", "MAST" and names such
    as "Dan Corry" or "Homes England" (the next word capitalised too) keep their capitals."""
    first, _, rest = title.partition(" ")
    if len(first) < 2 or not first[0].isupper() or first[1:] != first[1:].lower():
        return title
    if rest and rest[0].isupper():
        return title
    return title[0].lower() + title[1:]


def source_line(
    kind: str | None, published: datetime | None, organisation: str | None, withdrawn: datetime | None = None
) -> str:
    parts = [kind or "Announcement", date_text(published), organisation]
    if withdrawn is not None:  # no longer policy: a reader must not take the quote for current
        parts.append(f"withdrawn {date_text(withdrawn)}")
    return escape(" · ".join(p for p in parts if p))


def _source_of(p: Passage) -> str:
    return source_line(p.type, p.published, p.organisation, p.withdrawn_at)


def _quote(passage: str, sentence: str, limit: int) -> str:
    """The passage in a blockquote with the answering sentence in bold, within `limit` characters."""
    before, found, after = passage.partition(sentence)
    if not found:
        before, found, after = "", "", passage
    budget = limit - len("<blockquote></blockquote><b></b>")
    body = escape(before) + (f"<b>{escape(found)}</b>" if found else "") + escape(after)
    if len(body) > budget:  # only a pathological passage is this long; keep the answering sentence
        body = f"<b>{escape(shorten(found or passage, budget // 2))}</b>"
    return f"<blockquote>{body}</blockquote>"


def other_announcements(results: Sequence[Passage]) -> list[Passage]:
    """After the first result, the best passage of each other announcement, in rank order (results
    may hold several passages of one announcement)."""
    seen = {results[0].announcement_id} if results else set()
    others = []
    for p in results[1:]:
        if p.announcement_id not in seen:
            seen.add(p.announcement_id)
            others.append(p)
    return others


def further_matches(results: Sequence[Passage]) -> list[Passage]:
    """After the first result, the rest in rank order: another paragraph of the answer's own
    announcement included (it may hold what the first one leaves out). The ranking keeps only
    passages near enough to answer on their own."""
    return list(results[1:])


def answer_reply(answer: Answer, more_key: str | None) -> Reply:
    """By outcome: the passage that answers; the closest one, said to be uncertain; or a decline."""
    if answer.outcome == "answer" and answer.answer is not None:
        more = more_key if further_matches(answer.results) else None
        return passage_reply(answer.answer, more_key=more)
    if answer.outcome == "closest" and answer.results:
        return closest_reply(answer.results)
    return no_answer_reply(answer.question)


def passage_reply(p: Passage, more_key: str | None = None, lead: str = "") -> Reply:
    """A passage quoted with its title and source; `lead` (HTML) goes first and counts in the limit."""
    head = f"{lead}<b>{escape(p.title)}</b>\n{_source_of(p)}\n"
    link = f'\n<a href="{escape(p.url, quote=True)}">Read it on GOV.UK</a>' if p.url else ""
    quote = _quote(p.passage, p.sentence, MAX_MESSAGE - len(head) - len(link) - 16)
    row = [_opens("Full announcement", p.announcement_id)]
    if more_key:
        row.append(Button("More matches", data=actions.MoreMatches(more_key, 1).data))
    return Reply(head + quote + link, [row])


CLOSEST_OTHERS = 2  # further announcements offered under a passage that may not answer


def closest_reply(results: Sequence[Passage]) -> Reply:
    """Nothing clearly answers: the nearest passage, said to be uncertain, and the next announcements
    as buttons that open them."""
    reply = passage_reply(results[0], lead="This may not answer it, but the closest passage is…\n\n")
    others = [
        [_opens(shorten(p.title, 60), p.announcement_id)]
        for p in other_announcements(results)[:CLOSEST_OTHERS]
    ]
    return Reply(reply.text, reply.buttons + others)


def alert_reply(words: str, p: Passage) -> Reply:
    return passage_reply(p, lead=f"🔔 New announcement matching “{escape(shorten(words, 100))}”\n\n")


def subscriptions_reply(items: Sequence[tuple[int, str]]) -> Reply:
    if not items:
        return Reply("You follow nothing yet. /subscribe WORDS sends you each new announcement that matches.")
    lines = ["<b>Your subscriptions</b>"] + [f"{n}. {escape(words)}" for n, (_, words) in enumerate(items, 1)]
    buttons = [
        [Button(f"Remove {n}. {shorten(words, 40)}", data=actions.Unsubscribe(sub_id).data)]
        for n, (sub_id, words) in enumerate(items, 1)
    ]
    return Reply("\n".join(lines), buttons)


def no_answer_reply(question: str) -> Reply:
    echo = escape(shorten(" ".join(question.split()), QUESTION_ECHO))
    text = (
        f"I found nothing in the announcements that answers “{echo}”.\n\n"
        "Try /search with a few key words, or see what is new with /latest."
    )
    return Reply(text)


def more_reply(answer: Answer, key: str, page: int, per_page: int = 3) -> Reply:
    """Further matches, paged by editing the same message."""
    others = further_matches(answer.results)
    pages = max(1, -(-len(others) // per_page))
    page = min(max(page, 1), pages)
    shown = others[(page - 1) * per_page : page * per_page]
    lines = [f"<b>More matches</b> ({page}/{pages})"]
    buttons: list[list[Button]] = []
    for number, p in enumerate(shown, start=(page - 1) * per_page + 1):
        lines.append(
            f"\n{number}. <b>{escape(p.title)}</b>\n{_source_of(p)}\n"
            f"<i>{escape(shorten(p.sentence, 300))}</i>"
        )
        buttons.append([_opens(f"{number}. {shorten(p.title, 40)}", p.announcement_id)])
    nav = [Button("« Answer", data=actions.BackToAnswer(key).data)]
    if page > 1:
        nav.append(Button("‹ Previous", data=actions.MoreMatches(key, page - 1).data))
    if page < pages:
        nav.append(Button("Next ›", data=actions.MoreMatches(key, page + 1).data))
    buttons.append(nav)
    return Reply("\n".join(lines), buttons)


def search_reply(
    words: str, hits: Sequence[Passage], key: str, page: int, has_more: bool, per_page: int = 5
) -> Reply:
    echo = escape(shorten(" ".join(words.split()), 100))
    if not hits:
        return Reply(f"No announcement matches “{echo}”. Try other words, or /latest.")
    first = (page - 1) * per_page + 1
    lines = [f"<b>Search:</b> {echo} (page {page})"]
    buttons: list[list[Button]] = []
    for number, p in enumerate(hits, start=first):
        lines.append(
            f"\n{number}. <b>{escape(p.title)}</b>\n{_source_of(p)}\n"
            f"{escape(shorten(p.sentence, 250))}"
        )
        buttons.append([_opens(f"{number}. {shorten(p.title, 40)}", p.announcement_id)])
    nav = []
    if page > 1:
        nav.append(Button("‹ Previous", data=actions.SearchPage(key, page - 1).data))
    if has_more:
        nav.append(Button("Next ›", data=actions.SearchPage(key, page + 1).data))
    if nav:
        buttons.append(nav)
    return Reply("\n".join(lines), buttons)


def latest_reply(items: Sequence[AnnouncementInfo], capped_from: int | None = None) -> Reply:
    if not items:
        return Reply("There are no announcements yet.")
    lines = [f"<b>Latest {len(items)} announcement{'s' if len(items) != 1 else ''}</b>"]
    if capped_from:
        lines[0] += f" (I list at most {len(items)} at a time, not {capped_from})"
    buttons = []
    for number, a in enumerate(items, start=1):
        lines.append(
            f"\n{number}. <b>{escape(a.title)}</b>\n{source_line(a.type, a.published, a.organisation)}"
        )
        buttons.append([_opens(f"{number}. {shorten(a.title, 40)}", a.announcement_id)])
    return Reply("\n".join(lines), buttons)


def _wrapped(text: str, opening: str, closing: str, limit: int) -> list[str]:
    """Plain text as escaped HTML in `opening`...`closing`: one piece if it fits `limit`, else cut at
    sentence, then word boundaries (before escaping), each part wrapped on its own."""
    room = limit - len(opening) - len(closing)
    parts = [text] if len(escape(text)) <= room else _split_text(text, room)
    return [f"{opening}{escape(part)}{closing}" for part in parts]


def _block_pieces(block: Block, limit: int) -> list[str]:
    """A block as escaped HTML pieces of at most `limit` characters: each a whole paragraph, list
    item or quote line, or a part of one that alone is longer than a message."""
    if block.kind == "list":
        return [p for item in block.lines for p in _wrapped("• " + item, "", "", limit)]
    if block.kind == "quote":
        return [p for line in block.lines for p in _wrapped(line, "<i>", "</i>", limit)]
    return _wrapped(block.text, "", "", limit)


def _split_text(text: str, limit: int) -> list[str]:
    """Plain text cut at sentence, then word boundaries, into parts whose escaped form fits `limit`."""
    parts: list[str] = []
    current = ""
    for sentence in split_sentences(text) or [text]:
        words = [sentence] if len(escape(sentence)) <= limit else sentence.split(" ")
        for word in words:
            candidate = f"{current} {word}" if current else word
            if len(escape(candidate)) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            while len(escape(word)) > limit:  # a "word" longer than a message: cut it anyway
                parts.append(word[: limit // 6])
                word = word[limit // 6 :]
            current = word
    if current:
        parts.append(current)
    return parts


def read_replies(
    announcement_id: int,
    title: str,
    kind: str | None,
    published: datetime | None,
    organisation: str | None,
    url: str | None,
    summary: str | None,
    body: str,
    limit: int = MAX_MESSAGE,
) -> list[Reply]:
    """The whole announcement, in as few messages as Telegram's limit allows."""
    head = f"<b>{escape(title)}</b>\n{source_line(kind, published, organisation)}"
    if url:
        head += f'\n<a href="{escape(url, quote=True)}">{escape(url)}</a>'
    pieces: list[str] = [head]
    if summary:
        pieces.extend(_wrapped(summary, "<i>", "</i>", limit))
    for block in parse_body(body):
        pieces.extend(_block_pieces(block, limit))
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        # Every "<" starts a tag (text is escaped), and each entity has two tags.
        if len(candidate) <= limit and candidate.count("<") // 2 <= MAX_ENTITIES:
            current = candidate
        else:
            if current:
                messages.append(current)
            current = piece
    if current:
        messages.append(current)
    return [Reply(text) for text in messages]


# A 600 KB announcement is 161 messages: a chat flooded, and a group's send quota (20 a minute) spent
# for eight minutes by one command. Up to about 36 KB (a long speech) is sent whole; longer ones get
# their first parts and a link to the rest.
READ_MAX_MESSAGES = 10


def announcement_replies(announcement_id: int, a: StoredAnnouncement | None) -> list[Reply]:
    """/read and the "Full announcement" button: the whole text (its beginning, if very long), or why
    there is none."""
    if a is None:
        return [Reply(f"There is no announcement {announcement_id}. See /latest for what there is.")]
    replies = read_replies(
        a.announcement_id, a.title, a.type, a.published, a.organisation, a.url, a.summary, a.body
    )
    if len(replies) <= READ_MAX_MESSAGES:
        return replies
    shown = READ_MAX_MESSAGES - 1
    rest = (
        f'Read it all on GOV.UK: <a href="{escape(a.url, quote=True)}">{escape(a.url)}</a>'
        if a.url
        else "The rest is not shown here."
    )
    note = f"That was the first {shown} parts of {len(replies)}: this announcement is too long to send here."
    return [*replies[:shown], Reply(f"{note} {rest}")]


def about_reply(stats: CorpusStats, synced_at: datetime | None, synced_items: int) -> Reply:
    """What the bot knows, and when GOV.UK was last synced (`synced_at` None: never yet)."""
    first, last = date_text(stats.first_published), date_text(stats.last_published)
    lines = [
        "<b>About this bot</b>",
        "I answer questions about UK government announcements by quoting the passage that answers, "
        "with its source. Content from GOV.UK, Crown copyright, Open Government Licence v3.0.",
        "",
        f"Announcements: {stats.announcements:,}",
        f"Passages indexed: {stats.chunks:,}",
    ]
    if first and last:
        lines.append(f"Published: {first} to {last}")
    if stats.changed_at:
        lines.append(f"Corpus last changed: {stats.changed_at:%d %B %Y %H:%M} UTC")
    if synced_at is None:
        lines.append("GOV.UK sync: not yet succeeded")
    else:
        lines.append(
            f"Last GOV.UK sync: {synced_at.day} {synced_at:%B %Y %H:%M} UTC, "
            f"{synced_items} new or updated announcement{'' if synced_items == 1 else 's'}"
        )
    return Reply("\n".join(lines))


def start_reply(first_name: str | None, examples: Sequence[str]) -> Reply:
    hello = f"Hello {escape(first_name)}!" if first_name else "Hello!"
    lines = [
        f"{hello} Ask me about UK government announcements in plain words, and I will quote the passage",
        "that answers, with its source and a link.",
    ]
    if examples:
        lines += ["", "Try:"] + [f"• <i>{escape(e)}</i>" for e in examples]
    lines += ["", "Also: /latest, /search WORDS, /help."]
    return Reply("\n".join(lines))


HELP = Reply(
    "\n".join(
        [
            "<b>What I can do</b>",
            "Ask a question in plain words, e.g. <i>How much did the Home Secretary pledge against "
            "live-streamed abuse?</i> I reply with the passage that answers, its source and a link.",
            "",
            "/latest [N] – the newest announcements (5 by default, up to 20)",
            "/search WORDS – announcements matching your words, e.g. /search flood defences",
            "/read ID – a whole announcement",
            "/about – what I know and how fresh it is",
            "/subscribe WORDS – get each new announcement about WORDS; /subscriptions, /unsubscribe",
            "",
            "In a group, mention me or reply to me. In any chat, type @ and my name, then a question.",
        ]
    )
)


LATEST_USAGE = Reply("Usage: /latest [N], where N is 1 to 20.")
SEARCH_USAGE = Reply("What should I search for? For example: /search flood defences")
READ_USAGE = Reply("Usage: /read ID, with the number shown by /latest or /search.")
SUBSCRIBE_USAGE = Reply("What should I follow? For example: /subscribe flood defences")
UNKNOWN_COMMAND = Reply("I don’t know that command. /help lists what I can do.")
NOT_TEXT = Reply("I answer questions written as text. Try /help for examples.")


def subscribed_reply(words: str) -> Reply:
    return Reply(
        f"Done: I will send you each new announcement about “{escape(words)}”. "
        "/subscriptions lists what you follow."
    )


def not_subscribed_reply(reason: str) -> Reply:
    return Reply(escape(reason))


def unsubscribed_reply(removed: int) -> Reply:
    if removed == 0:
        return Reply("You had no subscriptions.")
    if removed == 1:
        return Reply("Removed your subscription.")
    return Reply(f"Removed all {removed} subscriptions.")
