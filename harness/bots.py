"""The action server and the Rasa server as `make run` starts them
(scripts/serve.sh): one launch recipe for every test and benchmark.

Everything started here listens on loopback, on ports chosen free at start,
and is stopped on exit."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness import rest
from harness.processes import ROOT, free_port, start, stop, stop_together, wait_for

MODEL = ROOT / "models" / "consultation.tar.gz"
CREDENTIALS = ROOT / "credentials.yml"
# `python -m serving` is `rasa` with its log screened and the French notice
# when the action server is unreachable.
RASA_SERVER = [sys.executable, "-m", "serving"]
STARTUP_S = {"actions": 120, "rasa": 240}


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
        return rest.send(self.url, sender, text, timeout=60)

    def tracker(self, sender: str) -> dict:
        return rest.tracker(self.url, sender, self.token, timeout=30)


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The servers' environment: this one, without telemetry nor TensorFlow's chatter."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **(extra or {})}


def sqlite_store(database: Path) -> str:
    """The project's screened SQL tracker store on an SQLite file (endpoints.yml section)."""
    return f"tracker_store:\n  type: records.store.ScreenedSQLTrackerStore\n  dialect: sqlite\n  db: {database}\n"


def endpoints_yaml(actions_url: str, stores: str) -> str:
    """endpoints.yml: the action server at `actions_url`, then `stores` (tracker, lock store sections)."""
    return f'action_endpoint:\n  url: "{actions_url}/webhook"\n{stores}'


def start_actions(port: int, log: Path, env: dict) -> subprocess.Popen:
    """The action server through `python -m serving` (its log screened),
    listening on loopback only (SANIC_HOST)."""
    return start(
        [*RASA_SERVER, "run", "actions", "--actions", "actions", "--port", str(port)],
        log,
        {**env, "SANIC_HOST": "127.0.0.1"},
    )


def start_rasa(
    port: int,
    endpoints: Path,
    log: Path,
    env: dict,
    *,
    model: Path = MODEL,
    credentials: Path = CREDENTIALS,
    extra_args: Sequence[str] = (),
    command: Sequence[str] = RASA_SERVER,
    cwd: Path = ROOT,
) -> subprocess.Popen:
    """A Rasa server: REST and HTTP API on loopback. `command` is another
    Rasa (the benchmark's starter bot), `extra_args` more flags (--auth-token, --cors)."""
    args = [*command, "run", "--model", str(model), "--interface", "127.0.0.1", "--port", str(port)]
    args += ["--enable-api", "--endpoints", str(endpoints), "--credentials", str(credentials), *extra_args]
    return start(args, log, env, cwd)


def wait_for_rasa(port: int, process: subprocess.Popen, log: Path) -> None:
    """Until the Rasa server answers on `/`, which needs no token (the model is
    loaded before the server listens)."""
    wait_for(f"http://127.0.0.1:{port}/", STARTUP_S["rasa"], process, log)


def wait_for_actions(port: int, process: subprocess.Popen, log: Path) -> None:
    wait_for(f"http://127.0.0.1:{port}/health", STARTUP_S["actions"], process, log)


