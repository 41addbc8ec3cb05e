"""Jobs of the running bot: keep the index current, follow GOV.UK every SYNC_INTERVAL seconds, and send
the alerts that syncs queued. Blocking work runs on a worker thread, as for every handler."""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import replace
from datetime import UTC, datetime
from typing import cast

from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot import render
from bot.sync import run_sync_with
from bot.telegram.context import BotApplication, Context, sending_to
from bot.telegram.delivery import html_or_plain
from bot.telegram.ratelimit import SendAbandoned
from retrieval import alerts
from retrieval.store.database import RunnerLock

log = logging.getLogger(__name__)

INDEX_CHECK_SECONDS = 10
FIRST_SYNC_DELAY = 5  # seconds after start-up, so the bot answers before it fetches
MAX_ALERT_TRIES = 5  # runs in which one alert may fail for a passing reason before it is given up
# The runner lock of each running Application (one in a worker; tests run several in one process).
_runners: weakref.WeakKeyDictionary[BotApplication, RunnerLock] = weakref.WeakKeyDictionary()
HOUSEKEEPING_SECONDS = 3600  # expired button keys and old questions are deleted this often


def schedule(app: BotApplication) -> None:
    if app.job_queue is None:
        return
    app.job_queue.run_repeating(check_index, interval=INDEX_CHECK_SECONDS, first=INDEX_CHECK_SECONDS)
    app.job_queue.run_repeating(housekeeping, interval=HOUSEKEEPING_SECONDS, first=60, name="housekeeping")
    settings = app.bot_data.settings
    if settings is not None and settings.sync_interval > 0 and app.bot_data.commands is not None:
        # Of several workers on one database, only the lock's holder syncs and sends alerts; the
        # others try for it at each interval, so one takes over when the runner stops or dies.
        runner = _runners[app] = RunnerLock(app.bot_data.commands.library.store.engine)
        first = min(FIRST_SYNC_DELAY, settings.sync_interval)
        app.job_queue.run_repeating(
            sync_job, interval=settings.sync_interval, first=first, name="sync", data=runner
        )


def is_runner(app: BotApplication) -> bool:
    """Whether this worker holds the runner lock now (for /healthz); False when it never syncs."""
    runner = _runners.get(app)
    return runner is not None and runner.held


def release_runner(app: BotApplication) -> None:
    """On stopping: another worker (or this process's next Application) may take over at once."""
    runner = _runners.pop(app, None)
    if runner is not None:
        runner.release()


async def check_index(context: Context) -> None:
    """Another process may have ingested: catch up on a worker thread, keep answering meanwhile."""
    await asyncio.to_thread(context.commands.library.refresh_soon, min_interval=0)


async def sync_job(context: Context) -> None:
    runner = cast(RunnerLock, context.job.data) if context.job is not None else None
    if runner is not None:
        was = runner.held
        try:
            holds = await asyncio.to_thread(runner.hold)
        except Exception as exc:  # the database is away: nobody can sync now; try at the next interval
            log.warning("runner lock: the store is unreachable (%s)", type(exc).__name__)
            return
        if not holds:
            if was:
                log.warning("lost the runner lock: another worker syncs and sends alerts now")
            return
        if not was:
            log.info("this worker is the runner: it syncs GOV.UK and sends the alerts")
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
    await send_digests(context)


async def housekeeping(context: Context) -> None:
    """Delete what the README's Privacy section says is kept only for a while. Harmless on every
    worker at once: each deletes what has expired, whoever came first."""
    try:
        pruned = await asyncio.to_thread(context.commands.housekeeping)
    except Exception:
        log.exception("housekeeping failed; it runs again within the hour")
        return
    if any(pruned.values()):
        log.info("housekeeping: deleted %s", ", ".join(f"{n} {what}" for what, n in pruned.items() if n))


