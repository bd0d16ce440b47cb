"""scripts/serve.sh — what `make run` runs — started for real, in a copy of the
tree (it writes var/ next to the code) on free ports: the API token it writes
to var/api-token (owner only) or takes from RASA_TOKEN is the one Rasa's HTTP
API accepts, on read and write endpoints; a missing or wrong token gets 401."""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from harness.bots import MODEL, Bot
from harness.processes import ROOT, free_port, stop, wait_for
from tests.support.api import api, check_the_token

pytestmark = pytest.mark.e2e

# What serve.sh does not read: the repository's history, caches, outputs, tests.
NOT_COPIED = shutil.ignore_patterns(
    ".git",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "__pycache__",
    "node_modules",
    "models",
    "var",
    "results",
    "mutants",
    "htmlcov",
    "tests",
)


@pytest.fixture
def app(tmp_path):
    """A copy of the tree, with the trained model."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make model` (make test does)")
    copy = tmp_path / "app"
    shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
    (copy / "models").mkdir()
    (copy / "models" / MODEL.name).symlink_to(MODEL)
    return copy


def serve(app: Path, token: str | None):
    """scripts/serve.sh with the virtualenv of this Python, on free ports;
    RASA_TOKEN set to `token`, or unset."""
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    env = {key: value for key, value in os.environ.items() if key != "RASA_TOKEN"}
    env.update({name: str(port) for name, port in ports.items()}, TMPDIR=str(app), RASA_TELEMETRY_ENABLED="false")
    if token is not None:
        env["RASA_TOKEN"] = token
    log = app / "serve.log"
    with open(log, "w") as handle:
        process = subprocess.Popen(
            ["bash", str(app / "scripts" / "serve.sh"), str(Path(sys.executable).parent)],
            cwd=app,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{ports['RASA_PORT']}"
    try:
        wait_for(f"{url}/", 240, process, log)
    except BaseException:
        stop(process)
        raise
    return process, Bot(url, f"http://127.0.0.1:{ports['ACTIONS_PORT']}", app)


def test_serve_sh_writes_a_token_only_its_owner_reads_and_the_api_accepts_only_it(app):
    token_file = app / "var" / "api-token"
    assert not token_file.exists()
    process, bot = serve(app, token=None)
    try:
        token = token_file.read_text().strip()
        assert len(token) >= 32  # secrets.token_urlsafe(32)
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        check_the_token(bot, token)
    finally:
        stop(process)


def test_rasa_token_in_the_environment_replaces_the_token_file(app):
    token_file = app / "var" / "api-token"
    token_file.parent.mkdir()
    token_file.write_text("jeton-du-fichier-0123456789abcdefghijkl\n")
    token_file.chmod(0o600)
    process, bot = serve(app, token="jeton-de-l-environnement-0123456789abcdef")
    try:
        check_the_token(bot, "jeton-de-l-environnement-0123456789abcdef")
        assert api(bot, "GET", "/status", "jeton-du-fichier-0123456789abcdefghijkl") == 401
        assert token_file.read_text() == "jeton-du-fichier-0123456789abcdefghijkl\n"  # left as it was
    finally:
        stop(process)
