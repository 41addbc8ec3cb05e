"""Every reply as Telegram HTML, built from retrieval results: the only place that writes it. The bot sends
these replies and the terminal chat prints them (bot/terminal.py turns the HTML into terminal text).

Every piece of text from the corpus or the user goes through html.escape before it is wrapped in a tag,
and long text is split into pieces before escaping and wrapping, so a split never cuts a tag or an
entity. Lengths are measured on the HTML itself, which is never shorter than what Telegram counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape, unescape
from typing import Any

from bot import actions
from retrieval.alerts import ORGANISATION, Alert
from retrieval.announcement import Block, parse_body
from retrieval.answer import Answer, Passage
from retrieval.filters import Filters
from retrieval.store import (
    AnnouncementInfo,
    ChatData,
    CorpusStats,
    DayCount,
    DigestItem,
    LoggedQuestion,
    StoredAnnouncement,
    Subscription,
)
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


# The label of the button under a quoted passage; a reply to the bot's message that carries it is a
# follow-up about that announcement (bot/telegram/context.py reads it back).
FULL_ANNOUNCEMENT = "Full announcement"
BUTTON_LABEL = 60  # characters of a title or question on a button: Telegram cuts longer ones anyway


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
    return _distinct_announcements(results)[1:]


def further_matches(results: Sequence[Passage]) -> list[Passage]:
    """After the first result, the rest in rank order: another paragraph of the answer's own
    announcement included (it may hold what the first one leaves out). The ranking keeps only
    passages near enough to answer on their own."""
    return list(results[1:])


def answer_reply(
    answer: Answer,
    more_key: str | None,
    did_you_mean: tuple[str, str] | None = None,
    english: bool = True,
    read_as: str | None = None,
    lead: str = "",
) -> Reply:
    """By outcome: the passage that answers; the closest one, said to be uncertain; or a decline that
    helps. `did_you_mean`: (the question spelt with the corpus's words, the key of a button that asks
    it); `english` False adds a note that only English is understood; `read_as`: the question as
    answered, when a misspelt word was read as another (said first, so a wrong reading shows);
    `lead` (HTML) goes before a quoted passage."""
    if answer.outcome == "answer" and answer.answer is not None:
        more = more_key if further_matches(answer.results) else None
        if read_as:
            lead += f"<i>Read as “{escape(shorten(read_as, QUESTION_ECHO))}”</i>\n\n"
        return passage_reply(answer.answer, more_key=more, lead=lead)
    if answer.outcome == "closest" and answer.results:
        reply = closest_reply(answer.results, lead)
        if did_you_mean is None:
            return reply
        corrected, key = did_you_mean
        return Reply(reply.text, [[_asks(f"Did you mean: {corrected}", key)], *reply.buttons])
    return no_answer_reply(answer.question, answer.results, did_you_mean, english)


def passage_reply(p: Passage, more_key: str | None = None, lead: str = "") -> Reply:
    """A passage quoted with its title and source; `lead` (HTML) goes first and counts in the limit."""
    head = f"{lead}<b>{escape(p.title)}</b>\n{_source_of(p)}\n"
    link = f'\n<a href="{escape(p.url, quote=True)}">Read it on GOV.UK</a>' if p.url else ""
    quote = _quote(p.passage, p.sentence, MAX_MESSAGE - len(head) - len(link) - 16)
    row = [_opens(FULL_ANNOUNCEMENT, p.announcement_id)]
    if more_key:
        row.append(Button("More matches", data=actions.MoreMatches(more_key, 1).data))
    return Reply(head + quote + link, [row])


CLOSEST_OTHERS = 2  # further announcements offered under a passage that may not answer


def nothing_else_reply(announcement_id: int) -> Reply:
    """A follow-up asking what else an announcement says, when no other passage of it is near."""
    return Reply(
        "That is all it says about that, as far as I can find. The full announcement is below.",
        [[_opens(FULL_ANNOUNCEMENT, announcement_id)]],
    )


def closest_within_reply(p: Passage) -> Reply:
    """A follow-up that no passage of its announcement clearly answers, though one comes near."""
    lead = "This may not answer it, but the closest passage in that announcement is…\n\n"
    return passage_reply(p, lead=lead)


def closest_reply(results: Sequence[Passage], lead: str = "") -> Reply:
    """Nothing clearly answers: the nearest passage, said to be uncertain, and the next announcements
    as buttons that open them."""
    reply = passage_reply(results[0], lead=f"{lead}This may not answer it, but the closest passage is…\n\n")
    others = [
        [_opens(shorten(p.title, 60), p.announcement_id)]
        for p in other_announcements(results)[:CLOSEST_OTHERS]
    ]
    return Reply(reply.text, reply.buttons + others)


def alert_reply(alert: Alert) -> Reply:
    """A new announcement a subscription matched: quoted, with buttons to stop that subscription or
    mute it for a day."""
    if alert.kind == ORGANISATION:
        lead = f"🔔 New from {escape(shorten(alert.words, 100))}\n\n"
    else:
        lead = f"🔔 New announcement matching “{escape(shorten(alert.words, 100))}”\n\n"
    reply = passage_reply(alert.passage, lead=lead)
    manage = [
        Button("Unsubscribe", data=actions.AlertUnsubscribe(alert.subscription_id).data),
        Button("Mute for a day", data=actions.Mute(alert.subscription_id).data),
    ]
    return Reply(reply.text, [*reply.buttons, manage])


def _followed(s: Subscription) -> str:
    """A subscription as listed: its words in quotes, or the organisation's name."""
    return escape(s.words) if s.kind == ORGANISATION else f"“{escape(s.words)}”"


