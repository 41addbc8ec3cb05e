"""Worker processes for pure-Python work over a whole corpus (tokenizing it for the index, analysing
its passages when they are stored): every core works while this process reads and writes the store.

Spawned, not forked (forking a process that runs threads is unsafe), and each worker ends when the
process that started it dies: kill -9 during a build once left them running for a minute or more.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def _die_with_parent(parent: int) -> None:
    """Linux only; elsewhere workers end when their queue closes."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died while this worker was still starting
        os._exit(1)


def in_order(
    work: Callable[[list[In]], Out], items: Iterable[In], batch: int, parallel: bool
) -> Iterator[Out]:
    """`work` over `items` in batches of `batch`, results in order. With `parallel`, worker processes
    on every core run the batches, a bounded number ahead of what the caller has taken."""
    iterator = iter(items)
    if not parallel:
        while chunk := list(itertools.islice(iterator, batch)):
            yield work(chunk)
        return
    workers = max(2, os.cpu_count() or 2)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[Future[Out]] = deque()
        while chunk := list(itertools.islice(iterator, batch)):
            pending.append(pool.submit(work, chunk))
            while len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
