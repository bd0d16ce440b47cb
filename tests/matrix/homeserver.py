"""A throwaway Synapse homeserver, and a minimal Matrix client for the
clinician (standard library only).

Synapse runs from its own virtual environment (`make synapse-venv`), on a free
loopback port, with SQLite and a generated configuration in a temporary
directory; no federation, no outbound connection. `Synapse.restart()` stops
and starts the same server (same database), as an operator would.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.processes import ROOT, free_port, stop, tail

REQUIREMENTS = ROOT / "matrix_bridge" / "synapse-requirements.txt"
BRIDGE_REQUIREMENTS = ROOT / "matrix_bridge" / "requirements.txt"
SERVER_NAME = "localhost"


def _venv_python(variable: str, requirements: Path, prefix: str, target: str) -> Path:
    """The Python of a virtual environment built by mk/matrix.mk: from the
    variable `make test` exports, else built here with make (once)."""
    if os.environ.get(variable):
        return Path(os.environ[variable])
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    venv = Path.home() / ".cache" / "clinibot" / f"{prefix}-{digest}"
    if not (venv / ".installed").exists():
        subprocess.run(["make", "--no-print-directory", target], cwd=ROOT, check=True)
    return venv / "bin" / "python"


def synapse_python() -> Path:
    return _venv_python("CLINIBOT_SYNAPSE_PYTHON", REQUIREMENTS, "synapse", "synapse-venv")


def bridge_python() -> Path:
    return _venv_python("CLINIBOT_MATRIX_BRIDGE_PYTHON", BRIDGE_REQUIREMENTS, "matrix-bridge", "matrix-bridge-venv")


def _config(directory: Path, port: int, shared_secret: str) -> str:
    unlimited = {"per_second": 1000, "burst_count": 1000}
    config = {
        "server_name": SERVER_NAME,
        "pid_file": str(directory / "homeserver.pid"),
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": str(directory / "homeserver.db")}},
        "log_config": str(directory / "log.config"),
        "media_store_path": str(directory / "media"),
        "signing_key_path": str(directory / "signing.key"),
        "registration_shared_secret": shared_secret,
        "macaroon_secret_key": secrets.token_hex(16),
        "form_secret": secrets.token_hex(16),
        "report_stats": False,
        "enable_metrics": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "federation_domain_whitelist": [],
        "url_preview_enabled": False,
        "presence": {"enabled": False},
        "rc_message": unlimited,
        "rc_registration": unlimited,
        "rc_joins": {"local": unlimited, "remote": unlimited},
        "rc_invites": {"per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited},
        "rc_login": {"address": unlimited, "account": unlimited, "failed_attempts": unlimited},
        "rc_admin_redaction": unlimited,
    }
    return json.dumps(config, indent=1)  # JSON is YAML


_LOG_CONFIG = """version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: {log}
loggers:
  synapse.storage.SQL:
    level: WARNING
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
"""


class MatrixError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status, self.body = status, body


def request(
    url: str, method: str = "GET", body: dict | None = None, token: str | None = None, timeout: float = 30
) -> dict[str, Any]:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8") or "{}")
    except urllib.error.HTTPError as error:
        raise MatrixError(error.code, json.loads(error.read().decode("utf-8") or "{}")) from None


@dataclass
class Synapse:
    directory: Path
    port: int
    shared_secret: str
    python: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.directory / "homeserver.log"

    def start(self, timeout: float = 120) -> float:
        """Start and wait until the client API answers; the seconds it took."""
        began = time.monotonic()
        with open(self.directory / "console.log", "a") as console:
            self.process = subprocess.Popen(
                [
                    str(self.python),
                    "-m",
                    "synapse.app.homeserver",
                    "--config-path",
                    str(self.directory / "homeserver.yaml"),
                ],
                cwd=self.directory,
                stdout=console,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env={**os.environ, "SYNAPSE_ASYNC_IO_REACTOR": "0"},
            )
        deadline = began + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Synapse exited ({self.process.returncode}):\n{self._tail()}")
            with contextlib.suppress(OSError, MatrixError):
                request(f"{self.url}/_matrix/client/versions", timeout=2)
                return time.monotonic() - began
            time.sleep(0.3)
        raise TimeoutError(f"Synapse did not answer within {timeout} s:\n{self._tail()}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            stop(process, timeout=30)

    def restart(self) -> float:
        self.stop()
        return self.start()

    def _tail(self) -> str:
        return "\n".join(tail(self.directory / name) for name in ("console.log", "homeserver.log"))

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """An account, through the shared-secret registration API; its user id."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = request(endpoint)["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(
            b"\x00".join([nonce.encode(), localpart.encode(), password.encode(), b"admin" if admin else b"notadmin"])
        )
        answer = request(
            endpoint,
            "POST",
            {"nonce": nonce, "username": localpart, "password": password, "admin": admin, "mac": mac.hexdigest()},
        )
        return answer["user_id"]


