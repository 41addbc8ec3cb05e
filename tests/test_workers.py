"""Several `python -m bot run` workers on one PostgreSQL database act as one bot (issue 12 point 4).

Real processes in webhook mode, each in a folder of its own (so each keeps its own index, as on
separate machines), the fake Bot API and the fake GOV.UK on 127.0.0.1, and a fresh database per test.
Skipped, saying why, when no PostgreSQL server answers at WORKERS_PG_URL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.config import BotSettings
from bot.sync import run_sync
from retrieval import alerts
from retrieval.library import Library
from tests.conftest_retrieval import write_jsonl
from tests.fakebotapi import Call, FakeBotAPI
from tests.fakegovuk import LATER_FIXTURE, FakeGovuk, load_fixtures
from tests.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("WORKERS_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TOKEN = "123456:TEST-TOKEN"
SECRET = "s3cret"
STARTUP = 90.0  # seconds a worker may take to import, migrate, build its index and listen
PLEDGE = "How much did the Home Secretary pledge against live-streamed abuse?"
LATER_TITLE = "Free blood pressure checks for 2.5 million more people at local pharmacies"
SUBSCRIBERS = 120  # four times the rate limit's one-second burst (30): seconds of sending to kill a worker in


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:
        return f"no PostgreSQL server at {PG_URL} ({type(exc).__name__}): several workers need one"
    return None


pytestmark = pytest.mark.skipif((problem := _postgres_problem()) is not None, reason=problem or "")


@pytest.fixture
def database() -> Iterator[str]:
    """A fresh, empty database on the server, dropped afterwards (its workers are gone by then)."""
    name = f"workers_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll until `condition()` is truthy (and return it); fail naming `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.05)


def _get(url: str) -> tuple[int, bytes] | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError):
        return None


@dataclass
class Worker:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    def health(self) -> dict[str, Any] | None:
        answer = _get(f"http://127.0.0.1:{self.port}/healthz")
        if answer is None or answer[0] != 200:
            return None
        body: dict[str, Any] = json.loads(answer[1])
        return body

    def log(self) -> str:
        return (self.folder / "stderr.log").read_text(errors="replace")


def worker_env(database_url: str, fake: FakeBotAPI, port: int, **extra: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update(
        PYTHONPATH=str(ROOT),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=SECRET,
        CHAT_QUESTIONS_PER_MINUTE="0",
        SYNC_INTERVAL="0",
    )
    env.update(extra)
    return env


@contextmanager
def workers(
    tmp_path: Path, database_url: str, fake: FakeBotAPI, n: int = 2, extra: dict[str, str] | None = None
) -> Iterator[list[Worker]]:
    """`n` workers, each in its own folder (HOME and working directory: its own index), ready when
    /healthz answers; stopped by SIGTERM (or found dead) afterwards."""
    started: list[Worker] = []
    try:
        for i in range(n):
            name = "AB"[i] if n <= 2 else str(i)
            folder = tmp_path / f"worker-{name}"
            folder.mkdir()
            port = free_port()
            env = worker_env(database_url, fake, port, HOME=str(folder), **(extra or {}))
            with open(folder / "stdout.log", "wb") as out, open(folder / "stderr.log", "wb") as err:
                process = subprocess.Popen(
                    [sys.executable, "-m", "bot", "-v", "run"],
                    cwd=folder,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=err,
                )
            started.append(Worker(name, process, port, folder))
        for worker in started:
            wait_until(_serving(worker), STARTUP, f"worker {worker.name} to serve")
        yield started
    finally:
        for worker in started:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in started:
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


def _serving(worker: Worker) -> Callable[[], dict[str, Any] | bool | None]:
    return lambda: worker.health() or _died(worker)


def _died(worker: Worker) -> bool:
    if worker.process.poll() is not None:
        pytest.fail(f"worker {worker.name} exited with {worker.process.returncode}:\n{worker.log()}")
    return False


def prepared(database_url: str, tmp_path: Path, **overrides: Any) -> Library:
    """The seed corpus in the database, as the operator's first `python -m bot migrate`/ingest would."""
    settings = BotSettings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        index_dir=tmp_path / "setup.index",
        **overrides,
    )
    library = Library(settings)
    library.prepare()
    return library


def post(fake: FakeBotAPI, worker: Worker, update: dict[str, Any]) -> None:
    assert fake.post_update(worker.url, update, SECRET) == 200


def sent_to(fake: FakeBotAPI, chat_id: int) -> list[Call]:
    return [c for c in fake.calls_of("sendMessage") if c.ok and c.params.get("chat_id") == chat_id]


