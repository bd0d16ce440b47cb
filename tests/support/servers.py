"""Start the real action server and Rasa server for end-to-end tests.

Everything started here is stopped on exit; the servers listen on loopback
ports chosen free at start.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "consultation.tar.gz"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


@dataclass
class Bot:
    url: str
    actions_url: str
    workdir: Path
    token: Optional[str] = None

    def send(self, sender: str, text: str) -> List[dict]:
        """One user message over the REST channel; the bot's messages in reply."""
        body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
        request = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))

    def tracker(self, sender: str) -> dict:
        suffix = f"?token={self.token}" if self.token else ""
        with urllib.request.urlopen(f"{self.url}/conversations/{sender}/tracker{suffix}", timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))


def start(args: List[str], log: Path, env: dict) -> subprocess.Popen:
    handle = open(log, "w")
    return subprocess.Popen(args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


@contextlib.contextmanager
def running_bot(workdir: Path, extra_rasa_args: Optional[List[str]] = None) -> Iterator[Bot]:
    """The action server and the Rasa server (REST + API), as `make run` starts them."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make model` (make test does)")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    actions_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n')
    actions = start([str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(actions_port)],
                    workdir / "actions.log", env)
    rasa = None
    try:
        wait_for(f"http://127.0.0.1:{actions_port}/health", 120, actions, workdir / "actions.log")
        rasa = start([str(BIN / "rasa"), "run", "--model", str(MODEL), "--port", str(rasa_port), "--enable-api",
                      "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
                      *(extra_rasa_args or [])], workdir / "rasa.log", env)
        wait_for(f"http://127.0.0.1:{rasa_port}/status", 240, rasa, workdir / "rasa.log")
        yield Bot(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{actions_port}", workdir)
    finally:
        if rasa is not None:
            stop(rasa)
        stop(actions)
