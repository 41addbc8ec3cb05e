"""GovukClient against FakeGovuk: real HTTP on 127.0.0.1, fake time for sleeps."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from retrieval.announcement import parse_body
from retrieval.sources.govuk_client import (
    DEFAULT_USER_AGENT,
    MAX_REDIRECTS,
    GovukBadResponse,
    GovukClient,
    GovukGone,
    GovukUnavailable,
)
from retrieval.sources.govuk_content import humanise_document_type, record_from_content
from retrieval.sources.html import html_to_blocks
from tests import fakegovuk
from tests.fakegovuk import LATER_FIXTURE, FakeGovuk, load_fixtures

fake_govuk = fakegovuk.fake_govuk  # the shared fixture, made visible to this module's tests

PRESS = "/government/news/12-million-to-protect-tewkesbury-homes-from-flooding"
SPEECH = "/government/speeches/science-minister-speech-at-the-quantum-futures-summit-2026"
CONTENT = "/api/content"


class FakeTime:
    """A clock that only moves when slept on, so tests can assert the sleeps without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def client_for(fake: FakeGovuk, fake_time: FakeTime, **kwargs: Any) -> GovukClient:
    kwargs.setdefault("max_per_second", 100.0)
    return GovukClient(base_url=fake.base_url, sleep=fake_time.sleep, clock=fake_time.clock, **kwargs)


def later_item() -> dict[str, Any]:
    return load_fixtures(LATER_FIXTURE)[0]


# --- search -----------------------------------------------------------------------------------------


