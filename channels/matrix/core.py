"""What the bridge decides, without any network: which events are messages to
answer, which invitations to accept, what to send back, what to remember
across restarts. Raw Matrix events (dicts, as in the client-server API) in,
Matrix message contents out; the bridge (`bridge.py`) does the I/O."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from ..buttonless import OptionsMemory, render_turn
from ..formatting import chunks, matrix_html, plain_text

logger = logging.getLogger(__name__)

# Bigger messages are cut (Matrix caps an event at 64 KiB, HTML included).
MAX_MESSAGE_CHARS = 20_000
# Event ids remembered as answered, to skip them if a sync is replayed after a
# crash (the sync position is only saved once a whole batch is answered).
HANDLED_LIMIT = 2_000

ENCRYPTED_ROOM_NOTICE = (
    "Ce salon est chiffré de bout en bout : l'assistant ne peut pas encore y lire les messages. "
    "Ouvrez avec lui une conversation non chiffrée."
)


@dataclass
class Incoming:
    room_id: str
    event_id: str
    text: str


def sync_filter(timeline_limit: int) -> Dict[str, Any]:
    """Only what the bridge reads: room messages and memberships."""
    nothing = {"not_types": ["*"]}
    return {
        "presence": nothing,
        "account_data": nothing,
        "room": {
            "timeline": {"limit": timeline_limit,
                         "types": ["m.room.message", "m.room.member", "m.room.encrypted", "m.room.encryption"]},
            "state": {"lazy_load_members": True},
            "ephemeral": nothing,
            "account_data": nothing,
        },
    }


def accept_invite(invite_state: Iterable[Mapping[str, Any]], own_user_id: str, accept_group_rooms: bool) -> bool:
    """Join a room we are invited to? Direct rooms (``is_direct`` in our
    invitation, as Element and Tchap set it) always; others only if allowed."""
    if accept_group_rooms:
        return True
    for event in invite_state:
        if (event.get("type") == "m.room.member" and event.get("state_key") == own_user_id
                and (event.get("content") or {}).get("membership") == "invite"):
            return bool((event.get("content") or {}).get("is_direct"))
    return False


def _is_own_join(event: Mapping[str, Any], own_user_id: str) -> bool:
    return (event.get("type") == "m.room.member" and event.get("state_key") == own_user_id
            and (event.get("content") or {}).get("membership") == "join")


def message_text(event: Mapping[str, Any]) -> Optional[str]:
    """The text a clinician typed, or None for anything else (notices from
    other bots, edits, images, reactions…)."""
    if event.get("type") != "m.room.message":
        return None
    content = event.get("content") or {}
    if content.get("msgtype") not in ("m.text", "m.emote"):
        return None
    relation = content.get("m.relates_to") or {}
    if relation.get("rel_type") == "m.replace":
        return None
    body = content.get("body")
    if not isinstance(body, str):
        return None
    if relation.get("m.in_reply_to") and body.startswith("> "):
        # Reply fallback: the quoted lines, a blank line, then the answer.
        body = body.split("\n\n", 1)[1] if "\n\n" in body else ""
    return body.strip() or None


def messages_to_answer(room_id: str, events: Sequence[Mapping[str, Any]], own_user_id: str) -> List[Incoming]:
    """The clinician's messages among a room's new events, in order.

    Events before our own join in this list (a room joined since the last
    sync) are history and are not answered; our own messages never are."""
    start = 0
    for index, event in enumerate(events):
        if _is_own_join(event, own_user_id):
            start = index + 1
    found = []
    for event in events[start:]:
        if event.get("sender") == own_user_id:
            continue
        text = message_text(event)
        if text is not None and event.get("event_id"):
            found.append(Incoming(room_id, str(event["event_id"]), text))
    return found


def has_encrypted_messages(events: Sequence[Mapping[str, Any]], own_user_id: str) -> bool:
    return any(event.get("type") == "m.room.encrypted" and event.get("sender") != own_user_id for event in events)


def matrix_message(markdown_text: str, msgtype: str = "m.notice") -> Dict[str, Any]:
    """A Matrix message content: plain ``body`` and HTML ``formatted_body``."""
    return {
        "msgtype": msgtype,
        "body": plain_text(markdown_text),
        "format": "org.matrix.custom.html",
        "formatted_body": matrix_html(markdown_text),
    }


def render_replies(replies: Sequence[Mapping[str, Any]], msgtype: str = "m.notice") -> List[Dict[str, Any]]:
    """Rasa's messages for one turn as Matrix message contents, buttons as
    numbered options."""
    contents = []
    for message in render_turn(replies):
        for part in chunks(message["text"], MAX_MESSAGE_CHARS):
            contents.append(matrix_message(part, msgtype))
    return contents


def transaction_id(event_id: str, index: int) -> str:
    """The same for the same reply: if the bridge stops after sending and
    before noting it, the homeserver recognises the resent transaction and
    does not post the message twice."""
    digest = hashlib.sha256(event_id.encode("utf-8")).hexdigest()[:32]
    return f"clinibot.{digest}.{index}"


class Backoff:
    """Waits between reconnection attempts: 1 s, 2 s, 4 s… up to `maximum`,
    with ±20 % jitter; back to 1 s after a success."""

    def __init__(self, maximum: float = 60.0, first: float = 1.0, jitter: float = 0.2) -> None:
        self.maximum, self.first, self.jitter = maximum, first, jitter
        self.failures = 0

    def next_delay(self) -> float:
        base = min(self.maximum, self.first * (2 ** self.failures))
        self.failures += 1
        return base * random.uniform(1 - self.jitter, 1 + self.jitter)

    def reset(self) -> None:
        self.failures = 0


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
      resent with the same transaction ids;
    - ``options``: the numbered options last shown in each room;
    - ``login``: user, device and token obtained with the password (the same
      device is kept: no new session at each restart).
    """

    VERSION = 1

    def __init__(self, path: Path, user_id: str) -> None:
        self.path = Path(path)
        self.user_id = user_id
        self.data: Dict[str, Any] = self._load()
        self.options = OptionsMemory(self.data["options"])
        # Handed to Rasa by the previous run, never answered.
        self.redeliveries = set(self.data["in_flight"])

    def _empty(self) -> Dict[str, Any]:
        return {"version": self.VERSION, "user_id": self.user_id, "next_batch": None, "login": None,
                "handled": [], "in_flight": [], "pending": [], "options": {},
                "encrypted_rooms_told": []}

    def _load(self) -> Dict[str, Any]:
        if not self.path.exists():
            return self._empty()
        data = json.loads(self.path.read_text(encoding="utf-8"))
        if data.get("user_id") != self.user_id or data.get("version") != self.VERSION:
            logger.warning("state %s belongs to %s: starting afresh for %s", self.path, data.get("user_id"), self.user_id)
            return self._empty()
        empty = self._empty()
        empty.update(data)
        return empty

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(self.data, out, ensure_ascii=False, indent=1)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    # -- sync position
    @property
    def next_batch(self) -> Optional[str]:
        return self.data["next_batch"]

    def set_next_batch(self, token: str) -> None:
        self.data["next_batch"] = token
        self.save()

    # -- login obtained with a password
    @property
    def login(self) -> Optional[Dict[str, str]]:
        return self.data["login"]

    def set_login(self, login: Optional[Dict[str, str]]) -> None:
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

    def record_answer(self, incoming: Incoming, contents: List[Dict[str, Any]], replies: Sequence[Mapping[str, Any]]) -> None:
        """Rasa has answered `incoming`: remember that, the replies to send and
        the options shown, in one write."""
        handled = self.data["handled"]
        handled.append(incoming.event_id)
        del handled[:-HANDLED_LIMIT]
        if incoming.event_id in self.data["in_flight"]:
            self.data["in_flight"].remove(incoming.event_id)
        self.redeliveries.discard(incoming.event_id)
        if contents:
            self.data["pending"].append({"room_id": incoming.room_id, "event_id": incoming.event_id,
                                         "contents": contents, "sent": 0})
        self.options.remember_turn(incoming.room_id, replies)
        self.save()

    def pending(self, room_id: Optional[str] = None) -> List[Dict[str, Any]]:
        return [p for p in self.data["pending"] if room_id is None or p["room_id"] == room_id]

    def mark_sent(self, entry: Dict[str, Any], count: int) -> None:
        entry["sent"] = count
        if count >= len(entry["contents"]):
            self.data["pending"].remove(entry)
        self.save()

    def drop_pending(self, entry: Dict[str, Any]) -> None:
        self.data["pending"].remove(entry)
        self.save()

    # -- encrypted rooms
    def encrypted_room_told(self, room_id: str) -> bool:
        return room_id in self.data["encrypted_rooms_told"]

    def set_encrypted_room_told(self, room_id: str) -> None:
        self.data["encrypted_rooms_told"].append(room_id)
        self.save()
