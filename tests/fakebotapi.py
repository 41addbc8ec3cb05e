"""A fake Telegram Bot API server for end-to-end tests of the bot.

The real python-telegram-bot client talks HTTP to this server exactly as it would to
api.telegram.org, so tests exercise the library's request encoding, error mapping, retries and
polling loop instead of a mock of them. Only the standard library is used by the server itself;
pytest is imported for the fixture at the bottom.

Typical use (the fixture sets NO_PROXY so httpx does not send loopback traffic to a proxy)::

    async def test_echo(fake_bot_api):
        app = Application.builder().token(fake_bot_api.token).base_url(fake_bot_api.base_url).build()
        ...start polling...
        fake_bot_api.message("hello")
        [call] = await fake_bot_api.wait_for_async("sendMessage")
        assert call.params["text"] == "hello"

The application usually runs on the test's own event loop, so blocking helpers (`wait_for`,
`wait_idle`, `post_update`) must not be called from async tests: use the `*_async` variants,
which wait in a worker thread and leave the loop free to run the bot.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import itertools
import json
import os
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_TOKEN = "123456:TEST-TOKEN"
DEFAULT_USER_ID = 424242
DEFAULT_GROUP_ID = -1001234567890  # supergroups and channels carry the -100 prefix
DEFAULT_BASIC_GROUP_ID = -4001234567
BOT_USERNAME = "govuk_answers_bot"

MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
# Telegram closes a long poll after the requested timeout; capping it keeps test shutdown fast,
# because PTB waits for the in-flight getUpdates to be cancelled and then sends one more.
MAX_LONG_POLL_SECONDS = 1.0

# Parameters that are strings in the Bot API. PTB sends every value as a form field, so "42" may
# be the int 42 (chat_id) or the text "42"; only the method signature can tell them apart.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "query",
        "title",
        "description",
        "short_description",
        "name",
        "url",
        "secret_token",
        "ip_address",
        "next_offset",
        "action",
        "language_code",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "switch_pm_text",
        "switch_pm_parameter",
        "cache_key",
    }
)
# Parameters that hold JSON objects/arrays; clients posting a JSON body sometimes still
# encode these as strings, which Telegram accepts.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
        "commands",
        "scope",
        "results",
        "button",
        "allowed_updates",
        "media",
    }
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_PATH_RE = re.compile(r"/bot([^/]+)/([A-Za-z0-9_]+)/?")

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


# --------------------------------------------------------------------------------------------
# Records and errors
# --------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the bot made. `time` is time.monotonic() at arrival, so gaps between calls
    measure the bot's pacing (retries, rate limiting) independent of wall-clock changes."""

    method: str
    params: dict[str, Any]
    time: float
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        """The `result` the bot received (e.g. the sent Message), or None for an error."""
        return self.response.get("result")


@dataclass
class Upload:
    """A file part of a multipart request (PTB switches to multipart when it uploads files)."""

    filename: str | None
    content_type: str
    data: bytes