def test_search_pages_until_total(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.add_item(later_item())
    with client_for(fake_govuk, fake_time) as client:
        results = list(client.search(since=None, page_size=2))
    assert [r.title for r in results] == [
        "Free blood pressure checks for 2.5 million more people at local pharmacies",
        "£3 bus fare cap extended until the end of 2027",  # updated on the 10th, so second
        "UK and Peru agree £9.5 million partnership to protect the Amazon",
        "Science Minister speech at the Quantum Futures Summit 2026",
        "£12 million to protect Tewkesbury homes from flooding",
    ]
    assert [(r.query["start"], r.query["count"]) for r in fake_govuk.requests] == [
        ("0", "2"),
        ("2", "2"),
        ("4", "2"),
    ]


def test_search_sends_the_documented_parameters(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client:
        list(client.search(since=None))
    (request,) = fake_govuk.requests
    assert request.path == "/api/search.json"
    assert request.query == {
        "filter_content_purpose_supergroup": "news_and_communications",
        "fields": "title,description,link,public_timestamp,content_store_document_type,organisations",
        "order": "-public_timestamp",
        "count": "100",
        "start": "0",
    }


def test_search_result_fields(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client:
        press = next(r for r in client.search(since=None) if r.link == PRESS)
    assert press.document_type == "press_release"
    assert press.organisations == ["Department for Environment, Food & Rural Affairs", "Environment Agency"]
    assert press.description.startswith("A new flood defence scheme on the River Severn")
    # The fake shows London time (+01:00) like GOV.UK; the client normalises to UTC.
    assert press.public_timestamp == datetime(2026, 10, 6, 9, 30, tzinfo=UTC)
    assert press.public_timestamp.utcoffset() is not None


def test_search_stops_at_high_water_mark(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.add_item(later_item())
    since = datetime(2026, 10, 9, 14, 15, tzinfo=UTC)  # the world news story: seen last time
    with client_for(fake_govuk, fake_time) as client:
        results = list(client.search(since=since, page_size=2))
    assert [r.link.rsplit("/", 1)[-1] for r in results] == [
        "free-blood-pressure-checks-for-2-5-million-more-people-at-local-pharmacies",
        "3-bus-fare-cap-extended-until-the-end-of-2027",
    ]
    # The second page started with an old item, so no third page was asked for.
    assert [r.query["start"] for r in fake_govuk.requests] == ["0", "2"]


def test_search_new_item_arrives_between_polls(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client:
        first = list(client.search(since=None))
        high_water = max(r.public_timestamp for r in first)
        assert list(client.search(since=high_water)) == []
        fake_govuk.add_item(later_item())
        (new,) = client.search(since=high_water)
    assert len(first) == 4
    assert new.title == "Free blood pressure checks for 2.5 million more people at local pharmacies"


def test_search_naive_since_is_taken_as_utc(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client:
        results = list(client.search(since=datetime(2026, 10, 8, 16, 45)))
    assert len(results) == 2


def test_search_max_items(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client:
        results = list(client.search(since=None, page_size=1, max_items=2))
    assert len(results) == 2
    assert len(fake_govuk.requests) == 2


def test_search_rejects_bad_page_size(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client, pytest.raises(ValueError):
        list(client.search(since=None, page_size=1501))


def test_fake_rejects_unknown_search_parameters_like_govuk(fake_govuk: FakeGovuk) -> None:
    response = httpx.get(fake_govuk.base_url + "/api/search.json", params={"count": 1, "sort": "x"})
    assert response.status_code == 422
    assert "sort" in response.json()["error"]


# --- politeness -------------------------------------------------------------------------------------


def test_every_request_sends_the_user_agent(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time) as client:
        list(client.search(since=None))
        client.content(PRESS)
    assert [r.headers["user-agent"] for r in fake_govuk.requests] == [DEFAULT_USER_AGENT] * 2
    with client_for(fake_govuk, fake_time, user_agent="test-bot/9") as client:
        client.content(PRESS)
    assert fake_govuk.requests[-1].headers["user-agent"] == "test-bot/9"


def test_rate_cap_spaces_requests(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    with client_for(fake_govuk, fake_time, max_per_second=2.0) as client:
        for _ in range(3):
            client.content(PRESS)
        assert fake_time.sleeps == [0.5, 0.5]
        fake_time.now += 0.2  # time spent elsewhere counts towards the gap
        client.content(PRESS)
        assert fake_time.sleeps == [0.5, 0.5, 0.3]
        fake_time.now += 5.0
        client.content(PRESS)
    assert fake_time.sleeps == [0.5, 0.5, 0.3]


# --- faults -----------------------------------------------------------------------------------------


def test_500_is_retried_then_succeeds(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.fail_next(CONTENT + PRESS, 500)
    with client_for(fake_govuk, fake_time) as client:
        item = client.content(PRESS)
    assert item["title"] == "£12 million to protect Tewkesbury homes from flooding"
    assert len(fake_govuk.requests) == 2
    assert fake_time.sleeps == [0.5]


def test_search_503_is_retried_with_exponential_backoff(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.fail_next("/api/search.json", 503, times=2)
    with client_for(fake_govuk, fake_time) as client:
        assert len(list(client.search(since=None))) == 4
    assert fake_time.sleeps == [0.5, 1.0]


def test_429_honours_retry_after(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.fail_next(CONTENT, 429, retry_after=7)
    with client_for(fake_govuk, fake_time) as client:
        assert client.content(SPEECH)["document_type"] == "speech"
    assert fake_time.sleeps == [7.0]


def test_429_without_retry_after_uses_backoff(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.fail_next(CONTENT, 429)
    with client_for(fake_govuk, fake_time) as client:
        client.content(SPEECH)
    assert fake_time.sleeps == [0.5]


def test_429_with_a_very_long_retry_after_gives_up_at_once(
    fake_govuk: FakeGovuk, fake_time: FakeTime
) -> None:
    fake_govuk.fail_next(CONTENT, 429, retry_after=3600)
    with client_for(fake_govuk, fake_time) as client, pytest.raises(GovukUnavailable) as caught:
        client.content(SPEECH)
    assert caught.value.status == 429
    assert fake_time.sleeps == []


def test_timeout_is_retried_then_succeeds(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.delay_next(CONTENT + PRESS, 0.6)
    with client_for(fake_govuk, fake_time, timeout=0.2) as client:
        item = client.content(PRESS)
    assert item["base_path"] == PRESS
    assert len(fake_govuk.requests) == 2
    assert fake_time.sleeps == [0.5]


def test_retries_exhausted_raise_unavailable(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.fail_next(CONTENT, 503, times=10)
    with client_for(fake_govuk, fake_time, retries=3) as client, pytest.raises(GovukUnavailable) as caught:
        client.content(PRESS)
    assert caught.value.path == CONTENT + PRESS
    assert caught.value.status == 503
    assert "503" in str(caught.value)
    assert len(fake_govuk.requests) == 4
    assert fake_time.sleeps == [0.5, 1.0, 2.0]


def test_connection_refused_raises_unavailable(fake_time: FakeTime) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and now has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GovukClient(
        base_url=f"http://127.0.0.1:{port}", retries=2, sleep=fake_time.sleep, clock=fake_time.clock
    )
    with client, pytest.raises(GovukUnavailable, match="ConnectError"):
        client.content(PRESS)
    assert fake_time.sleeps == [0.5, 1.0]


def test_malformed_json_raises_bad_response_without_retrying(
    fake_govuk: FakeGovuk, fake_time: FakeTime
) -> None:
    fake_govuk.malformed_next("/api/search.json")
    with client_for(fake_govuk, fake_time) as client, pytest.raises(GovukBadResponse) as caught:
        list(client.search(since=None))
    assert caught.value.path == "/api/search.json"
    assert "?" not in str(caught.value)  # path only, no query string
    assert len(fake_govuk.requests) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_missing_content_raises_gone(fake_govuk: FakeGovuk, fake_time: FakeTime, status: int) -> None:
    fake_govuk.gone(PRESS, status=status)
    with client_for(fake_govuk, fake_time) as client, pytest.raises(GovukGone) as caught:
        client.content(PRESS)
    assert caught.value.status == status
    assert caught.value.path == CONTENT + PRESS
    assert len(fake_govuk.requests) == 1


def test_gone_items_leave_search(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.gone(PRESS)
    with client_for(fake_govuk, fake_time) as client:
        assert PRESS not in {r.link for r in client.search(since=None)}


@pytest.mark.parametrize("status", [400, 403, 422])
def test_other_4xx_raise_bad_response(fake_govuk: FakeGovuk, fake_time: FakeTime, status: int) -> None:
    fake_govuk.fail_next(CONTENT, status)
    with client_for(fake_govuk, fake_time) as client, pytest.raises(GovukBadResponse) as caught:
        client.content(PRESS)
    assert caught.value.status == status
    assert len(fake_govuk.requests) == 1


def test_content_accepts_a_full_public_url_but_not_other_hosts(
    fake_govuk: FakeGovuk, fake_time: FakeTime
) -> None:
    with client_for(fake_govuk, fake_time) as client:
        assert client.content("https://www.gov.uk" + PRESS)["base_path"] == PRESS
        with pytest.raises(ValueError):
            client.content("https://example.com" + PRESS)
    assert [r.path for r in fake_govuk.requests] == [CONTENT + PRESS]


# --- redirects -------------------------------------------------------------------------------------


def test_a_moved_item_is_followed_to_its_new_path_on_the_same_host(
    fake_govuk: FakeGovuk, fake_time: FakeTime
) -> None:
    old = "/government/speeches/quantum-futures-summit-speech"
    fake_govuk.redirect(old, SPEECH)
    with client_for(fake_govuk, fake_time, max_per_second=2.0) as client:
        assert client.content(old)["base_path"] == SPEECH
    assert [r.path for r in fake_govuk.requests] == [CONTENT + old, CONTENT + SPEECH]
    assert fake_time.sleeps == [0.5]  # the second hop waited its turn under the rate cap


def test_a_redirect_to_another_host_is_refused_without_asking_that_host(
    fake_govuk: FakeGovuk, fake_time: FakeTime
) -> None:
    with FakeGovuk(load_fixtures("speech")) as elsewhere:
        fake_govuk.redirect(SPEECH, elsewhere.base_url + CONTENT + SPEECH)
        with client_for(fake_govuk, fake_time) as client, pytest.raises(GovukBadResponse) as caught:
            client.content(SPEECH)
        assert elsewhere.requests == []
    assert "another host" in str(caught.value)
    assert caught.value.path == CONTENT + SPEECH
    assert caught.value.status == 301


def test_a_redirect_loop_ends_in_a_bad_response(fake_govuk: FakeGovuk, fake_time: FakeTime) -> None:
    fake_govuk.redirect("/government/news/a", "/government/news/b")
    fake_govuk.redirect("/government/news/b", "/government/news/a")
    with client_for(fake_govuk, fake_time) as client, pytest.raises(GovukBadResponse, match="redirects"):
        client.content("/government/news/a")
    assert len(fake_govuk.requests) == MAX_REDIRECTS + 1


# --- records ----------------------------------------------------------------------------------------

EXPECTED: dict[str, dict[str, Any]] = {
    "press_release": {
        "type": "Press release",
        "organisation": "Department for Environment, Food & Rural Affairs, Environment Agency",
        "published": datetime(2026, 10, 6, 9, 30, tzinfo=UTC),
        "updated": datetime(2026, 10, 6, 9, 30, tzinfo=UTC),
        "extra": {},
        "facts": [
            "£12 million",
            "• 8 new flood gates at Quay Street and Mill Street",
            "> The people of Tewkesbury",
        ],
    },
    "news_story": {
        "type": "News story",
        "organisation": "Department for Transport",
        "published": datetime(2026, 10, 7, 11, 0, tzinfo=UTC),
        "updated": datetime(2026, 10, 10, 10, 0, tzinfo=UTC),
        "extra": {},
        "facts": ["31 December 2027", "South West | 22 | 940", "> For millions of people"],
    },
    "speech": {
        "type": "Speech",
        "organisation": "Department for Science, Innovation and Technology",
        "published": datetime(2026, 10, 8, 16, 45, tzinfo=UTC),
        "updated": datetime(2026, 10, 8, 16, 45, tzinfo=UTC),
        "extra": {
            "speaker": "Dr Priya Raman MP",
            "location": "Manchester Central Convention Complex, Manchester",
            "delivered_on": "2026-10-08",  # midnight BST: must not slip to the 7th
        },
        "facts": [
            "£85 million",
            "• Cardiff University, on the semiconductors",
            "> The breakthroughs will come",
        ],
    },
    "world_news_story": {
        "type": "World news story",
        "organisation": "Foreign, Commonwealth & Development Office",
        "published": datetime(2026, 10, 9, 14, 15, tzinfo=UTC),
        "updated": datetime(2026, 10, 9, 14, 15, tzinfo=UTC),
        "extra": {"world_locations": "Peru"},
        "facts": ["£9.5 million", "• fund 120 indigenous forest monitors", "> Peru’s forests matter"],
    },
    "press_release_later": {
        "type": "Press release",
        "organisation": "Department of Health and Social Care",
        "published": datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
        "updated": datetime(2026, 10, 20, 8, 0, tzinfo=UTC),
        "extra": {},
        "facts": ["9,000 community pharmacies", "• referred to their GP", "> A five-minute check"],
    },
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_record_from_content_on_each_fixture(name: str) -> None:
    (item,) = load_fixtures(name)
    expected = EXPECTED[name]
    record = record_from_content(item, item["base_path"])
    assert record.title == item["title"]
    assert record.summary == item["description"]
    assert record.type == expected["type"]
    assert record.url == "https://www.gov.uk" + item["base_path"]
    assert record.organisation == expected["organisation"]
    assert record.published == expected["published"]
    assert record.updated == expected["updated"]
    assert record.extra == expected["extra"]
    assert record.source == "govuk"
    for fact in expected["facts"]:
        assert fact in record.body
    # The stored body must read back as the same blocks, so chunking can be re-run on it; the item's
    # description (and a speech's speaker line) come first so that they are searchable too.
    blocks, body = parse_body(record.body), html_to_blocks(item["details"]["body"])
    assert blocks[len(blocks) - len(body) :] == body
    assert blocks[0].text == item["description"]


def test_fetched_record_has_public_url_whatever_the_base_url(
    fake_govuk: FakeGovuk, fake_time: FakeTime
) -> None:
    with client_for(fake_govuk, fake_time) as client:
        records = [record_from_content(client.content(r.link), r.link) for r in client.search(since=None)]
    assert len(records) == 4
    assert all(r.url and r.url.startswith("https://www.gov.uk/government/") for r in records)


def test_world_news_without_organisations_falls_back_to_worldwide_organisation() -> None:
    (item,) = load_fixtures("world_news_story")
    del item["links"]["organisations"]
    assert record_from_content(item, item["base_path"]).organisation == "British Embassy Lima"


@pytest.mark.parametrize("field", ["title", "body"])
@pytest.mark.parametrize("value", [None, "", "   ", '<div class="govspeak"><p> </p></div>'])
def test_record_without_title_or_body_is_refused(field: str, value: str | None) -> None:
    (item,) = load_fixtures("press_release")
    if field == "title":
        item["title"] = value if value is None or "<" not in value else " "
    else:
        item["details"]["body"] = value
    with pytest.raises(ValueError, match=f"no {field}"):
        record_from_content(item, item["base_path"])


def test_record_without_details_is_refused() -> None:
    (item,) = load_fixtures("press_release")
    del item["details"]
    with pytest.raises(ValueError, match=PRESS):
        record_from_content(item, PRESS)


@pytest.mark.parametrize(
    ("document_type", "expected"),
    [
        ("press_release", "Press release"),
        ("news_story", "News story"),
        ("speech", "Speech"),
        ("world_news_story", "World news story"),
        ("written_statement", "Written statement"),
        ("oral_statement", "Oral statement"),
        ("government_response", "Government response"),
        ("correspondence", "Correspondence"),
        ("statement_to_parliament", "Statement to Parliament"),
        ("fatality_notice", "Fatality notice"),
        (None, None),
    ],
)
def test_humanise_document_type(document_type: str | None, expected: str | None) -> None:
    assert humanise_document_type(document_type) == expected
