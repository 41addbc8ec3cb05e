"""A small, polite client for the public GOV.UK Search and Content APIs.

Politeness is built in rather than left to callers: every request names the bot in its User-Agent, goes
through one rate limiter (retries and redirects included), and transient faults back off exponentially.
Retries are tenacity's: it lets the sleep be injected (tests assert the exact waits without waiting) and
the wait be chosen per attempt, so a 429's Retry-After replaces the backoff. Redirects are followed by
hand, and only on the GOV.UK host the client was made for: the Content API moves items to new paths,
but an answer that sends us to any other host is refused.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, NoReturn

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from retrieval.announcement import clean_line
from retrieval.sources.govuk_content import PUBLIC_URL, link_titles
from retrieval.timeutil import as_utc, parse_utc, utc_now

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = "govuk-answers-bot/0.1 (Telegram bot answering questions about GOV.UK announcements)"
SEARCH_PATH = "/api/search.json"
CONTENT_PREFIX = "/api/content"
SEARCH_FIELDS = "title,description,link,public_timestamp,content_store_document_type,organisations"
MAX_PAGE_SIZE = 1500  # the Search API's own limit for count
MAX_REDIRECTS = 5  # a moved item redirects once; a chain this long is a loop


class GovukError(Exception):
    """A GOV.UK request failed. `path` is the URL path only: never a query string or header."""

    def __init__(self, message: str, path: str, status: int | None = None) -> None:
        super().__init__(f"{message} ({path})")
        self.path = path
        self.status = status


class GovukUnavailable(GovukError):
    """GOV.UK did not answer usefully after all retries (timeouts, connection errors, 5xx, 429)."""


class GovukBadResponse(GovukError):
    """GOV.UK answered, but not with what we asked for (malformed JSON, unexpected 4xx)."""


class GovukGone(GovukError):
    """The content item no longer exists (404 or 410): skip it."""


@dataclass(frozen=True)
class SearchResult:
    link: str  # path such as /government/news/...
    title: str
    description: str
    public_timestamp: datetime  # aware, UTC
    document_type: str
    organisations: list[str] = field(default_factory=list)  # titles


class RateLimiter:
    """Spaces calls at least 1/max_per_second apart on a monotonic clock."""

    def __init__(
        self,
        max_per_second: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 1.0 / max_per_second if max_per_second and max_per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_at: float | None = None
        self._lock = threading.Lock()  # held while sleeping so concurrent callers queue up in turn

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            if self._next_at is not None and now < self._next_at:
                self._sleep(self._next_at - now)
                now = self._next_at
            self._next_at = now + self._interval


class _Transient(Exception):
    """One attempt met a fault worth retrying: a timeout or broken connection, a 5xx, a 429."""

    def __init__(self, problem: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


class GovukClient:
    def __init__(
        self,
        base_url: str = PUBLIC_URL,
        user_agent: str = DEFAULT_USER_AGENT,
        max_per_second: float | None = 3.0,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
        *,
        max_retry_after: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._backoff = backoff
        # A Retry-After longer than this is not worth blocking a sync run for: give up and poll later.
        self._max_retry_after = max_retry_after
        self._limiter = RateLimiter(max_per_second, clock=clock, sleep=sleep)
        self._retrying = Retrying(
            sleep=sleep,
            stop=stop_after_attempt(max(0, retries) + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            before_sleep=self._log_retry,
            retry_error_callback=self._give_up,
        )
        self._base = httpx.URL(base_url.rstrip("/"))
        self._http = httpx.Client(
            base_url=self._base,
            headers={"User-Agent": user_agent, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,  # followed in _get, on this host only
        )

    def __enter__(self) -> GovukClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # --- public API -------------------------------------------------------------------------------

    def search(
        self, since: datetime | None, page_size: int = 100, max_items: int | None = None
    ) -> Iterator[SearchResult]:
        """News and communications, newest first, strictly newer than `since` (the high-water mark).

        Paging stops at the first result at or before `since`: results are ordered by public_timestamp
        descending, so everything after it has been seen before.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}, got {page_size}")
        if since is not None:
            since = as_utc(since)
        start = 0
        yielded = 0
        while max_items is None or yielded < max_items:
            page = self._get_json(SEARCH_PATH, params=self._search_params(page_size, start))
            results = page.get("results")
            if not isinstance(results, list):
                raise GovukBadResponse("search answer has no results list", SEARCH_PATH)
            for raw in results:
                result = _search_result(raw)
                if result is None:
                    continue
                if since is not None and result.public_timestamp <= since:
                    return
                yield result
                yielded += 1
                if max_items is not None and yielded >= max_items:
                    return
            start += len(results)
            total = page.get("total")
            if len(results) < page_size or (isinstance(total, int) and start >= total):
                return

    def content(self, link: str) -> dict[str, Any]:
        """The Content API item for a GOV.UK path such as /government/news/... (404/410: GovukGone)."""
        if link.startswith(PUBLIC_URL + "/"):
            link = link[len(PUBLIC_URL) :]
        if not link.startswith("/") or link.startswith("//"):
            raise ValueError(f"expected a GOV.UK path starting with '/', got {link!r}")
        return self._get_json(CONTENT_PREFIX + link, gone_is_final=True)

    # --- HTTP -------------------------------------------------------------------------------------

    @staticmethod
    def _search_params(page_size: int, start: int) -> dict[str, str | int]:
        return {
            "filter_content_purpose_supergroup": "news_and_communications",
            "fields": SEARCH_FIELDS,
            "order": "-public_timestamp",
            "count": page_size,
            "start": start,
        }

    def _get_json(
        self, path: str, params: dict[str, str | int] | None = None, gone_is_final: bool = False
    ) -> dict[str, Any]:
        response = self._get(path, params)
        status = response.status_code
        if gone_is_final and status in (404, 410):
            raise GovukGone(f"GOV.UK answered HTTP {status}", path, status)
        if status >= 400:
            raise GovukBadResponse(f"GOV.UK answered HTTP {status}", path, status)
        try:
            data = response.json()
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
            raise GovukBadResponse("GOV.UK answered with malformed JSON", path, status) from exc
        if not isinstance(data, dict):
            raise GovukBadResponse("GOV.UK answered with JSON that is not an object", path, status)
        return data

    def _get(self, path: str, params: dict[str, str | int] | None) -> httpx.Response:
        """GET `path`, retried on transient faults and redirected within the GOV.UK host; returns any
        other answer (2xx, 4xx) for the caller to judge. Errors name `path`, the path first asked for."""
        target: str | httpx.URL = path
        for _ in range(MAX_REDIRECTS + 1):
            response: httpx.Response = self._retrying(self._attempt, target, params, path)
            redirect = response.next_request
            if redirect is None:
                return response
            if (redirect.url.scheme, redirect.url.host, redirect.url.port) != (
                self._base.scheme,
                self._base.host,
                self._base.port,
            ):
                raise GovukBadResponse(
                    f"GOV.UK redirected to another host ({redirect.url.host}); not followed",
                    path,
                    response.status_code,
                )
            target, params = redirect.url, None  # the Location already holds any query it needs
        raise GovukBadResponse(f"more than {MAX_REDIRECTS} redirects", path)

    def _attempt(
        self, target: str | httpx.URL, params: dict[str, str | int] | None, path: str
    ) -> httpx.Response:
        self._limiter.wait()
        try:
            response = self._http.get(target, params=params)
        except httpx.TransportError as exc:  # timeouts, refused connections, broken responses
            raise _Transient(type(exc).__name__) from exc
        status = response.status_code
        if status == 429:
            retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > self._max_retry_after:
                raise GovukUnavailable(f"GOV.UK asked to wait {retry_after:.0f}s before retrying", path, 429)
            raise _Transient("HTTP 429", status, retry_after)
        if status >= 500:
            raise _Transient(f"HTTP {status}", status)
        return response

    # --- tenacity's hooks: each receives the state of the call being retried ------------------------

    def _wait(self, state: RetryCallState) -> float:
        fault = state.outcome.exception() if state.outcome is not None else None
        if isinstance(fault, _Transient) and fault.retry_after is not None:
            return fault.retry_after
        return float(self._backoff * 2 ** (state.attempt_number - 1))

    @staticmethod
    def _log_retry(state: RetryCallState) -> None:
        fault = state.outcome.exception() if state.outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        log.warning("GOV.UK %s for %s; retrying in %.1fs", fault, state.args[2], delay)

    @staticmethod
    def _give_up(state: RetryCallState) -> NoReturn:
        fault = state.outcome.exception() if state.outcome is not None else None
        status = fault.status if isinstance(fault, _Transient) else None
        message = f"GOV.UK unavailable after {state.attempt_number} attempts: {fault}"
        raise GovukUnavailable(message, state.args[2], status) from fault


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: GOV.UK sends a number, but HTTP also allows a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (as_utc(when) - utc_now()).total_seconds())


def _search_result(raw: object) -> SearchResult | None:
    """One search result, or None (logged) when it lacks what a sync needs: a path and a timestamp."""
    if not isinstance(raw, dict):
        return None
    link = raw.get("link")
    timestamp = parse_utc(raw.get("public_timestamp"))
    # External links (full URLs) have no Content API item; undated results cannot be placed in time.
    if not isinstance(link, str) or not link.startswith("/") or timestamp is None:
        log.warning("skipping search result without a GOV.UK path or timestamp: %r", link)
        return None
    return SearchResult(
        link=link,
        title=clean_line(str(raw.get("title") or "")),
        description=clean_line(str(raw.get("description") or "")),
        public_timestamp=timestamp,
        document_type=str(raw.get("content_store_document_type") or ""),
        organisations=link_titles(raw.get("organisations")),
    )