class ApiError(Exception):
    """Raised by a method implementation to answer with a Bot API error object."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Fault:
    status: int  # DROP: the connection is closed without an answer
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | None = None  # only calls about this chat

    def applies(self, params: dict[str, Any]) -> bool:
        return self.chat_id is None or params.get("chat_id") == self.chat_id


DROP = 0  # Call.status of a request whose connection the fake closed without answering


@dataclass
class _Delay:
    seconds: float
    remaining: int


# --------------------------------------------------------------------------------------------
# Telegram-flavoured HTML
# --------------------------------------------------------------------------------------------


class TelegramHTMLError(ValueError):
    """The text would make Telegram answer "can't parse entities"."""


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{0,31});")
_TAG_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset in the plain text, the unit Telegram uses for entities
    language: str | None = None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) the way Telegram would, or raise TelegramHTMLError.

    Stricter than Telegram in one respect: a bare "&" is refused. Telegram passes it through
    literally, but text that has one almost always skipped html.escape, and the next "<" in the
    same unescaped text would fail in production.
    """

    def where(index: int) -> str:
        return f"at byte offset {len(source[:index].encode('utf-8'))}"

    out: list[str] = []
    offset16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(source)

    def emit(chars: str) -> None:
        nonlocal offset16
        out.append(chars)
        offset16 += _utf16_len(chars)

    while i < n:
        char = source[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(source, i)
            if match is None:
                raise TelegramHTMLError(f'Unescaped "&" {where(i)}; write it as &amp;')
            emit(_decode_html_entity(match.group(1), where(i)))
            i = match.end()
            continue
        if char != "<":
            emit(char)
            i += 1
            continue

        if source.startswith("</", i):
            end = source.find(">", i)
            if end == -1:
                raise TelegramHTMLError(f"Unclosed end tag {where(i)}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise TelegramHTMLError(f"Unexpected end tag {where(i)}")
            top = stack.pop()
            if name != top.name:
                raise TelegramHTMLError(
                    f'Unmatched end tag {where(i)}, expected "</{top.name}>", found "</{name}>"'
                )
            entity = _close_tag(top, offset16, stack)
            if entity is not None:
                entities.append(entity)
            i = end + 1
            continue

        name_match = _TAG_NAME_RE.match(source, i + 1)
        name = name_match.group().lower() if name_match else ""
        if name not in _HTML_ENTITY_TYPES:
            raise TelegramHTMLError(f'Unsupported start tag "{name}" {where(i)}')
        assert name_match is not None
        attrs, i_after = _parse_attributes(source, name_match.end(), name, where(i))
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise TelegramHTMLError(f'Tag "span" must have class "tg-spoiler" {where(i)}')
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise TelegramHTMLError(f'Tag "tg-emoji" must have attribute "emoji-id" {where(i)}')
        if name == "blockquote" and any(tag.name == "blockquote" for tag in stack):
            raise TelegramHTMLError(f"Nested blockquotes are not allowed {where(i)}")
        stack.append(_OpenTag(name, attrs, offset16))
        i = i_after

    if stack:
        raise TelegramHTMLError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _decode_html_entity(body: str, where: str) -> str:
    if body.startswith("#"):
        code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise TelegramHTMLError(f"Invalid numeric HTML entity {where}")
        return chr(code)
    if body not in _NAMED_HTML_ENTITIES:
        raise TelegramHTMLError(
            f'Unsupported HTML entity "&{body};" {where}; only &lt; &gt; &amp; &quot; and numeric ones'
        )
    return _NAMED_HTML_ENTITIES[body]


def _parse_attributes(source: str, j: int, tag: str, where: str) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while j < n and source[j].isspace():
            j += 1
        if j >= n:
            raise TelegramHTMLError(f"Unclosed start tag {where}")
        if source[j] == ">":
            return attrs, j + 1
        attr_match = _ATTR_NAME_RE.match(source, j)
        if attr_match is None:
            raise TelegramHTMLError(f'Empty attribute name in the tag "{tag}" {where}')
        attr = attr_match.group().lower()
        j = attr_match.end()
        while j < n and source[j].isspace():
            j += 1
        if j >= n or source[j] != "=":
            attrs[attr] = ""  # a bare flag such as <blockquote expandable>
            continue
        j += 1
        while j < n and source[j].isspace():
            j += 1
        if j < n and source[j] in "\"'":
            close = source.find(source[j], j + 1)
            if close == -1:
                raise TelegramHTMLError(f"Unclosed start tag {where}")
            raw, j = source[j + 1 : close], close + 1
        else:
            start = j
            while j < n and not source[j].isspace() and source[j] != ">":
                j += 1
            raw = source[start:j]
        attrs[attr] = _HTML_ENTITY_RE.sub(
            lambda m: (
                _NAMED_HTML_ENTITIES.get(m.group(1), m.group(0))
                if not m.group(1).startswith("#")
                else _decode_html_entity(m.group(1), where)
            ),
            raw,
        )


def _close_tag(tag: _OpenTag, end16: int, parents: list[_OpenTag]) -> dict[str, Any] | None:
    # <pre><code class="language-x"> is how Telegram spells a pre entity with a language; the
    # inner code tag never becomes an entity of its own.
    if tag.name == "code" and parents and parents[-1].name == "pre":
        css = tag.attrs.get("class", "")
        if css.startswith("language-"):
            parents[-1].language = css.removeprefix("language-")
        return None
    length = end16 - tag.start
    if length == 0:
        return None  # Telegram drops empty entities
    entity: dict[str, Any] = {"type": _HTML_ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    return entity


# --------------------------------------------------------------------------------------------
# Request parsing
# --------------------------------------------------------------------------------------------


def _decode_form_value(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channel", or a plain string field we do not know about


def _parse_params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    params: dict[str, Any] = {
        name: _decode_form_value(name, value)
        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True)
    }
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not body:
        return params
    if media_type == "application/json":
        decoded = json.loads(body)
        if not isinstance(decoded, dict):
            raise ValueError("JSON body must be an object")
        for name, value in decoded.items():
            if name in _JSON_FIELDS and isinstance(value, str):
                value = _decode_form_value(name, value)
            params[name] = value
    elif media_type == "multipart/form-data":
        header = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
        if not message.is_multipart():
            raise ValueError("malformed multipart body")
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                params[name] = Upload(filename, part.get_content_type(), data)
            else:
                charset = part.get_content_charset() or "utf-8"
                params[name] = _decode_form_value(name, data.decode(charset))
    else:
        # Telegram treats an unlabelled body as a form, and so do we.
        for name, value in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True):
            params[name] = _decode_form_value(name, value)
    return params


def _method_key(method: str) -> str:
    # Telegram matches method names case-insensitively; ignoring "_" also lets tests say
    # "send_message", which is how PTB names the Python method.
    return method.replace("_", "").lower()


# --------------------------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for a handler stuck in a long poll

    def __init__(self, fake: FakeBotAPI) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    # Keep-alive like the real API: httpx pools connections, and HTTP/1.0 would hide bugs
    # where a request body is not fully read.
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs add ~40 ms
    # to every call, which makes retry/timing assertions noisy.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the client may already be gone
            super().finish()

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, payload = self.server.fake._dispatch(self.path, self.headers.get("Content-Type", ""), body)
        if status == DROP:  # as a crashed proxy or a reset connection: no status line at all
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            # The client gave up (timeout, or PTB cancelling its long poll on stop).
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # pytest output is for failures, not an access log


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeBotAPI:
    """A Bot API server on 127.0.0.1 with the state and checks the bot's tests depend on."""

    def __init__(self, token: str = DEFAULT_TOKEN, username: str = BOT_USERNAME) -> None:
        self.token = token
        self.username = username
        bot_id = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": "GOV.UK Answers",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        # One re-entrant lock guards all state; the condition wakes long polls and waiters.
        self._cond = threading.Condition(threading.RLock())
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._last_update_id = 100_000_000
        self._delivered_upto = 0
        self._poll_generation = 0
        self._in_flight = 0
        self._last_activity = time.monotonic()

        self._chats: dict[int, dict[str, Any]] = {}
        self._messages: dict[int, dict[int, dict[str, Any]]] = {}
        self._next_message_id: dict[int, int] = {}
        self._open_queries: set[str] = set()
        self._query_ids = itertools.count(7_000_000_001)
        self._blocked: dict[int, str] = {}
        # (chat, user) -> the user's status in a group ("creator", "administrator", "member", ...);
        # getChatMember answers "member" for anyone not set.
        self._members: dict[tuple[int, int], str] = {}

        self._faults: dict[str, list[_Fault]] = {}
        self._revoked = False
        self._delays: dict[str, list[_Delay]] = {}
        self._stubs: dict[str, Callable[[dict[str, Any]], Any]] = {}

        self.webhook: dict[str, Any] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.description = ""
        self.short_description = ""

        implemented: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": self._get_me,
            "logOut": lambda params: True,
            "close": lambda params: True,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._set_my_description,
            "getMyDescription": lambda params: {"description": self.description},
            "setMyShortDescription": self._set_my_short_description,
            "getMyShortDescription": lambda params: {"short_description": self.short_description},
            "sendChatAction": self._send_chat_action,
            "getChatMember": self._get_chat_member,
        }
        self._methods = {_method_key(name): handler for name, handler in implemented.items()}
        # Calls are recorded under the official spelling whatever case the client used.
        self._canonical = {_method_key(name): name for name in implemented}

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> FakeBotAPI:
        if self._server is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeBotAPI:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()  # release long polls and waiters now, not at their timeout
        server.shutdown()
        server.server_close()
        # Handler threads may be parked on keep-alive connections; closing the sockets makes
        # the client see a dead server instead of one that still answers after stop().
        with server.connections_lock:
            connections = list(server.connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=2)
        self._server = self._thread = None

    def __enter__(self) -> FakeBotAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeBotAPI is not running")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """What to pass to ApplicationBuilder.base_url(); PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ---------------------------------------------------------------- recorded calls

    @property
    def calls(self) -> list[Call]:
        with self._cond:
            return list(self._calls)

    def calls_of(self, method: str) -> list[Call]:
        key = _method_key(method)
        return [call for call in self.calls if _method_key(call.method) == key]

    def sent_messages(self, include_failed: bool = False) -> list[dict[str, Any]]:
        """Params of sendMessage calls; by default only those the fake accepted."""
        return [call.params for call in self.calls_of("sendMessage") if include_failed or call.ok]

    def clear(self) -> None:
        """Forget recorded calls (chats, messages and queued updates are kept)."""
        with self._cond:
            self._calls.clear()

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> list[Call]:
        """Block until `count` matching calls were answered; return all matching calls.

        Blocks the calling thread: from a test that runs the bot on its own event loop use
        `await wait_for_async(...)`.
        """
        key = _method_key(method)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [
                    call
                    for call in self._calls
                    if _method_key(call.method) == key and (predicate is None or predicate(call))
                ]
                remaining = deadline - time.monotonic()
                if len(matching) >= count or remaining <= 0 or self._stopping.is_set():
                    break
                self._cond.wait(remaining)
        if len(matching) < count:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {count} {method} call(s)"
                f"{' matching the predicate' if predicate else ''}; got {len(matching)}.\n"
                + self._describe_calls()
                + self._blocking_hint()
            )
        return matching

    async def wait_for_async(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,
        count: int = 1,
    ) -> list[Call]:
        return await asyncio.to_thread(self.wait_for, method, predicate, timeout, count)

    def wait_idle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Block until every queued update was fetched and no call (other than getUpdates)
        arrived or was in progress for `quiet` seconds. Use it to prove something did NOT
        happen, e.g. no reply to a sticker."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                undelivered = any(u["update_id"] > self._delivered_upto for u in self._updates)
                quiet_for = now - self._last_activity
                if not undelivered and self._in_flight == 0 and quiet_for >= quiet:
                    return
                if now >= deadline or self._stopping.is_set():
                    break
                self._cond.wait(min(deadline - now, max(quiet - quiet_for, 0.01)))
        raise AssertionError(
            f"the bot did not go quiet for {quiet}s within {timeout}s "
            f"(undelivered updates: {undelivered}, requests in progress: {self._in_flight}).\n"
            + self._describe_calls()
            + self._blocking_hint()
        )

    async def wait_idle_async(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        await asyncio.to_thread(self.wait_idle, quiet, timeout)

    def _describe_calls(self, limit: int = 30) -> str:
        calls = self.calls
        polls = sum(1 for call in calls if call.method == "getUpdates")
        others = [call for call in calls if call.method != "getUpdates"]
        if not others:
            return f"No calls recorded besides {polls} getUpdates."
        lines = [f"Recorded calls ({polls} getUpdates omitted, last {min(limit, len(others))} shown):"]
        origin = calls[0].time
        for call in others[-limit:]:
            params = json.dumps(call.params, default=repr, ensure_ascii=False)
            if len(params) > 300:
                params = params[:297] + "..."
            error = "" if call.ok else f" {call.response.get('description')!r}"
            lines.append(f"  +{call.time - origin:6.3f}s {call.method} -> {call.status}{error} {params}")
        return "\n".join(lines)

    @staticmethod
    def _blocking_hint() -> str:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return ""
        return (
            "\nNote: this blocking helper ran on an event loop thread, which freezes a bot running"
            " on the same loop; use the *_async variant."
        )

    # ---------------------------------------------------------------- fault injection

    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` (about `chat_id`, if given) with an error
        instead of handling them."""
        if status == 429 and retry_after is None:
            retry_after = 1  # Telegram always says how long to back off
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                try:
                    description = HTTPStatus(status).phrase
                except ValueError:
                    description = "Error"
        with self._cond:
            self._faults.setdefault(_method_key(method), []).append(
                _Fault(status, description, retry_after, times, chat_id)
            )

    def drop_next(self, method: str, times: int = 1, chat_id: int | None = None) -> None:
        """Close the connection of the next `times` calls of `method` without answering (what a
        client sees when a proxy or the network fails): recorded with status DROP."""
        with self._cond:
            self._faults.setdefault(_method_key(method), []).append(
                _Fault(DROP, "connection closed", None, times, chat_id)
            )

    def revoke_token(self) -> None:
        """From now on every call answers 401 Unauthorized, as after /revoke in @BotFather."""
        with self._cond:
            self._revoked = True

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Sleep before answering the next `times` calls of `method` (to trigger client timeouts)."""
        with self._cond:
            self._delays.setdefault(_method_key(method), []).append(_Delay(seconds, times))

    def block_chat(self, chat_id: int, description: str | None = None) -> None:
        """Make sends to `chat_id` answer 403, as when a user blocks the bot or kicks it."""
        if description is None:
            description = (
                "Forbidden: bot was blocked by the user"
                if chat_id > 0
                else "Forbidden: bot was kicked from the group chat"
            )
        with self._cond:
            self._blocked[chat_id] = description

    def set_member(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember says `user_id` is in `chat_id`: "creator", "administrator", "member",
        "restricted", "left" or "kicked"."""
        if status not in _MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status {status!r}")
        with self._cond:
            self._members[(chat_id, user_id)] = status

    def unblock_chat(self, chat_id: int) -> None:
        with self._cond:
            self._blocked.pop(chat_id, None)

    def stub(self, method: str, result: Any) -> None:
        """Answer `method` with `result` (or `result(params)` if callable); for methods the fake
        does not implement, such as sendDocument. Raise ApiError from the callable to fail."""
        handler = result if callable(result) else (lambda params: copy.deepcopy(result))
        with self._cond:
            self._stubs[_method_key(method)] = handler
            self._canonical.setdefault(_method_key(method), method)

    # ---------------------------------------------------------------- updates

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; assigns update_id unless one is given."""
        update = copy.deepcopy(update)
        with self._cond:
            self._assign_update_id(update)
            self._register_update(update)
            self._updates.append(update)
            self._updates.sort(key=lambda u: u["update_id"])
            self._cond.notify_all()
        return copy.deepcopy(update)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Queued updates not yet confirmed by a getUpdates offset."""
        with self._cond:
            return copy.deepcopy(self._updates)

    def message(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_type: str = "private",
        entities: list[dict[str, Any]] | None = None,
        reply_to_message: dict[str, Any] | None = None,
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        """A text message from a user; a leading /command gets its bot_command entity, because
        CommandHandler looks at entities rather than at the text."""
        msg = self._user_message(chat_id, user_id, chat_type)
        msg["text"] = text
        if entities is None:
            entities = _command_entities(text)
        if entities:
            msg["entities"] = entities
        if reply_to_message is not None:
            msg["reply_to_message"] = _without_reply(reply_to_message)
        return self._finish_update({"message": msg}, push)

    def command(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_type: str = "private",
        entities: list[dict[str, Any]] | None = None,
        reply_to_message: dict[str, Any] | None = None,
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        """Like message(); the leading "/" is optional: command("start payload")."""
        if not text.startswith("/"):
            text = "/" + text
        return self.message(text, chat_id, user_id, chat_type, entities, reply_to_message, push=push)

    def callback(
        self,
        data: str,
        message: dict[str, Any] | None = None,
        user_id: int = DEFAULT_USER_ID,
        chat_id: int | None = None,
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        """A press on an inline button of `message` (a Message the bot sent, e.g.
        `call.result` of a sendMessage). Defaults to the bot's latest message in the chat.
        The current (possibly edited) version of the message is sent, as Telegram does."""
        with self._cond:
            if message is None:
                target_chat = chat_id if chat_id is not None else user_id
                sent_by_bot = [
                    m
                    for m in self._messages.get(target_chat, {}).values()
                    if m.get("from", {}).get("id") == self.bot_user["id"]
                ]
                if not sent_by_bot:
                    raise ValueError(f"the bot has not sent a message to chat {target_chat}")
                message = sent_by_bot[-1]
            stored = self._messages.get(message["chat"]["id"], {}).get(message["message_id"])
            query = {
                "id": str(next(self._query_ids)),
                "from": self._user(user_id),
                "message": copy.deepcopy(stored or message),
                "chat_instance": str(abs(message["chat"]["id"]) * 7 + 1),
                "data": data,
            }
        return self._finish_update({"callback_query": query}, push)

    def inline_query(
        self,
        query: str,
        user_id: int = DEFAULT_USER_ID,
        offset: str = "",
        *,
        chat_type: str = "sender",
        push: bool = True,
    ) -> dict[str, Any]:
        with self._cond:
            inline = {
                "id": str(next(self._query_ids)),
                "from": self._user(user_id),
                "query": query,
                "offset": offset,
                "chat_type": chat_type,
            }
        return self._finish_update({"inline_query": inline}, push)

    def chosen_inline_result(
        self,
        result_id: str,
        query: str = "",
        user_id: int = DEFAULT_USER_ID,
        inline_message_id: str | None = None,
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        chosen: dict[str, Any] = {"result_id": result_id, "from": self._user(user_id), "query": query}
        if inline_message_id is not None:
            chosen["inline_message_id"] = inline_message_id
        return self._finish_update({"chosen_inline_result": chosen}, push)

    def sticker(
        self,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        emoji: str = "👍",
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        msg = self._user_message(chat_id, user_id, _chat_type_for(chat_id))
        msg["sticker"] = {
            "file_id": "CAACAgIAAxkBAAEBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._finish_update({"message": msg}, push)

    def photo(
        self,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        caption: str | None = None,
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        msg = self._user_message(chat_id, user_id, _chat_type_for(chat_id))
        msg["photo"] = [
            {"file_id": "AgACAgQAAxkBphoto-s", "file_unique_id": "AQADs", "width": 90, "height": 67},
            {"file_id": "AgACAgQAAxkBphoto-m", "file_unique_id": "AQADm", "width": 800, "height": 600},
        ]
        if caption is not None:
            msg["caption"] = caption
        return self._finish_update({"message": msg}, push)

    def poll_without_option_ids(
        self, chat_id: int | None = None, user_id: int = DEFAULT_USER_ID, *, push: bool = True
    ) -> dict[str, Any]:
        """A message with a poll whose options lack `persistent_id`, as a Bot API server older than
        9.6 sends it: python-telegram-bot 22.8 cannot read the update at all."""
        msg = self._user_message(chat_id, user_id, _chat_type_for(chat_id))
        msg["poll"] = {
            "id": "5060000000000000001",
            "question": "Which announcement next?",
            "options": [
                {"text": "Flood defences", "voter_count": 0},
                {"text": "Bus fares", "voter_count": 0},
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
        }
        return self._finish_update({"message": msg}, push)

    def edited_message(
        self,
        text: str,
        chat_id: int | None = None,
        user_id: int = DEFAULT_USER_ID,
        message_id: int | None = None,
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        """An edit of the user's latest message in the chat (or of `message_id`)."""
        chat = chat_id if chat_id is not None else user_id
        with self._cond:
            if message_id is None:
                own = [
                    m for m in self._messages.get(chat, {}).values() if m.get("from", {}).get("id") == user_id
                ]
                if own:
                    message_id = own[-1]["message_id"]
            original = self._messages.get(chat, {}).get(message_id) if message_id is not None else None
            if original is not None:
                msg = copy.deepcopy(original)
            else:
                msg = self._user_message(chat_id, user_id, "private" if chat > 0 else "supergroup")
            msg["text"] = text
            _set_or_drop(msg, "entities", _command_entities(text) or None)
            msg["edit_date"] = int(time.time())
            self._store_message(msg)
        return self._finish_update({"edited_message": msg}, push)

    def my_chat_member_blocked(self, chat_id: int = DEFAULT_USER_ID, *, push: bool = True) -> dict[str, Any]:
        """The user of private chat `chat_id` blocked the bot; later sends to it answer 403."""
        with self._cond:
            update = {
                "my_chat_member": {
                    "chat": self._chat(chat_id, "private", chat_id),
                    "from": self._user(chat_id),
                    "date": int(time.time()),
                    "old_chat_member": {"user": self._bot_as_sender(), "status": "member"},
                    "new_chat_member": {"user": self._bot_as_sender(), "status": "kicked", "until_date": 0},
                }
            }
        self.block_chat(chat_id)
        return self._finish_update(update, push)

    # ---------------------------------------------------------------- webhooks

    def post_update(self, url: str, update: dict[str, Any], secret_token: str | None = None) -> int:
        """POST `update` to the bot's webhook like Telegram does and return the HTTP status.

        Blocking: when the webhook server runs on the test's event loop use post_update_async.
        """
        update = copy.deepcopy(update)
        with self._cond:
            self._assign_update_id(update)
            self._register_update(update)
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        body = json.dumps(update).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        # An explicit empty ProxyHandler: a corporate HTTP_PROXY must not see loopback traffic.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    async def post_update_async(
        self, url: str, update: dict[str, Any], secret_token: str | None = None
    ) -> int:
        return await asyncio.to_thread(self.post_update, url, update, secret_token)

    @staticmethod
    def post_raw(
        url: str,
        body: bytes,
        secret_token: str | None = None,
        content_type: str = "application/json",
    ) -> tuple[int, bytes]:
        """POST any bytes to a webhook (a forger, a broken proxy): the status and the body answered."""
        headers = {"Content-Type": content_type}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    # ---------------------------------------------------------------- request dispatch

    def _dispatch(self, path: str, content_type: str, body: bytes) -> tuple[int, dict[str, Any]]:
        arrival = time.monotonic()
        split = urllib.parse.urlsplit(path)
        match = _PATH_RE.fullmatch(split.path)
        if match is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, raw_method = match.groups()
        key = _method_key(raw_method)
        method = self._canonical.get(key, raw_method)
        polling = key == "getupdates"

        with self._cond:
            if not polling:
                self._in_flight += 1
                self._last_activity = arrival
            delay = self._take(self._delays, key)
        try:
            try:
                params = _parse_params(content_type, body, split.query)
            except ValueError as exc:
                params = {}
                error: ApiError | None = _bad_request(f"can't parse request body: {exc}")
            else:
                error = None
            if delay is not None:
                self._stopping.wait(delay.seconds)  # interruptible, so stop() stays prompt
            status, payload = self._answer(token, key, params, error)
        finally:
            with self._cond:
                if not polling:
                    self._in_flight -= 1
                    self._last_activity = time.monotonic()
        with self._cond:
            self._calls.append(Call(method, params, arrival, status, payload))
            self._cond.notify_all()
        return status, payload

    def _answer(
        self, token: str, key: str, params: dict[str, Any], error: ApiError | None
    ) -> tuple[int, dict[str, Any]]:
        try:
            if token != self.token or self._revoked:
                raise ApiError(401, "Unauthorized")
            if error is not None:
                raise error
            with self._cond:
                fault = self._take_fault(key, params)
                handler = self._stubs.get(key) or self._methods.get(key)
            if fault is not None and fault.status == DROP:
                return DROP, {}
            if fault is not None:
                extra = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                raise ApiError(fault.status, fault.description, extra)
            if handler is None:
                raise ApiError(400, "Not Found: method not found")
            with self._cond:
                result = handler(params)
            return 200, {"ok": True, "result": result}
        except ApiError as exc:
            return exc.status, exc.payload()

    def _take_fault(self, key: str, params: dict[str, Any]) -> _Fault | None:
        queue = self._faults.get(key) or []
        for fault in queue:
            if fault.applies(params):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.remove(fault)
                return fault
        return None

    @staticmethod
    def _take(table: dict[str, list[Any]], key: str) -> Any:
        queue = table.get(key)
        if not queue:
            return None
        item = queue[0]
        item.remaining -= 1
        if item.remaining <= 0:
            queue.pop(0)
        return item

    # ---------------------------------------------------------------- state helpers (lock held)

    def _assign_update_id(self, update: dict[str, Any]) -> None:
        if "update_id" in update:
            # Keep later automatic ids above a hand-picked one so ordering stays sane.
            self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        else:
            self._last_update_id += 1
            update["update_id"] = self._last_update_id

    def _finish_update(self, update: dict[str, Any], push: bool) -> dict[str, Any]:
        # Register even when not pushed: an update sent via post_update must be just as
        # repliable, and the next builder call must see the message ids it used.
        with self._cond:
            self._register_update(update)
        return self.push_update(update) if push else update

    def _user(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": "Test",
            "last_name": "User",
            "username": f"user{user_id}",
            "language_code": "en",
        }

    def _chat(self, chat_id: int, chat_type: str, user_id: int) -> dict[str, Any]:
        if chat_type == "private":
            chat = {
                "id": chat_id,
                "type": "private",
                "first_name": "Test",
                "last_name": "User",
                "username": f"user{user_id}",
            }
        else:
            chat = {"id": chat_id, "type": chat_type, "title": "Test chat"}
        self._chats[chat_id] = chat
        return dict(chat)

    def _chat_for_send(self, chat_id: Any) -> dict[str, Any]:
        if isinstance(chat_id, str):
            for chat in self._chats.values():
                if chat.get("username") and "@" + chat["username"] == chat_id:
                    return dict(chat)
            raise _bad_request("chat not found")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool) or chat_id == 0:
            raise _bad_request("chat_id is empty" if chat_id in (None, "") else "chat not found")
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        # Sends to chats no update mentioned are allowed (broadcasts, jobs); guess the type the
        # way Telegram ids encode it.
        if chat_id > 0:
            return self._chat(chat_id, "private", chat_id)
        return self._chat(chat_id, "supergroup" if str(chat_id).startswith("-100") else "group", 0)

    def _new_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    def _user_message(self, chat_id: int | None, user_id: int, chat_type: str) -> dict[str, Any]:
        with self._cond:
            if chat_id is None:
                chat_id = {"private": user_id, "group": DEFAULT_BASIC_GROUP_ID}.get(
                    chat_type, DEFAULT_GROUP_ID
                )
            msg = {
                "message_id": self._new_message_id(chat_id),
                "from": self._user(user_id),
                "chat": self._chat(chat_id, chat_type, user_id),
                "date": int(time.time()),
            }
            return msg

    def _store_message(self, msg: dict[str, Any]) -> None:
        chat_id = msg["chat"]["id"]
        self._messages.setdefault(chat_id, {})[msg["message_id"]] = copy.deepcopy(msg)
        self._chats.setdefault(chat_id, dict(msg["chat"]))
        self._next_message_id[chat_id] = max(self._next_message_id.get(chat_id, 0), msg["message_id"])

    def _register_update(self, update: dict[str, Any]) -> None:
        # Updates built by hand must be as usable as the builders' ones: the bot may reply to,
        # edit or answer whatever they contain.
        for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
            if isinstance(update.get(kind), dict) and "chat" in update[kind]:
                self._store_message(update[kind])
        for kind in ("callback_query", "inline_query"):
            if isinstance(update.get(kind), dict) and "id" in update[kind]:
                self._open_queries.add(str(update[kind]["id"]))

    def _check_blocked(self, chat_id: int) -> None:
        if chat_id in self._blocked:
            raise ApiError(403, self._blocked[chat_id])

    def _find_message(self, params: dict[str, Any], what: str) -> dict[str, Any]:
        chat = self._chat_for_send(params.get("chat_id"))
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad_request("message identifier is not specified")
        msg = self._messages.get(chat["id"], {}).get(message_id)
        if msg is None:
            raise _bad_request(f"message to {what} not found")
        return msg

    # ---------------------------------------------------------------- validation

    def _render_text(
        self, params: dict[str, Any], empty_error: str, long_error: str
    ) -> tuple[str, list[dict[str, Any]]]:
        text = params.get("text")
        if text is None or text == "":
            raise _bad_request(empty_error)
        if not isinstance(text, str):
            text = str(text)
        parse_mode = params.get("parse_mode")
        entities: list[dict[str, Any]] = list(params.get("entities") or [])
        if parse_mode:
            mode = str(parse_mode).lower()
            if mode not in ("html", "markdown", "markdownv2"):
                raise _bad_request("unsupported parse_mode")
            if mode == "html":
                try:
                    text, entities = parse_telegram_html(text)
                except TelegramHTMLError as exc:
                    raise _bad_request(f"can't parse entities: {exc}") from None
        if not text.strip():
            raise _bad_request(empty_error)
        # Telegram counts Unicode code points here (not UTF-16 units), which is Python's len().
        if len(text) > MAX_MESSAGE_LENGTH:
            raise _bad_request(long_error)
        return text, entities

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        """Validate reply_markup; return it if it is an inline keyboard (the only kind that
        Telegram echoes back in the Message)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        keyboard = markup.get("inline_keyboard")
        if keyboard is None:
            return None
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise _bad_request("inline keyboard must be an Array of Arrays of InlineKeyboardButton")
        for row in keyboard:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad_request("can't parse inline keyboard button: Text must be non-empty")
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(str(data).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad_request("BUTTON_DATA_INVALID")
                elif "url" in button:
                    if urllib.parse.urlsplit(str(button["url"])).scheme not in ("http", "https", "tg"):
                        raise _bad_request("BUTTON_URL_INVALID")
                elif not set(button) - {"text"}:
                    raise _bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return copy.deepcopy(markup)

    # ---------------------------------------------------------------- Bot API methods (lock held)

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _bot_as_sender(self) -> dict[str, Any]:
        # Message.from carries only the basic User fields; the can_* flags are getMe-only.
        return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad_request("secret token contains unallowed characters")
        if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            # Telegram insists on https; http is allowed here so tests can use a local listener.
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = dict(params) if url else {}
        self._poll_generation += 1  # a live long poll is ended by setWebhook on the real API
        self._cond.notify_all()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if self.webhook.get("allowed_updates"):
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), MAX_LONG_POLL_SECONDS)
        allowed = params.get("allowed_updates") or None

        # A newer getUpdates ends an older one, as on Telegram; PTB relies on this being harmless
        # when it cancels its long poll and sends a final getUpdates on stop.
        self._poll_generation += 1
        generation = self._poll_generation
        self._cond.notify_all()

        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if allowed:
            # Telegram never delivers the excluded kinds, so they must not linger as "pending".
            self._updates = [u for u in self._updates if set(u) - {"update_id"} & set(allowed)]

        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._updates[:limit]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self._stopping.is_set():
                break
            self._cond.wait(remaining)
        if batch:
            self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
            self._last_activity = time.monotonic()
        return copy.deepcopy(batch)

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat_for_send(params.get("chat_id"))
        self._check_blocked(chat["id"])
        text, entities = self._render_text(params, "message text is empty", "message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        msg: dict[str, Any] = {
            "message_id": 0,
            "from": self._bot_as_sender(),
            "chat": chat,
            "date": int(time.time()),
            "text": text,
        }
        if entities:
            msg["entities"] = entities
        if markup is not None:
            msg["reply_markup"] = markup
        reply = params.get("reply_parameters") or {}
        if "reply_to_message_id" in params:  # older spelling some clients still use
            reply = {"message_id": params["reply_to_message_id"]}
        if isinstance(reply, dict) and reply.get("message_id"):
            reply_chat = reply.get("chat_id", chat["id"])
            original = self._messages.get(reply_chat, {}).get(reply["message_id"])
            if original is not None:
                msg["reply_to_message"] = _without_reply(original)
            elif not reply.get("allow_sending_without_reply") and not params.get(
                "allow_sending_without_reply"
            ):
                raise _bad_request("message to be replied not found")
        msg["message_id"] = self._new_message_id(chat["id"])
        self._store_message(msg)
        return copy.deepcopy(msg)

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        text, entities = self._render_text(params, "message text is empty", "message is too long")
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True  # inline messages live outside any chat; Telegram only says "ok"
        msg = self._find_message(params, "edit")
        self._check_blocked(msg["chat"]["id"])
        if msg.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        if "text" not in msg:
            raise _bad_request("there is no text in the message to edit")
        if msg["text"] == text and msg.get("entities", []) == entities and msg.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        msg["text"] = text
        _set_or_drop(msg, "entities", entities or None)
        _set_or_drop(msg, "reply_markup", markup)
        msg["edit_date"] = int(time.time())
        return copy.deepcopy(msg)

    def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        markup = self._check_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        msg = self._find_message(params, "edit")
        if msg.get("from", {}).get("id") != self.bot_user["id"]:
            raise _bad_request("message can't be edited")
        if msg.get("reply_markup") == markup:
            raise _bad_request(_NOT_MODIFIED)
        _set_or_drop(msg, "reply_markup", markup)
        msg["edit_date"] = int(time.time())
        return copy.deepcopy(msg)

    def _delete_message(self, params: dict[str, Any]) -> bool:
        msg = self._find_message(params, "delete")
        del self._messages[msg["chat"]["id"]][msg["message_id"]]
        return True

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise _bad_request(_QUERY_INVALID)
        if len(str(params.get("text") or "")) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)  # a second answer is refused, as on Telegram
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        if query_id not in self._open_queries:
            raise _bad_request(_QUERY_INVALID)
        results = params.get("results")
        if not isinstance(results, list):
            raise _bad_request("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad_request("RESULTS_TOO_MUCH")
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise _bad_request("NEXT_OFFSET_INVALID")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64:
                raise _bad_request("RESULT_ID_INVALID")
            if result_id in seen:
                raise _bad_request("RESULT_ID_DUPLICATE")
            seen.add(result_id)
            self._check_markup(result.get("reply_markup"))
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                self._render_text(
                    {"text": content["message_text"], "parse_mode": content.get("parse_mode")},
                    "MESSAGE_EMPTY",
                    "MESSAGE_TOO_LONG",
                )
        self._open_queries.discard(query_id)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not _COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _set_my_description(self, params: dict[str, Any]) -> bool:
        description = str(params.get("description") or "")
        if len(description) > 512:
            raise _bad_request("BOT_DESCRIPTION_INVALID")
        self.description = description
        return True

    def _set_my_short_description(self, params: dict[str, Any]) -> bool:
        short = str(params.get("short_description") or "")
        if len(short) > 120:
            raise _bad_request("BOT_SHORT_DESCRIPTION_INVALID")
        self.short_description = short
        return True

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        chat = self._chat_for_send(params.get("chat_id"))
        self._check_blocked(chat["id"])
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = params.get("chat_id"), params.get("user_id")
        if not isinstance(chat_id, int) or not isinstance(user_id, int):
            raise _bad_request("chat not found" if not isinstance(chat_id, int) else "user not found")
        self._check_blocked(chat_id)
        status = self._members.get((chat_id, user_id), "member")
        member: dict[str, Any] = {"status": status, "user": self._user(user_id)}
        # The fields the Bot API sends with each status (python-telegram-bot requires them).
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                {
                    "can_be_edited": False,
                    "is_anonymous": False,
                    "can_manage_chat": True,
                    "can_delete_messages": True,
                    "can_manage_video_chats": True,
                    "can_restrict_members": True,
                    "can_promote_members": False,
                    "can_change_info": True,
                    "can_invite_users": True,
                    "can_post_stories": False,
                    "can_edit_stories": False,
                    "can_delete_stories": False,
                }
            )
        elif status == "restricted":
            member.update(
                {
                    "is_member": True,
                    "can_send_messages": True,
                    "can_send_audios": True,
                    "can_send_documents": True,
                    "can_send_photos": True,
                    "can_send_videos": True,
                    "can_send_video_notes": True,
                    "can_send_voice_notes": True,
                    "can_send_polls": True,
                    "can_send_other_messages": True,
                    "can_add_web_page_previews": True,
                    "can_change_info": False,
                    "can_invite_users": False,
                    "can_pin_messages": False,
                    "can_manage_topics": False,
                    "until_date": 0,
                }
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member


_MEMBER_STATUSES = frozenset({"creator", "administrator", "member", "restricted", "left", "kicked"})


def _without_reply(message: dict[str, Any]) -> dict[str, Any]:
    # Telegram nests reply_to_message only one level deep.
    trimmed = copy.deepcopy(message)
    trimmed.pop("reply_to_message", None)
    return trimmed


def _command_entities(text: str) -> list[dict[str, Any]]:
    match = _BOT_COMMAND_RE.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(match.group())}]


def _chat_type_for(chat_id: int | None) -> str:
    return "private" if chat_id is None or chat_id > 0 else "supergroup"


def _set_or_drop(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value


# The explicit name lets a module import this under an alias (to dodge ruff F811 on parameters
# called fake_bot_api) and still get the fixture registered as "fake_bot_api".
@pytest.fixture(name="fake_bot_api")
def fake_bot_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBotAPI]:
    """A running FakeBotAPI; proxies are bypassed for loopback so httpx reaches it directly."""
    existing = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    no_proxy = ",".join(part for part in (existing, "127.0.0.1,localhost") if part)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    monkeypatch.setenv("no_proxy", no_proxy)
    with FakeBotAPI() as fake:
        yield fake
