"""A local stand-in for the GOV.UK Search and Content APIs, so no test reaches the internet.

It speaks real HTTP on 127.0.0.1 so the client's timeouts, retries and headers are exercised for real,
and it can be told to misbehave (fail, stall, answer garbage) for the next few requests.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

FIXTURES_DIR = Path(__file__).parent / "data" / "govuk"
# The four items a fresh fake starts with; LATER_FIXTURE is published after all of them, so adding it
# later simulates a new announcement arriving between two polls.
INITIAL_FIXTURES = ("press_release", "news_story", "speech", "world_news_story")
LATER_FIXTURE = "press_release_later"

SEARCH_PATH = "/api/search.json"
CONTENT_PREFIX = "/api/content"
SUPERGROUP = "news_and_communications"
_FILTERABLE = frozenset({"content_purpose_supergroup", "content_store_document_type", "organisations"})
_PLAIN_PARAMS = frozenset({"count", "start", "order", "fields"})
_RETURN_FIELDS = frozenset(
    {"title", "description", "link", "public_timestamp", "organisations"} | _FILTERABLE
)

try:  # GOV.UK search shows times in London time; fall back to UTC where tzdata is missing
    _LONDON: Any = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # pragma: no cover
    _LONDON = UTC


def load_fixtures(*names: str) -> list[dict[str, Any]]:
    """Content items from tests/data/govuk: the named ones (without .json), or all of them by name."""
    paths = [FIXTURES_DIR / f"{name}.json" for name in names] or sorted(FIXTURES_DIR.glob("*.json"))
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    query: dict[str, str]  # the last value of each parameter
    headers: dict[str, str]  # names in lower case


@dataclass
class _Rule:
    prefix: str
    kind: Literal["fail", "delay", "malformed"]
    remaining: int
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _search_result(item: dict[str, Any]) -> dict[str, Any]:
    """The search document GOV.UK's index would hold for a content item."""
    organisations = []
    for org in item.get("links", {}).get("organisations", []):
        base_path = org.get("base_path", "")
        organisations.append(
            {"title": org.get("title"), "slug": base_path.rsplit("/", 1)[-1], "link": base_path}
        )
    timestamp = _parse_time(item["public_updated_at"]).astimezone(_LONDON)
    return {
        "title": item.get("title"),
        "description": item.get("description"),
        "link": item["base_path"],
        "public_timestamp": timestamp.isoformat(timespec="milliseconds"),
        "content_store_document_type": item.get("document_type"),
        "content_purpose_supergroup": SUPERGROUP,
        "organisations": organisations,
    }


