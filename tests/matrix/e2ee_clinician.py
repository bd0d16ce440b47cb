"""An encrypting clinician's Matrix client for the end-to-end tests.

Runs in the bridge's virtual environment (matrix-nio[e2e], vodozemac), driven
by `tests.matrix.e2ee.EncryptedClinician` over stdin/stdout: one JSON request
per line, one JSON answer per line ({"ok": ...} or {"error": ...}). nio's logs
go to stderr.

It behaves as Element does by default in 2026 for other users' devices
("exclude insecure devices", MSC4153): room keys are shared only with devices
their owner has cross-signed (checked here with vodozemac's Ed25519, not with
the bridge's code), and each message read says whether its sender's device
was cross-signed. The clinician's own other devices are trusted.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import sys
from typing import Any
from urllib.parse import quote

import unpaddedbase64
import vodozemac
from Crypto.Cipher import AES
from nio import (
    AsyncClient,
    AsyncClientConfig,
    DownloadError,
    ErrorResponse,
    LoginResponse,
    MessageDirection,
    RoomCreateResponse,
)
from nio.api import RoomPreset
from nio.events import MegolmEvent
from nio.exceptions import OlmUnverifiedDeviceError
from nio.store import SqliteStore

CLIENT_API = "/_matrix/client/v3"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signed_by(key_object: dict[str, Any], user_id: str, public_key: str) -> bool:
    """`key_object` carries a valid signature of `user_id`'s key `public_key`."""
    signature = ((key_object.get("signatures") or {}).get(user_id) or {}).get(f"ed25519:{public_key}")
    if not signature:
        return False
    unsigned = {k: v for k, v in key_object.items() if k not in ("signatures", "unsigned")}
    try:
        vodozemac.Ed25519PublicKey.from_base64(public_key).verify_signature(
            canonical_json(unsigned), vodozemac.Ed25519Signature.from_base64(signature)
        )
    except Exception:  # noqa: BLE001 - any failure means "not signed"
        return False
    return True


def only_key(key_object: dict[str, Any] | None) -> str | None:
    for key_id, value in ((key_object or {}).get("keys") or {}).items():
        if key_id.startswith("ed25519:"):
            return value
    return None


def decrypt_attachment(ciphertext: bytes, file: dict[str, Any]) -> bytes:
    """An encrypted attachment's bytes, as the Matrix specification says to
    read them (v2: AES-256-CTR with the JWK key and the 128-bit IV, after
    checking the SHA-256 of the ciphertext), with pycryptodome rather than
    nio's own helper."""
    key = file["key"]
    if file.get("v") != "v2" or key.get("alg") != "A256CTR" or "decrypt" not in key.get("key_ops", []):
        raise ValueError(f"not a v2 A256CTR attachment: {file.get('v')}, {key.get('alg')}")
    if hashlib.sha256(ciphertext).digest() != unpaddedbase64.decode_base64(file["hashes"]["sha256"]):
        raise ValueError("the downloaded file does not match its SHA-256")
    secret = base64.urlsafe_b64decode(key["k"] + "=" * (-len(key["k"]) % 4))
    iv = unpaddedbase64.decode_base64(file["iv"])
    return AES.new(secret, AES.MODE_CTR, nonce=b"", initial_value=iv).decrypt(ciphertext)


