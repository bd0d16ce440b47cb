"""The Matrix bridge: homeserver <-> Rasa's Matrix channel.

Runs in its own virtual environment (matrix-nio needs aiohttp >= 3.10, Rasa
3.6 pins aiohttp < 3.10): ``python -m channels.matrix --credentials
credentials.yml``. Every decision (which events, which invitations, what to
send, what to remember) is in `core.py`; this module does the I/O and the
retries.

End-to-end encryption (on unless ``encryption: false``): matrix-nio's
``[e2e]`` extra (vodozemac, no libolm). The crypto store is
``<state_dir>/crypto/<user>_<device>.db``, encrypted with the store key and
private (0600 in a 0700 directory); the bridge logs in once and then restores
that login, with the same device, at every start. After each sync it does
what nio's ``sync_forever`` does: sends queued to-device messages, uploads,
queries and claims keys. Decrypted events reach `core.py` as plain
``m.room.message`` events; those it could not decrypt get one notice. Devices
of the clinicians are trusted on first use (recorded in the store, each one
logged); the bot cross-signs its own device (`crosssigning.py`). A store that
does not match the device the homeserver knows stops the bridge with the
recovery steps in the log. Every request to the homeserver is paced by
`core.RateLimiter` (``rate_limit_per_second``).

Delivery: a message is answered once. The sync position is saved only after
every message of the batch has been answered, each answer is noted before it
is sent, and replies are posted with transaction ids derived from the
clinician's event id, so a restart of the homeserver or of the bridge at any
point neither loses a message nor posts a reply twice. (One narrow window
remains: the bridge killed between Rasa's answer and the note, a few
milliseconds, makes Rasa see that message again.)

Why one long module (≈ 800 lines): `Bridge` holds one connection's state
(login, crypto store, sync position, rate limit, outbox) and every step of
the loop uses it; what can be decided without the network is already in
`core.py` (messages), `state.py` (what is kept) and `crosssigning.py`.

Files: a reply may carry one (the RCP sheet's PDF, base64 in a custom
payload from Rasa). Its bytes wait in the state's outbox; the bridge uploads
them (in an encrypted room, encrypted with fresh keys that go in the
encrypted message, as ``file``), notes the ``m.file`` message with its
address, then sends it like a text. Killed during the upload, it uploads
again on restart; after it, it only sends.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginResponse, MessageDirection, SyncResponse
from nio.exceptions import OlmUnverifiedDeviceError
from nio.rooms import MatrixRoom

from . import core, crosssigning, state
from .config import ConfigError, MatrixConfig

logger = logging.getLogger("channels.matrix")

# Give up on one message after this many server errors from Rasa (a message
# that makes Rasa fail every time must not block its room forever). An HTTP
# 503 (Rasa could not store the turn: database or Redis down) is not one: the
# message stays queued and is sent again, with backoff, until Rasa takes it.
RASA_SERVER_ERROR_ATTEMPTS = 5
# Pages of 100 events read back, at most, to find the invitation of a room
# just joined.
INVITATION_PAGES = 10
CLIENT_API = "/_matrix/client/v3"


class TokenRejected(Exception):
    """The homeserver no longer accepts the access token."""


class Stopped(Exception):
    """The bridge was asked to stop while waiting."""


class PacedClient(AsyncClient):
    """nio's client, each of its HTTP requests paced by a rate limiter."""

    def __init__(self, *args: Any, limiter: core.RateLimiter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = limiter

    async def send(
        self,
        method: str,
        path: str,
        data: Any = None,
        headers: dict[str, str] | None = None,
        trace_context: Any = None,
        timeout: float | None = None,
    ) -> aiohttp.ClientResponse:
        delay = self.limiter.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
        logger.debug("homeserver call at %.3f by %d: %s %s", time.monotonic(), os.getpid(), method, path.split("?")[0])
        return await super().send(method, path, data, headers, trace_context, timeout)


class Bridge:
    def __init__(
        self, config: MatrixConfig, state_dir: Path, new_device: bool = False, reset_cross_signing: bool = False
    ) -> None:
        self.config = config
        self.state_dir = Path(state_dir)
        self.state = state.BridgeState(self.state_dir / "state.json", config.user_id)
        self.store_dir = self.state_dir / "crypto"
        self.limiter = core.RateLimiter(config.rate_limit_per_second, config.rate_limit_burst)
        self.client = self.new_client()
        self.backoff = core.Backoff(config.reconnect_max_delay)
        self.stop_event = asyncio.Event()
        self.http: aiohttp.ClientSession | None = None
        self.filter = core.sync_filter(config.timeline_limit)
        self.new_device = new_device
        self.reset_cross_signing = reset_cross_signing
        # Rooms found unencrypted since this start (encrypted ones are in nio's store).
        self.plain_rooms: set = set()

    def new_client(self) -> PacedClient:
        encryption = self.config.encryption
        for directory in (self.state_dir, self.store_dir) if encryption else (self.state_dir,):
            for path in state.make_private(directory):
                logger.warning("%s was readable by others: now 0600", path)
        return PacedClient(
            self.config.homeserver,
            self.config.user_id,
            store_path=str(self.store_dir) if encryption else "",
            config=AsyncClientConfig(
                max_timeouts=0,
                request_timeout=30,
                store_sync_tokens=False,
                encryption_enabled=encryption,
                pickle_key=self.config.store_key or "",
            ),
            limiter=self.limiter,
        )

    # ------------------------------------------------------------------ life cycle
    async def run(self) -> None:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180))
        try:
            if self.new_device:
                if not self.config.password or self.config.access_token:
                    raise ConfigError(
                        '--new-device logs in with the password (password: "${MATRIX_PASSWORD}", no '
                        "access_token); with an access token, log in again to get a new token: it "
                        "is a new device"
                    )
                logger.warning("--new-device: logging in again as a new device")
                self.state.set_login(None)
            if self.reset_cross_signing and not self.config.password:
                raise ConfigError(
                    "--reset-cross-signing needs the account's password (password: "
                    '"${MATRIX_PASSWORD}"): the homeserver asks for it to replace the keys'
                )
            await self.login()
            if self.reset_cross_signing:
                await self.cross_sign(reset=True)
                return
            await self.send_all_pending()
            while not self.stop_event.is_set():
                try:
                    await self.sync_once()
                except TokenRejected:
                    if not self.config.password:
                        raise ConfigError("the homeserver rejected the access token: set a new one") from None
                    logger.warning("access token rejected: logging in again with the password (a new device)")
                    self.state.set_login(None)
                    await self.client.close()
                    self.client = self.new_client()
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

    async def api(
        self,
        what: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """A client-server API call nio has no method for (cross-signing), through
        the same rate limiter; retried while the homeserver is unreachable or
        fails. The HTTP status and the JSON answer."""
        headers = {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"}
        data = json.dumps(body) if body is not None else None
        while True:
            try:
                response = await self.client.send(method, CLIENT_API + path, data, headers)
                try:
                    answer = await response.json(content_type=None)
                finally:
                    response.release()
                status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError) as error:
                problem = f"{type(error).__name__}: {error}"
            else:
                if status < 500 and status != 429:
                    if status == 401 and (answer or {}).get("errcode") == "M_UNKNOWN_TOKEN":
                        raise TokenRejected()
                    return status, answer if isinstance(answer, dict) else {}
                problem = f"HTTP {status}: {answer}"
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
            response = await self.homeserver(
                "login", lambda: client.login(config.password, device_name=config.device_name)
            )
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
        logger.info("connected to %s as %s (device %s)", config.homeserver, whoami.user_id, client.device_id)
        if config.encryption:
            await self.open_crypto_store()

    # ------------------------------------------------------------------ end-to-end encryption
    async def open_crypto_store(self) -> None:
        """Restore the login on this device's crypto store, check that the
        store is the one the homeserver knows, upload the keys, cross-sign."""
        client, user_id, device_id = self.client, self.config.user_id, self.client.device_id
        if not device_id:
            raise ConfigError(
                "the homeserver did not say which device the access token belongs to "
                "(whoami without device_id): end-to-end encryption needs one"
            )
        store_file = self.store_dir / f"{user_id}_{device_id}.db"
        existed = store_file.exists()
        try:
            client.restore_login(user_id, device_id, client.access_token)
        except Exception as error:  # noqa: BLE001 - vodozemac's pickle errors have no common base
            raise ConfigError(state.unreadable_store(store_file, error)) from None
        if client.olm is None:
            raise ConfigError(
                "end-to-end encryption is on but unavailable: install matrix-nio[e2e] "
                "(channels/matrix/requirements.txt), or set encryption: false"
            )
        for path in state.make_private(self.store_dir):
            logger.warning("%s was readable by others: now 0600", path)
        _, query = await self.api("keys query", "POST", "/keys/query", {"device_keys": {user_id: []}})
        device = ((query.get("device_keys") or {}).get(user_id) or {}).get(device_id) or {}
        problem = state.crypto_store_problem(
            device_id,
            existed,
            client.olm.account.identity_keys["ed25519"],
            (device.get("keys") or {}).get(f"ed25519:{device_id}"),
        )
        if problem:
            if not existed:  # nio just made an empty store for this device: it holds nothing
                await self.client.close()
                store_file.unlink(missing_ok=True)
            raise ConfigError(problem)
        previous = self.state.device_id
        if previous and previous != device_id:
            logger.warning(
                "device %s replaces %s: a new crypto store is used (the old one, if any, stays in %s). "
                "Remove device %s from the account so that clients stop encrypting for it",
                device_id,
                previous,
                self.store_dir,
                previous,
            )
        if previous != device_id:
            self.state.set_device_id(device_id)
        if client.should_upload_keys:
            response = await self.homeserver("keys upload", client.keys_upload)
            if isinstance(response, ErrorResponse):
                raise ConfigError(f"the homeserver refused this device's keys: {response}")
            query = {}  # the device's keys changed on the homeserver: ask again
        logger.info(
            "end-to-end encryption on: device %s, Ed25519 key %s, store %s",
            device_id,
            client.olm.account.identity_keys["ed25519"],
            store_file,
        )
        if not self.reset_cross_signing:
            await self.cross_sign(query=query or None)

    async def cross_sign(self, reset: bool = False, query: dict[str, Any] | None = None) -> None:
        """At first start, make and upload the account's cross-signing keys;
        at every start, make sure this device is signed by them. A failure
        is logged, not fatal: the bot still works with clients that do not
        exclude devices their owner has not cross-signed."""
        assert self.client.olm is not None
        user_id, device_id, secret = self.config.user_id, self.client.device_id, self.config.store_key or ""
        path = self.state_dir / crosssigning.SEED_FILE
        try:
            local = crosssigning.CrossSigningKeys.load(path, user_id, secret)
        except crosssigning.SeedFileError as error:
            logger.error(
                "cross-signing: %s; the device is not cross-signed. Give the store key that wrote it, "
                "or reset: python -m channels.matrix --reset-cross-signing",
                error,
            )
            return
        if query is None:
            _, query = await self.api("keys query", "POST", "/keys/query", {"device_keys": {user_id: []}})
        step = crosssigning.UPLOAD if reset else crosssigning.plan(query, user_id, device_id, local)
        if step == crosssigning.FOREIGN:
            logger.error("cross-signing: " + crosssigning.FOREIGN_EXPLANATION.format(user_id=user_id, path=path))
            return
        if step == crosssigning.UPLOAD:
            fresh = reset or local is None
            keys = crosssigning.CrossSigningKeys.generate() if fresh or local is None else local
            # Saved before the upload: never publish keys we could lose. A
            # reset writes beside the keys in use, kept if the upload fails.
            target = path.with_name(path.name + ".new") if fresh and local is not None else path
            if fresh:
                keys.save(target, user_id, secret)
            if not await self.upload_cross_signing_keys(keys, reset):
                if target != path:
                    target.unlink(missing_ok=True)
                return
            if target != path:
                os.replace(target, path)
            local = keys
            _, query = await self.api("keys query", "POST", "/keys/query", {"device_keys": {user_id: []}})
            step = crosssigning.plan(query, user_id, device_id, local)
        if step == crosssigning.SIGN_DEVICE and local is not None:
            device = query["device_keys"][user_id][device_id]
            master = local.key_object(user_id, "master")
            master_signature = self.client.olm.account.sign(
                crosssigning.canonical_json(crosssigning.signable(master)).decode("utf-8")
            )
            body = {
                user_id: {
                    device_id: local.sign_device(user_id, device),
                    local.master.public: crosssigning.with_signature(
                        master, user_id, f"ed25519:{device_id}", master_signature
                    ),
                }
            }
            status, answer = await self.api("signatures upload", "POST", "/keys/signatures/upload", body)
            if status != 200 or answer.get("failures"):
                logger.error(
                    "cross-signing: the homeserver refused the device's signature (HTTP %d: %s)", status, answer
                )
                return
            step = crosssigning.DONE
        if step == crosssigning.DONE:
            logger.info(
                "cross-signing: device %s signed by the self-signing key %s (master key %s)",
                device_id,
                local.self_signing.public if local else "?",
                local.master.public if local else "?",
            )

    async def upload_cross_signing_keys(self, keys: crosssigning.CrossSigningKeys, reset: bool) -> bool:
        user_id = self.config.user_id
        body = keys.upload_body(user_id)
        status, answer = await self.api("cross-signing upload", "POST", "/keys/device_signing/upload", body)
        if status == 401 and "session" in answer:
            if not self.config.password:
                logger.error(
                    "cross-signing: the homeserver asks for the account's password to %s the cross-signing "
                    'keys; give password: "${MATRIX_PASSWORD}" and run python -m channels.matrix '
                    "--reset-cross-signing",
                    "replace" if reset else "set",
                )
                return False
            body["auth"] = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": user_id},
                "password": self.config.password,
                "session": answer["session"],
            }
            status, answer = await self.api("cross-signing upload", "POST", "/keys/device_signing/upload", body)
        if status != 200:
            logger.error("cross-signing: the homeserver refused the keys (HTTP %d: %s)", status, answer)
            return False
        logger.warning(
            "cross-signing: new keys for %s (master key %s)%s",
            user_id,
            keys.master.public,
            ": clinicians' clients will say that the assistant's identity changed" if reset else "",
        )
        return True

    async def keep_keys(self) -> None:
        """What nio's sync_forever does after each sync."""
        client = self.client
        if client.olm is None:
            return
        if client.outgoing_to_device_messages:
            await self.homeserver("to-device messages", client.send_to_device_messages)
        if client.should_upload_keys:
            await self.homeserver("keys upload", client.keys_upload)
        if client.should_query_keys:
            await self.homeserver("keys query", client.keys_query)
        if client.should_claim_keys:
            await self.homeserver("keys claim", lambda: client.keys_claim(client.get_users_for_key_claiming()))
        self.trust_new_devices()

    def trust_new_devices(self) -> None:
        """Trust on first use: a device of a room member, seen for the first
        time, is trusted and the fact recorded in the store (a device whose
        keys later change is refused by nio). Each one is logged."""
        client = self.client
        if client.olm is None:
            return
        for user_id in list(client.device_store.users):
            for device in client.device_store.active_user_devices(user_id):
                if user_id == client.user_id and device.id == client.device_id:
                    continue
                if client.olm.is_device_verified(device) or client.olm.is_device_blacklisted(device):
                    continue
                client.verify_device(device)
                logger.info(
                    "trusted on first use: %s's device %s (%s), Ed25519 key %s",
                    user_id,
                    device.id,
                    device.display_name or "no name",
                    device.ed25519,
                )

    async def know_room(self, room_id: str) -> None:
        """Before sending: nio knows the room (after a restart it may not have
        seen it yet), and whether it is encrypted, so that nothing is ever sent
        in clear into an encrypted room."""
        client = self.client
        if room_id not in client.rooms:
            client.rooms[room_id] = MatrixRoom(room_id, client.user_id, room_id in client.encrypted_rooms)
        if client.olm is None or client.rooms[room_id].encrypted or room_id in self.plain_rooms:
            return
        status, _ = await self.api("room encryption", "GET", f"/rooms/{_quote(room_id)}/state/m.room.encryption/")
        if status == 200:
            client.rooms[room_id].encrypted = True
            client.encrypted_rooms.add(room_id)
            if client.store:
                client.store.save_encrypted_rooms([room_id])
        else:
            self.plain_rooms.add(room_id)

    async def room_send(self, room_id: str, content: dict[str, Any], txn: str) -> Any:
        """Send `content`, encrypted if the room is."""
        await self.know_room(room_id)
        self.trust_new_devices()
        while True:
            try:
                return await self.homeserver(
                    "send", lambda: self.client.room_send(room_id, "m.room.message", content, tx_id=txn)
                )
            except OlmUnverifiedDeviceError as error:  # a device nio learnt of while sending
                self.trust_new_devices()
                if not self.client.olm or not self.client.olm.is_device_verified(error.device):
                    raise

    # ------------------------------------------------------------------ sync
    async def sync_once(self) -> None:
        since = self.state.next_batch
        response: SyncResponse = await self.homeserver(
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
        await self.keep_keys()
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
                if limited and core.history_wanted(events, self.config.user_id, encrypted):
                    events = await self.fetch_arrival(room_id, room.timeline.prev_batch, events, encrypted)
                elif limited:
                    events = await self.fetch_gap(room_id, room.timeline.prev_batch, since) + events
                if not self.config.encryption:
                    await self.on_encrypted(room_id, events)
                incoming = [
                    m
                    for m in core.messages_to_answer(room_id, events, self.config.user_id)
                    if not self.state.is_handled(m.event_id)
                    # without encryption, on_encrypted tells the room once instead
                    and (self.config.encryption or not m.undecryptable)
                ]
                if incoming:
                    work[room_id] = incoming
            results = await asyncio.gather(
                *(self.answer_room(room_id, messages) for room_id, messages in work.items()), return_exceptions=True
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
            page = await self.homeserver(
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
        and, in an encrypted room, a few events before it (`core.history_wanted`)."""
        own = self.config.user_id
        earlier: list[dict[str, Any]] = []
        start: str | None = prev_batch
        message_filter = {"types": self.filter["room"]["timeline"]["types"]}
        for _ in range(INVITATION_PAGES):
            token = start
            page = await self.homeserver(
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
            if not core.history_wanted(earlier + events, own, encrypted) or page.end in (None, start):
                break
            start = page.end
        if core.needs_invitation(earlier + events, own):
            logger.warning("%s: the invitation was not found; only messages after our join are answered", room_id)
        logger.info("%s: %d earlier event(s) read back to the invitation", room_id, len(earlier))
        return earlier + events

    async def on_invite(self, room_id: str, invite_state: list[dict[str, Any]]) -> None:
        if core.accept_invite(invite_state, self.config.user_id, self.config.accept_group_rooms):
            response = await self.homeserver("join", lambda: self.client.join(room_id))
            if isinstance(response, ErrorResponse):
                logger.warning("could not join %s: %s", room_id, response)
            else:
                logger.info("joined %s", room_id)
        else:
            await self.homeserver("leave", lambda: self.client.room_leave(room_id))
            logger.info("declined the invitation to %s (not a direct room)", room_id)

    async def on_encrypted(self, room_id: str, events: list[dict[str, Any]]) -> None:
        """With encryption off: an encrypted room is told once that its
        messages cannot be read."""
        if core.has_encrypted_messages(events, self.config.user_id) and not self.state.encrypted_room_told(room_id):
            logger.warning("%s is end-to-end encrypted: its messages cannot be read", room_id)
            content = core.matrix_message(core.ENCRYPTED_ROOM_NOTICE, self.config.msgtype)
            await self.homeserver(
                "send",
                lambda: self.client.room_send(
                    room_id, "m.room.message", content, tx_id=core.transaction_id(f"encrypted:{room_id}", 0)
                ),
            )
            self.state.set_encrypted_room_told(room_id)

    # ------------------------------------------------------------------ answering
    async def answer_room(self, room_id: str, messages: list[core.Incoming]) -> None:
        """The room's new messages, in order, one at a time."""
        for message in messages:
            if self.stop_event.is_set():
                raise Stopped()
            if self.state.is_handled(message.event_id):
                continue
            if message.undecryptable:
                notice = core.matrix_message(core.UNDECRYPTABLE_NOTICE, self.config.msgtype)
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
            contents = core.render_replies(replies, self.config.msgtype)
            self.state.record_answer(message, contents, replies)
            logger.info("%s: %s answered with %d message(s)", room_id, message.event_id, len(contents))
            await self.send_all_pending(room_id)
            await self.typing(room_id, False)

    async def send_all_pending(self, room_id: str | None = None) -> None:
        for entry in self.state.pending(room_id):
            for index in range(entry["sent"], len(entry["contents"])):
                content = entry["contents"][index]
                if core.UPLOAD in content:
                    uploaded = await self.upload_file(entry, index, content)
                    if uploaded is None:
                        self.state.drop_pending(entry)
                        break
                    content = uploaded
                txn = core.transaction_id(entry["event_id"], index)
                response = await self.room_send(entry["room_id"], content, txn)
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
        await self.know_room(room_id)
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

        response = await self.homeserver("upload", upload)
        if isinstance(response, ErrorResponse):
            logger.error("%s: file %s not uploaded (%s): dropped", room_id, content.get("filename"), response)
            return None
        if encrypt and not keys:
            logger.error("%s: no keys for the encrypted file %s: not sent", room_id, content.get("filename"))
            return None
        uploaded = core.uploaded_file_message(content, response.content_uri, keys if encrypt else None)
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
        if not self.limiter.available(2):
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
            await self._pause(delay)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def _source(event: Any) -> dict[str, Any]:
    """The raw event nio parsed. (nio keeps no content in the source of
    invitation state events: it is taken from the parsed event.)"""
    source = dict(getattr(event, "source", None) or {})
    if "content" not in source and isinstance(getattr(event, "content", None), dict):
        source["content"] = event.content
    return source
