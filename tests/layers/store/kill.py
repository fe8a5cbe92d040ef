"""Run store operations in forked processes, kill them with SIGKILL, and check what survived.

A worker runs one operation after another and writes the number of every operation whose
call returned (an *acknowledged* write) into a pipe, after the call returned. The parent
kills it at a random moment; afterwards every acknowledged number must be fully present,
and any other must be fully present or fully absent.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["KillRun", "kill_after_ack", "kill_at_random", "leftovers", "run_to_end", "wait_for"]


@dataclass
class KillRun:
    """What one killed worker acknowledged."""

    acked: list[int] = field(default_factory=list)
    killed_after_s: float = 0.0
    exit_status: int = 0


def _child(work: Callable[[Callable[[int], None]], None], write_fd: int) -> None:
    def ack(number: int) -> None:
        os.write(write_fd, f"{number}\n".encode())

    status = 0
    try:
        work(ack)
    except BaseException:  # the parent reads the status; a worker error is a test failure
        import traceback

        traceback.print_exc()
        status = 3
    finally:
        os._exit(status)


def _read_all(read_fd: int) -> list[int]:
    chunks = []
    while True:
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    return [int(line) for line in b"".join(chunks).decode().split()]


def kill_at_random(work: Callable[[Callable[[int], None]], None], *, low: float, high: float,
                   rng: random.Random) -> KillRun:
    """Fork a worker, SIGKILL it after a random time in ``[low, high)`` seconds."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(work, write_fd)
    os.close(write_fd)
    delay = rng.uniform(low, high)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return KillRun(acked=_read_all(read_fd), killed_after_s=delay, exit_status=status)


def kill_after_ack(work: Callable[[Callable[[int], None]], None], *, timeout: float = 120.0
                   ) -> KillRun:
    """Fork a worker and SIGKILL it as soon as it acknowledged its first number."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(work, write_fd)
    os.close(write_fd)
    started = time.monotonic()
    first = b""
    while not first.endswith(b"\n") and time.monotonic() - started < timeout:
        chunk = os.read(read_fd, 1)
        if not chunk:
            break
        first += chunk
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    acked = [int(first)] if first.strip() else []
    return KillRun(acked=acked + _read_all(read_fd), killed_after_s=time.monotonic() - started,
                   exit_status=status)


def run_to_end(work: Callable[[Callable[[int], None]], None]) -> tuple[int, Callable[[], KillRun]]:
    """Fork a worker that runs to its end; returns its pid and a function that waits for it."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(read_fd)
        _child(work, write_fd)
    os.close(write_fd)

    def wait() -> KillRun:
        acked = _read_all(read_fd)
        _, status = os.waitpid(pid, 0)
        return KillRun(acked=acked, exit_status=os.waitstatus_to_exitcode(status))

    return pid, wait


def wait_for(path: Path, timeout: float = 30.0) -> None:
    """Wait until a file exists (a worker's start signal)."""
    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end:
            raise TimeoutError(path)
        time.sleep(0.01)


def leftovers(directory: Path) -> list[str]:
    """Temporary files and journals next to the stores (what a killed writer could leave)."""
    names = []
    for path in directory.iterdir():
        name = path.name
        if name.endswith(".lock"):
            continue
        if name.startswith(".") and ".gpkg" in name or name.endswith("-journal"):
            names.append(name)
    return sorted(names)
