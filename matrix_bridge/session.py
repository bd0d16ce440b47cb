"""The bridge's device on the homeserver: login, crypto store, keys,
cross-signing, trust of the clinicians' devices, and every call to the
homeserver (paced by `pacing.RateLimiter`, ``rate_limit_per_second``;
retried with back-off while the homeserver is unreachable or failing).

End-to-end encryption (on unless ``encryption: false``): matrix-nio's
``[e2e]`` extra (vodozemac, no libolm). The crypto store is
``<state_dir>/crypto/<user>_<device>.db``, encrypted with the store key and
private (0600 in a 0700 directory); the bridge logs in once and then restores
that login, with the same device, at every start. After each sync it does
what nio's ``sync_forever`` does (`keep_keys`): sends queued to-device
messages, uploads, queries and claims keys. Devices of the clinicians are
trusted on first use (recorded in the store, each one logged); the bot
cross-signs its own device (`crosssigning.py` decides, this module makes the
calls). A store that does not match the device the homeserver knows stops
the bridge with the recovery steps in the log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
from nio import AsyncClient, AsyncClientConfig, ErrorResponse, LoginResponse
from nio.exceptions import OlmUnverifiedDeviceError
from nio.rooms import MatrixRoom

from . import crosssigning, state
from .config import ConfigError, MatrixConfig
from .pacing import Backoff, RateLimiter, StopSignal

logger = logging.getLogger(__name__)

CLIENT_API = "/_matrix/client/v3"


class TokenRejected(Exception):
    """The homeserver no longer accepts the access token."""


class PacedClient(AsyncClient):
    """nio's client, each of its HTTP requests paced by a rate limiter."""

    def __init__(self, *args: Any, limiter: RateLimiter, **kwargs: Any) -> None:
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


class HomeserverSession:
    """The bridge's account and device on the homeserver, and its client:
    `client` (replaced when the bridge logs in again), `request` for nio's
    requests, `api` for those nio has no method for."""

    def __init__(
        self,
        config: MatrixConfig,
        state_dir: Path,
        kept: state.BridgeState,
        stop: StopSignal,
        reset_cross_signing: bool = False,
    ) -> None:
        self.config = config
        self.state_dir = Path(state_dir)
        self.state = kept
        self.stop = stop
        self.store_dir = self.state_dir / "crypto"
        self.limiter = RateLimiter(config.rate_limit_per_second, config.rate_limit_burst)
        self.backoff = Backoff(config.reconnect_max_delay)
        self.reset_cross_signing = reset_cross_signing
        # Rooms found unencrypted since this start (encrypted ones are in nio's store).
        self.plain_rooms: set = set()
        self.client = self.new_client()

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

    async def start(self, new_device: bool = False) -> None:
        """Log in (with `new_device`, again with the password, as a new
        device), open the crypto store, cross-sign."""
        if new_device:
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

    async def log_in_again(self) -> None:
        """The access token was rejected: log in with the password (a new
        device), on a new client."""
        if not self.config.password:
            raise ConfigError("the homeserver rejected the access token: set a new one") from None
        logger.warning("access token rejected: logging in again with the password (a new device)")
        self.state.set_login(None)
        await self.client.close()
        self.client = self.new_client()
        await self.login()

    async def close(self) -> None:
        await self.client.close()

    # ------------------------------------------------------------------ homeserver calls
    async def request(self, what: str, call: Callable[[], Awaitable[Any]], interruptible: bool = False) -> Any:
        """A homeserver call, retried with back-off while the homeserver is
        unreachable or fails (5xx, rate limit). Other errors are returned for
        the caller to judge; an unknown token raises TokenRejected."""
        while True:
            try:
                response = await (self.stop.until_stopped(call()) if interruptible else call())
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
            await self.stop.pause(delay)

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
            await self.stop.pause(delay)

    async def login(self) -> None:
        config, client = self.config, self.client
        saved = self.state.login
        if config.access_token:
            client.access_token = config.access_token
        elif saved:
            client.access_token, client.device_id = saved["access_token"], saved["device_id"]
        else:
            response = await self.request(
                "login", lambda: client.login(config.password, device_name=config.device_name)
            )
            if not isinstance(response, LoginResponse):
                raise ConfigError(f"login as {config.user_id} refused: {response}")
            self.state.set_login({"access_token": response.access_token, "device_id": response.device_id})
            logger.info("logged in as %s (device %s)", response.user_id, response.device_id)
        try:
            whoami = await self.request("whoami", client.whoami)
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
                "(matrix_bridge/requirements.txt), or set encryption: false"
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
            response = await self.request("keys upload", client.keys_upload)
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
                "or reset: python -m matrix_bridge --reset-cross-signing",
                error,
            )
            return
        if query is None:
            _, query = await self.api("keys query", "POST", "/keys/query", {"device_keys": {user_id: []}})
        step = crosssigning.UPLOAD if reset else crosssigning.next_step(query, user_id, device_id, local)
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
            step = crosssigning.next_step(query, user_id, device_id, local)
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
                    'keys; give password: "${MATRIX_PASSWORD}" and run python -m matrix_bridge '
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
            await self.request("to-device messages", client.send_to_device_messages)
        if client.should_upload_keys:
            await self.request("keys upload", client.keys_upload)
        if client.should_query_keys:
            await self.request("keys query", client.keys_query)
        if client.should_claim_keys:
            await self.request("keys claim", lambda: client.keys_claim(client.get_users_for_key_claiming()))
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
        status, _ = await self.api(
            "room encryption", "GET", f"/rooms/{quote(room_id, safe='')}/state/m.room.encryption/"
        )
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
                return await self.request(
                    "send", lambda: self.client.room_send(room_id, "m.room.message", content, tx_id=txn)
                )
            except OlmUnverifiedDeviceError as error:  # a device nio learnt of while sending
                self.trust_new_devices()
                if not self.client.olm or not self.client.olm.is_device_verified(error.device):
                    raise
