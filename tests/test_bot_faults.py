"""The bot when things go wrong: Telegram throttles, fails or is slow, a handler raises, and the
process runs for real (`python -m bot run`, polling and webhook). The token must never reach a log."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.config import BotSettings
from retrieval.library import Library
from tests.botharness import TOKEN, AnyApplication, running_bot
from tests.clirun import run_main
from tests.conftest_retrieval import store_env
from tests.fakebotapi import Call, FakeBotAPI
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
PLEDGE = "How much did the Home Secretary pledge against live-streamed abuse?"
HONG_KONG = "What did the UK and Canada say about Hong Kong?"
APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."
STARTUP = 60.0  # seconds a subprocess may take to import, ingest the seeds and reach Telegram


# ------------------------------------------------------------------ in-process: the token stays out of logs


@pytest.fixture(autouse=True)
def no_token_in_logs(caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    """Capture every logger at DEBUG, and after the test look for the token anywhere in it."""
    for name in (None, "telegram", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    yield
    formatter = logging.Formatter()
    for when in ("setup", "call"):
        for record in caplog.get_records(when):
            assert TOKEN not in formatter.format(record), f"token in a {record.name} log record"
    out, err = capfd.readouterr()
    assert TOKEN not in out and TOKEN not in err


@asynccontextmanager
async def serving(
    fake: FakeBotAPI,
    settings: BotSettings,
    library: Library,
    caplog: pytest.LogCaptureFixture,
    **options: Any,
) -> AsyncIterator[AnyApplication]:
    async with running_bot(fake, settings, library, **options) as app:
        # build_application quiets httpx (it logs every URL, token included); listen to it anyway.
        caplog.set_level(logging.DEBUG, logger="httpx")
        yield app


def texts(fake: FakeBotAPI) -> list[str]:
    """What the user was shown, in order (only messages Telegram accepted)."""
    return [c.result["text"] for c in fake.calls_of("sendMessage") if c.ok]


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [logging.Formatter().format(r) for r in caplog.get_records("call") if r.levelno >= logging.ERROR]


def says(fragment: str) -> Callable[[Call], bool]:
    return lambda call: call.ok and fragment in call.result["text"]


async def test_http_logs_show_no_token(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(fake_bot_api, bot_settings, library, caplog):
        fake_bot_api.message(PLEDGE)
        await fake_bot_api.wait_for_async("sendMessage")

    # The requests were logged, with their URLs, and the token was taken out of them.
    urls = [r.getMessage() for r in caplog.get_records("call") if r.name == "httpx"]
    assert any("/bot<token>/sendMessage" in url for url in urls), urls[:5]


# PTB's own RetryAfter constructor reads the deprecated int-valued retry_after.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_429_is_retried_and_the_answer_arrives(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake_bot_api.fail_next("sendMessage", 429, retry_after=1)

    async with serving(fake_bot_api, bot_settings, library, caplog):
        fake_bot_api.message(PLEDGE)
        first, second = await fake_bot_api.wait_for_async("sendMessage", count=2, timeout=10)
        await fake_bot_api.wait_idle_async(quiet=0.3)

    assert first.status == 429 and second.ok
    assert second.params == first.params
    [answer] = texts(fake_bot_api)
    assert "£300,000" in answer
    assert errors_logged(caplog) == []


# A 5xx or a connection lost on the way: sent again once, after a short backoff; the user sees only
# the answer.
@pytest.mark.parametrize("fault", ["500", "502", "dropped connection"])
async def test_a_5xx_or_a_lost_connection_is_retried_once_and_the_answer_arrives(
    fake_bot_api: FakeBotAPI,
    bot_settings: BotSettings,
    library: Library,
    caplog: pytest.LogCaptureFixture,
    fault: str,
) -> None:
    if fault == "dropped connection":
        fake_bot_api.drop_next("sendMessage")
    else:
        fake_bot_api.fail_next("sendMessage", int(fault))

    async with serving(fake_bot_api, bot_settings, library, caplog):
        fake_bot_api.message(PLEDGE)
        failed, retried = await fake_bot_api.wait_for_async("sendMessage", count=2, timeout=10)
        await fake_bot_api.wait_idle_async(quiet=0.3)

    assert not failed.ok and retried.ok and retried.params == failed.params
    [answer] = texts(fake_bot_api)
    assert "£300,000" in answer
    assert errors_logged(caplog) == []


async def test_a_5xx_twice_in_a_row_is_logged_and_the_user_gets_an_apology(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    fake_bot_api.fail_next("sendMessage", 500, times=2)

    async with serving(fake_bot_api, bot_settings, library, caplog):
        failed = fake_bot_api.message(PLEDGE)
        await fake_bot_api.wait_for_async("sendMessage", says(APOLOGY), timeout=10)
        fake_bot_api.message(HONG_KONG)
        await fake_bot_api.wait_for_async("sendMessage", says("Hong Kong"))

    assert [c.status for c in fake_bot_api.calls_of("sendMessage")][:3] == [500, 500, 200]
    assert texts(fake_bot_api)[0] == APOLOGY
    [logged] = errors_logged(caplog)
    assert f"update {failed['update_id']} failed" in logged and "Internal Server Error" in logged


async def test_html_telegram_cannot_parse_is_sent_again_as_plain_text(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    refusal = 'Bad Request: can\'t parse entities: Unsupported start tag "blockquote" at byte offset 98'
    fake_bot_api.fail_next("sendMessage", 400, description=refusal)

    async with serving(fake_bot_api, bot_settings, library, caplog):
        fake_bot_api.message(PLEDGE)
        refused, plain = await fake_bot_api.wait_for_async("sendMessage", count=2, timeout=10)
        await fake_bot_api.wait_idle_async(quiet=0.3)

    assert refused.status == 400 and refused.params["parse_mode"] == "HTML"
    assert plain.ok and "parse_mode" not in plain.params
    assert "<" not in plain.params["text"]  # no tags shown as text
    assert "The Home Secretary last week (Tuesday 21 May) pledged a further £300,000" in plain.params["text"]
    assert plain.params.get("reply_markup") == refused.params.get("reply_markup")  # buttons kept
    assert APOLOGY not in texts(fake_bot_api)
    assert errors_logged(caplog) == []


async def test_a_timeout_gives_the_late_answer_and_no_apology(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    # Telegram took longer than the bot waits, and delivered the message all the same.
    fake_bot_api.delay_next("sendMessage", 1.5)

    async with serving(fake_bot_api, bot_settings, library, caplog, read_timeout=0.5):
        slow = fake_bot_api.message(PLEDGE)
        await fake_bot_api.wait_for_async("sendMessage", says("£300,000"))
        fake_bot_api.message(HONG_KONG)
        await fake_bot_api.wait_for_async("sendMessage", says("Hong Kong"))
        await fake_bot_api.wait_idle_async(quiet=0.3)

    shown = texts(fake_bot_api)
    assert len(shown) == 2 and "£300,000" in shown[0] and APOLOGY not in shown
    assert len(fake_bot_api.calls_of("sendMessage")) == 2  # not sent twice either
    warned = [r.getMessage() for r in caplog.get_records("call") if r.levelno == logging.WARNING]
    assert any(f"update {slow['update_id']}" in line and "may arrive late" in line for line in warned)


async def test_handler_error_is_logged_with_the_update_and_the_user_gets_an_apology(
    fake_bot_api: FakeBotAPI, bot_settings: BotSettings, library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    async with serving(fake_bot_api, bot_settings, library, caplog):
        fake_bot_api.message(PLEDGE)
        await fake_bot_api.wait_for_async("sendMessage", says("£300,000"))
        engine = create_engine(bot_settings.database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE chunks"))  # the bot can no longer read any passage
        engine.dispose()

        broken = fake_bot_api.message(HONG_KONG)
        [apology] = await fake_bot_api.wait_for_async("sendMessage", says(APOLOGY))
        await fake_bot_api.wait_idle_async(quiet=0.3)

    assert apology.params["chat_id"] == broken["message"]["chat"]["id"]
    assert texts(fake_bot_api) == [texts(fake_bot_api)[0], APOLOGY]
    [logged] = errors_logged(caplog)
    assert f"update {broken['update_id']} failed" in logged
    # With the cause, for whoever reads the log (SQLite's words, or PostgreSQL's).
    assert "no such table: chunks" in logged or 'relation "chunks" does not exist' in logged


# ------------------------------------------------------------------ the real process


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in ("PATH", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    env.update(
        HOME=str(tmp_path),
        PYTHONPATH=str(ROOT),
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
        **store_env(tmp_path / "bot.db"),
    )
    env.update(extra)
    return env


@contextmanager
def bot_process(tmp_path: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """`python -m bot -v run`, in tmp_path (so no .env is read); stopped by SIGINT if still running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "-v", "run"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def stop(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=15)
    return process.returncode, out, err


