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
from collections.abc import Sequence
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


BUILD = textwrap.dedent(
    """
    import multiprocessing, sys, time
    from retrieval.index_keeper import encoded_batches
    rows = ((i, i, "Title", "some words to tokenize in passage number %d" % i) for i in range(10**7))
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


def _in_namespace(setup: str, command: Sequence[str], store: Path) -> subprocess.CompletedProcess[str]:
    """`python -m bot COMMAND` on the store in `store`'s folder, after `setup` ran as root of a new
    user and mount namespace (mounts made there vanish with it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    env.update(DATABASE_URL=f"sqlite:///{store}", INDEX_DIR=str(store.with_name("index")))
    bot = " ".join(shlex.quote(part) for part in (sys.executable, "-m", "bot", *command))
    return subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", f"{setup} && {bot}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _namespaces_work(tmp_path: Path) -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            f"mount --bind {shlex.quote(str(tmp_path))} {shlex.quote(str(tmp_path))}",
        ],
        capture_output=True,
    )
    return probe.returncode == 0


def _read_only(folder: Path) -> str:
    where = shlex.quote(str(folder))
    return f"mount --bind {where} {where} && mount -o remount,ro,bind {where}"


needs_sqlite = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="a file-system fault of the embedded SQLite store"
)


@needs_sqlite
@pytest.mark.parametrize("index_kept", [True, False], ids=["index-kept", "no-index-yet"])
def test_a_read_only_data_folder_still_answers_and_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, index_kept: bool
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
    if not index_kept:
        shutil.rmtree(data / "index")
    before = sorted(p.name for p in data.iterdir())

    asked = _in_namespace(
        _read_only(data),
        ["ask", "how much did the home sec pledge for tech against live streamed child abuse"],
        store,
    )
    assert asked.returncode == 0, asked.stderr
    assert "£300,000" in asked.stdout and "Revolutionary new tools" in asked.stdout
    listed = _in_namespace(_read_only(data), ["latest", "-n", "3", "--json"], store)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 3

    written = _in_namespace(_read_only(data), ["ingest", str(SEED_FILE)], store)
    assert written.returncode == 1
    assert written.stderr.strip() == f"error: attempt to write a readonly database ({store})"
    assert sorted(p.name for p in data.iterdir()) == before  # nothing was left behind


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
    python = shlex.quote(sys.executable)
    # The 1 MB tmpfs lasts as long as the namespace: everything runs inside the one shell.
    script = " && ".join(
        [
            f"mount -t tmpfs -o size=1m tmpfs {shlex.quote(str(disk))}",
            f"{python} -m bot ingest {shlex.quote(str(SEED_FILE))} >/dev/null",
            f"{{ {python} -m bot ingest {shlex.quote(str(big))}; echo exit=$? >&2; }}",
        ]
    )
    result = _in_namespace(script, ["latest", "-n", "100", "--json"], store)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: database or disk is full ({store})",
        "exit=1",
    ]
    # The seed corpus, stored before the disk filled, is all still listed; no copy is half-stored.
    titles = [item["title"] for item in json.loads(result.stdout)]
    assert "Revolutionary new tools to tackle streaming of child abuse" in titles
    assert not [title for title in titles if title.startswith("Copy ")]
