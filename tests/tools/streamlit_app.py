"""The app served by a real Streamlit server (:mod:`ui.start`, as ``python dev.py app`` starts it) for browser tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from layers import settings

__all__ = ["LOCAL_ARGUMENTS", "free_port", "streamlit_app"]

#: Arguments of a test server on loopback without usage statistics.
LOCAL_ARGUMENTS = ("--server.headless", "true", "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def streamlit_app(env: dict[str, str], *, port: int | None = None,
                  arguments: Sequence[str] = LOCAL_ARGUMENTS,
                  start_timeout_s: float = 90) -> Iterator[str]:
    """Run the app server as ``python dev.py app`` does (:mod:`ui.start`) until the block ends.

    Yields its base URL.

    Waits for Streamlit's health endpoint; a server that does not start fails the test with the
    last lines of its log. The server is terminated (killed if it does not stop) afterwards.
    """
    port = port or free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.start", "--server.port", str(port),
         *arguments],
        cwd=settings.project_root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"Der Streamlit-Server startete nicht:\n{log.read()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()
        Path(log.name).unlink(missing_ok=True)
