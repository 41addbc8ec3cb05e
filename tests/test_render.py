"""Replies by outcome, for answers the ranking may or may not give on today's corpus: built here from
plain Answer records and checked as Telegram would parse the HTML."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from bot import actions, render
from retrieval.alerts import Alert
from retrieval.answer import Answer, Passage
from retrieval.sources.files import read_file
from retrieval.store import StoredAnnouncement
from tests.conftest_retrieval import DATA_DIR
from tests.fakebotapi import parse_telegram_html

ANSWERING = "A first sentence. The second one answers."


def passage(announcement_id: int, title: str, text: str = ANSWERING) -> Passage:
    return Passage(
        announcement_id=announcement_id,
        chunk_id=announcement_id * 10,
        title=title,
        type="Press release",
        published=datetime(2024, 10, 15, 9, tzinfo=UTC),
        url=f"https://www.gov.uk/government/news/item-{announcement_id}",
        organisation="Cabinet Office",
        passage=text,
        sentence="The second one answers.",
        score=0.4,
    )


def labels(reply: render.Reply) -> list[list[str]]:
    return [[b.text for b in row] for row in reply.buttons]


def opened(reply: render.Reply) -> list[int]:
    """The announcements the reply's buttons open."""
    pressed = [actions.parse(b.data or "") for row in reply.buttons for b in row]
    return [a.announcement_id for a in pressed if isinstance(a, actions.Read)]


def test_closest_shows_the_passage_as_uncertain_and_two_more_announcements() -> None:
    results = [
        passage(1, "Flood defences for Tewkesbury"),
        passage(1, "Flood defences for Tewkesbury", "Another passage of the same announcement."),
        passage(2, "River Severn levels & warnings"),
        passage(3, "Coastal path reopens"),
        passage(4, "A fourth announcement"),
    ]
    answer = Answer("How high are the flood gates?", "closest", 0.3, None, results)

    reply = render.answer_reply(answer, more_key=None)

    plain, entities = parse_telegram_html(reply.text)
    assert plain.split("\n")[:4] == [
        "This may not answer it, but the closest passage is…",
        "",
        "Flood defences for Tewkesbury",
        "Press release · 15 October 2024 · Cabinet Office",
    ]
    assert ANSWERING in plain and "Read it on GOV.UK" in plain
    quoted = [e for e in entities if e["type"] == "blockquote"]
    assert len(quoted) == 1
    # The passage's own button, then the next two OTHER announcements, each opening its own.
    assert labels(reply) == [
        ["Full announcement"],
        ["River Severn levels & warnings"],
        ["Coastal path reopens"],
    ]
    assert opened(reply) == [1, 2, 3]


def test_closest_with_nothing_else_near_offers_only_the_passage() -> None:
    answer = Answer("q", "closest", 0.3, None, [passage(7, "Only one")])

    assert labels(render.answer_reply(answer, more_key=None)) == [["Full announcement"]]


def test_more_matches_hold_the_answers_other_paragraph_and_other_announcements() -> None:
    first = passage(1, "Flood defences for Tewkesbury")
    alone = Answer("q", "answer", 0.9, first, [first])
    assert labels(render.answer_reply(alone, more_key="k")) == [["Full announcement"]]

    same = passage(1, "Flood defences for Tewkesbury", "Its second passage.")
    with_others = Answer("q", "answer", 0.9, first, [first, same, passage(2, "Other")])
    reply = render.answer_reply(with_others, more_key="k")
    assert labels(reply) == [["Full announcement", "More matches"]]
    assert not reply.text.startswith("This may not")

    more = render.more_reply(with_others, "k", 1)
    text = parse_telegram_html(more.text)[0]
    assert text.startswith("More matches (1/1)\n\n1. Flood defences for Tewkesbury\n")
    assert "\n2. Other\n" in text
    assert labels(more) == [["1. Flood defences for Tewkesbury"], ["2. Other"], ["« Answer"]]


def test_none_declines_and_repeats_the_question() -> None:
    answer = Answer("How do I renew my passport?", "none", 0.05, None, [passage(1, "Near but no")])

    reply = render.answer_reply(answer, more_key=None)

    assert parse_telegram_html(reply.text)[0].startswith(
        "I found nothing in the announcements that answers “How do I renew my passport?”."
    )
    assert labels(reply) == [["Near but no"]]  # the nearest announcements, to open (issue 11)


def test_a_long_lead_and_passage_still_fit_one_message() -> None:
    huge = "Words without end. " * 400 + "The second one answers."
    for reply in (
        render.alert_reply(Alert(1, "flood " * 60, passage(1, "T" * 300, huge), subscription_id=1)),
        render.closest_reply([passage(1, "T" * 300, huge)]),
    ):
        plain, _ = parse_telegram_html(reply.text)
        assert len(reply.text) <= render.MAX_MESSAGE and "The second one answers." in plain


def test_a_withdrawn_announcement_says_so_where_it_is_quoted() -> None:
    withdrawn = dataclasses.replace(passage(1, "Old policy"), withdrawn_at=datetime(2025, 3, 3, tzinfo=UTC))
    answer = Answer("q", "answer", 0.9, withdrawn, [withdrawn])

    plain, _ = parse_telegram_html(render.answer_reply(answer, more_key=None).text)

    assert plain.split("\n")[1] == "Press release · 15 October 2024 · Cabinet Office · withdrawn 3 March 2025"


def test_a_detail_of_a_withdrawn_announcement_says_it_was_withdrawn() -> None:
    # "link?" or "who published it?" about an answer from a withdrawn item must not pass it off as
    # current: the notice /read opens with comes with the detail too.
    stored = StoredAnnouncement(
        announcement_id=7,
        title="Old policy",
        type="News",
        published=datetime(2019, 1, 10, tzinfo=UTC),
        updated=None,
        organisation="Cabinet Office",
        url="https://www.gov.uk/government/news/old-policy",
        summary=None,
        body="It was the policy.",
        extra={"withdrawn_at": "2019-08-22T09:29:02+00:00", "withdrawn_explanation": "Replaced by a new one"},
    )
    for detail in ("link", "publisher", "date", "summary"):
        plain, _ = parse_telegram_html(render.detail_reply(detail, stored).text)
        assert "Withdrawn on 22 August 2019. Replaced by a new one" in plain, detail
        assert "https://www.gov.uk/government/news/old-policy" in render.detail_reply(detail, stored).text


def test_a_summary_that_reading_put_into_the_body_is_read_once() -> None:
    # The item's description is not in its body; reading makes it the body's first paragraph (so that
    # it is searchable), and /read showed it twice: as the summary, then as the body's start.
    (record,) = read_file(DATA_DIR / "content-api" / "news_article" / "news_article_government_response.json")
    assert record.summary is not None and record.body.startswith(record.summary)
    stored = StoredAnnouncement(
        announcement_id=1,
        title=record.title,
        type=record.type,
        published=record.published,
        updated=None,
        organisation=record.organisation,
        url=record.url,
        summary=record.summary,
        body=record.body,
        extra={},
    )
    plain, _ = parse_telegram_html("\n\n".join(render.read_pages(stored)))
    assert plain.count("response to reports of a large number of dead fish") == 1
    assert "We are aware of a large number of dead fish which washed ashore on Marazion beach" in plain
