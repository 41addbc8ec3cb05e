"""Jobs of the running bot: keep the index current, follow GOV.UK every SYNC_INTERVAL seconds, and send
the alerts that syncs queued. Blocking work runs on a worker thread, as for every handler."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import Forbidden, TelegramError

from bot import render
from bot.sync import run_sync_with
from bot.telegram.context import BotApplication, Context, markup
from retrieval import alerts

log = logging.getLogger(__name__)

INDEX_CHECK_SECONDS = 10
FIRST_SYNC_DELAY = 5  # seconds after start-up, so the bot answers before it fetches


def schedule(app: BotApplication) -> None:
    if app.job_queue is None:
        return
    app.job_queue.run_repeating(check_index, interval=INDEX_CHECK_SECONDS, first=INDEX_CHECK_SECONDS)
    settings = app.bot_data.settings
    if settings is not None and settings.sync_interval > 0:
        first = min(FIRST_SYNC_DELAY, settings.sync_interval)
        app.job_queue.run_repeating(sync_job, interval=settings.sync_interval, first=first, name="sync")


async def check_index(context: Context) -> None:
    """Another process may have ingested: catch up on a worker thread, keep answering meanwhile."""
    await asyncio.to_thread(context.commands.library.refresh_soon, min_interval=0)


async def sync_job(context: Context) -> None:
    library = context.commands.library
    try:
        # Fetching, storing and indexing run in a child process, waited for on a thread: questions
        # keep being answered, without pauses, and the new index is mapped in once it is saved.
        result = await asyncio.to_thread(library.in_child_process, run_sync_with, context.settings)
    except Exception:
        log.exception("sync failed")
    else:
        log.info("sync: %s", result.summary())
    # Also when another process synced (busy) or this run stopped early: send what is queued.
    await send_alerts(context)


async def send_alerts(context: Context) -> int:
    """Send the alerts that are due (retrieval/alerts.py decides which); returns how many went."""
    library = context.commands.library
    batch = await asyncio.to_thread(alerts.due, library)
    if not batch.announcement_ids:
        return 0
    blocked: set[int] = set()
    sent = 0
    for alert in batch.alerts:
        if alert.chat_id in blocked:
            continue
        reply = render.alert_reply(alert.words, alert.passage)
        try:
            await context.bot.send_message(alert.chat_id, reply.text, reply_markup=markup(reply))
        except Forbidden:
            blocked.add(alert.chat_id)
            removed = await asyncio.to_thread(library.unsubscribe, alert.chat_id)
            log.info("chat %s blocked the bot: removed its %d subscriptions", alert.chat_id, removed)
            continue
        except TelegramError as exc:
            # It may have arrived all the same: never risk sending an alert twice.
            log.warning("alert to chat %s failed, will not retry: %s", alert.chat_id, exc)
        else:
            sent += 1
        await asyncio.to_thread(alerts.sent, library, alert)
    await asyncio.to_thread(alerts.done, library, batch)
    return sent
