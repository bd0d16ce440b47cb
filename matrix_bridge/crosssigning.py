"""The bot cross-signs its own device.

Clients that hide messages from devices their owner has not cross-signed
(Element's "exclude insecure devices", MSC4153) would otherwise hide every
answer of the assistant and share no room keys with it. matrix-nio has no
cross-signing, so the three keys of the spec are made here, with Ed25519 from
pycryptodome (already a dependency of matrix-nio; vodozemac's Python binding
signs only with a device's own key):

- the master key, the account's identity;
- the self-signing key, signed by the master key, which signs the bot's
  devices;
- the user-signing key, signed by the master key (required by clients; the
  bot verifies no one with it).

Their 32-byte seeds are kept in ``<state_dir>/cross-signing.json``, mode
0600, sealed with AES-256-GCM under a key derived from the store key: without
them the bot could not sign a new device after losing its store, and a reset
(``python -m matrix_bridge --reset-cross-signing``, password needed) would
tell every clinician that the assistant's identity changed.

`next_step` (no network, no cryptography) decides what the bridge does at
start; the homeserver session (`session.py`) makes the calls.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .state import write_private

SEED_FILE = "cross-signing.json"
_SEAL_INFO = b"clinibot matrix cross-signing seeds v1"


class SeedFileError(Exception):
    """The seed file cannot be read with this store key (or is damaged)."""


def canonical_json(value: Any) -> bytes:
    """The Matrix spec's canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signable(key_object: Mapping[str, Any]) -> dict[str, Any]:
    """What a signature covers: the object without signatures and unsigned."""
    return {name: value for name, value in key_object.items() if name not in ("signatures", "unsigned")}


