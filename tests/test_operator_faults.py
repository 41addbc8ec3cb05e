"""An unlucky operator's faults end in one clear line, and leave no stray processes (issue 10, point 10)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bot.cli import main as cli
from tests.conftest_retrieval import ROOT, isolate


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