# Fields every real search result carries whatever `fields` asked for; clients must ignore them.
def _result_envelope(doc: dict[str, Any]) -> dict[str, Any]:
    return {"index": "govuk", "es_score": None, "_id": doc["link"], "document_type": "edition"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeGovuk

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has hung up on a delayed answer: expected, not worth a traceback.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 5  # idle keep-alive connections should not keep threads around for long
    disable_nagle_algorithm = True  # headers and body go out in two writes; don't stall 40 ms between

    def do_GET(self) -> None:
        self.server.fake._handle(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


class FakeGovuk:
    def __init__(self, items: Iterable[dict[str, Any]] = ()) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, dict[str, Any]] = {}
        self._gone: dict[str, int] = {}
        self._redirects: dict[str, tuple[int, str]] = {}
        self._rules: list[_Rule] = []
        self._requests: list[RecordedRequest] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for item in items:
            self.add_item(item)

    # --- lifecycle --------------------------------------------------------------------------------

    def start(self) -> FakeGovuk:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        # A short poll interval keeps shutdown (and so each test) fast.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._server = server
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeGovuk:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeGovuk is not running")
        host, port = self._server.server_address[:2]
        assert isinstance(host, str), host  # an AF_INET server's address: never bytes
        return f"http://{host}:{port}"

    # --- test controls ----------------------------------------------------------------------------

    def add_item(self, content_item: dict[str, Any]) -> None:
        """Publish (or republish, replacing by base_path) a content item; search derives from it."""
        item = copy.deepcopy(content_item)
        with self._lock:
            self._items[item["base_path"]] = item
            self._gone.pop(item["base_path"], None)

    def fail_next(
        self, path_prefix: str, status: int, times: int = 1, retry_after: float | None = None
    ) -> None:
        self._add_rule(_Rule(path_prefix, "fail", times, status=status, retry_after=retry_after))

    def delay_next(self, path_prefix: str, seconds: float, times: int = 1) -> None:
        self._add_rule(_Rule(path_prefix, "delay", times, seconds=seconds))

    def malformed_next(self, path_prefix: str, times: int = 1) -> None:
        """Answer 200 with a JSON body cut off half way."""
        self._add_rule(_Rule(path_prefix, "malformed", times))

    def gone(self, base_path: str, status: int = 410) -> None:
        """Withdraw an item: its content answers `status` (410 or 404) and it leaves search."""
        with self._lock:
            self._gone[base_path] = status
            self._items.pop(base_path, None)

    def clear_faults(self) -> None:
        """Forget the failures, delays and garbled answers still due."""
        with self._lock:
            self._rules.clear()

    def redirect(self, base_path: str, location: str, status: int = 301) -> None:
        """The content of `base_path` answers `status` with this Location (a path on this server, or
        any URL), as the Content API does for an item that moved."""
        with self._lock:
            self._redirects[base_path] = (status, location)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def _add_rule(self, rule: _Rule) -> None:
        with self._lock:
            self._rules.append(rule)

    def _take_rule(self, path: str, kinds: set[str]) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.kind in kinds and rule.remaining > 0 and path.startswith(rule.prefix):
                    rule.remaining -= 1
                    return rule
        return None

    # --- request handling -------------------------------------------------------------------------

    def _handle(self, handler: _Handler) -> None:
        url = urlsplit(handler.path)
        multi = parse_qs(url.query, keep_blank_values=True)
        with self._lock:
            self._requests.append(
                RecordedRequest(
                    path=url.path,
                    query={key: values[-1] for key, values in multi.items()},
                    headers={name.lower(): value for name, value in handler.headers.items()},
                )
            )
        delay = self._take_rule(url.path, {"delay"})
        if delay is not None:
            time.sleep(delay.seconds)
        fault = self._take_rule(url.path, {"fail", "malformed"})
        if fault is not None and fault.kind == "malformed":
            self._send(handler, 200, b'{"results": [{"title": "Half an ans')
            return
        if fault is not None:
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after is not None else {}
            self._send_json(handler, fault.status, {"error": f"Simulated HTTP {fault.status}"}, headers)
            return
        moved = self._moved(url.path)
        if moved is not None:
            status, location = moved
            self._send_json(handler, status, {"error": "Moved"}, {"Location": location})
            return
        if url.path == SEARCH_PATH:
            status, payload = self._search(multi)
        elif url.path.startswith(CONTENT_PREFIX + "/"):
            status, payload = self._content(url.path[len(CONTENT_PREFIX) :])
        else:
            status, payload = 404, {"error": "Not found"}
        self._send_json(handler, status, payload)

    def _moved(self, path: str) -> tuple[int, str] | None:
        if not path.startswith(CONTENT_PREFIX + "/"):
            return None
        with self._lock:
            moved = self._redirects.get(path[len(CONTENT_PREFIX) :])
        if moved is None:
            return None
        status, location = moved
        return status, CONTENT_PREFIX + location if location.startswith("/") else location

    def _search(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        unknown = sorted(key for key in params if not self._known_search_param(key))
        if unknown:
            return 422, {"error": f"Unexpected parameters: {', '.join(unknown)}"}
        try:
            count = int(params.get("count", ["10"])[-1])
            start = int(params.get("start", ["0"])[-1])
        except ValueError:
            return 422, {"error": "Invalid value for count or start"}
        if not 0 <= count <= 1500 or start < 0:
            return 422, {"error": "count must be 0 to 1500 and start at least 0"}
        order = params.get("order", ["-public_timestamp"])[-1]
        if order not in ("-public_timestamp", "public_timestamp"):
            return 422, {"error": f'"{order}" is not a valid sort field'}
        fields = [f for value in params.get("fields", []) for f in value.split(",") if f]

        with self._lock:
            docs = [_search_result(item) for item in self._items.values()]
        docs = [doc for doc in docs if self._matches(doc, params)]
        docs.sort(key=lambda doc: (_parse_time(doc["public_timestamp"]), doc["link"]))
        if order.startswith("-"):
            docs.reverse()
        invalid = sorted(set(fields) - _RETURN_FIELDS)
        if invalid:
            return 422, {"error": f"Some requested fields are not valid return fields: {invalid}"}
        page = docs[start : start + count]
        results = [
            _result_envelope(doc) | ({k: doc[k] for k in fields if k in doc} if fields else doc)
            for doc in page
        ]
        return 200, {
            "results": results,
            "total": len(docs),
            "start": start,
            "aggregates": {},
            "suggested_queries": [],
        }

    @staticmethod
    def _known_search_param(key: str) -> bool:
        if key in _PLAIN_PARAMS:
            return True
        for prefix in ("filter_", "reject_"):
            if key.startswith(prefix) and key[len(prefix) :] in _FILTERABLE:
                return True
        return False

    @staticmethod
    def _matches(doc: dict[str, Any], params: dict[str, list[str]]) -> bool:
        for key, wanted in params.items():
            prefix, _, name = key.partition("_")
            if prefix not in ("filter", "reject") or name not in _FILTERABLE:
                continue
            have = {o["slug"] for o in doc.get(name, [])} if name == "organisations" else {doc.get(name)}
            hit = bool(have & set(wanted))
            if hit != (prefix == "filter"):
                return False
        return True

    def _content(self, base_path: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            gone = self._gone.get(base_path)
            item = copy.deepcopy(self._items.get(base_path))
        if gone == 410:
            return 410, {
                "base_path": base_path,
                "document_type": "gone",
                "schema_name": "gone",
                "details": {},
            }
        if gone is not None or item is None:
            return 404, {"error": {"code": 404, "message": f"Could not find content item {base_path}"}}
        return 200, item

    @staticmethod
    def _send_json(
        handler: _Handler, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        FakeGovuk._send(handler, status, json.dumps(payload).encode(), headers)

    @staticmethod
    def _send(handler: _Handler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:
            pass  # the client gave up (e.g. its timeout fired while we were delaying)


@pytest.fixture
def fake_govuk(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGovuk]:
    """A running FakeGovuk holding the four initial fixtures; loopback bypasses any proxy."""
    for name in ("NO_PROXY", "no_proxy"):
        existing = os.environ.get(name, "")
        monkeypatch.setenv(name, ",".join(filter(None, [existing, "127.0.0.1", "localhost"])))
    with FakeGovuk(load_fixtures(*INITIAL_FIXTURES)) as server:
        yield server