def _at(value: datetime) -> str:
    return f"{value:%H:%M} UTC on {date_text(value)}"


def subscriptions_reply(items: Sequence[Subscription], now: datetime) -> Reply:
    """/subscriptions: what the chat follows and how, a row of buttons for each: remove it, switch
    between a daily digest and each at once, and unmute it while muted."""
    if not items:
        return Reply(
            "You follow nothing yet. /subscribe WORDS sends you each new announcement that matches; "
            "/follow NAME each one from an organisation, e.g. /follow HMRC."
        )
    lines = ["<b>Your subscriptions</b>"]
    buttons: list[list[Button]] = []
    for n, s in enumerate(items, 1):
        how = ["daily digest" if s.daily else "each at once"]
        if s.muted(now) and s.muted_until is not None:
            how.append(f"muted until {_at(s.muted_until)}")
        kind = "from " if s.kind == ORGANISATION else ""
        lines.append(f"{n}. {kind}{_followed(s)} · {', '.join(how)}")
        row = [
            Button(f"Remove {n}. {shorten(s.words, 40)}", data=actions.Unsubscribe(s.subscription_id).data),
            Button(
                f"Send {n}. {'at once' if s.daily else 'daily'}",  # what pressing it does
                data=actions.Daily(s.subscription_id, not s.daily).data,
            ),
        ]
        if s.muted(now):
            row.append(Button(f"{n}. unmute", data=actions.Unmute(s.subscription_id).data))
        buttons.append(row)
    lines += ["", "/unsubscribe WORDS removes one; /unsubscribe alone removes them all."]
    return Reply("\n".join(lines), buttons)


CLOSEST_TITLES = 3  # announcements offered under a decline


def no_answer_reply(
    question: str,
    nearest: Sequence[Passage] = (),
    did_you_mean: tuple[str, str] | None = None,
    english: bool = True,
) -> Reply:
    """Nothing answers: say so, and help. A question not in English gets a note that only English is
    understood (and no guesses, which would be noise); otherwise "Did you mean" (a button that asks
    the question in the corpus's own spelling) and the nearest announcements as buttons."""
    echo = escape(shorten(" ".join(question.split()), QUESTION_ECHO))
    lines = [f"I found nothing in the announcements that answers “{echo}”."]
    buttons: list[list[Button]] = []
    if not english:
        lines.append("I can only read questions in English.")
    else:
        if did_you_mean is not None:
            corrected, key = did_you_mean
            lines.append(f"Did you mean “{escape(shorten(corrected, QUESTION_ECHO))}”?")
            buttons.append([_asks(f"Did you mean: {corrected}", key)])
        nearest_ones = _distinct_announcements(nearest)[:CLOSEST_TITLES]
        if nearest_ones:
            lines.append("The nearest announcements are below, though none of them answers it.")
            buttons += [[_opens(shorten(p.title, BUTTON_LABEL), p.announcement_id)] for p in nearest_ones]
    lines += ["", "Try /search with a few key words, or see what is new with /latest."]
    return Reply("\n".join(lines), buttons)


def nothing_to_follow(question: str) -> Reply:
    """A follow-up with no answer in the chat for it to follow."""
    echo = escape(shorten(" ".join(question.split()), QUESTION_ECHO))
    return Reply(
        f"“{echo}” needs a question to follow, and I have no answer in this chat for it to be about. "
        "Ask me the whole question, naming what it is about."
    )


def _distinct_announcements(passages: Sequence[Passage]) -> list[Passage]:
    """The best passage of each announcement, in rank order; of announcements with the same title
    (GOV.UK publishes some items twice, under each embassy or office) only the first, as two buttons
    of the same title tell a reader nothing."""
    seen: set[int | str] = set()
    out: list[Passage] = []
    for p in passages:
        if p.announcement_id not in seen and p.title not in seen:
            seen.update((p.announcement_id, p.title))
            out.append(p)
    return out


def _asks(label: str, key: str) -> Button:
    """A button that asks a question as if it were typed."""
    return Button(shorten(label, BUTTON_LABEL), data=actions.Ask(key).data)


def example_buttons(examples: Sequence[tuple[str, str]]) -> list[list[Button]]:
    """(question, key) pairs as buttons that ask them, one a row."""
    return [[_asks(question, key)] for question, key in examples]


