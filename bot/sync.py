"""Following GOV.UK: one sync run that queues alerts for what it brought, and `python -m bot sync`.

The running bot calls run_sync from its job (bot/telegram/jobs.py), which then sends the alerts; a sync
from the command line only queues them, for the bot to send.
"""

from __future__ import annotations

import signal
import sys
import threading
from datetime import datetime

from bot.config import BotSettings
from retrieval import alerts
from retrieval.library import Library
from retrieval.sources.govuk_client import GovukClient
from retrieval.sync import SyncResult, sync
from retrieval.timeutil import as_utc


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
        alerts.queue(library, result.changed_ids)
    return result


def run_sync_with(library: Library, settings: BotSettings) -> SyncResult:
    """run_sync with the Library first, as Library.in_child_process calls its work."""
    return run_sync(settings, library)


def parse_since(text: str) -> datetime:
    """A date or time as given to --since; without a zone it is UTC. ValueError if unreadable."""
    return as_utc(datetime.fromisoformat(text.strip()))


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def sync_command(settings: BotSettings, since_text: str | None, max_items: int | None) -> int:
    """`python -m bot sync [--since DATE] [--max-items N]`; the exit status says whether it succeeded."""
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
