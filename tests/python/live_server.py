"""Servers started by tests: on the loopback, a free port, bounded start-up, always stopped."""

from __future__ import annotations

import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(command: list[str], env: dict, health_url: str, log_file: Path,
            startup_timeout: float = 120):
    """Run `command` (output to log_file) until health_url answers 200, yield, then stop it
    (terminate, kill after 20 s). Fails with the log's tail if it dies or is not up in time."""
    with open(log_file, "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                if httpx.get(health_url, timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, \
                f"{command[0]} did not start:\n{log_file.read_text()[-3000:]}"
            time.sleep(0.5)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
