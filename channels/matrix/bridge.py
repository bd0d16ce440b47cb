"""The Matrix bridge: homeserver <-> Rasa's Matrix channel.

Runs in its own virtual environment (matrix-nio needs aiohttp >= 3.10, Rasa
3.6 pins aiohttp < 3.10): ``python -m channels.matrix --credentials
credentials.yml``. Every decision (which events, which invitations, what to
send, what to remember) is in `core.py`; this module does the I/O and the
retries.

Delivery: a message is answered once. The sync position is saved only after
every message of the batch has been answered, each answer is noted before it
is sent, and replies are posted with transaction ids derived from the
clinician's event id, so a restart of the homeserver or of the bridge at any
point neither loses a message nor posts a reply twice. (One narrow window
remains: the bridge killed between Rasa's answer and the note, a few
milliseconds, makes Rasa see that message again.)
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginResponse, MessageDirection, SyncResponse

from . import core
from .config import ConfigError, MatrixConfig

logger = logging.getLogger("channels.matrix")

# Give up on one message after this many server errors from Rasa (a message
# that makes Rasa fail every time must not block its room forever).
RASA_SERVER_ERROR_ATTEMPTS = 5


class TokenRejected(Exception):
    """The homeserver no longer accepts the access token."""


class Stopped(Exception):
    """The bridge was asked to stop while waiting."""


class Bridge:
    def __init__(self, config: MatrixConfig, state_dir: Path) -> None:
        self.config = config
        self.state = core.BridgeState(Path(state_dir) / "state.json", config.user_id)
        self.client = AsyncClient(
            config.homeserver, config.user_id,
            config=AsyncClientConfig(max_timeouts=0, request_timeout=30, store_sync_tokens=False),
        )
        self.backoff = core.Backoff(config.reconnect_max_delay)
        self.stop_event = asyncio.Event()
        self.http: Optional[aiohttp.ClientSession] = None
        self.filter = core.sync_filter(config.timeline_limit)

    # ------------------------------------------------------------------ life cycle
    async def run(self) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180))
        try:
            await self.login()
            await self.send_all_pending()
            while not self.stop_event.is_set():
                try:
                    await self.sync_once()
                except TokenRejected:
                    if not self.config.password:
                        raise ConfigError("the homeserver rejected the access token: set a new one") from None
                    logger.warning("access token rejected: logging in again with the password")
                    self.state.set_login(None)
                    await self.login()
                except (Stopped, ConfigError):
                    raise
                except Exception:  # noqa: BLE001 - the batch is synced again: nothing lost, nothing repeated
                    delay = self.backoff.next_delay()
                    logger.exception("unexpected error; syncing again in %.1f s", delay)
                    await self._pause(delay)
        except Stopped:
            pass
        finally:
            await self.http.close()
            await self.client.close()
            logger.info("bridge stopped")

    def stop(self) -> None:
        self.stop_event.set()

    async def _pause(self, seconds: float) -> None:
        """Sleep, unless asked to stop (then raise Stopped)."""
        try:
            await asyncio.wait_for(self.stop_event.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            return
        raise Stopped()

    async def _until_stopped(self, call: Awaitable[Any]) -> Any:
        """`call`, cancelled if the bridge is asked to stop meanwhile."""
        task = asyncio.ensure_future(call)
        stopper = asyncio.ensure_future(self.stop_event.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not task.done():
            task.cancel()
            raise Stopped()
        return task.result()

    # ------------------------------------------------------------------ homeserver calls
    async def homeserver(self, what: str, call: Callable[[], Awaitable[Any]], interruptible: bool = False) -> Any:
        """A homeserver call, retried with back-off while the homeserver is
        unreachable or fails (5xx, rate limit). Other errors are returned for
        the caller to judge; an unknown token raises TokenRejected."""
        while True:
            try:
                response = await (self._until_stopped(call()) if interruptible else call())
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if not isinstance(response, ErrorResponse):
                    if self.backoff.failures:
                        logger.info("homeserver reachable again (%s)", what)
                    self.backoff.reset()
                    return response
                if response.status_code == "M_UNKNOWN_TOKEN":
                    raise TokenRejected()
                status = getattr(response.transport_response, "status", None)
                if status is not None and status < 500 and response.status_code != "M_LIMIT_EXCEEDED":
                    return response
                problem = str(response)
            delay = self.backoff.next_delay()
            logger.warning("%s failed (%s): retrying in %.1f s", what, problem, delay)
            await self._pause(delay)

    async def login(self) -> None:
        config, client = self.config, self.client
        saved = self.state.login
        if config.access_token:
            client.access_token = config.access_token
        elif saved:
            client.access_token, client.device_id = saved["access_token"], saved["device_id"]
        else:
            response = await self.homeserver("login", lambda: client.login(config.password, device_name=config.device_name))
            if not isinstance(response, LoginResponse):
                raise ConfigError(f"login as {config.user_id} refused: {response}")
            self.state.set_login({"access_token": response.access_token, "device_id": response.device_id})
            logger.info("logged in as %s (device %s)", response.user_id, response.device_id)
        try:
            whoami = await self.homeserver("whoami", client.whoami)
        except TokenRejected:
            if config.access_token or not config.password:
                raise ConfigError(f"the homeserver rejected the access token of {config.user_id}") from None
            self.state.set_login(None)
            return await self.login()
        if isinstance(whoami, ErrorResponse):
            raise ConfigError(f"whoami: {whoami}")
        if whoami.user_id != config.user_id:
            raise ConfigError(f"the access token is {whoami.user_id}'s, not {config.user_id}'s")
        client.user_id, client.device_id = whoami.user_id, whoami.device_id or client.device_id
        logger.info("connected to %s as %s", config.homeserver, whoami.user_id)

    # ------------------------------------------------------------------ sync
    async def sync_once(self) -> None:
        since = self.state.next_batch
        response: SyncResponse = await self.homeserver(
            "sync",
            lambda: self.client.sync(timeout=self.config.sync_timeout_ms if since else 0,
                                     sync_filter=self.filter, since=since, full_state=False),
            interruptible=True,
        )
        if isinstance(response, ErrorResponse):
            raise RuntimeError(f"sync refused: {response}")
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
                if room.timeline.limited and room.timeline.prev_batch:
                    events = await self.fetch_gap(room_id, room.timeline.prev_batch, since) + events
                await self.on_encrypted(room_id, events)
                incoming = [m for m in core.messages_to_answer(room_id, events, self.config.user_id)
                            if not self.state.is_handled(m.event_id)]
                if incoming:
                    work[room_id] = incoming
            results = await asyncio.gather(*(self.answer_room(room_id, messages) for room_id, messages in work.items()),
                                           return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        self.state.set_next_batch(response.next_batch)

    async def fetch_gap(self, room_id: str, prev_batch: str, since: str) -> List[Dict[str, Any]]:
        """The events a limited timeline left out, back to the last position."""
        events: List[Dict[str, Any]] = []
        start = prev_batch
        message_filter = {"types": self.filter["room"]["timeline"]["types"]}
        while start:
            page = await self.homeserver(
                "messages", lambda: self.client.room_messages(room_id, start=start, end=since,
                                                              direction=MessageDirection.back, limit=100,
                                                              message_filter=message_filter))
            if isinstance(page, ErrorResponse) or not page.chunk:
                break
            events.extend(_source(event) for event in page.chunk)
            if page.end in (None, start):
                break
            start = page.end
        logger.info("%s: %d earlier event(s) fetched after a gap", room_id, len(events))
        return list(reversed(events))

    async def on_invite(self, room_id: str, invite_state: List[Dict[str, Any]]) -> None:
        if core.accept_invite(invite_state, self.config.user_id, self.config.accept_group_rooms):
            response = await self.homeserver("join", lambda: self.client.join(room_id))
            if isinstance(response, ErrorResponse):
                logger.warning("could not join %s: %s", room_id, response)
            else:
                logger.info("joined %s", room_id)
        else:
            await self.homeserver("leave", lambda: self.client.room_leave(room_id))
            logger.info("declined the invitation to %s (not a direct room)", room_id)

    async def on_encrypted(self, room_id: str, events: List[Dict[str, Any]]) -> None:
        if core.has_encrypted_messages(events, self.config.user_id) and not self.state.encrypted_room_told(room_id):
            logger.warning("%s is end-to-end encrypted: its messages cannot be read", room_id)
            content = core.matrix_message(core.ENCRYPTED_ROOM_NOTICE, self.config.msgtype)
            await self.homeserver("send", lambda: self.client.room_send(
                room_id, "m.room.message", content, tx_id=core.transaction_id(f"encrypted:{room_id}", 0)))
            self.state.set_encrypted_room_told(room_id)

    # ------------------------------------------------------------------ answering
    async def answer_room(self, room_id: str, messages: List[core.Incoming]) -> None:
        """The room's new messages, in order, one at a time."""
        for message in messages:
            if self.stop_event.is_set():
                raise Stopped()
            if self.state.is_handled(message.event_id):
                continue
            text = self.state.options.resolve(room_id, message.text)
            redelivery = self.state.begin(message)
            await self.typing(room_id, True)
            replies = await self.ask_rasa(room_id, text, message.event_id, redelivery)
            contents = core.render_replies(replies, self.config.msgtype)
            self.state.record_answer(message, contents, replies)
            logger.info("%s: %s answered with %d message(s)", room_id, message.event_id, len(contents))
            await self.send_all_pending(room_id)
            await self.typing(room_id, False)

    async def send_all_pending(self, room_id: Optional[str] = None) -> None:
        for entry in self.state.pending(room_id):
            for index in range(entry["sent"], len(entry["contents"])):
                content = entry["contents"][index]
                txn = core.transaction_id(entry["event_id"], index)
                response = await self.homeserver("send", lambda: self.client.room_send(
                    entry["room_id"], "m.room.message", content, tx_id=txn))
                if isinstance(response, ErrorResponse):
                    logger.error("%s: reply not posted (%s): dropped", entry["room_id"], response)
                    self.state.drop_pending(entry)
                    break
                self.state.mark_sent(entry, index + 1)

    async def typing(self, room_id: str, typing: bool) -> None:
        """Best effort: « l'assistant écrit… » while Rasa thinks."""
        try:
            await asyncio.wait_for(self.client.room_typing(room_id, typing, timeout=30_000), timeout=5)
        except Exception as error:  # noqa: BLE001 - cosmetic, never blocks an answer
            logger.debug("typing notice failed: %s", error)

    async def ask_rasa(self, room_id: str, text: str, event_id: str, redelivery: bool = False) -> List[Mapping[str, Any]]:
        """Rasa's messages in answer to `text` in `room_id` (one conversation per
        room), retried while Rasa is unreachable or starting. A retry is marked
        as a redelivery: if Rasa did process the first attempt, it answers
        from its tracker instead of processing the message twice."""
        assert self.http is not None
        url = f"{self.config.rasa_url}/webhooks/matrix/webhook"
        server_errors = 0
        backoff = core.Backoff(self.config.reconnect_max_delay)
        while True:
            try:
                body = {"sender": room_id, "message": text, "message_id": event_id, "redelivery": redelivery}
                redelivery = True
                async with self.http.post(url, json=body) as response:
                    if response.status == 200:
                        return list(await response.json())
                    body = (await response.text())[:300]
                    if response.status == 404:
                        problem = "no Matrix channel in Rasa: declare channels.matrix.MatrixInput in credentials.yml"
                    elif response.status >= 500:
                        server_errors += 1
                        if server_errors >= RASA_SERVER_ERROR_ATTEMPTS:
                            logger.error("%s: Rasa failed %d times on one message (%s): left unanswered",
                                         room_id, server_errors, body)
                            return []
                        problem = f"HTTP {response.status}: {body}"
                    else:
                        logger.error("%s: Rasa refused the message (HTTP %d: %s)", room_id, response.status, body)
                        return []
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                problem = f"{type(error).__name__}: {error}"
            delay = backoff.next_delay()
            logger.warning("Rasa at %s: %s; retrying in %.1f s", url, problem, delay)
            await self._pause(delay)


def _source(event: Any) -> Dict[str, Any]:
    """The raw event nio parsed. (nio keeps no content in the source of
    invitation state events: it is taken from the parsed event.)"""
    source = dict(getattr(event, "source", None) or {})
    if "content" not in source and isinstance(getattr(event, "content", None), dict):
        source["content"] = event.content
    return source
