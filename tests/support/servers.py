"""Start the real action server and Rasa server for end-to-end tests.

Everything started here is stopped on exit; the servers listen on loopback
ports chosen free at start.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

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
    token: str | None = None
    # Process ids of the servers started ("rasa", "actions"), e.g. to read their memory.
    pids: dict[str, int] = field(default_factory=dict)

    def send(self, sender: str, text: str) -> list[dict]:
        """One user message over the REST channel; the bot's messages in reply."""
        body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
        request = urllib.request.Request(
            f"{self.url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read().decode("utf-8"))

    def tracker(self, sender: str) -> dict:
        suffix = f"?token={self.token}" if self.token else ""
        with urllib.request.urlopen(f"{self.url}/conversations/{sender}/tracker{suffix}", timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))


def start(args: list[str], log: Path, env: dict) -> subprocess.Popen:
    with open(log, "w") as handle:
        return subprocess.Popen(
            args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


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


# The Rasa server as `make run` starts it: `python -m serving` is `rasa` with the
# French notice when the action server is unreachable.
RASA_SERVER = [sys.executable, "-m", "serving"]


def endpoints_yaml(actions_port: int, database: Path) -> str:
    """endpoints.yml for a test: the action server's port, and the project's
    screened SQL tracker store on an SQLite file of the test."""
    return (
        f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n'
        f"tracker_store:\n  type: records.store.ScreenedSQLTrackerStore\n  dialect: sqlite\n  db: {database}\n"
    )


def start_actions(port: int, log: Path, env: dict) -> subprocess.Popen:
    """The action server, listening on loopback only (SANIC_HOST)."""
    return start(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
        log,
        {**env, "SANIC_HOST": "127.0.0.1"},
    )


@contextlib.contextmanager
def running_bot(
    workdir: Path,
    extra_rasa_args: list[str] | None = None,
    model: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Bot]:
    """The action server and the Rasa server (REST + API), as `make run` starts them.

    `model` defaults to models/consultation.tar.gz; `extra_env` is added to both
    servers' environment (the benchmark uses both)."""
    model = Path(model) if model is not None else MODEL
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make model` (make test does)")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
    actions_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(endpoints_yaml(actions_port, workdir / "consultations.db"))
    actions = start_actions(actions_port, workdir / "actions.log", env)
    rasa = None
    try:
        wait_for(f"http://127.0.0.1:{actions_port}/health", 120, actions, workdir / "actions.log")
        rasa = start(
            [
                *RASA_SERVER,
                "run",
                "--model",
                str(model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(rasa_port),
                "--enable-api",
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
                *(extra_rasa_args or []),
            ],
            workdir / "rasa.log",
            env,
        )
        wait_for(f"http://127.0.0.1:{rasa_port}/status", 240, rasa, workdir / "rasa.log")
        yield Bot(
            f"http://127.0.0.1:{rasa_port}",
            f"http://127.0.0.1:{actions_port}",
            workdir,
            pids={"rasa": rasa.pid, "actions": actions.pid},
        )
    finally:
        if rasa is not None:
            stop(rasa)
        stop(actions)


@contextlib.contextmanager
def running_bots(
    workdir: Path,
    instances: int = 2,
    stores_yaml: str | None = None,
    extra_env: dict[str, str] | None = None,
    model: Path | None = None,
) -> Iterator[list[Bot]]:
    """One action server and `instances` Rasa servers (same model, REST + API,
    loopback only), started together: the multi-instance deployment.

    `stores_yaml` is appended to the generated endpoints.yml in place of the
    default SQLite tracker store, e.g. shared `tracker_store:` (PostgreSQL) and
    `lock_store:` (Redis) sections; `${VAR}` in it is read by Rasa from the
    environment, which `extra_env` completes. Each server logs to
    rasa-<n>.log in `workdir`."""
    model = Path(model) if model is not None else MODEL
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make model` (make test does)")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **(extra_env or {})}
    actions_port = free_port()
    endpoints = workdir / "endpoints.yml"
    if stores_yaml is None:
        endpoints.write_text(endpoints_yaml(actions_port, workdir / "consultations.db"))
    else:
        endpoints.write_text(f'action_endpoint:\n  url: "http://127.0.0.1:{actions_port}/webhook"\n{stores_yaml}')
    actions = start_actions(actions_port, workdir / "actions.log", env)
    started: list[tuple] = []
    try:
        wait_for(f"http://127.0.0.1:{actions_port}/health", 120, actions, workdir / "actions.log")
        used = {actions_port}
        for number in range(instances):
            port = free_port()
            while port in used:
                port = free_port()
            used.add(port)
            log = workdir / f"rasa-{number}.log"
            process = start(
                [
                    *RASA_SERVER,
                    "run",
                    "--model",
                    str(model),
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--enable-api",
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    str(ROOT / "credentials.yml"),
                ],
                log,
                env,
            )
            started.append((process, port, log))
        for process, port, log in started:
            wait_for(f"http://127.0.0.1:{port}/status", 240, process, log)
        yield [
            Bot(
                f"http://127.0.0.1:{port}",
                f"http://127.0.0.1:{actions_port}",
                workdir,
                pids={"rasa": process.pid, "actions": actions.pid},
            )
            for process, port, _ in started
        ]
    finally:
        for process, _, _ in started:  # all at once: a Rasa server takes ~10 s to stop
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 15)
        for process, _, _ in started:
            stop(process)
        stop(actions)
