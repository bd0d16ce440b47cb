"""Servers of the Matrix end-to-end test: a real Synapse homeserver, the real
action and Rasa servers (with the Matrix channel declared), and the bridge in
its own virtual environment. All stopped at the end of the module."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, Optional

import pytest
import yaml

from tests.matrix.homeserver import Clinician, Synapse, bridge_python, synapse_server
from tests.support.servers import ROOT, Bot, running_bot

BOT_PASSWORD = "mot-de-passe-assistant"
CLINICIAN_PASSWORD = "mot-de-passe-clinicien"
# Small on purpose: 3 messages sent while the bridge is stopped exceed it, so
# the bridge must fetch the gap (nothing lost even then).
TIMELINE_LIMIT = 2


class BridgeProcess:
    """`python -m channels.matrix`, as scripts/serve.sh starts it."""

    def __init__(self, credentials: Path, rasa_url: str, state_dir: Path, log: Path) -> None:
        self.args = [str(bridge_python()), "-m", "channels.matrix", "--credentials", str(credentials),
                     "--rasa-url", rasa_url, "--state-dir", str(state_dir)]
        self.log = log
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        handle = open(self.log, "a")
        self.process = subprocess.Popen(self.args, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                                        start_new_session=True, env={**os.environ, "MATRIX_BRIDGE_LOG_LEVEL": "DEBUG"})

    def stop(self) -> int:
        """SIGTERM, as systemd or Ctrl-C would; the exit code."""
        process, self.process = self.process, None
        if process is None:
            return 0
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        return process.returncode

    def assert_running(self) -> None:
        assert self.process is not None and self.process.poll() is None, self.log.read_text()[-3000:]


@dataclass
class MatrixSetup:
    synapse: Synapse
    rasa: Bot
    bridge: BridgeProcess
    bot_user: str
    clinician: Clinician
    workdir: Path
    timings: Dict[str, float] = field(default_factory=dict)


def credentials_yaml(homeserver: str, bot_user: str) -> str:
    section = {"homeserver": homeserver, "user_id": bot_user, "password": "${CLINIBOT_TEST_MATRIX_PASSWORD}",
               "reconnect_max_delay": 2, "timeline_limit": TIMELINE_LIMIT, "sync_timeout_ms": 10000}
    # The password comes from the environment, as docs/matrix.md advises.
    return yaml.safe_dump({"rest": None, "channels.matrix.MatrixInput": section}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module")
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
        try:
            with running_bot(workdir / "rasa", extra_rasa_args=["--credentials", str(credentials)]) as rasa:
                timings["rasa_start_s"] = time.monotonic() - began - timings["synapse_first_start_s"]
                bridge = BridgeProcess(credentials, rasa.url, workdir / "bridge-state", workdir / "bridge.log")
                try:
                    yield MatrixSetup(synapse, rasa, bridge, bot_user, clinician, workdir, timings)
                finally:
                    bridge.stop()
        finally:
            os.environ.pop("CLINIBOT_TEST_MATRIX_PASSWORD", None)
    timings["total_s"] = time.monotonic() - began
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    (results / "matrix_e2e.json").write_text(json.dumps(timings, indent=1) + "\n")