def follow_up_not_said(
    missing: str | None, followed: int, elsewhere: Passage | None, elsewhere_answers: bool
) -> Reply:
    """A follow-up the followed announcement does not answer: what kind of fact it lacks ("It gives
    no cost.") when it holds none of that kind at all, else only that no passage of it answered;
    then the best passage elsewhere, if there is one near enough."""
    said = "I couldn’t find that in that announcement."
    if missing:
        said = f"That announcement doesn’t say. {missing}"
    if elsewhere is None:
        text = f"{escape(said)}\n\nAsk me in other words, or try /search with a few key words."
        return Reply(text, [[_opens(FULL_ANNOUNCEMENT, followed)]])
    then = (
        "Another announcement does:"
        if elsewhere_answers
        else "The closest passage elsewhere, which may not answer it either:"
    )
    return passage_reply(elsewhere, lead=f"{escape(said)} {then}\n\n")


def elsewhere_lead(title: str, words: Sequence[str]) -> str:
    """Said before an answer to a follow-up that another announcement gives, so that the switch shows:
    "which countries signed up?" after the anti-corruption summit was answered with the police forces
    that signed up to a stop-and-search scheme, as if about the summit."""
    named = " or ".join(f"“{w}”" for w in words)
    # With no word to name, it mentions them all but answers nothing ("when is the vote?" after the
    # peers, who "sit and vote").
    says = f"doesn’t mention {named}" if words else "doesn’t say"
    said = f"{shorten(title, 100)} {says}. From another announcement:"
    return f"<i>{escape(said)}</i>\n\n"


def not_mentioned_reply(followed: int, title: str, words: Sequence[str]) -> Reply:
    """A follow-up about something the followed announcement never mentions, which nothing else
    answers either."""
    named = " or ".join(f"“{w}”" for w in words)
    text = (
        f"<b>{escape(title)}</b> doesn’t mention {escape(named)}, and I found nothing else that answers it."
        "\n\nAsk me in other words, or try /search with a few key words."
    )
    return Reply(text, [[_opens(FULL_ANNOUNCEMENT, followed)]])


def missed_reply(noted: bool) -> Reply:
    """Told that a reply missed; `noted`: it was counted as a 👎 for that reply."""
    return Reply(
        ("Sorry that missed; I’ve noted it. " if noted else "Sorry that missed. ")
        + "Ask me again in other words: naming the organisation, the place or the scheme helps. Or try "
        "/search with a few key words."
    )


ASK_FIRST = Reply(
    "Ask me a question first: each answer names the announcement it quotes, who published it and "
    "when, with its link on GOV.UK."
)