def _trained(model: Path | None) -> Path:
    model = Path(model) if model is not None else MODEL
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make model` (make test does)")
    return model


@contextlib.contextmanager
def running_bots(
    workdir: Path,
    instances: int = 2,
    stores_yaml: str | None = None,
    extra_env: dict[str, str] | None = None,
    model: Path | None = None,
    extra_rasa_args: Sequence[str] = (),
) -> Iterator[list[Bot]]:
    """One action server and `instances` Rasa servers (same model), started
    together: the multi-instance deployment, or with one instance `make run`.

    `stores_yaml` replaces the default SQLite tracker store (workdir/consultations.db)
    in the generated endpoints.yml, e.g. shared `tracker_store:` (PostgreSQL)
    and `lock_store:` (Redis) sections; `${VAR}` in it is read by Rasa from the
    environment, which `extra_env` completes. Logs in `workdir`: actions.log,
    rasa.log (one instance) or rasa-<n>.log."""
    model = _trained(model)
    env = server_env(extra_env)
    actions_port = free_port()
    actions_url = f"http://127.0.0.1:{actions_port}"
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(endpoints_yaml(actions_url, stores_yaml or sqlite_store(workdir / "consultations.db")))
    actions = start_actions(actions_port, workdir / "actions.log", env)
    started: list[tuple[subprocess.Popen, int, Path]] = []
    try:
        wait_for_actions(actions_port, actions, workdir / "actions.log")
        used = {actions_port}
        for number in range(instances):
            port = free_port()
            while port in used:
                port = free_port()
            used.add(port)
            log = workdir / ("rasa.log" if instances == 1 else f"rasa-{number}.log")
            process = start_rasa(port, endpoints, log, env, model=model, extra_args=extra_rasa_args)
            started.append((process, port, log))
        for process, port, log in started:
            wait_for_rasa(port, process, log)
        yield [
            Bot(f"http://127.0.0.1:{port}", actions_url, workdir, pids={"rasa": process.pid, "actions": actions.pid})
            for process, port, _ in started
        ]
    finally:
        stop_together([process for process, _, _ in started])
        stop(actions)


@contextlib.contextmanager
def running_bot(
    workdir: Path,
    extra_rasa_args: Sequence[str] = (),
    model: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Bot]:
    """The action server and one Rasa server (REST + API), as `make run` starts them."""
    with running_bots(workdir, 1, extra_env=extra_env, model=model, extra_rasa_args=extra_rasa_args) as bots:
        yield bots[0]


class RestartableBot:
    """An action server and a Rasa server that a test stops, kills and starts
    again on the same ports and the same SQLite store (workdir/consultations.db).

    `start_rasa(action_endpoint=…)` points the Rasa server at another URL than
    the action server's own (a relay of the test)."""

    def __init__(self, workdir: Path, extra_rasa_args: Sequence[str] = (), token: str | None = None) -> None:
        self.workdir, self.extra_rasa_args = workdir, extra_rasa_args
        self.env = server_env()
        self.actions_port, self.rasa_port = free_port(), free_port()
        self.actions_url = f"http://127.0.0.1:{self.actions_port}"
        self.action_endpoint = self.actions_url
        self.database = workdir / "consultations.db"
        self.endpoints = workdir / "endpoints.yml"
        self.processes: dict[str, subprocess.Popen] = {}
        self.bot = Bot(f"http://127.0.0.1:{self.rasa_port}", self.actions_url, workdir, token=token)

    def start_actions(self) -> None:
        log = self.workdir / "actions.log"
        self.processes["actions"] = start_actions(self.actions_port, log, self.env)
        wait_for_actions(self.actions_port, self.processes["actions"], log)

    def start_rasa(self, action_endpoint: str | None = None) -> None:
        self.action_endpoint = action_endpoint or self.action_endpoint
        self.endpoints.write_text(endpoints_yaml(self.action_endpoint, sqlite_store(self.database)))
        log = self.workdir / "rasa.log"
        self.processes["rasa"] = start_rasa(
            self.rasa_port, self.endpoints, log, self.env, extra_args=self.extra_rasa_args
        )
        wait_for_rasa(self.rasa_port, self.processes["rasa"], log)

    def kill(self, name: str) -> None:
        """SIGKILL to a server's process group (« rasa » or « actions »), as a crash would."""
        stop(self.processes[name], signal.SIGKILL)

    def stop(self, name: str) -> None:
        stop(self.processes[name])

    def stop_all(self) -> None:
        for process in self.processes.values():
            stop(process)


@contextlib.contextmanager
def restartable_bot(
    workdir: Path, extra_rasa_args: Sequence[str] = (), token: str | None = None, *, start_servers: bool = True
) -> Iterator[RestartableBot]:
    """A RestartableBot, its two servers started (unless `start_servers` is
    False), all stopped on exit."""
    servers = RestartableBot(workdir, extra_rasa_args, token)
    try:
        if start_servers:
            servers.start_actions()
            servers.start_rasa()
        yield servers
    finally:
        servers.stop_all()