def wait_answer(fake: FakeBotAPI, process: subprocess.Popen[str], fragment: str, timeout: float) -> Call:
    try:
        [call] = fake.wait_for("sendMessage", says(fragment), timeout=timeout)
    except AssertionError:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"the bot exited with {process.returncode}:\n{out}\n{err}")
        raise
    return call


def test_run_long_polls_and_stops_cleanly_on_ctrl_c(fake_bot_api: FakeBotAPI, tmp_path: Path) -> None:
    env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_bot_api.base_url)

    with bot_process(tmp_path, env) as process:
        fake_bot_api.message(PLEDGE)
        answer = wait_answer(fake_bot_api, process, "£300,000", timeout=STARTUP)
        code, out, err = stop(process)

    assert answer.params["parse_mode"] == "HTML"
    assert "setMyCommands" in [c.method for c in fake_bot_api.calls]
    assert code == 0, err
    assert "First run: ingested the seed corpus" in out
    assert TOKEN not in out and TOKEN not in err
    assert "Traceback" not in err


# The listener follows WEBHOOK_URL's path, whatever it is.
@pytest.mark.parametrize("path", ["/telegram", "/hooks/govuk-answers"])
def test_run_with_a_webhook(fake_bot_api: FakeBotAPI, tmp_path: Path, path: str) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}{path}"
    env = bot_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake_bot_api.base_url,
        WEBHOOK_URL=url,
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET="s3cret",
        WEBHOOK_REGISTER="1",  # one worker alone registers its URL at start
    )

    with bot_process(tmp_path, env) as process:
        [registered] = fake_bot_api.wait_for("setWebhook", timeout=STARTUP)
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == "s3cret"

        question = fake_bot_api.message(PLEDGE, push=False)
        assert post_when_listening(fake_bot_api, url, question, "s3cret") == 200
        wait_answer(fake_bot_api, process, "£300,000", timeout=10)

        forged = fake_bot_api.message(HONG_KONG, push=False)
        assert fake_bot_api.post_update(url, forged, "guess") == 403
        assert fake_bot_api.post_update(url, forged) == 403
        fake_bot_api.wait_idle(quiet=0.5)
        assert len(fake_bot_api.sent_messages()) == 1
        assert fake_bot_api.calls_of("getUpdates") == []  # a webhook bot does not poll
        code, _, err = stop(process)

    assert code == 0, err
    assert TOKEN not in err


