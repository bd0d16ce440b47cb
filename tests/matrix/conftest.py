"""Servers of the Matrix end-to-end tests: a real Synapse homeserver, the real
action and Rasa servers (with the Matrix channel declared), and the bridge in
its own virtual environment, end-to-end encryption on, with its default rate
limit. Started once for the tests/matrix package, all stopped at its end."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from harness.bots import Bot, running_bot
from harness.processes import ROOT, stop, tail
from tests.matrix.homeserver import Clinician, Synapse, bridge_python, synapse_server

BOT_PASSWORD = "mot-de-passe-assistant"
CLINICIAN_PASSWORD = "mot-de-passe-clinicien"
# The crypto store's key, given to the bridge through the environment.
STORE_KEY = "cle-du-magasin-de-test-5b1f0c9e7a"
# Small on purpose: 3 messages sent while the bridge is stopped exceed it, so
# the bridge must fetch the gap (nothing lost even then).
TIMELINE_LIMIT = 2


class BridgeProcess:
    """`python -m matrix_bridge`, as scripts/serve.sh starts it."""

    def __init__(self, credentials: Path, rasa_url: str, state_dir: Path, log: Path) -> None:
        self.args = [
            str(bridge_python()),
            "-m",
            "matrix_bridge",
            "--credentials",
            str(credentials),
            "--rasa-url",
            rasa_url,
            "--state-dir",
            str(state_dir),
        ]
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, *extra_args: str) -> None:
        with open(self.log, "a") as handle:
            self.process = subprocess.Popen(
                [*self.args, *extra_args],
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "MATRIX_BRIDGE_LOG_LEVEL": "DEBUG"},
            )

    def wait(self, timeout: float = 120) -> int:
        """The exit code of a bridge that stops by itself (a configuration error)."""
        process, self.process = self.process, None
        assert process is not None
        return process.wait(timeout=timeout)

    def kill(self) -> int:
        """SIGKILL, as a crash or the OOM killer would; the exit code."""
        process, self.process = self.process, None
        assert process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        return process.wait()

    def ensure_running(self) -> None:
        if self.process is None:
            self.start()
        self.assert_running()

    def stop(self) -> int:
        """SIGTERM, as systemd or Ctrl-C would; the exit code."""
        process, self.process = self.process, None
        if process is None:
            return 0
        stop(process, timeout=30)
        return process.returncode

    def assert_running(self) -> None:
        assert self.process is not None and self.process.poll() is None, tail(self.log)


@dataclass
class MatrixSetup:
    synapse: Synapse
    rasa: Bot
    bridge: BridgeProcess
    bot_user: str
    clinician: Clinician
    workdir: Path
    state_dir: Path
    timings: dict[str, float] = field(default_factory=dict)


def credentials_yaml(homeserver: str, bot_user: str) -> str:
    section = {
        "homeserver": homeserver,
        "user_id": bot_user,
        "password": "${CLINIBOT_TEST_MATRIX_PASSWORD}",
        "store_key": "${CLINIBOT_TEST_MATRIX_STORE_KEY}",
        "reconnect_max_delay": 2,
        "timeline_limit": TIMELINE_LIMIT,
        "sync_timeout_ms": 10000,
    }
    # The secrets come from the environment, as docs/matrix.md advises.
    return yaml.safe_dump({"rest": None, "channels.matrix.MatrixInput": section}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="package")
def matrix(tmp_path_factory) -> Iterator[MatrixSetup]:
    workdir = tmp_path_factory.mktemp("matrix")
    began = time.monotonic()
    with synapse_server(workdir / "synapse") as synapse:
        timings = {"synapse_first_start_s": time.monotonic() - began}
        bot_user = synapse.register("assistant", BOT_PASSWORD)
        clinician = Clinician(synapse, synapse.register("clinicien", CLINICIAN_PASSWORD), CLINICIAN_PASSWORD)
        credentials = workdir / "credentials.yml"
        credentials.write_text(credentials_yaml(synapse.url, bot_user))
        (workdir / "rasa").mkdir()
        os.environ["CLINIBOT_TEST_MATRIX_PASSWORD"] = BOT_PASSWORD
        os.environ["CLINIBOT_TEST_MATRIX_STORE_KEY"] = STORE_KEY
        try:
            with running_bot(workdir / "rasa", extra_rasa_args=["--credentials", str(credentials)]) as rasa:
                timings["rasa_start_s"] = time.monotonic() - began - timings["synapse_first_start_s"]
                state_dir = workdir / "bridge-state"
                bridge = BridgeProcess(credentials, rasa.url, state_dir, workdir / "bridge.log")
                try:
                    yield MatrixSetup(synapse, rasa, bridge, bot_user, clinician, workdir, state_dir, timings)
                finally:
                    bridge.stop()
        finally:
            os.environ.pop("CLINIBOT_TEST_MATRIX_PASSWORD", None)
            os.environ.pop("CLINIBOT_TEST_MATRIX_STORE_KEY", None)
    timings["total_s"] = time.monotonic() - began
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "matrix_e2e.json").write_text(json.dumps(timings, indent=1) + "\n")