def detail_reply(detail: str, a: StoredAnnouncement) -> Reply:
    """One detail of the announcement the last answer quoted, asked for in plain words ("link?",
    "who published it?", "when was it published?", "summarise it", "are you sure?"), with its title
    and link."""
    title = f"<b>{escape(a.title)}</b>"
    source = source_line(a.type, a.published, a.organisation)
    notice = withdrawn_notice(a.extra)  # a withdrawn item says so wherever it is shown
    if notice:
        source = f"{source}\n{notice}"
    link = f'\n<a href="{escape(a.url, quote=True)}">Read it on GOV.UK</a>' if a.url else ""
    match detail:
        case "publisher":
            said = f"Published by {escape(a.organisation)}:" if a.organisation else "It names no publisher:"
        case "date":
            when = date_text(a.published)
            said = f"Published on {when}" if when else "It carries no publication date"
            if a.updated is not None and a.published is not None and a.updated.date() > a.published.date():
                said += f", updated on {date_text(a.updated)}"
            said += ":"
        case "source":
            said = "I add nothing to what GOV.UK says: that passage is quoted word for word from"
        case "summary":
            if a.summary:
                quoted = escape(shorten(a.summary, MAX_MESSAGE // 2))
                said = f"GOV.UK’s own summary of {title}:\n<blockquote>{quoted}</blockquote>"
                return Reply(f"{said}\n{source}{link}", [[_opens(FULL_ANNOUNCEMENT, a.announcement_id)]])
            said = "I quote rather than summarise, and it has no summary of its own; it is all here:"
        case _:
            said = "It came from a file, not from GOV.UK: there is no link." if not a.url else "The source:"
    return Reply(f"{said}\n{title}\n{source}{link}", [[_opens(FULL_ANNOUNCEMENT, a.announcement_id)]])


END_OF_LIST = Reply("That was the end of that list. /latest shows the newest announcements.")

NOTHING_ASKED_YET = Reply(
    "I have no answer here to show more of. Ask me a question; then “more” shows the other passages "
    "that match it. /latest lists the newest announcements."
)


def nothing_more_reply(question: str) -> Reply:
    """Typed "more" when the last answer has no further match near enough to show."""
    return Reply(
        f"That is all I found near enough to “{escape(shorten(question, 80))}”. Ask me in other words, "
        "or try /search with a few key words."
    )


MORE_PER_PAGE = 3  # further matches a page of "More matches" shows


def more_reply(answer: Answer, key: str, page: int, per_page: int = MORE_PER_PAGE) -> Reply:
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
    words: str,
    hits: Sequence[Passage],
    key: str,
    page: int,
    has_more: bool,
    per_page: int = 5,
    filters: Filters | None = None,
    read_as: str | None = None,
    unused: Sequence[str] = (),
) -> Reply:
    """A page of search results; newest first (with a heading that says so) when the filters ask;
    `read_as`: the words as read when a misspelt one was read as another; `unused`: words of the
    search no announcement uses, so that the list matches only the rest."""
    echo = escape(shorten(" ".join(words.split()), 100))
    newest = filters is not None and filters.newest_first
    kept = f" ({escape(filters.describe())})" if filters else ""
    if not hits:
        return Reply(f"No announcement matches “{echo}”{kept}. Try other words, or /latest.")
    first = (page - 1) * per_page + 1
    heading = f"<b>News about</b> {echo}, newest first" if newest else f"<b>Search:</b> {echo}"
    lines = [f"{heading} (page {page})"]
    if read_as:
        lines.append(f"Read as “{escape(read_as)}”")
    if unused:
        said = ", ".join(f"“{escape(w)}”" for w in unused)
        lines.append(f"No announcement uses {said}: these match the rest.")
    if filters:
        lines.append(f"Filters: {escape(filters.describe())}")
    buttons: list[list[Button]] = []
    for number, p in enumerate(hits, start=first):
        lines.append(
            f"\n{number}. <b>{escape(p.title)}</b>\n{_source_of(p)}\n{escape(shorten(p.sentence, 250))}"
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


def filter_phrase(filters: Filters | None) -> str:
    """The filters as words after "12 announcements": " of type Speech from HM Treasury since 1
    November 2024"."""
    if not filters:
        return ""
    parts: list[str] = []
    if filters.types:
        parts.append("of type " + filters.type_words())
    if filters.organisations:
        parts.append("from " + " or ".join(filters.organisations))
    since, until = filters.since, filters.until
    if since and until and until - since == timedelta(days=1):
        parts.append(f"on {date_text(since)}")
    elif since and until:
        parts.append(f"from {date_text(since)} to {date_text(until - timedelta(days=1))}")
    else:
        if since:
            parts.append(f"since {date_text(since)}")
        if until:
            parts.append(f"before {date_text(until)}")
    return "".join(f" {p}" for p in parts)


def latest_reply(
    items: Sequence[AnnouncementInfo],
    total: int,
    key: str,
    page: int = 1,
    per_page: int = 5,
    filters: Filters | None = None,
    newest: datetime | None = None,
    capped_from: int | None = None,
    earlier: Sequence[AnnouncementInfo] = (),
) -> Reply:
    """A page of the newest announcements (filtered): a header with how many there are in all and the
    newest one's date, one line per item, a button per item, and Previous/Next past the first page.
    None in the dates asked for: `earlier` are the newest outside them, if any."""
    if not items:
        if filters and earlier:
            lines = [f"No announcement{escape(filter_phrase(filters))}. The newest at any date:", ""]
            opens: list[list[Button]] = []
            for number, a in enumerate(earlier, start=1):
                source = source_line(a.type, a.published, a.organisation)
                lines.append(f"{number}. <b>{escape(shorten(a.title, 120))}</b> · {source}")
                opens.append([_opens(f"{number}. {shorten(a.title, 40)}", a.announcement_id)])
            return Reply("\n".join(lines), opens)
        if filters:
            return Reply(
                f"No announcement{escape(filter_phrase(filters))}. Try /latest with other words, or none."
            )
        return Reply("There are no announcements yet.")
    header = f"<b>{total:,} announcement{'' if total == 1 else 's'}{escape(filter_phrase(filters))}</b>"
    if newest is not None:
        header += f", newest {date_text(newest)}"
    if capped_from:
        header += f" ({per_page} a page: I list at most {per_page} at a time, not {capped_from})"
    lines = [header, ""]
    buttons: list[list[Button]] = []
    first = (page - 1) * per_page + 1
    for number, a in enumerate(items, start=first):
        source = source_line(a.type, a.published, a.organisation)
        lines.append(f"{number}. <b>{escape(shorten(a.title, 120))}</b> · {source}")
        buttons.append([_opens(f"{number}. {shorten(a.title, 40)}", a.announcement_id)])
    nav = []
    if page > 1:
        nav.append(Button("‹ Previous", data=actions.LatestPage(key, page - 1).data))
    if first + len(items) - 1 < total:
        nav.append(Button("Next ›", data=actions.LatestPage(key, page + 1).data))
    if nav:
        buttons.append(nav)
    return Reply("\n".join(lines), buttons)


def _wrapped(text: str, opening: str, closing: str, limit: int) -> list[str]:
    """Plain text as escaped HTML in `opening`...`closing`: one piece if it fits `limit`, else cut at
    sentence, then word boundaries (before escaping), each part wrapped on its own."""
    room = limit - len(opening) - len(closing)
    parts = [text] if len(escape(text)) <= room else _split_text(text, room)
    return [f"{opening}{escape(part)}{closing}" for part in parts]


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


# A page of an announcement: a screen or two on a phone, and room below Telegram's 4,096 for the
# page's heading and footer. A long speech is a dozen pages, paged in place: one message however long.
READ_PAGE = 3500
_PAGE_FRAME = 400  # characters kept for a page's heading, notice and footer


PAGE_ENTITIES = MAX_ENTITIES - 4  # the page's frame adds a few (the title, "Page 2 of 9")


def _entities(html: str) -> int:
    # Every "<" starts a tag (text is escaped), and each entity has two tags.
    return html.count("<") // 2


def _block_lines(block: Block) -> list[str]:
    """A block as lines of HTML: a heading in bold, list items with bullets, quote lines in italics,
    a table's rows as lines (cells between " · ", the header row in bold)."""
    if block.kind == "heading":
        return [f"<b>{escape(block.text)}</b>"]
    if block.kind == "list":
        return [escape("• " + item) for item in block.lines]
    if block.kind == "quote":
        return [f"<i>{escape(line)}</i>" for line in block.lines]
    if block.kind == "table":
        rows = [escape(" · ".join(cell for cell in row if cell)) for row in block.rows]
        if block.header and rows:
            rows[0] = f"<b>{rows[0]}</b>"
        return [row for row in rows if row]
    return [escape(block.text)]


def _too_long(html_line: str, limit: int) -> list[str]:
    """A line longer than a page, cut at sentence and word boundaries; its tag (bold, italics) kept
    around each part."""
    for tag in ("b", "i"):
        opening, closing = f"<{tag}>", f"</{tag}>"
        if html_line.startswith(opening) and html_line.endswith(closing):
            inner = unescape(html_line[len(opening) : -len(closing)])
            return _wrapped(inner, opening, closing, limit)
    return _wrapped(unescape(html_line), "", "", limit)


def _block_pieces(block: Block, limit: int) -> list[str]:
    """A block as HTML pieces of at most `limit` characters: its lines together when they fit, else
    as many lines as fit in each piece (a line longer than `limit` is cut)."""
    pieces: list[str] = []
    current = ""
    for line in _block_lines(block):
        for part in [line] if len(line) <= limit else _too_long(line, limit):
            candidate = f"{current}\n{part}" if current else part
            if len(candidate) <= limit and _entities(candidate) <= PAGE_ENTITIES:
                current = candidate
                continue
            pieces.append(current)
            current = part
    if current:
        pieces.append(current)
    return pieces


def withdrawn_notice(extra: Mapping[str, Any]) -> str | None:
    """GOV.UK's withdrawal, as the first line a reader sees: the date and GOV.UK's explanation."""
    when = extra.get("withdrawn_at")
    if not when:
        return None
    try:
        day = date_text(datetime.fromisoformat(str(when).replace("Z", "+00:00")))
    except ValueError:
        day = None
    headline = f"⚠️ <b>Withdrawn{f' on {day}' if day else ''}.</b>"
    explanation = extra.get("withdrawn_explanation")
    if isinstance(explanation, str) and explanation.strip():
        return f"{headline} {escape(shorten(explanation.strip(), 600))}"
    return f"{headline} This is no longer current government policy or guidance."


def read_pages(a: StoredAnnouncement, limit: int = READ_PAGE) -> list[str]:
    """The announcement as pages of HTML, each at most `limit` characters with its frame: the first
    opens with the withdrawal notice (if any), the title, the source line and the summary."""
    room = limit - _PAGE_FRAME
    notice = withdrawn_notice(a.extra)
    head = f"<b>{escape(a.title)}</b>\n{source_line(a.type, a.published, a.organisation)}"
    pieces: list[str] = [f"{notice}\n\n{head}" if notice else head]
    blocks = parse_body(a.body)
    if a.summary:
        pieces.extend(_wrapped(a.summary, "<i>", "</i>", room))
        # Reading made the summary the body's first paragraph, where the body did not say it, so that
        # it is searchable: shown once, as the summary.
        if blocks and " ".join(blocks[0].text.split()) == " ".join(a.summary.split()):
            blocks = blocks[1:]
    for block in blocks:
        pieces.extend(_block_pieces(block, room))
    pages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if len(candidate) <= room and _entities(candidate) <= PAGE_ENTITIES:
            current = candidate
        else:
            if current:
                pages.append(current)
            current = piece
    if current:
        pages.append(current)
    return pages


def announcement_page(announcement_id: int, a: StoredAnnouncement | None, page: int = 1) -> Reply:
    """/read and "Full announcement": one page of the announcement in one message, with ‹ Previous and
    Next › to turn pages in place and a link button to GOV.UK; or why there is none."""
    if a is None:
        return Reply(f"There is no announcement {announcement_id}. See /latest for what there is.")
    pages = read_pages(a)
    page = min(max(page, 1), len(pages))
    text = pages[page - 1]
    if page > 1:
        text = f"<b>{escape(shorten(a.title, 120))}</b> (continued)\n\n{text}"
    if len(pages) > 1:
        text += f"\n\n<i>Page {page} of {len(pages)}</i>"
    nav: list[Button] = []
    if page > 1:
        nav.append(Button("‹ Previous", data=actions.ReadPage(a.announcement_id, page - 1).data))
    if page < len(pages):
        nav.append(Button("Next ›", data=actions.ReadPage(a.announcement_id, page + 1).data))
    buttons = [nav] if nav else []
    if a.url:
        buttons.append([Button("Open on GOV.UK", url=a.url)])
    return Reply(text, buttons)


def ago(then: datetime, now: datetime) -> str:
    """ "12 minutes ago", "3 hours ago", "2 days ago"."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size * (2 if unit == "day" else 1) or unit == "minute":
            count = seconds // size
            if count == 0:
                return "just now"
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"


def about_reply(stats: CorpusStats, synced_at: datetime | None, synced_items: int, now: datetime) -> Reply:
    """What the bot knows, in plain words: how many announcements, how new the newest is, and when
    it last checked GOV.UK (`synced_at` None: never yet)."""
    known = f"I know {stats.announcements:,} announcement{'' if stats.announcements == 1 else 's'}"
    newest = date_text(stats.last_published)
    lines = [
        "<b>About this bot</b>",
        "I answer questions about UK government announcements by quoting the passage that answers, "
        "with its source. Content from GOV.UK, Crown copyright, Open Government Licence v3.0.",
        "",
        f"{known}, the newest from {newest}." if newest else f"{known}.",
    ]
    if synced_at is None:
        lines.append("I have not checked GOV.UK for new ones yet.")
    else:
        found = f"{synced_items} new or changed" if synced_items else "nothing new"
        lines.append(f"Last checked GOV.UK {ago(synced_at, now)}: {found}.")
    lines += ["", "Ask me a question, or see what is new with /latest."]
    return Reply("\n".join(lines))


def start_reply(first_name: str | None, examples: Sequence[tuple[str, str]]) -> Reply:
    """Welcome, with example questions as buttons that ask them."""
    hello = f"Hello {escape(first_name)}!" if first_name else "Hello!"
    lines = [
        f"{hello} Ask me about UK government announcements in plain words, and I will quote the passage "
        "that answers, with its source and a link.",
    ]
    try_one = "Tap a question below to try one, or see" if examples else "See"
    lines += ["", f"{try_one} what is new with /latest. /help lists everything I can do."]
    return Reply("\n".join(lines), example_buttons(examples))


SMALL_TALK = {
    "greeting": "Ask me about UK government announcements in plain words, and I will quote the "
    "passage that answers.",
    "thanks": "Glad to help! Ask me anything else about government announcements.",
    "goodbye": "Goodbye! Come back any time: ask a question, or see what is new with /latest.",
}


def small_talk_reply(kind: str, first_name: str | None, examples: Sequence[tuple[str, str]]) -> Reply:
    """A short friendly reply to a greeting, thanks or goodbye, with example questions to tap (not
    after a goodbye)."""
    text = SMALL_TALK.get(kind, SMALL_TALK["greeting"])
    if kind == "greeting":
        text = (f"Hello {escape(first_name)}! " if first_name else "Hello! ") + text
    if kind == "goodbye" or not examples:
        return Reply(text)
    return Reply(f"{text} For example:", example_buttons(examples))


def help_reply(examples: Sequence[tuple[str, str]]) -> Reply:
    """/help, "help", "what can you do?": what the bot does, and example questions to tap."""
    return Reply(HELP.text, example_buttons(examples))


DESCRIPTION = (  # Telegram's "What can this bot do?" in an empty chat: at most 512 characters
    "Ask me about UK government announcements in plain words. I reply with the passage from GOV.UK "
    "that answers, its source and a link.\n\n"
    "Try a question, “what’s new?”, “news about flooding”, or “speeches by HM Treasury this week”. "
    "Follow up an answer with “and when?”.\n\n"
    "Content from GOV.UK, Crown copyright, Open Government Licence v3.0."
)
SHORT_DESCRIPTION = (  # on the bot's profile and in shared links: at most 120 characters
    "Answers questions about UK government announcements by quoting GOV.UK, with the source and a link."
)


HELP = Reply(
    "\n".join(
        [
            "<b>What I can do</b>",
            "Ask a question in plain words, e.g. <i>How much did the Home Secretary pledge against "
            "live-streamed abuse?</i> I reply with the passage that answers, its source and a link.",
            "",
            "Or say <i>what’s new?</i>, <i>news about flooding</i> or <i>speeches by HM Treasury this "
            "week</i>; follow up an answer with <i>and when?</i> or reply to it, and say <i>more</i> "
            "for its other matches.",
            "",
            "/latest [N] [FILTERS] – the newest announcements, e.g. /latest treasury, /latest speeches "
            "since 1 Oct",
            "/search WORDS – announcements matching your words, e.g. /search speeches pensions since 1 Nov",
            "/read N – item N of the last list I showed you here; with no list shown, announcement N",
            "/about – what I know and how fresh it is",
            "/subscribe WORDS – get each new announcement about WORDS; /subscriptions, /unsubscribe",
            "",
            "In a group, mention me or reply to me. In any chat, type @ and my name, then a question.",
        ]
    )
)


LATEST_USAGE = Reply(
    "Usage: /latest [N] [FILTERS], where N is 1 to 20 and the filters an organisation, a type or dates: "
    "/latest 10, /latest treasury, /latest speeches this week."
)
SEARCH_USAGE = Reply("What should I search for? For example: /search flood defences")
READ_USAGE = Reply("Usage: /read N, where N is a number from the last list I showed you (/latest, /search).")
SUBSCRIBE_USAGE = Reply(
    "What should I follow? For example: /subscribe flood defences, or /subscribe daily flood defences for "
    "one message a day."
)
FOLLOW_USAGE = Reply("Which organisation? For example: /follow HMRC, or /follow daily Environment Agency.")
UNKNOWN_COMMAND = Reply("I don’t know that command. /help lists what I can do.")
NOT_TEXT = Reply("I answer questions written as text. Try /help for examples.")


NO_LIST_SHOWN = Reply(
    "I have shown no list here to pick from. /latest lists the newest announcements, and “news about "
    "flooding” the newest on a topic."
)


def not_in_list_reply(number: int, numbers: Sequence[int]) -> Reply:
    """/read N with a number the chat's last list does not have."""
    return Reply(
        f"The last list I showed you here has items {min(numbers)} to {max(numbers)}, not {number}. "
        "/latest shows a new list."
    )


def _recent_lines(recent: Sequence[AnnouncementInfo]) -> tuple[list[str], list[list[Button]]]:
    """The last announcements a new subscription matches: lines and buttons that open them."""
    if not recent:
        return ["", "None of the announcements I have matches it yet."], []
    lines = ["", f"The last {len(recent)} that match{'' if len(recent) != 1 else 'es'}:"]
    buttons: list[list[Button]] = []
    for n, a in enumerate(recent, 1):
        source = source_line(a.type, a.published, a.organisation)
        lines.append(f"{n}. <b>{escape(shorten(a.title, 120))}</b> · {source}")
        buttons.append([_opens(f"{n}. {shorten(a.title, 40)}", a.announcement_id)])
    return lines, buttons


def _delivery(daily: bool) -> str:
    return "in one digest a day" if daily else "as soon as it is published"


def subscribed_reply(followed: Subscription, recent: Sequence[AnnouncementInfo] = ()) -> Reply:
    """A new subscription to words, and the last three announcements it matches."""
    about = _followed(followed)
    lines = [f"Done: I will send you each new announcement about {about}, {_delivery(followed.daily)}."]
    more, buttons = _recent_lines(recent)
    lines += more
    lines += ["", "/subscriptions lists what you follow, with buttons to change or remove each."]
    return Reply("\n".join(lines), buttons)


def followed_reply(followed: Sequence[Subscription], recent: Sequence[AnnouncementInfo] = ()) -> Reply:
    """New subscriptions to organisations (usually one), and the last three announcements from them."""
    names = " and ".join(escape(s.words) for s in followed)
    daily = any(s.daily for s in followed)
    lines = [f"Done: I will send you each new announcement from {names}, {_delivery(daily)}."]
    more, buttons = _recent_lines(recent)
    lines += more
    lines += ["", "/subscriptions lists what you follow, with buttons to change or remove each."]
    return Reply("\n".join(lines), buttons)


def not_subscribed_reply(reason: str) -> Reply:
    return Reply(escape(reason))


def unsubscribed_reply(removed: int) -> Reply:
    if removed == 0:
        return Reply("You had no subscriptions.")
    if removed == 1:
        return Reply("Removed your subscription.")
    return Reply(f"Removed all {removed} subscriptions.")


def unsubscribed_one_reply(gone: Subscription, left: Sequence[Subscription]) -> Reply:
    """/unsubscribe WORDS: that one removed; what is still followed."""
    text = f"Removed {_followed(gone)}."
    if left:
        text += " You still follow " + ", ".join(_followed(s) for s in left) + "."
    return Reply(text)


def not_followed_reply(words: str) -> Reply:
    return Reply(
        f"You don’t follow “{escape(shorten(words, 100))}”. /subscriptions lists what you follow, with "
        "buttons to remove each."
    )


def unsubscribe_all_question(items: Sequence[Subscription]) -> Reply:
    """/unsubscribe alone: all of them go only once the chat says so."""
    listed = ", ".join(_followed(s) for s in items)
    return Reply(
        f"Remove all {len(items)} subscription{'' if len(items) == 1 else 's'} of this chat ({listed})?",
        [
            [
                Button("Yes, remove all", data=actions.UnsubscribeAll(True).data),
                Button("No, keep them", data=actions.UnsubscribeAll(False).data),
            ]
        ],
    )


def kept_reply(count: int) -> Reply:
    return Reply(f"Kept {'your subscription' if count == 1 else f'all {count} subscriptions'}.")


def _named(s: Subscription) -> str:
    """A subscription in plain text (button notices are not HTML), at most about 60 characters."""
    return shorten(s.words, 60) if s.kind == ORGANISATION else f"“{shorten(s.words, 60)}”"


def unsubscribed_notice(gone: Subscription) -> str:
    return f"Unsubscribed from {_named(gone)}."


def muted_notice(muted: Subscription) -> str:
    until = f" until {_at(muted.muted_until)}" if muted.muted_until else ""
    return f"Muted {_named(muted)}{until}. /subscriptions to unmute."


MANAGERS_ONLY = "Only this group’s administrators can change what it follows or what I keep about it."
NOT_A_MANAGER = Reply(MANAGERS_ONLY)


DIGEST_MAX = 20  # items listed in one digest: with their buttons, one message holds them


def digest_reply(items: Sequence[DigestItem], announcements: Mapping[int, AnnouncementInfo]) -> Reply:
    """The day's matches of a chat's daily subscriptions, in one message: a line and a button each."""
    shown = list(items)[:DIGEST_MAX]
    count = f"{len(items)} new announcement{'' if len(items) == 1 else 's'}"
    lines = [f"📰 <b>Your daily digest</b>: {count}", ""]
    buttons: list[list[Button]] = []
    for n, item in enumerate(shown, 1):
        a = announcements[item.announcement_id]
        lines.append(
            f"{n}. <b>{escape(shorten(a.title, 120))}</b>\n{source_line(a.type, a.published, a.organisation)}"
            f" · for {escape(shorten(item.words, 60))}"
        )
        buttons.append([_opens(f"{n}. {shorten(a.title, 40)}", a.announcement_id)])
    if len(items) > len(shown):
        lines.append(f"\n…and {len(items) - len(shown)} more: see /latest.")
    lines += ["", "/subscriptions to change how often you hear from me."]
    return Reply("\n".join(lines), buttons)


# -- 👍/👎, /stats and /forget --------------------------------------------------------------------------

FEEDBACK_THANKS = {True: "Thanks! Glad it helped.", False: "Thanks: noted, so that I can do better."}
FEEDBACK_TOO_OLD = "Thanks, but I no longer keep that question, so it was not counted."


def read_as(reply: Reply, question: str) -> Reply:
    """The reply, first saying which question it answers: one the bot put together from a correction
    ("sorry, i meant fireworks"), so that a wrong reading shows."""
    lead = f"<i>Read as “{escape(shorten(question, QUESTION_ECHO))}”</i>\n\n"
    return reply if reply.text.startswith("<i>Read as") else Reply(lead + reply.text, reply.buttons)


def one_of(reply: Reply, question: str, n: int, of: int) -> Reply:
    """The reply to one of several questions typed in one message, saying which it answers."""
    lead = f"<i>{n} of {of}: “{escape(shorten(question, QUESTION_ECHO))}”</i>\n\n"
    return Reply(lead + reply.text, reply.buttons)


def with_feedback(reply: Reply, question_id: int) -> Reply:
    """The reply with 👍 and 👎 under it, for the question it answers (kept for /stats)."""
    row = [
        Button("👍", data=actions.Feedback(question_id, True).data),
        Button("👎", data=actions.Feedback(question_id, False).data),
    ]
    return Reply(reply.text, [*reply.buttons, row])


OUTCOMES = (("answer", "answered"), ("closest", "closest"), ("none", "declined"))


def stats_reply(
    days: Sequence[DayCount],
    disliked: Sequence[LoggedQuestion],
    declined: Sequence[LoggedQuestion],
    period: int,
) -> Reply:
    """/stats for the bot's administrators: questions a day over the last `period` days (days without
    any left out) and how they came out, then the newest 👎 and declined questions, which say what to
    improve."""
    lines = [f"<b>Questions in the last {period} days</b>"]
    total: dict[str, int] = {}
    for day in days:
        parts = []
        for outcome, word in OUTCOMES:
            count = day.outcomes.get(outcome, 0)
            total[outcome] = total.get(outcome, 0) + count
            parts.append(f"{word} {_share(count, day.asked)}")
        lines.append(f"{day.day.day} {day.day:%b}: {day.asked} · " + ", ".join(parts))
    asked = sum(total.values())
    if not days:
        lines.append("No questions yet.")
    else:
        lines.append(
            f"All: {asked} · " + ", ".join(f"{w} {_share(total.get(o, 0), asked)}" for o, w in OUTCOMES)
        )
    for heading, items in (("Latest 👎", disliked), ("Latest declined", declined)):
        lines += ["", f"<b>{heading}</b>"]
        lines += [f"• {escape(shorten(q.text, 150))} ({q.asked_at.day} {q.asked_at:%b})" for q in items] or [
            "none"
        ]
    return Reply("\n".join(lines))


def _share(count: int, of: int) -> str:
    return f"{count} ({round(100 * count / of) if of else 0}%)"


ADMINS_ONLY = Reply("Only the bot’s administrators can see /stats.")


def forget_question(kept: ChatData) -> Reply:
    """/forget: say what will go, and ask first."""
    if kept.total == 0:
        return Reply("I keep nothing about this chat.")
    parts = [
        (kept.subscriptions, "subscription", "subscriptions"),
        (kept.questions, "question asked here, with its 👍/👎", "questions asked here, with their 👍/👎"),
        (kept.button_keys, "button’s words", "buttons’ words"),
        (kept.alerts + kept.digest_items, "record of an alert", "records of alerts"),
    ]
    said = [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
    if kept.conversations or kept.lists:
        said.append("what I last showed you here, for follow-ups")
    listed = "; ".join(said)
    return Reply(
        f"Delete everything I keep about this chat? That is {listed}. Buttons on older messages will "
        "stop working.",
        [
            [
                Button("Yes, delete it", data=actions.Forget(True).data),
                Button("No", data=actions.Forget(False).data),
            ]
        ],
    )


def forgotten_reply(gone: ChatData) -> Reply:
    items = f"{gone.total} item{'' if gone.total == 1 else 's'}"
    return Reply(
        f"Done: I deleted everything I kept about this chat ({items}). You can go on asking questions."
    )


NOT_FORGOTTEN = Reply("Nothing was deleted.")
