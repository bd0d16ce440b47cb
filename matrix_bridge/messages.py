"""What the bridge decides about messages, without any network: which events
are messages to answer, which invitations to accept, what to send back (texts
and files). Raw Matrix events (dicts, as in the client-server API) in, Matrix
message contents out; the sync loop (`sync_loop.py`) does the I/O."""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from channels.buttonless import render_turn
from channels.formatting import chunks, matrix_html, plain_text

logger = logging.getLogger(__name__)

# Bigger messages are cut (Matrix caps an event at 64 KiB, HTML included).
MAX_MESSAGE_CHARS = 20_000

# With `encryption: false` only: the bridge then has no keys.
ENCRYPTED_ROOM_NOTICE = (
    "Ce salon est chiffré de bout en bout, mais le chiffrement n'est pas activé pour cet assistant : "
    "il ne peut pas lire vos messages ici. Prévenez l'équipe qui l'administre, "
    "ou ouvrez avec lui une conversation non chiffrée."
)

# A message whose key never reached the bridge (written before the assistant
# was invited, or encrypted for a device it no longer has).
UNDECRYPTABLE_NOTICE = (
    "Je n'ai pas pu lire un de vos messages : il est chiffré avec une clé que je n'ai pas reçue "
    "(par exemple s'il a été écrit avant mon invitation dans ce salon). "
    "Pourriez-vous l'écrire à nouveau ?"
)


@dataclass
class Incoming:
    """A clinician's message to answer or, when `undecryptable`, a message
    the bridge could not decrypt: `notify` says whether it gets the notice (a
    run of such messages gets one)."""

    room_id: str
    event_id: str
    text: str
    undecryptable: bool = False
    notify: bool = True