def post_when_listening(fake: FakeBotAPI, url: str, update: dict[str, Any], secret: str | None) -> int:
    """setWebhook may reach Telegram a moment before the listener accepts connections."""
    deadline = time.monotonic() + 10
    while True:
        try:
            return fake.post_update(url, update, secret)
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_run_with_a_refused_token_explains_without_printing_it(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        with FakeBotAPI(token="999999:OTHER-TOKEN") as fake:  # refuses ours with 401
            env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake.base_url)
            result = run_main(["-v", "run"], cwd=tmp_path, env=env)

    assert result.returncode == 1
    assert "Telegram refused the bot token" in result.stderr
    assert "@BotFather" in result.stderr
    assert TOKEN not in result.stderr and TOKEN not in result.stdout


# ------------------------------------------------------------------ the real process: hardening (issue 10)


def test_run_polls_only_for_what_it_answers_and_keeps_its_store_private(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    data = tmp_path / "data"  # not there yet: the bot makes it
    env = bot_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake_bot_api.base_url,
        DATABASE_URL=f"sqlite:///{data}/announcements.db",
    )

    with bot_process(tmp_path, env) as process:
        fake_bot_api.message(PLEDGE)
        wait_answer(fake_bot_api, process, "£300,000", timeout=STARTUP)
        code, _, err = stop(process)

    assert code == 0, err
    polls = fake_bot_api.calls_of("getUpdates")
    assert {tuple(c.params.get("allowed_updates") or ()) for c in polls} == {
        ("message", "callback_query", "inline_query")
    }
    # It holds chat ids and what each chat follows: nobody else on the machine may read it.
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "announcements.db").stat().st_mode) == 0o600