@contextlib.contextmanager
def synapse_server(directory: Path) -> Iterator[Synapse]:
    """A configured, started Synapse; stopped on exit, also after a failure."""
    python = synapse_python()
    directory.mkdir(parents=True, exist_ok=True)
    port, secret = free_port(), secrets.token_hex(16)
    (directory / "homeserver.yaml").write_text(_config(directory, port, secret))
    (directory / "log.config").write_text(_LOG_CONFIG.format(log=directory / "homeserver.log"))
    subprocess.run(
        [
            str(python),
            "-m",
            "synapse.app.homeserver",
            "--config-path",
            str(directory / "homeserver.yaml"),
            "--generate-keys",
        ],
        cwd=directory,
        check=True,
        capture_output=True,
    )
    server = Synapse(directory, port, secret, python)
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Clinician:
    """The clinician's Matrix client: open a direct room with the bot, send
    messages, read the bot's replies in order."""

    def __init__(self, homeserver: Synapse, user_id: str, password: str) -> None:
        self.server = homeserver
        self.user_id = user_id
        login = request(
            f"{homeserver.url}/_matrix/client/v3/login",
            "POST",
            {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": user_id}, "password": password},
        )
        self.token = login["access_token"]
        self._txn = itertools.count()
        self.since: str | None = None

    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30) -> dict[str, Any]:
        return request(f"{self.server.url}/_matrix/client/v3{path}", method, body, self.token, timeout)

    def create_direct_room(self, invite: str | None = None) -> str:
        body: dict[str, Any] = {"preset": "trusted_private_chat", "is_direct": True}
        if invite:
            body["invite"] = [invite]
        return self.api("POST", "/createRoom", body)["room_id"]

    def invite(self, room_id: str, user_id: str) -> None:
        """A direct-chat invitation: ``is_direct`` in the member event, as
        Element's invitations to a direct chat carry it."""
        self.api(
            "PUT",
            f"/rooms/{_q(room_id)}/state/m.room.member/{_q(user_id)}",
            {"membership": "invite", "is_direct": True},
        )

    def send(self, room_id: str, text: str) -> str:
        txn = f"clinician-{time.time_ns()}-{next(self._txn)}"
        return self.api("PUT", f"/rooms/{_q(room_id)}/send/m.room.message/{txn}", {"msgtype": "m.text", "body": text})[
            "event_id"
        ]

    def download(self, url: str) -> bytes:
        """The bytes of the file at `url` (``mxc://server/id``), as the
        homeserver keeps them (authenticated media)."""
        server, media_id = url.removeprefix("mxc://").split("/", 1)
        req = urllib.request.Request(
            f"{self.server.url}/_matrix/client/v1/media/download/{_q(server)}/{_q(media_id)}",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(req, timeout=30) as response:
            return bytes(response.read())

    def joined_members(self, room_id: str) -> list[str]:
        return list(self.api("GET", f"/rooms/{_q(room_id)}/joined_members")["joined"])

    def wait_for_member(self, room_id: str, user_id: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if user_id in self.joined_members(room_id):
                return
            time.sleep(0.3)
        raise TimeoutError(f"{user_id} did not join {room_id}")

    def history(self, room_id: str, types: tuple = ("m.room.message",)) -> list[dict[str, Any]]:
        """Every event of these types in the room, oldest first (as the
        homeserver has them: encrypted ones stay encrypted)."""
        events: list[dict[str, Any]] = []
        token = None
        while True:
            query = {"dir": "b", "limit": "100", "filter": json.dumps({"types": list(types)})}
            if token:
                query["from"] = token
            page = self.api("GET", f"/rooms/{_q(room_id)}/messages?{urllib.parse.urlencode(query)}")
            events.extend(page.get("chunk", []))
            if not page.get("end") or not page.get("chunk"):
                break
            token = page["end"]
        return list(reversed(events))

    def bot_messages_after(self, room_id: str, event_id: str, bot: str) -> list[dict[str, Any]]:
        history = self.history(room_id)
        index = next(i for i, event in enumerate(history) if event["event_id"] == event_id)
        return [event for event in history[index + 1 :] if event["sender"] == bot]


def _q(value: str) -> str:
    return urllib.parse.quote(value, safe="")