def sync_filter(timeline_limit: int) -> dict[str, Any]:
    """Only what the bridge reads: room messages and memberships."""
    nothing = {"not_types": ["*"]}
    return {
        "presence": nothing,
        "account_data": nothing,
        "room": {
            "timeline": {
                "limit": timeline_limit,
                "types": ["m.room.message", "m.room.member", "m.room.encrypted", "m.room.encryption"],
            },
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
        if (
            event.get("type") == "m.room.member"
            and event.get("state_key") == own_user_id
            and (event.get("content") or {}).get("membership") == "invite"
        ):
            return bool((event.get("content") or {}).get("is_direct"))
    return False


def _own_membership(event: Mapping[str, Any], own_user_id: str) -> str | None:
    if event.get("type") == "m.room.member" and event.get("state_key") == own_user_id:
        return (event.get("content") or {}).get("membership")
    return None


def _previous_membership(event: Mapping[str, Any]) -> str | None:
    previous = (event.get("unsigned") or {}).get("prev_content") or event.get("prev_content") or {}
    return previous.get("membership")


def _is_own_arrival(event: Mapping[str, Any], own_user_id: str) -> bool:
    """Our join, not a change of our name or avatar (also a "join")."""
    return _own_membership(event, own_user_id) == "join" and _previous_membership(event) != "join"


def _last_arrival(events: Sequence[Mapping[str, Any]], own_user_id: str) -> int | None:
    arrivals = [index for index, event in enumerate(events) if _is_own_arrival(event, own_user_id)]
    return arrivals[-1] if arrivals else None


def _membership_before(
    events: Sequence[Mapping[str, Any]], join: int, own_user_id: str
) -> tuple[int | None, str | None]:
    """Our membership event just before our join at `join`, if in `events`."""
    for index in range(join - 1, -1, -1):
        membership = _own_membership(events[index], own_user_id)
        if membership is not None:
            return index, membership
    return None, None


def own_arrival(events: Sequence[Mapping[str, Any]], own_user_id: str) -> tuple[int | None, int | None]:
    """Indexes of our last arrival (join) in `events` and of the invitation
    that led to it (None for either if not there)."""
    join = _last_arrival(events, own_user_id)
    if join is None:
        return None, None
    index, membership = _membership_before(events, join, own_user_id)
    return join, index if membership == "invite" else None


def needs_invitation(events: Sequence[Mapping[str, Any]], own_user_id: str) -> bool:
    """A room we have just joined on an invitation that is not in `events`."""
    join = _last_arrival(events, own_user_id)
    if join is None:
        return False
    index, _ = _membership_before(events, join, own_user_id)
    return index is None and _previous_membership(events[join]) in ("invite", None)


# Events read before the invitation of an encrypted room just joined: the
# inviter's messages among them that were encrypted without us get a notice.
PRE_INVITATION_EVENTS = 20


def history_wanted(events: Sequence[Mapping[str, Any]], own_user_id: str, encrypted: bool) -> bool:
    """A room we have just joined: should the bridge read further back? Until
    the invitation that brought us in, so that what the clinician wrote while
    we were only invited (Element sends the first message of a new direct chat
    then) is answered; in an encrypted room, also a few events before it, to
    notice messages we could never decrypt."""
    if needs_invitation(events, own_user_id):
        return True
    join, invite = own_arrival(events, own_user_id)
    return encrypted and invite is not None and invite < PRE_INVITATION_EVENTS


def message_text(event: Mapping[str, Any]) -> str | None:
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


def _is_encrypted(event: Mapping[str, Any]) -> bool:
    return event.get("type") == "m.room.encrypted"


def messages_to_answer(room_id: str, events: Sequence[Mapping[str, Any]], own_user_id: str) -> list[Incoming]:
    """The clinician's messages among a room's new events, in order.

    Events before the invitation that brought us into the room are history
    and are not answered; what was written after it, while we were only
    invited, is (the first message of a direct chat in Element). Without the
    invitation in `events`, history stops at our join. Our own messages are
    never answered.

    Events still encrypted here are those the bridge could not decrypt: after
    the invitation, each run of them gets one notice; before it, the inviter's
    get one notice in all (the bridge never had their keys)."""
    join, invite = own_arrival(events, own_user_id)
    start = 0 if join is None else (invite if invite is not None else join) + 1
    found: list[Incoming] = []
    if invite is not None:
        inviter = events[invite].get("sender")
        lost = [
            event
            for event in events[:invite]
            if _is_encrypted(event) and event.get("sender") == inviter and event.get("event_id")
        ]
        found.extend(
            Incoming(room_id, str(event["event_id"]), "", undecryptable=True, notify=index == 0)
            for index, event in enumerate(lost)
        )
    previous_undecryptable = False
    for event in events[start:]:
        if event.get("sender") == own_user_id or not event.get("event_id"):
            continue
        if _is_encrypted(event):
            found.append(
                Incoming(room_id, str(event["event_id"]), "", undecryptable=True, notify=not previous_undecryptable)
            )
            previous_undecryptable = True
            continue
        text = message_text(event)
        if text is not None:
            found.append(Incoming(room_id, str(event["event_id"]), text))
            previous_undecryptable = False
    return found


def has_encrypted_messages(events: Sequence[Mapping[str, Any]], own_user_id: str) -> bool:
    return any(_is_encrypted(event) and event.get("sender") != own_user_id for event in events)


def matrix_message(markdown_text: str, msgtype: str = "m.notice") -> dict[str, Any]:
    """A Matrix message content: plain ``body`` and HTML ``formatted_body``."""
    return {
        "msgtype": msgtype,
        "body": plain_text(markdown_text),
        "format": "org.matrix.custom.html",
        "formatted_body": matrix_html(markdown_text),
    }


# A file message still to upload: under this key, its bytes (base64) as
# rendered, then the name of its copy in the state's outbox. The bridge
# uploads the bytes and replaces the key with the file's address.
UPLOAD = "clinibot.upload"


def file_message(reply: Mapping[str, Any]) -> dict[str, Any] | None:
    """An ``m.file`` (``m.image`` for a PNG) content, still to upload, for a reply that carries a file
    (the custom payload ``{"data": {"file": {"filename", "mimetype",
    "base64"}}}``, as action_report sends the RCP sheet's PDF); None for any
    other reply, or for a file that is not valid base64 (logged)."""
    custom = reply.get("custom")
    data = custom.get("data") if isinstance(custom, Mapping) else None
    attached = data.get("file") if isinstance(data, Mapping) else None
    if not isinstance(attached, Mapping):
        return None
    encoded = attached.get("base64")
    try:
        data = base64.b64decode(encoded, validate=True) if isinstance(encoded, str) else b""
    except (binascii.Error, ValueError):
        data = b""
    if not data:
        logger.error("a file from Rasa has no valid base64 content: not sent")
        return None
    filename = re.sub(r"[^\w.-]", "_", str(attached.get("filename") or "document").rsplit("/", 1)[-1]) or "document"
    mimetype = str(attached.get("mimetype") or "application/octet-stream")
    # A PNG (the decision path, action_show_path) is shown as a picture: an
    # ``m.image`` with its width and height; anything else is a file.
    size = png_size(data) if mimetype == "image/png" else None
    dimensions = {"w": size[0], "h": size[1]} if size else {}
    return {
        "msgtype": "m.image" if size else "m.file",
        "body": filename,
        "filename": filename,
        "info": {"mimetype": mimetype, "size": len(data), **dimensions},
        UPLOAD: {"base64": encoded},
    }


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int] | None:
    """The width and height of a PNG (its IHDR chunk), None if `data` is not one."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return (width, height) if width and height else None


def uploaded_file_message(content: Mapping[str, Any], url: str, encryption: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``m.file`` content to send once its bytes are at `url`: ``url`` in
    a room in clear; in an encrypted room, ``file`` (the address with the
    keys that decrypt it: ``key``, ``iv``, ``hashes``, ``v``), as the Matrix
    specification asks for encrypted attachments."""
    message = {key: value for key, value in content.items() if key != UPLOAD}
    if encryption is None:
        message["url"] = url
    else:
        message["file"] = {**encryption, "url": url}
    return message


def render_replies(replies: Sequence[Mapping[str, Any]], msgtype: str = "m.notice") -> list[dict[str, Any]]:
    """Rasa's messages for one turn as Matrix message contents, in order:
    texts with buttons as numbered options, files as ``m.file`` messages to
    upload (`file_message`)."""
    contents = []
    for reply in replies:
        attached = file_message(reply)
        if attached is not None:
            contents.append(attached)
            continue
        for message in render_turn([reply]):
            for part in chunks(message["text"], MAX_MESSAGE_CHARS):
                contents.append(matrix_message(part, msgtype))
    return contents


def transaction_id(event_id: str, index: int) -> str:
    """The same for the same reply: if the bridge stops after sending and
    before noting it, the homeserver recognises the resent transaction and
    does not post the message twice."""
    digest = hashlib.sha256(event_id.encode("utf-8")).hexdigest()[:32]
    return f"clinibot.{digest}.{index}"
