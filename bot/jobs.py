"""The sync job: follow GOV.UK every SYNC_INTERVAL seconds, then alert subscribers about what is new."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from datetime import UTC, datetime
from typing import Any

from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot import render, subscriptions
from bot.config import BotSettings
from retrieval.govuk import GovukClient
from retrieval.library import Library
from retrieval.sync import SyncResult, last_sync, sync

log = logging.getLogger(__name__)

FIRST_SYNC_DELAY = 5  # seconds after start-up, so the bot answers before it fetches


def make_client(settings: BotSettings) -> GovukClient:
    return GovukClient(
        base_url=settings.govuk_api_base_url,
        max_per_second=settings.govuk_requests_per_second,
        timeout=settings.govuk_timeout,
        retries=settings.govuk_retries,
        backoff=settings.govuk_backoff,
    )


def run_sync(
    settings: BotSettings,
    library: Library,
    since: datetime | None = None,
    max_items: int | None = None,
) -> SyncResult:
    """One sync run; what it added or changed is queued for the bot's alerts. Not for a backfill
    (`since`): that fills in the archive, and alerts are for news, not for history."""
    with make_client(settings) as client:
        result = sync(library, client, since=since, max_items=max_items, page_size=settings.sync_page_size)
    if since is None:
        subscriptions.queue_alerts(library, result.changed_ids)
    return result


def schedule_sync(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    settings: BotSettings = app.bot_data["settings"]
    if settings.sync_interval > 0 and app.job_queue is not None:
        first = min(FIRST_SYNC_DELAY, settings.sync_interval)
        app.job_queue.run_repeating(sync_job, interval=settings.sync_interval, first=first, name="sync")


def _sync_in(library: Library, settings: BotSettings) -> SyncResult:
    return run_sync(settings, library)


async def sync_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    settings: BotSettings = context.bot_data["settings"]
    library: Library = context.bot_data["library"]
    try:
        # Fetching, storing and indexing run in a child process, waited for on a thread: questions
        # keep being answered, without pauses, and the new index is mapped in once it is saved.
        result = await asyncio.to_thread(library.in_child_process, _sync_in, settings)
    except Exception:
        log.exception("sync failed")
    else:
        log.info("sync: %s", result.summary())
    # Also when another process synced (busy) or this run stopped early: send what is queued.
    await send_alerts(context)


def sync_status(library: Library) -> str:
    state = last_sync(library)
    if state.last_success is None:
        return "GOV.UK sync: not yet succeeded"
    n = state.last_items
    return (
        f"Last GOV.UK sync: {state.last_success.day} {state.last_success:%B %Y %H:%M} UTC, "
        f"{n} new or updated announcement{'' if n == 1 else 's'}"
    )


async def send_alerts(context: ContextTypes.DEFAULT_TYPE) -> int:
    """Alert each subscribed chat about the queued announcements that match; returns how many went."""
    library: Library = context.bot_data["library"]
    queued = await asyncio.to_thread(subscriptions.queued_alerts, library)
    if not queued:
        return 0
    alerts = await asyncio.to_thread(subscriptions.alerts_for, library, queued)
    blocked: set[int] = set()
    sent = 0
    for alert in alerts:
        if alert.chat_id in blocked:
            continue
        reply = render.alert_reply(alert.words, alert.passage)
        try:
            await context.bot.send_message(alert.chat_id, reply.text, reply_markup=_markup(reply))
        except Forbidden:
            blocked.add(alert.chat_id)
            removed = await asyncio.to_thread(subscriptions.unsubscribe, library, alert.chat_id)
            log.info("chat %s blocked the bot: removed its %d subscriptions", alert.chat_id, removed)
            continue
        except TelegramError as exc:
            # It may have arrived all the same: never risk sending an alert twice.
            log.warning("alert to chat %s failed, will not retry: %s", alert.chat_id, exc)
        else:
            sent += 1
        announcement_id = alert.passage.announcement_id
        await asyncio.to_thread(subscriptions.mark_sent, library, alert.chat_id, announcement_id)
    await asyncio.to_thread(subscriptions.dequeue_alerts, library, queued)
    return sent


def _markup(reply: render.Reply) -> Any:
    from bot.handlers import markup

    return markup(reply)


def parse_since(text: str) -> datetime:
    """A date or time as given to --since; without a zone it is UTC. ValueError if unreadable."""
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def sync_command(settings: BotSettings, since_text: str | None, max_items: int | None) -> int:
    since = None
    if since_text:
        try:
            since = parse_since(since_text)
        except ValueError:
            print(f"error: --since wants a date like 2026-10-01, not {since_text!r}", file=sys.stderr)
            return 2
    library = Library(settings)
    # Stopped by a service manager: unwind, so that nothing is half-stored and the lease is released.
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm) if on_main else None
    try:
        library.prepare()
        result = run_sync(settings, library, since=since, max_items=max_items)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        library.close()
    print(f"Synced from {settings.govuk_api_base_url}: {result.summary()}.")
    return 0 if result.ok else 1