# A 401 from the long poll (the token revoked in @BotFather) or from any other call (here a reply, by
# a polling bot and by a webhook one).
@pytest.mark.parametrize("refused", ["getUpdates", "sendMessage", "sendMessage by a webhook"])
def test_a_revoked_token_ends_the_process_with_one_clear_line(
    fake_bot_api: FakeBotAPI, tmp_path: Path, refused: str
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    if refused.endswith("webhook"):
        env = webhook_env(tmp_path, fake_bot_api, port, WEBHOOK_SECRET="s3cret")
    else:
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=fake_bot_api.base_url)

    with bot_process(tmp_path, env) as process:
        if refused.endswith("webhook"):
            fake_bot_api.wait_for("setWebhook", timeout=STARTUP)
            post_when_listening(fake_bot_api, url, fake_bot_api.message(PLEDGE, push=False), "s3cret")
        else:
            fake_bot_api.message(PLEDGE)
        wait_answer(fake_bot_api, process, "£300,000", timeout=STARTUP)
        if refused == "getUpdates":
            fake_bot_api.revoke_token()
        else:
            fake_bot_api.fail_next("sendMessage", 401, description="Unauthorized")
            question = fake_bot_api.message(HONG_KONG, push=refused == "sendMessage")
            if refused.endswith("webhook"):
                assert fake_bot_api.post_update(url, question, "s3cret") == 200
        try:
            out, err = process.communicate(timeout=30)  # it must end by itself: nobody sends SIGINT
        except subprocess.TimeoutExpired:
            pytest.fail("the bot kept running, deaf, after Telegram refused its token")

    assert process.returncode == 1
    [line] = [line for line in err.splitlines() if "no longer accepts the bot token" in line]
    assert "401" in line and "@BotFather" in line
    assert err.count("no longer accepts") == 1 and "Traceback" not in err
    assert TOKEN not in out and TOKEN not in err


def webhook_env(tmp_path: Path, fake: FakeBotAPI, port: int, **extra: str) -> dict[str, str]:
    return bot_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        WEBHOOK_LISTEN="127.0.0.1",
        WEBHOOK_PORT=str(port),
        WEBHOOK_REGISTER="1",
        **extra,
    )


