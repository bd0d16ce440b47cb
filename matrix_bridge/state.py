"""What the bridge keeps across restarts, without any network: its state
file (`BridgeState`: login, sync position, answers in flight, the outbox of
files) and its crypto store's checks (a store that does not match the device,
an unreadable store, file modes). What the bridge answers is decided in
`messages.py`."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from channels.buttonless import OptionsMemory

from .messages import UPLOAD, Incoming

logger = logging.getLogger(__name__)
# Event ids remembered as answered, to skip them if a sync is replayed after a
# crash (the sync position is only saved once a whole batch is answered).
HANDLED_LIMIT = 2_000

NEW_DEVICE_STEPS = (
    "Recovery: the bridge must use a new device (its old messages stay unreadable; clinicians who write "
    "meanwhile get a notice asking them to write again). With password: in the configuration, run "
    "`python -m matrix_bridge --new-device` once (it logs in as a new device, keeps state_dir and the "
    "cross-signing seeds, and signs the new device). With access_token: log in again to get a new token "
    "(a new device), set it, and restart. Then remove the old device from the account (Element: "
    "Settings > Sessions) so that clients stop encrypting for it. See docs/matrix.md, « Magasin perdu »."
)


def crypto_store_problem(
    device_id: str, store_existed: bool, local_ed25519: str, server_ed25519: str | None
) -> str | None:
    """Why this crypto store cannot serve this device, or None if it can.

    `server_ed25519`: the device's signing key as the homeserver has it (None
    if it has none yet: a new device, whose keys are uploaded now)."""
    if server_ed25519 is None or server_ed25519 == local_ed25519:
        return None
    if not store_existed:
        what = (
            f"the crypto store of device {device_id} is missing (lost, deleted, or state_dir changed) "
            f"while the homeserver holds this device's keys"
        )
    else:
        what = (
            f"the crypto store of device {device_id} does not hold the keys the homeserver has for it "
            f"(a store from another installation, or restored from an older copy)"
        )
    return f"{what}: this device can decrypt nothing. {NEW_DEVICE_STEPS}"


def unreadable_store(path: Path, error: BaseException) -> str:
    return (
        f"the crypto store {path} cannot be opened ({type(error).__name__}: {error}). Most likely the store "
        f"key changed: give the key that created the store. If that key is lost, so is the store. "
        f"{NEW_DEVICE_STEPS}"
    )


def write_private(path: Path, data: bytes) -> None:
    """`data` in `path`, 0600 in a 0700 directory, atomically: written to a
    temporary file of the same directory, synced, then renamed over `path`
    (a crash leaves the old file or the new one, never half of one)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def make_private(directory: Path) -> list[Path]:
    """`directory` 0700 and every file in it 0600; the files whose mode was
    wider (created before umask 077, or copied)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(directory, 0o700)
    widened = []
    for path in sorted(directory.iterdir()):
        if path.is_file() and not path.is_symlink():
            if path.stat().st_mode & 0o077:
                widened.append(path)
            os.chmod(path, 0o600)
    return widened


class BridgeState:
    """What the bridge must not forget across restarts, in one JSON file
    written atomically (0600: it may hold the access token).

    - ``next_batch``: the sync position; saved only once every message of the
      batch is answered, so nothing is lost;
    - ``handled``: event ids already sent to Rasa, so a replayed batch repeats
      nothing;
    - ``in_flight``: messages handed to Rasa and not yet answered; after a
      crash they are sent again marked as redeliveries, and Rasa answers from
      its tracker if it had already processed them;
    - ``pending``: replies computed but not yet confirmed by the homeserver,
      resent with the same transaction ids. A file's bytes are not kept in
      this file (rewritten at every change) but once in ``outbox/`` beside
      it, until the file is uploaded; its message then holds the file's
      address (and keys, in an encrypted room) until it is sent;
    - ``options``: the numbered options last shown in each room;
    - ``login``: user, device and token obtained with the password (the same
      device is kept: no new session at each restart);
    - ``device_id``: the device of the last start, whose crypto store is used.
    """

    VERSION = 1

    def __init__(self, path: Path, user_id: str) -> None:
        self.path = Path(path)
        self.outbox = self.path.parent / "outbox"
        self.user_id = user_id
        self.data: dict[str, Any] = self._load()
        self.options = OptionsMemory(self.data["options"])
        # Handed to Rasa by the previous run, never answered.
        self.redeliveries = set(self.data["in_flight"])
        self._tidy_outbox()  # files of a run stopped before noting them

    def _empty(self) -> dict[str, Any]:
        return {
            "version": self.VERSION,
            "user_id": self.user_id,
            "next_batch": None,
            "login": None,
            "handled": [],
            "in_flight": [],
            "pending": [],
            "options": {},
            "encrypted_rooms_told": [],
            "device_id": None,
        }

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return self._empty()
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if data.get("user_id") != self.user_id or data.get("version") != self.VERSION:
            logger.warning(
                "state %s belongs to %s: starting afresh for %s", self.path, data.get("user_id"), self.user_id
            )
            return self._empty()
        empty = self._empty()
        empty.update(data)
        return empty

    def save(self) -> None:
        write_private(self.path, json.dumps(self.data, ensure_ascii=False, indent=1).encode("utf-8"))
        self._tidy_outbox()

    # -- files waiting to be uploaded
    def _stash(self, content: dict[str, Any]) -> dict[str, Any]:
        """`content` with its file's bytes (if any) moved to the outbox
        (written whole, 0600, before the state that names it)."""
        upload = content.get(UPLOAD)
        if not isinstance(upload, dict) or "base64" not in upload:
            return content
        data = base64.b64decode(upload["base64"])
        name = hashlib.sha256(data).hexdigest()
        target = self.outbox / name
        if not target.exists():
            write_private(target, data)
        return {**content, UPLOAD: {"outbox": name}}

    def file_bytes(self, content: Mapping[str, Any]) -> bytes | None:
        """The bytes of the file `content` is waiting to upload (None if they
        are gone: the message cannot be sent)."""
        name = (content.get(UPLOAD) or {}).get("outbox")
        try:
            return (self.outbox / str(name)).read_bytes() if name else None
        except OSError:
            return None

    def set_uploaded(self, entry: dict[str, Any], index: int, content: dict[str, Any]) -> None:
        """The file of `entry`'s message `index` is uploaded: `content` (with
        its address) is what is sent, now and after a restart."""
        entry["contents"][index] = content
        self.save()

    def _tidy_outbox(self) -> None:
        """Files no pending message waits for are removed (after the state
        without them is written)."""
        if not self.outbox.is_dir():
            return
        wanted = {
            (content.get(UPLOAD) or {}).get("outbox")
            for entry in self.data["pending"]
            for content in entry["contents"]
            if isinstance(content.get(UPLOAD), dict)
        }
        for path in self.outbox.iterdir():
            if path.name not in wanted:
                with contextlib.suppress(OSError):
                    path.unlink()

    # -- sync position
    @property
    def next_batch(self) -> str | None:
        return self.data["next_batch"]

    def set_next_batch(self, token: str) -> None:
        self.data["next_batch"] = token
        self.save()

    # -- login obtained with a password
    @property
    def login(self) -> dict[str, str] | None:
        return self.data["login"]

    def set_login(self, login: dict[str, str] | None) -> None:
        self.data["login"] = login
        self.save()

    # -- messages
    def is_handled(self, event_id: str) -> bool:
        return event_id in self.data["handled"] or any(p["event_id"] == event_id for p in self.data["pending"])

    def begin(self, incoming: Incoming) -> bool:
        """`incoming` is about to go to Rasa; True if it went already (a
        previous run stopped before the answer)."""
        if incoming.event_id not in self.data["in_flight"]:
            self.data["in_flight"].append(incoming.event_id)
            self.save()
        return incoming.event_id in self.redeliveries

    def record_answer(
        self, incoming: Incoming, contents: list[dict[str, Any]], replies: Sequence[Mapping[str, Any]]
    ) -> None:
        """Rasa has answered `incoming`: remember that, the replies to send and
        the options shown, in one write."""
        handled = self.data["handled"]
        handled.append(incoming.event_id)
        del handled[:-HANDLED_LIMIT]
        if incoming.event_id in self.data["in_flight"]:
            self.data["in_flight"].remove(incoming.event_id)
        self.redeliveries.discard(incoming.event_id)
        if contents:
            self.data["pending"].append(
                {
                    "room_id": incoming.room_id,
                    "event_id": incoming.event_id,
                    "contents": [self._stash(content) for content in contents],
                    "sent": 0,
                }
            )
        self.options.remember_turn(incoming.room_id, replies)
        self.save()

    def record_notice(self, incoming: Incoming, contents: list[dict[str, Any]]) -> None:
        """`incoming` (not for Rasa: a message that could not be decrypted)
        is dealt with by `contents` (a notice, or nothing); the numbered
        options shown stay valid."""
        handled = self.data["handled"]
        handled.append(incoming.event_id)
        del handled[:-HANDLED_LIMIT]
        if contents:
            self.data["pending"].append(
                {"room_id": incoming.room_id, "event_id": incoming.event_id, "contents": contents, "sent": 0}
            )
        self.save()

    def pending(self, room_id: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self.data["pending"] if room_id is None or p["room_id"] == room_id]

    def mark_sent(self, entry: dict[str, Any], count: int) -> None:
        entry["sent"] = count
        if count >= len(entry["contents"]):
            self.data["pending"].remove(entry)
        self.save()

    def drop_pending(self, entry: dict[str, Any]) -> None:
        self.data["pending"].remove(entry)
        self.save()

    # -- the device whose crypto store is used
    @property
    def device_id(self) -> str | None:
        return self.data["device_id"]

    def set_device_id(self, device_id: str) -> None:
        self.data["device_id"] = device_id
        self.save()

    # -- encrypted rooms, with encryption off
    def encrypted_room_told(self, room_id: str) -> bool:
        return room_id in self.data["encrypted_rooms_told"]

    def set_encrypted_room_told(self, room_id: str) -> None:
        self.data["encrypted_rooms_told"].append(room_id)
        self.save()
