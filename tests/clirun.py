"""`python -m bot ARGS` run in this process: bot.cli.main(argv) with its own working directory, its own
settings environment and captured output, in milliseconds instead of a 3-second interpreter start.

A drop-in for tests/conftest_retrieval.run_cli where no real process is needed (signals, two processes
at once, `.env` loading as the shell sees it, `make run`): same arguments, same CompletedProcess.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import BotSettings

# Every variable the settings read (pydantic-settings matches names case-insensitively).
_SETTINGS = {name.lower() for name in BotSettings.model_fields}


def run_main(args: Sequence[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """main(args) as a process with exactly `env` would see it, run in `cwd` (so only a .env there
    is read); the exit status and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.lower() in _SETTINGS:
                mp.delenv(name)
        for name, value in env.items():
            mp.setenv(name, value)
        mp.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse refusing the arguments, or --help
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    return subprocess.CompletedProcess(["python", "-m", "bot", *args], code, out.getvalue(), err.getvalue())