def test_a_webhook_without_a_secret_does_not_start_unless_told_to(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    port = free_port()
    refused = run_main(["run"], cwd=tmp_path, env=webhook_env(tmp_path, fake_bot_api, port))

    assert refused.returncode == 2
    assert "WEBHOOK_SECRET" in refused.stderr and "WEBHOOK_INSECURE=1" in refused.stderr
    assert fake_bot_api.calls == []  # not even registered with Telegram

    url = f"http://127.0.0.1:{port}/telegram"
    with bot_process(tmp_path, webhook_env(tmp_path, fake_bot_api, port, WEBHOOK_INSECURE="1")) as process:
        [registered] = fake_bot_api.wait_for("setWebhook", timeout=STARTUP)
        assert registered.params["url"] == url and "secret_token" not in registered.params
        assert post_when_listening(fake_bot_api, url, fake_bot_api.message(PLEDGE, push=False), None) == 200
        wait_answer(fake_bot_api, process, "£300,000", timeout=10)
        code, _, err = stop(process)

    assert code == 0, err
    assert "the webhook has no secret" in err


def test_a_webhook_refuses_bad_bodies_with_400_and_keeps_serving(
    fake_bot_api: FakeBotAPI, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = webhook_env(tmp_path, fake_bot_api, port, WEBHOOK_SECRET="s3cret")

    with bot_process(tmp_path, env) as process:
        fake_bot_api.wait_for("setWebhook", timeout=STARTUP)
        assert registered_allowed_updates(fake_bot_api) == ["message", "callback_query", "inline_query"]
        assert (
            post_when_listening(fake_bot_api, url, fake_bot_api.message(PLEDGE, push=False), "s3cret") == 200
        )
        wait_answer(fake_bot_api, process, "£300,000", timeout=10)

        # Forged: refused before the body is looked at.
        assert fake_bot_api.post_raw(url, b"{}")[0] == 403
        assert fake_bot_api.post_raw(url, b"{}", "guess")[0] == 403
        # Not an update: 400 with a short body, whatever the bytes.
        for body in (b"", b"{not json", b"\xff\xfe\xfa", b'"\xed\xa0\x80"', b"[]", b"42", b"[" * 100_000):
            status, answer = fake_bot_api.post_raw(url, body, "s3cret")
            assert (status, len(answer) < 100) == (400, True), body[:20]
        # Too big: refused unread, whether it says so up front or not.
        assert claims_a_huge_body(port, "/telegram", "s3cret").startswith(b"HTTP/1.1 400")
        assert sends_a_big_body(url, "s3cret") in (400, "connection closed")
        # An update the library cannot read: taken (so Telegram does not send it again) and skipped.
        assert (
            fake_bot_api.post_raw(
                url, json.dumps(fake_bot_api.poll_without_option_ids(push=False)).encode(), "s3cret"
            )[0]
            == 200
        )

        assert fake_bot_api.post_update(url, fake_bot_api.message(HONG_KONG, push=False), "s3cret") == 200
        wait_answer(fake_bot_api, process, "Hong Kong", timeout=10)
        code, _, err = stop(process)

    assert code == 0, err
    assert "Traceback" not in err
    assert len(fake_bot_api.sent_messages()) == 2  # the two questions, nothing for the rest
    assert err.count("skipped update") == 1


def registered_allowed_updates(fake: FakeBotAPI) -> list[str]:
    [registered] = fake.calls_of("setWebhook")
    return list(registered.params.get("allowed_updates") or [])


def claims_a_huge_body(port: int, path: str, secret: str) -> bytes:
    """A request whose Content-Length says 60 MB; the answer's first bytes."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"X-Telegram-Bot-Api-Secret-Token: {secret}\r\nContent-Length: 60000000\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode() + b'{"update_id": 1, "message": "')
        return sock.recv(100)


def sends_a_big_body(url: str, secret: str) -> int | str:
    """2 MB actually sent: refused (400), or cut off while still sending."""
    try:
        return FakeBotAPI.post_raw(url, b'{"pad": "' + b"x" * 2_000_000 + b'"}', secret)[0]
    except (urllib.error.URLError, ConnectionError):
        return "connection closed"
