"""The sync loop: what the homeserver brings (`sync_once`), answered. Each
sync: invitations accepted or declined, gaps read back, each clinician's
message (decrypted by nio, checked by `messages.py`) handed to Rasa (one
conversation per room), Rasa's replies sent, files uploaded.

Delivery: a message is answered once. The sync position is saved only after
every message of the batch has been answered, each answer is noted before it
is sent, and replies are posted with transaction ids derived from the
clinician's event id, so a restart of the homeserver or of the bridge at any
point neither loses a message nor posts a reply twice. (One narrow window
remains: the bridge killed between Rasa's answer and the note, a few
milliseconds, makes Rasa see that message again.)

Files: a reply may carry one (the RCP sheet's PDF, base64 in a custom
payload from Rasa). Its bytes wait in the state's outbox; the loop uploads
them (in an encrypted room, encrypted with fresh keys that go in the
encrypted message, as ``file``), notes the ``m.file`` message with its
address, then sends it like a text. Killed during the upload, it uploads
again on restart; after it, it only sends.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Mapping
from typing import Any

import aiohttp
from nio import AsyncClient, ErrorResponse, MessageDirection, SyncResponse

from . import messages, state
from .config import MatrixConfig
from .pacing import Backoff, Stopped, StopSignal
from .session import HomeserverSession

logger = logging.getLogger(__name__)

# Give up on one message after this many server errors from Rasa (a message
# that makes Rasa fail every time must not block its room forever). An HTTP
# 503 (Rasa could not store the turn: database or Redis down) is not one: the
# message stays queued and is sent again, with backoff, until Rasa takes it.
RASA_SERVER_ERROR_ATTEMPTS = 5
# Pages of 100 events read back, at most, to find the invitation of a room
# just joined.
INVITATION_PAGES = 10


class SyncLoop:
    """Receive, decrypt, dispatch to Rasa, send: one `sync_once` at a time,
    through the homeserver session's client and calls."""

    def __init__(
        self, config: MatrixConfig, kept: state.BridgeState, session: HomeserverSession, stop: StopSignal
    ) -> None:
        self.config = config
        self.state = kept
        self.session = session
        self.stop = stop
        self.filter = messages.sync_filter(config.timeline_limit)
        self.http: aiohttp.ClientSession | None = None  # to Rasa, opened at the first message

    @property
    def client(self) -> AsyncClient:
        """The session's client (a new one after logging in again)."""
        return self.session.client

    async def close(self) -> None:
        if self.http is not None:
            await self.http.close()

    # ------------------------------------------------------------------ sync
    async def sync_once(self) -> None:
        since = self.state.next_batch
        response: SyncResponse = await self.session.request(
            "sync",
            lambda: self.client.sync(
                timeout=self.config.sync_timeout_ms if since else 0,
                sync_filter=self.filter,
                since=since,
                full_state=False,
            ),
            interruptible=True,
        )
        if isinstance(response, ErrorResponse):
            raise RuntimeError(f"sync refused: {response}")
        await self.session.keep_keys()
        for room_id, invite in response.rooms.invite.items():
            await self.on_invite(room_id, [_source(event) for event in invite.invite_state])
        if since is None:
            # First start: what was said before is not ours to answer.
            logger.info("first sync: starting from now")
        else:
            work = {}
            for room_id, room in response.rooms.join.items():
                events = [_source(event) for event in room.timeline.events]
                logger.debug("%s: %d event(s), limited=%s", room_id, len(events), room.timeline.limited)
                limited = room.timeline.limited and room.timeline.prev_batch
                encrypted = self.config.encryption and room_id in self.client.encrypted_rooms
                if limited and messages.history_wanted(events, self.config.user_id, encrypted):
                    events = await self.fetch_arrival(room_id, room.timeline.prev_batch, events, encrypted)
                elif limited:
                    events = await self.fetch_gap(room_id, room.timeline.prev_batch, since) + events
                if not self.config.encryption:
                    await self.on_encrypted(room_id, events)
                incoming = [
                    m
                    for m in messages.messages_to_answer(room_id, events, self.config.user_id)
                    if not self.state.is_handled(m.event_id)
                    # without encryption, on_encrypted tells the room once instead
                    and (self.config.encryption or not m.undecryptable)
                ]
                if incoming:
                    work[room_id] = incoming
            results = await asyncio.gather(
                *(self.answer_room(room_id, found) for room_id, found in work.items()), return_exceptions=True
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        self.state.set_next_batch(response.next_batch)

    async def fetch_gap(self, room_id: str, prev_batch: str, since: str) -> list[dict[str, Any]]:
        """The events a limited timeline left out, back to the last position."""
        events: list[dict[str, Any]] = []
        start = prev_batch
        message_filter = {"types": self.filter["room"]["timeline"]["types"]}
        while start:
            page = await self.session.request(
                "messages",
                functools.partial(
                    self.client.room_messages,
                    room_id,
                    start=start,
                    end=since,
                    direction=MessageDirection.back,
                    limit=100,
                    message_filter=message_filter,
                ),
            )
            if isinstance(page, ErrorResponse) or not page.chunk:
                break
            events.extend(_source(event) for event in page.chunk)
            if page.end in (None, start):
                break
            start = page.end
        logger.info("%s: %d earlier event(s) fetched after a gap", room_id, len(events))
        return list(reversed(events))

    async def fetch_arrival(
        self, room_id: str, prev_batch: str, events: list[dict[str, Any]], encrypted: bool
    ) -> list[dict[str, Any]]:
        """A room just joined: earlier events, page by page, back to the
        invitation that brought us in (what was written after it is answered)
        and, in an encrypted room, a few events before it (`messages.history_wanted`)."""
        own = self.config.user_id
        earlier: list[dict[str, Any]] = []
        start: str | None = prev_batch
        message_filter = {"types": self.filter["room"]["timeline"]["types"]}
        for _ in range(INVITATION_PAGES):
            token = start
            page = await self.session.request(
                "messages",
                functools.partial(
                    self.client.room_messages,
                    room_id,
                    start=token,
                    direction=MessageDirection.back,
                    limit=100,
                    message_filter=message_filter,
                ),
            )
            if isinstance(page, ErrorResponse) or not page.chunk:
                break
            earlier = [_source(event) for event in reversed(page.chunk)] + earlier
            if not messages.history_wanted(earlier + events, own, encrypted) or page.end in (None, start):
                break
            start = page.end
        if messages.needs_invitation(earlier + events, own):
            logger.warning("%s: the invitation was not found; only messages after our join are answered", room_id)
        logger.info("%s: %d earlier event(s) read back to the invitation", room_id, len(earlier))
        return earlier + events

    async def on_invite(self, room_id: str, invite_state: list[dict[str, Any]]) -> None:
        if messages.accept_invite(invite_state, self.config.user_id, self.config.accept_group_rooms):
            response = await self.session.request("join", lambda: self.client.join(room_id))
            if isinstance(response, ErrorResponse):
                logger.warning("could not join %s: %s", room_id, response)
            else:
                logger.info("joined %s", room_id)
        else:
            await self.session.request("leave", lambda: self.client.room_leave(room_id))
            logger.info("declined the invitation to %s (not a direct room)", room_id)

    async def on_encrypted(self, room_id: str, events: list[dict[str, Any]]) -> None:
        """With encryption off: an encrypted room is told once that its
        messages cannot be read."""
        if messages.has_encrypted_messages(events, self.config.user_id) and not self.state.encrypted_room_told(room_id):
            logger.warning("%s is end-to-end encrypted: its messages cannot be read", room_id)
            content = messages.matrix_message(messages.ENCRYPTED_ROOM_NOTICE, self.config.msgtype)
            await self.session.request(
                "send",
                lambda: self.client.room_send(
                    room_id, "m.room.message", content, tx_id=messages.transaction_id(f"encrypted:{room_id}", 0)
                ),
            )
            self.state.set_encrypted_room_told(room_id)

    # ------------------------------------------------------------------ answering
    async def answer_room(self, room_id: str, incoming: list[messages.Incoming]) -> None:
        """The room's new messages, in order, one at a time."""
        for message in incoming:
            if self.stop.is_set():
                raise Stopped()
            if self.state.is_handled(message.event_id):
                continue
            if message.undecryptable:
                notice = messages.matrix_message(messages.UNDECRYPTABLE_NOTICE, self.config.msgtype)
                contents = [notice] if message.notify else []
                self.state.record_notice(message, contents)
                logger.warning(
                    "%s: %s could not be decrypted (no key for it)%s",
                    room_id,
                    message.event_id,
                    ": the clinician is asked to write it again" if contents else "",
                )
                await self.send_all_pending(room_id)
                continue
            text = self.state.options.resolve(room_id, message.text)
            redelivery = self.state.begin(message)
            await self.typing(room_id, True)
            replies = await self.ask_rasa(room_id, text, message.event_id, redelivery)
            contents = messages.render_replies(replies, self.config.msgtype)
            self.state.record_answer(message, contents, replies)
            logger.info("%s: %s answered with %d message(s)", room_id, message.event_id, len(contents))
            await self.send_all_pending(room_id)
            await self.typing(room_id, False)

    async def send_all_pending(self, room_id: str | None = None) -> None:
        for entry in self.state.pending(room_id):
            for index in range(entry["sent"], len(entry["contents"])):
                content = entry["contents"][index]
                if messages.UPLOAD in content:
                    uploaded = await self.upload_file(entry, index, content)
                    if uploaded is None:
                        self.state.drop_pending(entry)
                        break
                    content = uploaded
                txn = messages.transaction_id(entry["event_id"], index)
                response = await self.session.room_send(entry["room_id"], content, txn)
                if isinstance(response, ErrorResponse):
                    logger.error("%s: reply not posted (%s): dropped", entry["room_id"], response)
                    self.state.drop_pending(entry)
                    break
                self.state.mark_sent(entry, index + 1)

    async def upload_file(self, entry: dict[str, Any], index: int, content: dict[str, Any]) -> dict[str, Any] | None:
        """Upload the file of `entry`'s message `index` (encrypted if its room
        is: the keys go in the message, itself encrypted) and note the message
        to send; None if it cannot be (logged). The upload is a call to the
        homeserver like any other: paced by the rate limiter."""
        room_id = entry["room_id"]
        data = self.state.file_bytes(content)
        if data is None:
            logger.error("%s: the file %s is no longer in the outbox: not sent", room_id, content.get("filename"))
            return None
        await self.session.know_room(room_id)
        encrypt = self.client.olm is not None and self.client.rooms[room_id].encrypted
        keys: dict[str, Any] = {}

        async def upload() -> Any:
            response, decryption = await self.client.upload(
                lambda *_: data,
                content_type=content["info"]["mimetype"],
                filename=None if encrypt else content.get("filename"),  # as Element: no name in clear
                encrypt=encrypt,
                filesize=len(data),
            )
            keys.clear()
            keys.update(decryption or {})
            return response

        response = await self.session.request("upload", upload)
        if isinstance(response, ErrorResponse):
            logger.error("%s: file %s not uploaded (%s): dropped", room_id, content.get("filename"), response)
            return None
        if encrypt and not keys:
            logger.error("%s: no keys for the encrypted file %s: not sent", room_id, content.get("filename"))
            return None
        uploaded = messages.uploaded_file_message(content, response.content_uri, keys if encrypt else None)
        self.state.set_uploaded(entry, index, uploaded)
        logger.info(
            "%s: file %s uploaded (%d bytes%s)",
            room_id,
            content.get("filename"),
            len(data),
            ", encrypted" if encrypt else "",
        )
        return uploaded

    async def typing(self, room_id: str, typing: bool) -> None:
        """Best effort: « l'assistant écrit… » while Rasa thinks, only when
        the rate limit leaves room for it and for the answer."""
        if not self.session.limiter.available(2):
            return
        try:
            await asyncio.wait_for(self.client.room_typing(room_id, typing, timeout=30_000), timeout=5)
        except Exception as error:  # noqa: BLE001 - cosmetic, never blocks an answer
            logger.debug("typing notice failed: %s", error)

    async def ask_rasa(
        self, room_id: str, text: str, event_id: str, redelivery: bool = False
    ) -> list[Mapping[str, Any]]:
        """Rasa's messages in answer to `text` in `room_id` (one conversation per
        room), retried while Rasa is unreachable or starting. A retry is marked
        as a redelivery: if Rasa did process the first attempt, it answers
        from its tracker instead of processing the message twice."""
        if self.http is None:
            self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180))
        url = f"{self.config.rasa_url}/webhooks/matrix/webhook"
        server_errors = 0
        backoff = Backoff(self.config.reconnect_max_delay)
        while True:
            try:
                body = {"sender": room_id, "message": text, "message_id": event_id, "redelivery": redelivery}
                redelivery = True
                async with self.http.post(url, json=body) as response:
                    if response.status == 200:
                        return list(await response.json())
                    detail = (await response.text())[:300]
                    if response.status == 404:
                        problem = "no Matrix channel in Rasa: declare channels.matrix.MatrixInput in credentials.yml"
                    elif response.status == 503:
                        # not taken (a store of Rasa down): kept and sent again until it is
                        problem = f"HTTP 503 (message not taken): {detail}"
                    elif response.status >= 500:
                        server_errors += 1
                        if server_errors >= RASA_SERVER_ERROR_ATTEMPTS:
                            logger.error(
                                "%s: Rasa failed %d times on one message (%s): left unanswered",
                                room_id,
                                server_errors,
                                detail,
                            )
                            return []
                        problem = f"HTTP {response.status}: {detail}"
                    else:
                        logger.error("%s: Rasa refused the message (HTTP %d: %s)", room_id, response.status, detail)
                        return []
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                problem = f"{type(error).__name__}: {error}"
            delay = backoff.next_delay()
            logger.warning("Rasa at %s: %s; retrying in %.1f s", url, problem, delay)
            await self.stop.pause(delay)


def _source(event: Any) -> dict[str, Any]:
    """The raw event nio parsed. (nio keeps no content in the source of
    invitation state events: it is taken from the parsed event.)"""
    source = dict(getattr(event, "source", None) or {})
    if "content" not in source and isinstance(getattr(event, "content", None), dict):
        source["content"] = event.content
    return source
