"""The encrypting clinician of the end-to-end tests, seen from pytest (Rasa's
environment has no matrix-nio): `e2ee_clinician.py` runs in the bridge's
environment and is driven line by line. Its `history` has the same shape as
`homeserver.Clinician.history`, decrypted, so the tests read both alike."""

from __future__ import annotations

import base64
import contextlib
import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

from tests.matrix.homeserver import Synapse, bridge_python

HELPER = Path(__file__).with_name("e2ee_clinician.py")


class EncryptedClinician:
    """One device of a clinician (a Matrix login with its own crypto store)."""

    def __init__(self, server: Synapse, user_id: str, password: str, store: Path, device_name: str, log: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.user_id = user_id
        self._log = log
        with open(log, "a") as stderr:  # the child keeps its own copy
            self.process = subprocess.Popen(
                [str(bridge_python()), str(HELPER)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                bufsize=1,
                start_new_session=True,
            )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.device_id = self.call(
            "start",
            homeserver=server.url,
            user_id=user_id,
            password=password,
            store=str(store),
            device_name=device_name,
        )["device_id"]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def call(self, op: str, timeout: float = 120, **arguments: Any) -> Any:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, **arguments}) + "\n")
        self.process.stdin.flush()
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"the clinician's client did not answer {op} within {timeout} s") from None
        if line is None:
            raise RuntimeError(f"the clinician's client exited ({self.process.poll()}); see {self._log.name}")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{op}: {answer['error']} (see {self._log.name})")
        return answer["ok"]

    # -- the same verbs as homeserver.Clinician
    def create_direct_room(self, invite: str | None = None, encrypted: bool = True) -> str:
        return self.call("create_room", invite=[invite] if invite else [], encrypted=encrypted)["room_id"]

    def invite(self, room_id: str, user_id: str) -> None:
        self.call("invite", room_id=room_id, user_id=user_id)

    def send(self, room_id: str, text: str) -> str:
        return self.call("send", room_id=room_id, text=text)["event_id"]

    def timeline(self, room_id: str) -> list[dict[str, Any]]:
        """Messages and memberships, oldest first, as this device reads them."""
        return list(self.call("history", room_id=room_id)["events"])

    def history(self, room_id: str) -> list[dict[str, Any]]:
        """Every message of the room, oldest first (decrypted where possible)."""
        return [event for event in self.timeline(room_id) if event["type"] != "m.room.member"]

    def bot_messages_after(self, room_id: str, event_id: str, bot: str) -> list[dict[str, Any]]:
        history = self.history(room_id)
        index = next(i for i, event in enumerate(history) if event["event_id"] == event_id)
        return [event for event in history[index + 1 :] if event["sender"] == bot]

    def download(self, content: dict[str, Any]) -> bytes:
        """The file of an ``m.file`` message as this device reads it:
        downloaded, and decrypted if the message carries it encrypted."""
        if "file" in content:
            answer = self.call("download", url=content["file"]["url"], file=content["file"])
        else:
            answer = self.call("download", url=content["url"])
        return base64.b64decode(answer["base64"])

    def cross_signing(self, user_id: str) -> dict[str, Any]:
        return dict(self.call("cross_signing", user_id=user_id))

    def store_opens(self, store: Path, user_id: str, device_id: str, key: str) -> dict[str, Any]:
        return dict(
            self.call("store_opens", store_path=str(store), user_id=user_id, device_id=device_id, pickle_key=key)
        )

    def close(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(RuntimeError, TimeoutError, OSError):
                self.call("close", timeout=10)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