def b64(data: bytes) -> str:
    """Unpadded standard base64, as Matrix writes keys and signatures."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def with_signature(key_object: Mapping[str, Any], user_id: str, key_id: str, signature: str) -> dict[str, Any]:
    """A copy of `key_object` carrying one more signature."""
    signed = {name: value for name, value in key_object.items() if name != "unsigned"}
    signatures = {user: dict(keys) for user, keys in (key_object.get("signatures") or {}).items()}
    signatures.setdefault(user_id, {})[key_id] = signature
    signed["signatures"] = signatures
    return signed


def key_of(cross_signing_key: Mapping[str, Any] | None) -> str | None:
    """The public Ed25519 key of a cross-signing key object, or None."""
    for key_id, value in ((cross_signing_key or {}).get("keys") or {}).items():
        if key_id.startswith("ed25519:"):
            return str(value)
    return None


class SigningKey:
    """An Ed25519 key from its 32-byte seed."""

    def __init__(self, seed: bytes) -> None:
        from Crypto.PublicKey import ECC

        if len(seed) != 32:
            raise ValueError("an Ed25519 seed has 32 bytes")
        self.seed = seed
        self._key = ECC.construct(curve="Ed25519", seed=seed)
        self.public = b64(self._key.public_key().export_key(format="raw"))

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(os.urandom(32))

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def sign(self, key_object: Mapping[str, Any]) -> str:
        from Crypto.Signature import eddsa

        return b64(eddsa.new(self._key, "rfc8032").sign(canonical_json(signable(key_object))))


@dataclass
class CrossSigningKeys:
    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(SigningKey.generate(), SigningKey.generate(), SigningKey.generate())

    def key_object(self, user_id: str, usage: str) -> dict[str, Any]:
        key = {"master": self.master, "self_signing": self.self_signing, "user_signing": self.user_signing}[usage]
        unsigned_object = {"user_id": user_id, "usage": [usage], "keys": {key.key_id: key.public}}
        if usage == "master":
            return unsigned_object
        return with_signature(unsigned_object, user_id, self.master.key_id, self.master.sign(unsigned_object))

    def upload_body(self, user_id: str) -> dict[str, Any]:
        """The body of ``POST /keys/device_signing/upload``."""
        return {
            "master_key": self.key_object(user_id, "master"),
            "self_signing_key": self.key_object(user_id, "self_signing"),
            "user_signing_key": self.key_object(user_id, "user_signing"),
        }

    def sign_device(self, user_id: str, device_keys: Mapping[str, Any]) -> dict[str, Any]:
        """The device's key object (as the homeserver returned it) signed by
        the self-signing key, for ``POST /keys/signatures/upload``."""
        return with_signature(device_keys, user_id, self.self_signing.key_id, self.self_signing.sign(device_keys))

    def matches(self, master: str | None, self_signing: str | None) -> bool:
        return master == self.master.public and self_signing == self.self_signing.public

    # -- the seed file
    def save(self, path: Path, user_id: str, secret: str) -> None:
        """Written whole (temporary file, then rename), mode 0600."""
        seeds = {
            "master": b64(self.master.seed),
            "self_signing": b64(self.self_signing.seed),
            "user_signing": b64(self.user_signing.seed),
        }
        nonce, sealed = _seal(secret, user_id, canonical_json(seeds))
        document = {
            "version": 1,
            "user_id": user_id,
            "public": {
                "master": self.master.public,
                "self_signing": self.self_signing.public,
                "user_signing": self.user_signing.public,
            },
            "nonce": b64(nonce),
            "sealed_seeds": b64(sealed),
        }
        write_private(path, json.dumps(document, indent=1).encode("utf-8"))

    @classmethod
    def load(cls, path: Path, user_id: str, secret: str) -> CrossSigningKeys | None:
        """The seeds kept in `path`, or None if there is no such file."""
        if not path.exists():
            return None
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            if document.get("user_id") != user_id:
                raise SeedFileError(f"{path} holds the keys of {document.get('user_id')}, not of {user_id}")
            seeds = json.loads(_unseal(secret, user_id, unb64(document["nonce"]), unb64(document["sealed_seeds"])))
            keys = cls(*(SigningKey(unb64(seeds[name])) for name in ("master", "self_signing", "user_signing")))
        except SeedFileError:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise SeedFileError(f"{path} cannot be opened with this store key, or is damaged ({error})") from None
        if keys.master.public != document["public"]["master"]:
            raise SeedFileError(f"{path} is damaged: its seeds do not give its public keys")
        return keys


def _cipher_key(secret: str, user_id: str) -> bytes:
    from Crypto.Hash import SHA256
    from Crypto.Protocol.KDF import HKDF

    key = HKDF(secret.encode("utf-8"), 32, user_id.encode("utf-8"), SHA256, context=_SEAL_INFO)
    assert isinstance(key, bytes)
    return key


def _seal(secret: str, user_id: str, plaintext: bytes) -> tuple[bytes, bytes]:
    from Crypto.Cipher import AES

    nonce = os.urandom(12)
    cipher = AES.new(_cipher_key(secret, user_id), AES.MODE_GCM, nonce=nonce)
    cipher.update(user_id.encode("utf-8"))
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    return nonce, ciphertext + tag


def _unseal(secret: str, user_id: str, nonce: bytes, sealed: bytes) -> bytes:
    from Crypto.Cipher import AES

    cipher = AES.new(_cipher_key(secret, user_id), AES.MODE_GCM, nonce=nonce)
    cipher.update(user_id.encode("utf-8"))
    return bytes(cipher.decrypt_and_verify(sealed[:-16], sealed[-16:]))  # ValueError if the key is wrong


# ---------------------------------------------------------------------- what to do at start

UPLOAD = "upload"  # the account has no cross-signing keys: upload ours
SIGN_DEVICE = "sign-device"  # ours are the account's; this device is not signed yet
DONE = "done"  # ours are the account's and this device is signed
FOREIGN = "foreign"  # the account has keys we do not hold: only a reset helps


def next_step(query: Mapping[str, Any], user_id: str, device_id: str, local: CrossSigningKeys | None) -> str:
    """What to do, from the homeserver's answer to ``POST /keys/query`` for
    our own user, and the keys we hold (None if none)."""
    master = key_of((query.get("master_keys") or {}).get(user_id))
    self_signing = key_of((query.get("self_signing_keys") or {}).get(user_id))
    if master is None:
        return UPLOAD
    if local is None or not local.matches(master, self_signing):
        return FOREIGN
    device = ((query.get("device_keys") or {}).get(user_id) or {}).get(device_id) or {}
    signatures = (device.get("signatures") or {}).get(user_id) or {}
    return DONE if f"ed25519:{self_signing}" in signatures else SIGN_DEVICE


FOREIGN_EXPLANATION = (
    "the account {user_id} already has cross-signing keys that are not in {path}: this device cannot be "
    "cross-signed, and clients that hide devices their owner has not cross-signed (Element, MSC4153) may "
    "hide the assistant's answers. If {path} was lost, reset the keys: `python -m matrix_bridge "
    "--reset-cross-signing` with the account's password in the configuration (clinicians' clients will "
    "say that the assistant's identity changed). See docs/matrix.md."
)
