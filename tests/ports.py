"""Ports for servers that a test names before they bind (a worker process, a webhook started later).

Asking the kernel for port 0 and closing the socket gives a port from the ephemeral range, and the
kernel may hand that port to any outgoing connection on the machine before the server binds it: CI
saw a worker exit with "Address already in use" that way. Ports here come from below the ephemeral
range, where nothing but listeners bind, each pytest-xdist worker from its own slice (so two tests of
one run never meet), starting at a random place in it (so two runs on one machine rarely do).
"""

from __future__ import annotations

import os
import random
import socket
from pathlib import Path

LOWEST = 15000
SLICES = 16  # xdist workers beyond this share slices, still checked by a bind


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def _slice() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    width = max(1, (_ephemeral_start() - LOWEST) // SLICES)
    start = LOWEST + (index % SLICES) * width
    return range(start, start + width)


_ports = _slice()
_next = random.randrange(len(_ports))


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now and that outgoing connections never take."""
    global _next
    for _ in range(len(_ports)):
        port = _ports[_next % len(_ports)]
        _next += 1
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port in {_ports.start}-{_ports.stop - 1}")