def reply_in(fake: FakeBotAPI, chat_id: int, before: int) -> Call | None:
    calls = sent_to(fake, chat_id)
    return calls[before] if len(calls) > before else None


def buttons_of(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


def alerted(fake: FakeBotAPI) -> Counter[int]:
    """How many alerts each chat received (each alert names the announcement)."""
    return Counter(
        int(c.params["chat_id"])
        for c in fake.calls_of("sendMessage")
        if c.ok and LATER_TITLE in str(c.params.get("text", ""))
    )


# ------------------------------------------------------------------ one bot behind two ports


def test_two_workers_answer_on_two_ports_and_a_button_made_on_one_works_on_the_other(
    fake_bot_api: FakeBotAPI, tmp_path: Path, database: str
) -> None:
    prepared(database, tmp_path).close()
    fake = fake_bot_api
    with workers(tmp_path, database, fake) as (a, b):
        # Nobody registered the webhook: several workers leave that to `set-webhook`.
        assert fake.calls_of("setWebhook") == []

        post(fake, a, fake.message(PLEDGE, chat_id=501, user_id=501, push=False))
        post(fake, b, fake.message(PLEDGE, chat_id=502, user_id=502, push=False))
        on_a = wait_until(lambda: reply_in(fake, 501, 0), 30, "worker A's answer")
        on_b = wait_until(lambda: reply_in(fake, 502, 0), 30, "worker B's answer")
        assert "£300,000" in on_a.params["text"] and "£300,000" in on_b.params["text"]

        # A list with pages, made on A; its Next button pressed on B.
        post(fake, a, fake.command("/latest 2", chat_id=503, user_id=503, push=False))
        page1 = wait_until(lambda: reply_in(fake, 503, 0), 30, "the first page of /latest")
        next_data = next(data for label, data in buttons_of(page1).items() if label.startswith("Next"))
        post(fake, b, fake.callback(next_data, message=page1.result, user_id=503, push=False))

        def page2() -> Call | None:
            edits = [c for c in fake.calls_of("editMessageText") if c.ok and c.params.get("chat_id") == 503]
            return edits[0] if edits else None

        turned = wait_until(page2, 30, "worker B to turn the page")
        notices = [str(c.params.get("text", "")) for c in fake.calls_of("answerCallbackQuery")]
        assert not [n for n in notices if "expired" in n]
        assert turned.params["text"] != page1.params["text"]

        health = [a.health(), b.health()]
        assert health[0] is not None and health[1] is not None
        assert health[0]["corpus_version"] == health[1]["corpus_version"] > 0
        assert health[0]["index_chunks"] == health[1]["index_chunks"] > 0
        assert "last_sync" in health[0]

    # The operator registers the URL once, for all of them.
    done = subprocess.run(
        [sys.executable, "-m", "bot", "set-webhook"],
        cwd=tmp_path,
        env=worker_env(database, fake, 8443, HOME=str(tmp_path), WEBHOOK_URL="https://bot.example/telegram"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [registered] = fake.calls_of("setWebhook")
    assert registered.params["url"] == "https://bot.example/telegram"
    assert registered.params["secret_token"] == SECRET
    assert registered.params["allowed_updates"] == ["message", "callback_query", "inline_query"]

    undone = subprocess.run(
        [sys.executable, "-m", "bot", "delete-webhook"],
        cwd=tmp_path,
        env=worker_env(database, fake, 8443, HOME=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert undone.returncode == 0, undone.stderr
    assert [c.method for c in fake.calls if "Webhook" in c.method] == ["setWebhook", "deleteWebhook"]


def test_a_question_on_one_worker_right_after_an_ingest_through_another_is_answered(
    fake_bot_api: FakeBotAPI, tmp_path: Path, database: str
) -> None:
    prepared(database, tmp_path).close()
    fake = fake_bot_api
    item = {
        "title": "Lighthouse keepers' heritage fund opens",
        "url": "https://www.gov.uk/government/news/lighthouse-keepers-heritage-fund",
        "published": "2026-11-20T09:00:00Z",
        "organisation": "Department for Culture, Media and Sport",
        "body": "A fund of £4.2 million will restore the cottages of former lighthouse keepers on the "
        "Northumberland coast, the Culture Secretary announced today.",
    }
    with workers(tmp_path, database, fake) as (a, b):
        version = b.health()
        assert version is not None
        # `python -m bot ingest` run beside worker A: its index folder, the shared database.
        ingest = subprocess.run(
            [sys.executable, "-m", "bot", "ingest", str(write_jsonl(tmp_path / "new.jsonl", [item]))],
            cwd=a.folder,
            env=worker_env(database, fake, a.port, HOME=str(a.folder)),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ingest.returncode == 0, ingest.stderr

        question = "How much will the lighthouse keepers heritage fund restore cottages with?"
        post(fake, b, fake.message(question, chat_id=601, user_id=601, push=False))
        answer = wait_until(lambda: reply_in(fake, 601, 0), 30, "worker B's answer")
        after = b.health()

    assert "£4.2 million" in answer.params["text"]
    assert not answer.params["text"].startswith("I found nothing")
    assert after is not None and after["corpus_version"] > version["corpus_version"]


# ------------------------------------------------------------------ alerts: one runner, claims


def alert_setup(database: str, tmp_path: Path, govuk: FakeGovuk) -> None:
    """The four first GOV.UK items already stored (a backfill: no alerts), SUBSCRIBERS chats following
    "blood pressure checks", and the announcement they follow published on GOV.UK."""
    library = prepared(database, tmp_path, govuk_api_base_url=govuk.base_url)
    try:
        settings = library.settings
        assert isinstance(settings, BotSettings)
        backfill = run_sync(settings, library, since=datetime(2026, 10, 1, tzinfo=UTC))
        assert backfill.added == 4
        for chat_id in range(1001, 1001 + SUBSCRIBERS):
            alerts.subscribe(library, chat_id, "blood pressure checks")
    finally:
        library.close()
    govuk.add_item(load_fixtures(LATER_FIXTURE)[0])


def queue_empty(database: str) -> bool:
    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(text("SELECT count(*) FROM alerts_queued")) == 0)
    finally:
        engine.dispose()


def test_many_subscribers_and_two_workers_each_chat_alerted_once(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, tmp_path: Path, database: str
) -> None:
    alert_setup(database, tmp_path, fake_govuk)
    fake = fake_bot_api
    env = {"SYNC_INTERVAL": "1", "GOVUK_API_BASE_URL": fake_govuk.base_url}
    with workers(tmp_path, database, fake, extra=env) as (a, b):
        wait_until(lambda: len(alerted(fake)) == SUBSCRIBERS, 120, "every subscriber's alert")
        wait_until(lambda: queue_empty(database), 30, "the alert queue to empty")
        # Both kept syncing on their interval meanwhile: a later sync must not alert again. On a
        # shared two-core machine under load three syncs once took over 30 s: this deadline, like
        # the alerts' own, bounds a hang, it does not measure speed.
        runs = len(fake_govuk.requests)
        wait_until(lambda: len(fake_govuk.requests) > runs + 2, 120, "more syncs")
        runners = [w.name for w in (a, b) if (w.health() or {}).get("runner")]

    counts = alerted(fake)
    assert sorted(counts) == list(range(1001, 1001 + SUBSCRIBERS))
    assert set(counts.values()) == {1}
    assert len(runners) == 1, runners


def test_a_worker_killed_mid_alert_leaves_the_rest_to_the_other_sent_once(
    fake_bot_api: FakeBotAPI, fake_govuk: FakeGovuk, tmp_path: Path, database: str
) -> None:
    alert_setup(database, tmp_path, fake_govuk)
    fake = fake_bot_api
    env = {"SYNC_INTERVAL": "1", "GOVUK_API_BASE_URL": fake_govuk.base_url, "ALERT_CLAIM_SECONDS": "3"}
    with workers(tmp_path, database, fake, extra=env) as pair:
        wait_until(lambda: len(alerted(fake)) >= 50, 120, "the first 50 alerts")
        [runner] = [w for w in pair if (w.health() or {}).get("runner")]
        runner.process.send_signal(signal.SIGKILL)
        runner.process.wait()
        sent_before_kill = len(alerted(fake))
        assert sent_before_kill < SUBSCRIBERS  # killed mid-batch, as meant
        [survivor] = [w for w in pair if w is not runner]
        wait_until(lambda: len(alerted(fake)) == SUBSCRIBERS, 120, "the survivor to send the rest")
        wait_until(lambda: queue_empty(database), 30, "the alert queue to empty")
        assert (survivor.health() or {}).get("runner") is True

    counts = alerted(fake)
    assert sorted(counts) == list(range(1001, 1001 + SUBSCRIBERS))
    # The one alert in flight when the worker died may have reached Telegram before its claim
    # expired and it was sent again; every other chat hears exactly once.
    twice = [chat for chat, n in counts.items() if n > 1]
    assert len(twice) <= 1 and all(counts[c] == 2 for c in twice), twice
