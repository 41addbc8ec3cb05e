"""An unlucky operator's faults end in one clear line, and leave no stray processes (issue 10, point 10).

A read-only folder and a full disk are made for real, in a mount namespace of the test's own
(`unshare`: a read-only bind mount, a 1 MB tmpfs), so they hold for root too, who ignores chmod."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.cli import main as cli
from tests.conftest_retrieval import ROOT, SEED_FILE, isolate


def test_an_index_dir_that_is_a_file_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, tmp_path)
    not_a_folder = tmp_path / "index"
    not_a_folder.write_text("I am a file", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.setenv("INDEX_DIR", str(not_a_folder))

    assert cli(["ask", "how much for flood defences"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(not_a_folder) in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_database_server_that_does_not_answer_is_one_clear_error_without_its_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    isolate(monkeypatch, tmp_path)
    # Port 9 (discard) has no PostgreSQL server: the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:9/announcements")

    assert cli(["latest"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "127.0.0.1" in err and "postgres:***@" in err
    assert "s3cret-pw" not in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


BUILD = textwrap.dedent(
    """
    import multiprocessing, sys, time
    from retrieval.index_keeper import encoded_batches
    rows = ((i, i, "Title", None, "some words to tokenize in passage number %d" % i) for i in range(10**7))
    batches = encoded_batches(rows, parallel=True)
    next(batches)
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "\nState:\tZ" not in state  # a zombie has ended; only its parent's bookkeeping is left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signals are Linux's")
def test_tokenizing_workers_end_when_a_build_is_killed() -> None:
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD], cwd=ROOT, stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    assert build.stdout is not None
    workers = [int(p) for p in build.stdout.readline().split()]
    assert workers, "the build started no worker processes"
    build.send_signal(signal.SIGKILL)
    build.wait()
    for _ in range(200):  # bounded: at most about 20 s
        if not any(_alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "tokenizing workers outlived the killed build"


# Runs `python -m bot` commands one after another in one interpreter (bot.cli.main, as `python -m
# bot` calls it): each is [settings, argv]; prints [exit status, stdout, stderr] for each, as JSON.
COMMANDS = textwrap.dedent(
    """
    import contextlib, io, json, os, sys
    from bot.cli import main
    results = []
    for settings, argv in json.loads(sys.argv[1]):
        os.environ.update(settings)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
        results.append([code, out.getvalue(), err.getvalue()])
    print(json.dumps(results))
    """
)

Ran = tuple[int, str, str]


def _in_namespace(setup: str, commands: list[tuple[Path, list[str]]]) -> list[Ran]:
    """Each (store, argv) of `commands` run on that SQLite store (its index beside it, in "index"),
    after `setup` ran as root of a new user and mount namespace (its mounts vanish with it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL", "DATABASE_URL", "INDEX_DIR")}
    steps = [
        ({"DATABASE_URL": f"sqlite:///{store}", "INDEX_DIR": str(store.with_name("index"))}, argv)
        for store, argv in commands
    ]
    python = " ".join(map(shlex.quote, (sys.executable, "-c", COMMANDS, json.dumps(steps))))
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f"{setup} && {python}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [(code, out, err) for code, out, err in json.loads(done.stdout)]


def _namespaces_work(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    where = shlex.quote(str(tmp_path))
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f"mount --bind {where} {where}"],
        capture_output=True,
    )
    return probe.returncode == 0


def _read_only(folder: Path) -> str:
    where = shlex.quote(str(folder))
    return f"mount --bind {where} {where} && mount -o remount,ro,bind {where}"


needs_sqlite = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="a file-system fault of the embedded SQLite store"
)
PLEDGE = "how much did the home sec pledge for tech against live streamed child abuse"


@needs_sqlite
def test_a_read_only_data_folder_still_answers_and_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _namespaces_work(tmp_path):
        pytest.skip("this machine cannot make a mount namespace (unshare)")
    isolate(monkeypatch, tmp_path)
    data = tmp_path / "data"
    data.mkdir()
    store = data / "store.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{store}")
    monkeypatch.setenv("INDEX_DIR", str(data / "index"))
    assert cli(["ingest", str(SEED_FILE)]) == 0
    bare = tmp_path / "bare"  # the same store, its index never built
    bare.mkdir()
    shutil.copy(store, bare / "store.db")
    before = sorted(p.name for p in data.iterdir())

    asked, listed, written, asked_bare = _in_namespace(
        f"{_read_only(data)} && {_read_only(bare)}",
        [
            (store, ["ask", PLEDGE]),
            (store, ["latest", "-n", "3", "--json"]),
            (store, ["ingest", str(SEED_FILE)]),
            (bare / "store.db", ["ask", PLEDGE]),
        ],
    )
    for code, out, err in (asked, asked_bare):
        assert code == 0, err
        assert "£300,000" in out and "Revolutionary new tools" in out
    assert listed[0] == 0 and len(json.loads(listed[1])) == 3
    assert written[0] == 1
    assert written[2].strip() == f"error: attempt to write a readonly database ({store})"
    assert sorted(p.name for p in data.iterdir()) == before  # nothing was left behind
    assert sorted(p.name for p in bare.iterdir()) == ["store.db"]


@needs_sqlite
def test_a_full_disk_ends_an_ingest_in_one_line_and_keeps_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _namespaces_work(tmp_path):
        pytest.skip("this machine cannot make a mount namespace (unshare)")
    isolate(monkeypatch, tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    store = disk / "store.db"
    seed = SEED_FILE.read_text(encoding="utf-8")
    big = tmp_path / "big.txt"  # 200 renamed copies of the seed corpus: far more than 1 MB holds
    big.write_text("\n\n".join(seed.replace(": ", f": Copy {n} ") for n in range(200)), encoding="utf-8")

    first, filled, listed = _in_namespace(
        f"mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(disk))}",
        [
            (store, ["ingest", str(SEED_FILE)]),
            (store, ["ingest", str(big)]),
            (store, ["latest", "-n", "100", "--json"]),
        ],
    )
    assert first[0] == 0, first[2]
    assert filled[0] == 1
    assert filled[2].strip().splitlines() == [f"error: database or disk is full ({store})"]
    # The seed corpus, stored before the disk filled, is all still listed; no copy is half-stored.
    assert listed[0] == 0, listed[2]
    titles = [item["title"] for item in json.loads(listed[1])]
    assert "Revolutionary new tools to tackle streaming of child abuse" in titles
    assert not [title for title in titles if title.startswith("Copy ")]
