"""Servers started for a test or a benchmark: each in its own session, on a
free loopback port, awaited until it answers, stopped with its whole process
group on exit."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from paths import ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, size: int = 3000) -> str:
    """The end of a log file ("" when it does not exist)."""
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


def wait_for(url: str, timeout: float, process: subprocess.Popen, log: Path) -> None:
    """Until `url` answers; raises with the log's tail if the server exits or
    does not answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode}):\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s:\n{tail(log)}")


def start(args: list[str], log: Path, env: dict, cwd: Path = ROOT) -> subprocess.Popen:
    """A server in its own session (so that `stop` reaches its children), its
    output in `log`."""
    with open(log, "w") as handle:
        return subprocess.Popen(args, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def stop_together(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to every process group at once (a Rasa server takes seconds to
    stop: in parallel, not one after the other), then `stop` each."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        stop(process)


def stop(
    process: subprocess.Popen, first_signal: int = signal.SIGTERM, *, whole_group: bool = True, timeout: float = 20.0
) -> None:
    """Stop a server started in its own session: `first_signal` to its process
    group (or, with whole_group=False, to the server alone, e.g. PostgreSQL's
    postmaster), then SIGKILL to the group if it is not gone after `timeout` s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        (os.killpg if whole_group else os.kill)(process.pid, first_signal)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