async def send_digests(context: Context, now: datetime | None = None) -> int:
    """Each chat's matches held for its daily subscriptions, in one message, once a day at DIGEST_HOUR
    (retrieval/alerts.py decides which are due); returns how many digests went. A chat that blocked
    the bot loses its subscriptions; a passing failure keeps the digest for the next run."""
    library = context.commands.library
    hour = context.settings.digest_hour
    due = await asyncio.to_thread(alerts.digests, library, now or datetime.now(UTC), hour)
    sent = 0
    for digest in due:
        reply = render.digest_reply(digest.items, digest.announcements)
        try:
            await html_or_plain(sending_to(context, digest.chat_id, reply), reply.text)
        except Forbidden:
            removed = await asyncio.to_thread(library.unsubscribe, digest.chat_id)
            log.info("chat %s blocked the bot: removed its %d subscriptions", digest.chat_id, removed)
        except InvalidToken:
            raise
        except BadRequest as exc:  # a refusal (a NetworkError to PTB): it would fail again
            log.warning("digest to chat %s refused, dropped: %s", digest.chat_id, exc)
        except (NetworkError, RetryAfter, SendAbandoned) as exc:
            log.warning("digest to chat %s failed (%s): kept for the next run", digest.chat_id, exc)
            continue
        except TelegramError as exc:
            log.warning("digest to chat %s failed, dropped: %s", digest.chat_id, exc)
        else:
            sent += 1
        await asyncio.to_thread(alerts.digest_sent, library, digest)
    return sent


async def send_alerts(context: Context) -> int:
    """Send the alerts that are due (retrieval/alerts.py decides which); returns how many went.

    A send that fails for a passing reason (a 5xx or a lost connection after the rate limiter's retry,
    a timeout, a 429 that outlasted its retries) leaves its announcement queued, so the next run tries
    that chat again; chats that got it are marked and are not sent it twice. A timed-out send may
    have arrived all the same: trying again risks a duplicate, which beats losing the alert. After
    MAX_ALERT_TRIES runs it is given up, so that one failing chat cannot keep an announcement queued
    (and matched again) for ever."""
    library = context.commands.library
    batch = await asyncio.to_thread(alerts.due, library)
    claim_seconds = context.settings.alert_claim_seconds
    if not batch.announcement_ids:
        return 0
    failures = context.bot_data.alert_failures
    blocked: set[int] = set()
    retry: set[int] = set()  # announcements with an alert to try again next run
    sent = 0
    for alert in batch.alerts:
        if alert.chat_id in blocked:
            continue
        key = (alert.chat_id, alert.passage.announcement_id)
        # Claimed in the database before it is sent: a worker that died mid-send holds it only until
        # the claim expires, and no other worker sends it meanwhile.
        if not await asyncio.to_thread(alerts.claim, library, alert, claim_seconds):
            continue
        reply = render.alert_reply(alert)  # with Unsubscribe and Mute-for-a-day buttons
        try:
            await html_or_plain(sending_to(context, alert.chat_id, reply), reply.text)
        except Forbidden:
            blocked.add(alert.chat_id)
            removed = await asyncio.to_thread(library.unsubscribe, alert.chat_id)
            log.info("chat %s blocked the bot: removed its %d subscriptions", alert.chat_id, removed)
            await asyncio.to_thread(alerts.sent, library, alert)
            continue
        except InvalidToken:
            raise  # nothing can be sent any more: the claim expires and the batch stays queued
        except SendAbandoned:
            retry.add(key[1])  # the bot is stopping
            await asyncio.to_thread(alerts.release, library, alert)
            continue
        except BadRequest as exc:  # a NetworkError to PTB, but a refusal: it would fail again
            log.warning("alert to chat %s refused, will not retry: %s", alert.chat_id, exc)
        except (NetworkError, RetryAfter) as exc:
            tries = failures.get(key, 0) + 1
            if tries < MAX_ALERT_TRIES:
                failures[key] = tries
                retry.add(key[1])
                log.warning(
                    "alert to chat %s failed (%s): kept for the next run (%d)", alert.chat_id, exc, tries
                )
                await asyncio.to_thread(alerts.release, library, alert)
                continue
            failures.pop(key, None)
            log.warning("alert to chat %s failed %d times, given up: %s", alert.chat_id, tries, exc)
        except TelegramError as exc:  # another refusal (the chat moved, ...)
            log.warning("alert to chat %s failed, will not retry: %s", alert.chat_id, exc)
        else:
            sent += 1
            failures.pop(key, None)
        await asyncio.to_thread(alerts.sent, library, alert)
    handled = [a for a in batch.announcement_ids if a not in retry]
    await asyncio.to_thread(alerts.done, library, replace(batch, announcement_ids=handled))
    return sent
