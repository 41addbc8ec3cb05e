"""The webhook: our own small tornado server in front of the Application (python-telegram-bot's
"custom webhook" pattern) instead of run_webhook's, which takes a body of any size and answers 500,
with a traceback, to one that is not JSON.

- The secret is checked first, in constant time: without it, 403 and nothing is read.
- A body over MAX_BODY bytes is refused by the server before it is read (400); Telegram's updates are
  a few kilobytes.
- An empty, non-UTF-8 or non-JSON body, or JSON that is not an object: 400, one log line.
- An update python-telegram-bot cannot read (as from an older Bot API server): logged and answered
  200, since Telegram would otherwise send it again and again and hold back the ones after it.

Start-up refuses a webhook without a secret unless WEBHOOK_INSECURE=1 (bot/config.py). The URL is
registered with Telegram by `python -m bot set-webhook`, once for all workers, or at start when
WEBHOOK_REGISTER=1 (one worker alone).

GET /healthz, for a supervisor or a load balancer: 200 with {corpus_version, last_sync, index_chunks,
runner} while the worker can read its store, 503 when it cannot.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import signal
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import tornado.web
from tornado.httpserver import HTTPServer

from bot.config import BotSettings
from bot.telegram import jobs
from bot.telegram.context import BotApplication
from bot.telegram.transport import TokenWatch, readable

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20  # bytes
BODY_TIMEOUT = 10.0  # seconds to send a body: a client trickling bytes must not hold a connection
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: BotApplication, secret: str | None) -> None:
        self.app = app
        self.secret = secret

    async def post(self) -> None:
        if self.secret is not None:
            given = self.request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                self._answer(HTTPStatus.FORBIDDEN)
                return
        data = _json_object(self.request.body)
        if data is None:
            log.info("webhook: refused a body that is not a JSON object (%d bytes)", len(self.request.body))
            self._answer(HTTPStatus.BAD_REQUEST)
            return
        update = readable(data, self.app.bot)
        if update is not None:
            await self.app.update_queue.put(update)
        self._answer(HTTPStatus.OK)

    def _answer(self, status: HTTPStatus) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(status.phrase)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        try:
            phrase = HTTPStatus(status_code).phrase
        except ValueError:
            phrase = ""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(phrase)

    def log_exception(self, *args: Any) -> None:
        # tornado logs a traceback for any error status, a 405 to a GET included; a scanner's
        # requests are not the operator's problem. A real fault shows in the bot's own logs.
        log.debug("webhook: %s %s", self.request.method, self.request.uri, exc_info=args[1] if args else None)


class _HealthHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, app: BotApplication) -> None:
        self.app = app

    async def get(self) -> None:
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        try:
            body = await asyncio.to_thread(health, self.app)
        except Exception as exc:  # the store is unreachable: the supervisor should know
            log.warning("healthz: %s", exc)
            self.set_status(HTTPStatus.SERVICE_UNAVAILABLE)
            self.finish(json.dumps({"error": type(exc).__name__}))
            return
        self.finish(json.dumps(body))

    def log_exception(self, *args: Any) -> None:
        log.debug("healthz: %s %s", self.request.method, self.request.uri, exc_info=args[1] if args else None)


def health(app: BotApplication) -> dict[str, Any]:
    """What /healthz reports: the store's corpus version and last sync, what this worker's index holds
    (it lags the version only while it catches up), and whether this worker is the runner."""
    commands = app.bot_data.commands
    if commands is None:
        raise RuntimeError("no library")
    library = commands.library
    last = library.last_sync().last_success
    return {
        "corpus_version": library.corpus_version(),
        "last_sync": last.isoformat() if last is not None else None,
        "index_chunks": len(library.index),
        "runner": jobs.is_runner(app),
    }


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def make_server(app: BotApplication, path: str, secret: str | None) -> HTTPServer:
    web = tornado.web.Application(
        [
            (r"/healthz", _HealthHandler, {"app": app}),
            (rf"{re.escape(path.rstrip('/'))}/?", _UpdateHandler, {"app": app, "secret": secret}),
        ],
        log_function=lambda handler: None,  # no access log: the bot logs what it does with updates
    )
    return HTTPServer(web, max_body_size=MAX_BODY, body_timeout=BODY_TIMEOUT)


async def register(app: BotApplication, settings: BotSettings, allowed_updates: Sequence[str]) -> None:
    """Tell Telegram to post updates to WEBHOOK_URL, with the secret and only the updates we answer."""
    if not settings.webhook_url:
        raise ValueError("registering a webhook needs WEBHOOK_URL")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    await app.bot.set_webhook(settings.webhook_url, secret_token=secret, allowed_updates=allowed_updates)


async def run_webhook(
    app: BotApplication, settings: BotSettings, watch: TokenWatch, allowed_updates: Sequence[str]
) -> None:
    """Serve until SIGINT or SIGTERM, or until Telegram refuses the token."""
    if not settings.webhook_url:
        raise ValueError("run_webhook needs WEBHOOK_URL")
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if secret is None:
        log.warning(
            "the webhook has no secret (WEBHOOK_INSECURE=1): it takes updates from anyone who finds it"
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    watch.stop = stop.set
    # Listen where Telegram will post: the path of WEBHOOK_URL (a reverse proxy in front passes it
    # through unchanged); a fixed path would 404 every update for any other URL.
    server = make_server(app, urlsplit(settings.webhook_url).path or "/", secret)
    async with app:  # initialize, and shutdown however this ends
        if app.post_init is not None:
            await app.post_init(app)
        server.listen(settings.webhook_port, address=settings.webhook_listen)
        try:
            if settings.webhook_register:
                await register(app, settings, allowed_updates)
            await app.start()
            try:
                await stop.wait()
            finally:
                await app.stop()
        finally:
            server.stop()
            await server.close_all_connections()
            for sig in signals:
                loop.remove_signal_handler(sig)