class Clinician:
    def __init__(self, homeserver: str, user_id: str, password: str, store: str, device_name: str) -> None:
        self.user_id, self.password, self.device_name = user_id, password, device_name
        self.client = AsyncClient(
            homeserver,
            user_id,
            store_path=store,
            config=AsyncClientConfig(
                encryption_enabled=True, store_sync_tokens=False, pickle_key="clinicien-cle-de-test-0123456789"
            ),
        )
        self.since: str | None = None
        self.first_masters: dict[str, str] = {}  # TOFU of each user's identity, as Element pins it

    # ------------------------------------------------------------------ plumbing
    async def raw(self, method: str, path: str, body: dict | None = None) -> dict[str, Any]:
        response = await self.client.send(
            method,
            CLIENT_API + path,
            json.dumps(body) if body is not None else None,
            {"Authorization": f"Bearer {self.client.access_token}", "Content-Type": "application/json"},
        )
        try:
            answer = await response.json(content_type=None)
        finally:
            response.release()
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {answer}")
        return answer

    async def sync(self, timeout: int = 0) -> None:
        response = await self.client.sync(timeout=timeout, since=self.since, full_state=self.since is None)
        if isinstance(response, ErrorResponse):
            raise RuntimeError(f"sync: {response}")
        self.since = response.next_batch
        client = self.client
        if client.outgoing_to_device_messages:
            await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())
        await self.apply_trust()

    async def cross_signing(self, user_id: str) -> dict[str, Any]:
        """The user's cross-signing keys and which devices they sign, verified."""
        query = await self.raw("POST", "/keys/query", {"device_keys": {user_id: []}})
        master = only_key((query.get("master_keys") or {}).get(user_id))
        self_signing_object = (query.get("self_signing_keys") or {}).get(user_id) or {}
        self_signing = only_key(self_signing_object)
        chain = bool(master and self_signing and signed_by(self_signing_object, user_id, master))
        devices = (query.get("device_keys") or {}).get(user_id) or {}
        if master:
            self.first_masters.setdefault(user_id, master)
        return {
            "master": master,
            "self_signing": self_signing,
            "self_signing_signed_by_master": chain,
            "master_changed": bool(master and self.first_masters.get(user_id) != master),
            "devices": {
                device_id: chain and signed_by(keys, user_id, self_signing or "") for device_id, keys in devices.items()
            },
        }

    async def apply_trust(self) -> None:
        """Exclude insecure devices: other users' devices are trusted only if
        cross-signed by their owner, else blacklisted (they get no key)."""
        client = self.client
        statuses: dict[str, dict[str, Any]] = {}
        for user_id in list(client.device_store.users):
            for device in client.device_store.active_user_devices(user_id):
                if user_id == self.user_id:
                    if device.id != client.device_id and not client.olm.is_device_verified(device):
                        client.verify_device(device)
                    continue
                if user_id not in statuses:
                    statuses[user_id] = await self.cross_signing(user_id)
                secure = statuses[user_id]["devices"].get(device.id, False)
                if secure and not client.olm.is_device_verified(device):
                    client.unblacklist_device(device)
                    client.verify_device(device)
                elif not secure and not client.olm.is_device_blacklisted(device):
                    client.unverify_device(device)
                    client.blacklist_device(device)

    # ------------------------------------------------------------------ requests
    async def login(self) -> dict[str, Any]:
        response = await self.client.login(self.password, device_name=self.device_name)
        if not isinstance(response, LoginResponse):
            raise RuntimeError(f"login: {response}")
        await self.client.keys_upload()
        await self.sync()
        return {"device_id": response.device_id}

    async def create_room(self, invite: list[str], encrypted: bool = True, direct: bool = True) -> dict[str, Any]:
        initial_state = (
            [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
            if encrypted
            else []
        )
        response = await self.client.room_create(
            invite=invite, is_direct=direct, initial_state=initial_state, preset=RoomPreset.trusted_private_chat
        )
        if not isinstance(response, RoomCreateResponse):
            raise RuntimeError(f"createRoom: {response}")
        room_id = response.room_id
        for _ in range(30):  # until our own sync shows the room, its encryption and its members
            await self.sync(timeout=1000)
            room = self.client.rooms.get(room_id)
            if room and room.encrypted == encrypted and all(user in room.users for user in invite):
                break
        else:
            raise RuntimeError(f"{room_id} not seen in sync")
        return {"room_id": room_id}

    async def invite(self, room_id: str, user_id: str) -> dict[str, Any]:
        """A direct-chat invitation (``is_direct`` in the member event, as
        Element's invitations to a direct chat carry it)."""
        await self.raw(
            "PUT",
            f"/rooms/{quote(room_id, safe='')}/state/m.room.member/{quote(user_id, safe='')}",
            {"membership": "invite", "is_direct": True},
        )
        for _ in range(30):
            await self.sync(timeout=1000)
            room = self.client.rooms.get(room_id)
            if room and user_id in room.users:
                return {}
        raise RuntimeError(f"{user_id} not seen as invited in {room_id}")

    async def send(self, room_id: str, text: str) -> dict[str, Any]:
        await self.sync()
        for _ in range(5):
            try:
                response = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text})
                break
            except OlmUnverifiedDeviceError:  # a device learnt of while sending: judge it, then send
                await self.apply_trust()
        else:
            raise RuntimeError("devices could not be judged")
        if isinstance(response, ErrorResponse):
            raise RuntimeError(f"send: {response}")
        return {"event_id": response.event_id}

    async def history(self, room_id: str) -> dict[str, Any]:
        """Every message and membership of the room, oldest first, decrypted
        where this device has the keys."""
        await self.sync()
        events: list[dict[str, Any]] = []
        start = self.since
        statuses: dict[str, dict[str, Any]] = {}
        while start:
            page = await self.client.room_messages(room_id, start=start, direction=MessageDirection.back, limit=100)
            if isinstance(page, ErrorResponse):
                raise RuntimeError(f"messages: {page}")
            for event in page.chunk:
                source = dict(event.source)
                if source.get("type") not in ("m.room.message", "m.room.encrypted", "m.room.member"):
                    continue
                item = {
                    "event_id": source.get("event_id"),
                    "sender": source.get("sender"),
                    "type": source.get("type"),
                    "content": source.get("content") or {},
                    "state_key": source.get("state_key"),
                    "decrypted": bool(getattr(event, "decrypted", False)),
                    "undecryptable": isinstance(event, MegolmEvent),
                }
                sender_key = getattr(event, "sender_key", None)
                if item["decrypted"] and sender_key:
                    device = self.client.device_store.device_from_sender_key(item["sender"], sender_key)
                    if item["sender"] not in statuses:
                        statuses[item["sender"]] = await self.cross_signing(item["sender"])
                    item["sender_device"] = device.id if device else None
                    item["sender_device_cross_signed"] = bool(
                        device and statuses[item["sender"]]["devices"].get(device.id)
                    )
                events.append(item)
            if not page.chunk or page.end in (None, start):
                break
            start = page.end
        return {"events": list(reversed(events))}

    async def download(self, url: str, file: dict[str, Any] | None = None) -> dict[str, Any]:
        """The bytes (base64) of the file at `url`, decrypted with `file` (the
        ``file`` of an encrypted ``m.file`` message) if given."""
        response = await self.client.download(mxc=url)
        if isinstance(response, DownloadError):
            raise RuntimeError(f"download {url}: {response}")
        data = response.body if file is None else decrypt_attachment(response.body, file)
        return {"base64": base64.b64encode(data).decode("ascii")}

    async def store_opens(self, store_path: str, user_id: str, device_id: str, pickle_key: str) -> dict[str, Any]:
        """Whether the bridge's crypto store opens with `pickle_key`."""
        try:
            store = SqliteStore(user_id, device_id, store_path, pickle_key)
            account = store.load_account()
        except Exception as error:  # noqa: BLE001 - the answer is the failure
            return {"opens": False, "error": f"{type(error).__name__}: {error}"}
        return {"opens": account is not None}


async def serve() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    clinician: Clinician | None = None
    while True:
        line = await reader.readline()
        if not line:
            break
        request = json.loads(line)
        operation = request.pop("op")
        try:
            if operation == "start":
                clinician = Clinician(**request)
                answer: Any = await clinician.login()
            elif operation == "close":
                break
            else:
                assert clinician is not None, "start first"
                answer = await getattr(clinician, operation)(**request)
            reply = {"ok": answer}
        except Exception as error:  # noqa: BLE001 - reported to the test
            logging.getLogger("clinician").exception("%s failed", operation)
            reply = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()
    if clinician is not None:
        await clinician.client.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    asyncio.run(serve())
